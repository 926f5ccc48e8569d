package jobs

import (
	"bytes"
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
