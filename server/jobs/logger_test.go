package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// River's Info chatter ("Hard stop started" on a graceful stop) goes to
// Debug; its warnings stay warnings.
func TestRiverLoggerQuietensInfo(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	log.Info("River client: Hard stop started; cancelling all work")
	log.With("queue", "push").Warn("job failed")
	out := buf.String()
	if strings.Contains(out, "Hard stop") || !strings.Contains(out, "job failed") || !strings.Contains(out, "queue=push") {
		t.Fatalf("log: %q", out)
	}
}

// An error River logs about work its own stop ended (the periodic
// enqueuer's insert notification when an instance shuts down: "Failed to
// send job insert notification … context canceled") is not an error of
// the instance: it goes to Debug. The same line with its context alive,
// or a stop's context with another cause, stays an error.
func TestRiverLoggerQuietensWhatAStopCanceled(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	log.ErrorContext(stopped, "River client: Failed to send job insert notification", "queues", "maintenance,translate", "err", "context canceled")
	if out := buf.String(); out != "" {
		t.Fatalf("a canceled notification logged: %q", out)
	}
	log.ErrorContext(context.Background(), "River client: Failed to send job insert notification", "err", "context canceled")
	log.ErrorContext(stopped, "River client: Failed to send job insert notification", "err", "connection refused")
	if out := buf.String(); strings.Count(out, "level=ERROR") != 2 {
		t.Fatalf("errors that a stop did not cause: %q", out)
	}
}
