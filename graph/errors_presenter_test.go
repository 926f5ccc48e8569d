package graph_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/vikstrous/dataloadgen"

	"github.com/sameside/sameside/graph"
	"github.com/sameside/sameside/models"
)

// TestDeletedMeanwhileIsNotFound: a loader that finds a row gone (deleted
// between the write and the response, as a family's deletion racing a
// message) answers NOT_FOUND, not INTERNAL (TestFamilyDeletionRacingMessages
// saw the message's sender vanish so).
func TestDeletedMeanwhileIsNotFound(t *testing.T) {
	present := graph.ErrorPresenter(slog.New(slog.NewTextHandler(io.Discard, nil)), func(context.Context) string { return "" })
	got := present(context.Background(), dataloadgen.ErrNotFound)
	if got.Extensions["code"] != "NOT_FOUND" {
		t.Fatalf("%s: %v", got.Message, got.Extensions)
	}
}

// TestCanceledRequestIsNotAnInternalError: a request whose client went
// away (its context canceled: the load command stopping, a phone losing
// its connection) ends its resolvers with context.Canceled; that is logged
// as what it is, not as an internal error, and answered UNAVAILABLE (no one
// reads it). A cancellation the request did not see stays an internal
// error.
func TestCanceledRequestIsNotAnInternalError(t *testing.T) {
	var logs strings.Builder
	present := graph.ErrorPresenter(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), func(context.Context) string { return "r1" })
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range []error{fmt.Errorf("loading the author: %w", context.Canceled), models.Internal(context.Canceled)} {
		logs.Reset()
		got := present(gone, err)
		if got.Extensions["code"] != "UNAVAILABLE" || strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("%v after the client went away: %s %v; logged %q", err, got.Message, got.Extensions, logs.String())
		}
	}
	logs.Reset()
	if got := present(context.Background(), context.Canceled); got.Extensions["code"] != "INTERNAL" || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a cancellation the request did not see: %s %v; logged %q", got.Message, got.Extensions, logs.String())
	}
}
