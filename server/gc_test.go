package main

import (
	"io"
	"log/slog"
	"runtime/debug"
	"testing"
)

// Serving sets the collector's percent and soft limit unless GOGC and
// GOMEMLIMIT say otherwise.
func TestTuneGC(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	tuneGC(func(string) string { return "" }, log)
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GC percent %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetMemoryLimit(limit); got != serveMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, serveMemoryLimit)
	}

	env := map[string]string{"GOGC": "150", "GOMEMLIMIT": "2GiB"}
	tuneGC(func(k string) string { return env[k] }, log)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent %d; want it left at 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("with GOMEMLIMIT set, memory limit %d; want it left at %d", got, limit)
	}
}
