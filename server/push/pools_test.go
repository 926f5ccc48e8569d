package push_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// A fan-out works on the background jobs' connections, not the API's:
// with every API connection taken (a burst of requests), a notice still
// reaches its device. On the API's pool, the fan-out waited for one, and
// under load requests waited behind fan-outs.
func TestFanOutDoesNotWaitForTheAPIsConnections(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	u, _ := w.user("UTC", "", "", 1)
	api, err := w.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	open := api.Stats().MaxOpenConnections
	var held []*sql.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	take := func() {
		t.Helper()
		c, err := api.Conn(ctx)
		if err != nil {
			t.Fatalf("taking an API connection: %v", err)
		}
		held = append(held, c)
	}
	for range open - 1 {
		take()
	}
	// The notice is written on the last free one, which is then taken too
	// (before the fan-out job is fetched: River is told after the commit).
	w.enqueue(notice(models.CategoryNewMessage, false, u))
	take()
	if api.Stats().InUse != open {
		t.Fatalf("%d of %d API connections held", api.Stats().InUse, open)
	}
	if got, err := w.FCM.Await(ctx, 1); err != nil || got != 1 {
		t.Fatalf("with the API's %d connections held: %d pushes (%v)", open, got, err)
	}
}
