package app_test

import (
	"context"
	"testing"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database"
)

// Every connection the app opens has the session settings
// (database.SessionParams: JIT off, SSD page costs): the API's, and the
// pool River's workers and the live events run on, whose statements
// (River's fetch and maintenance on a job table that grows) PostgreSQL
// would otherwise plan for spinning disks and JIT-compile when it costs
// them high.
func TestEveryPoolHasTheSessionSettings(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	for name, want := range database.SessionParams {
		var api, workers string
		if err := env.DB.Raw("SELECT current_setting(?)", name).Scan(&api).Error; err != nil {
			t.Fatal(err)
		}
		if err := env.App.Pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&workers); err != nil {
			t.Fatal(err)
		}
		if api != want || workers != want {
			t.Errorf("%s: the API's connections %q, the workers' and events' %q, want %q", name, api, workers, want)
		}
	}
}
