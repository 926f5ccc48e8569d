package outbound_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/server/outbound"
)

func TestSegments(t *testing.T) {
	for _, c := range []struct {
		body string
		n    int
		gsm  bool
	}{
		{"", 1, true},
		{strings.Repeat("a", 160), 1, true},
		{strings.Repeat("a", 161), 2, true},
		{strings.Repeat("a", 306), 2, true},
		{strings.Repeat("a", 307), 3, true},
		{strings.Repeat("€", 80), 1, true},  // two septets each: 160
		{strings.Repeat("€", 81), 2, true},  // 162 septets
		{strings.Repeat("é", 160), 1, true}, // in the basic set
		{strings.Repeat("ă", 70), 1, false}, // Vietnamese: UCS-2
		{strings.Repeat("ă", 71), 2, false},
		{strings.Repeat("a", 100) + "😀", 2, false}, // 102 UTF-16 units
		{strings.Repeat("中", 134), 2, false},
		{strings.Repeat("中", 135), 3, false},
	} {
		n, gsm := outbound.Segments(c.body)
		if n != c.n || gsm != c.gsm {
			t.Errorf("%q…(%d runes): %d segments, gsm %v; want %d, %v", c.body[:min(len(c.body), 8)], len([]rune(c.body)), n, gsm, c.n, c.gsm)
		}
	}
}
