package jobs

import (
	"testing"
	"time"
)

// TestWakesLimitEachQueue: one wake-up a queue per Every; none without
// Wakes.
func TestWakesLimitEachQueue(t *testing.T) {
	w := &Wakes{Every: time.Hour}
	if got := []bool{w.due("push"), w.due("push"), w.due("outbound")}; got[0] != true || got[1] != false || got[2] != true {
		t.Fatalf("push, push again, outbound: %v; want true, false, true", got)
	}
	var none *Wakes
	if none.due("push") {
		t.Fatal("a nil Wakes sent a wake-up")
	}
	always := &Wakes{}
	if !always.due("push") || !always.due("push") {
		t.Fatal("with Every 0, every insert wakes the workers")
	}
}
