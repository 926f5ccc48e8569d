package main

import (
	"slices"
	"testing"
)

func TestPairedRatios(t *testing.T) {
	a := []result{{rate: 600}, {rate: 500}, {rate: 900}}
	b := []result{{rate: 300}, {rate: 0}, {rate: 450}, {rate: 100}}
	// Round 2's b served nothing and round 4 has no a: neither pairs.
	if got, want := pairedRatios(a, b), []float64{2, 2}; !slices.Equal(got, want) {
		t.Fatalf("pairedRatios = %v, want %v", got, want)
	}
	if got := pairedRatios(nil, b); len(got) != 0 {
		t.Fatalf("pairedRatios with no rounds = %v, want none", got)
	}
}
