package graph_test

import (
	"database/sql"
	"sync"
	"testing"

	"github.com/sameside/sameside/server/apptest"
)

// Under steady load above half the pool (8 clients on a pool of 10), the
// server opens no new PostgreSQL sessions: idle connections are kept, not
// closed and reopened.
func TestNoConnectionChurnUnderSteadyLoad(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"SAMESIDE_DB_MAX_CONNS": "10", "SAMESIDE_RATE_LIMIT": "0"}})
	f.threeChildren(t, 30)
	tok := f.token("parentA")
	sqlDB, err := f.App.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	load := func(perClient int) {
		var wg sync.WaitGroup
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perClient; i++ {
					if res := f.Do(tok, qFeed, map[string]any{"first": 20}); res.Code() != "" {
						t.Error(res.Body)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	load(20) // warm up: the pool grows to what the load needs
	before := sqlDB.Stats()
	load(100)
	after := sqlDB.Stats()
	closed := func(s sql.DBStats) int64 { return s.MaxIdleClosed + s.MaxIdleTimeClosed + s.MaxLifetimeClosed }
	opened := int64(after.OpenConnections-before.OpenConnections) + closed(after) - closed(before)
	t.Logf("800 feed pages from 8 clients on a pool of 10: %d connections open before, %d after; %d new sessions, %d closed as surplus idle",
		before.OpenConnections, after.OpenConnections, opened, after.MaxIdleClosed-before.MaxIdleClosed)
	if opened != 0 || after.MaxIdleClosed != before.MaxIdleClosed {
		t.Fatalf("%d new sessions under steady load (%d closed as surplus idle)", opened, after.MaxIdleClosed-before.MaxIdleClosed)
	}
}
