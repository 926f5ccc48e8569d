package app_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/apptest"
)

// TestDrainingInstancePublishes: on SIGTERM an instance stops taking
// requests and lets those in flight finish; what they write, other
// instances' subscribers must still hear of live (a teacher's message sent
// during a deploy). The events such a request publishes after the signal
// go out, the last of them when the instance closes.
func TestDrainingInstancePublishes(t *testing.T) {
	ctx := context.Background()
	other := apptest.New(t, apptest.Options{NoWorkers: true}) // another instance, listening
	a, err := app.Open(ctx, other.App.Config, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serving, sigterm := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(serving, l) }()
	// The listener is bound: the request waits in its backlog until Serve
	// has started its workers and events and accepts it.
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Get("http://" + l.Addr().String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d", res.StatusCode)
	}
	sub, unsubscribe := context.WithCancel(ctx)
	defer unsubscribe()
	heard := other.App.Events.Subscribe(sub, "drain-test")

	sigterm()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	// What a request finishing during the drain publishes, then the
	// instance closes (the process's exit).
	a.Events.Publish(models.Event{Topic: "drain-test", Type: "NEW_MESSAGE"})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// Everything the closed instance sent reaches the other before a
	// marker the other sends after it.
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := other.App.Events.Sync(wait); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-heard:
		if e.Type != "NEW_MESSAGE" {
			t.Fatalf("heard %+v", e)
		}
	default:
		t.Fatal("the event published while the instance drained never reached the other instance")
	}
}
