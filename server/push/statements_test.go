package push_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/push"
)

// A notice to one person (a message, a note) is the fan-out's commonest
// job: its work runs at most fanOutStatements statements (BEGIN and COMMIT
// included) when they have a device, and fewer when they have none,
// counted on the wire for that job alone. River's own fetch and completion
// are not counted. At 200 messages a second (make bench-live) each is paid
// per message.
func TestFanOutStatements(t *testing.T) {
	const fanOutStatements = 6
	w := newWorld(t, apptest.Options{})
	jobs := w.RecordJobs("push_fan_out")
	withDevice, _ := w.user("UTC", "", "", 1)
	without, _ := w.user("UTC", "", "", 0)

	count := func(who models.User) int {
		t.Helper()
		before := len(jobs())
		w.enqueue(notice(models.CategoryNewMessage, false, who))
		w.WaitPushesIdle()
		var failed int64
		w.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = 'push_fan_out' AND (state <> 'completed' OR errors IS NOT NULL)`).Scan(&failed)
		if failed > 0 {
			t.Fatalf("%d fan-out jobs did not complete cleanly", failed)
		}
		got := jobs()
		if len(got) != before+1 {
			t.Fatalf("%d fan-out jobs recorded, want %d", len(got), before+1)
		}
		var newest int64
		for id := range got {
			newest = max(newest, id)
		}
		for _, s := range got[newest] {
			line := strings.Join(strings.Fields(s.SQL), " ")
			t.Logf("  %s", line[:min(110, len(line))])
		}
		return len(got[newest])
	}
	n := count(withDevice)
	if c := w.FCM.CountByToken(); len(c) != 1 {
		t.Fatalf("pushes: %v, want one to the device", c)
	}
	t.Logf("one recipient with a device: %d statements", n)
	if n > fanOutStatements {
		t.Errorf("one recipient with a device: %d statements, want at most %d", n, fanOutStatements)
	}
	m := count(without)
	t.Logf("one recipient without: %d statements", m)
	if m >= n {
		t.Errorf("one recipient without a device: %d statements, want fewer than with one (%d)", m, n)
	}
}

// A fan-out's outcomes are written in batches, not a few at a time as FCM
// answers: 100 recipients with 2 devices each, every answer 300 ms after
// its request, so that the 200 sends are on the wire together and their
// answers come in within a few milliseconds of one another. Written as
// soon as the write before was done, they took 11 to 18 writes; a
// school-wide announcement's 4,000 outcomes took 150, each planned for its
// values (database.CustomPlans): 36 ms of PostgreSQL's time per publish
// on planning them alone.
func TestOutcomesWrittenInBatches(t *testing.T) {
	const users, devices, maxWrites = 100, 2, 8
	// A minute's wait: the writes are cut by their size and by the last
	// send's answer alone, however slowly a busy machine plans and sends.
	w := newWorld(t, apptest.Options{Env: map[string]string{"SAMESIDE_PUSH_OUTCOME_WAIT": "1m"}})
	w.FCM.SetDelay(300 * time.Millisecond)
	jobs := w.RecordJobs("push_fan_out")
	w.sendToAll(users, devices)
	writes := 0
	for _, statements := range jobs() {
		for _, s := range statements {
			if strings.HasPrefix(strings.Join(strings.Fields(s.SQL), " "), "WITH v AS ( SELECT * FROM unnest(") {
				writes++
			}
		}
	}
	t.Logf("%d outcomes in %d writes", users*devices, writes)
	if writes == 0 || writes > maxWrites {
		t.Errorf("%d outcomes in %d writes, want 1 to %d", users*devices, writes, maxWrites)
	}
}

// A fan-out's changes to its rows are made in place (HOT updates, no new
// index entries): a recipient's state when planned, a delivery's status
// when FCM answers. Each was a new row version with an entry in every
// index (0 of 300 and 0 of 600 in place) while an index named the column
// in its condition and the rows filled their pages (see migration
// 00033); for a school-wide announcement that was a fifth of
// PostgreSQL's time per publish. The counts are PostgreSQL's own for this
// test's database, read once they include every update the fan-out made
// (an idle backend reports them within 10 s).
func TestFanOutUpdatesInPlace(t *testing.T) {
	const users, devices = 300, 2
	w := newWorld(t, apptest.Options{})
	w.sendToAll(users, devices)
	type counts struct{ Upd, Hot int64 }
	read := func(table string) counts {
		var c counts
		if err := w.DB.Raw(`SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = ?`, table).Scan(&c).Error; err != nil {
			t.Fatal(err)
		}
		return c
	}
	var r, d counts
	w.eventually(30*time.Second, "the fan-out's updates counted", func() bool {
		r, d = read("notification_recipients"), read("notification_deliveries")
		return r.Upd >= users && d.Upd >= users*devices
	})
	t.Logf("recipients: %d of %d updates in place; deliveries: %d of %d", r.Hot, r.Upd, d.Hot, d.Upd)
	for _, c := range []struct {
		what string
		counts
	}{{"recipients", r}, {"deliveries", d}} {
		if c.Hot*10 < c.Upd*8 {
			t.Errorf("%s: %d of %d updates in place, want at least 80 %%", c.what, c.Hot, c.Upd)
		}
	}
}

// The fan-out's plan is planned once per connection, not once per run: its
// connections plan each statement for its values (the jobs' pool,
// database.CustomPlans), and the recipients' statement (their settings,
// office hours, badge and reach: a badge is the rule for the conversations
// each may see) took 2.7 ms to plan and 0.13 ms to run, once per message
// at 200 messages a second (make bench-live, PostgreSQL's log). Every
// statement of the plan finds its rows by key whatever the tables' sizes,
// so the plan's transaction keeps one generic plan per statement. Three
// plans of one recipient each, on one connection planning for values as
// the jobs' does: the recipients' statement ran three times on a generic
// plan, never on one made for its values.
func TestFanOutPlanKeepsItsPlans(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	db, pool, err := database.CustomPlans(w.DB, w.App.Config.DatabaseURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for i := range 3 {
		u, _ := w.user("UTC", "", "", 1)
		var id string
		// A notice written as a writer's statement writes it, with no job
		// to plan it: this test plans it.
		if err := w.DB.Raw(`WITH n AS (INSERT INTO notifications (school_id, type, category, urgent, params, data, deep_link, collapse_key, thread_id, created_at)
				VALUES (NULL, 'NEW_MESSAGE', 'NEW_MESSAGE', false, '{}', '{}', 'sameside://x', 'k', 'k', now()) RETURNING id),
			r AS (INSERT INTO notification_recipients (notification_id, user_id, state, created_at) SELECT id, ?, 'PENDING', now() FROM n)
			SELECT id FROM n`, u.ID).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		if got, _, err := push.PlanChunk(w.App.Push, db, id, int64(1000+i), "", 8); err != nil || got != 1 {
			t.Fatalf("plan %d: %d planned, %v", i, got, err)
		}
	}
	var plans []struct{ GenericPlans, CustomPlans int }
	if err := db.Raw(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%AS push_off%' AND statement NOT LIKE '%pg_prepared_statements%'`).Scan(&plans).Error; err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].GenericPlans != 3 || plans[0].CustomPlans != 0 {
		t.Fatalf("the recipients' statement on the plan's connection: %+v, want one statement run 3 times on a generic plan", plans)
	}
	// The setting ended with each plan's transaction: the connection's
	// other work (the outcome writes) keeps its plans made for its values.
	var mode string
	if err := db.Raw(`SELECT current_setting('plan_cache_mode')`).Row().Scan(&mode); err != nil || mode != "force_custom_plan" {
		t.Fatalf("after the plans, the connection plans %q (%v), want force_custom_plan", mode, err)
	}
}
