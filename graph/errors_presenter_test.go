package graph_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/vikstrous/dataloadgen"

	"github.com/sameside/sameside/graph"
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
