package push_test

import (
	"testing"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/push"
)

// Each chunk of a fan-out's plan reads the recipients it plans, not all of
// the notification's: a school-wide announcement is planned in chunks of up
// to 1,024 of its 2,000 recipients, and the plan's statements run on
// generic plans (TestFanOutPlanKeepsItsPlans). The planned recipients'
// state written as `user_id IN (…1,024 values…)` read every recipient of
// the notification and compared each with the list one by one (28 ms of
// PostgreSQL's time for a chunk of 1,024, half of the plan's writes), and
// the claim of the next chunk read past every recipient planned before it.
// Here a notice to 600 users, each with a device, is planned in chunks of
// 64 on a connection that plans as the jobs' do, in a table without
// statistics (a new school's first notices); each chunk's transaction may
// read, of notification_recipients, the chunk's rows and a few more,
// whatever its place in the notice (its writes find the rows its claim
// locked by their address: a TID scan, which reads no other); in the end
// every recipient is planned, each device has one delivery, and a chunk
// from the first recipient again finds nothing left. Rows read are
// PostgreSQL's own count for the transaction, of its scans.
func TestPlanChunkReadsItsRecipientsOnly(t *testing.T) {
	const users, chunk = 600, 64
	w := newWorld(t, apptest.Options{})
	db, pool, err := database.CustomPlans(w.DB, w.App.Config.DatabaseURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var id string
	must(w.DB.Raw(`WITH u AS (
			INSERT INTO users (firebase_uid, display_name) SELECT 'plan-reads-' || g, 'Parent ' || g FROM generate_series(1, ?) g RETURNING id),
		d AS (INSERT INTO devices (user_id, token, platform) SELECT id, 'tok-' || id, 'IOS' FROM u),
		n AS (INSERT INTO notifications (school_id, type, category, urgent, params, data, deep_link, collapse_key, thread_id, created_at)
			VALUES (NULL, 'TEST', 'ANNOUNCEMENT', true, '{}', '{}', 'sameside://x', 'k', 'k', now()) RETURNING id),
		r AS (INSERT INTO notification_recipients (notification_id, user_id, state, created_at) SELECT n.id, u.id, 'PENDING', now() FROM n, u)
		SELECT id FROM n`, users).Scan(&id).Error)
	const readsSQL = `SELECT coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0) FROM pg_stat_xact_user_tables WHERE relname = 'notification_recipients'`
	planned, from := 0, ""
	for i := 0; ; i++ {
		tx := db.Begin()
		var before, after int64
		must(tx.Raw(readsSQL).Scan(&before).Error)
		got, last, err := push.PlanChunk(w.App.Push, tx, id, 7, from, chunk)
		must(err)
		from = last
		must(tx.Raw(readsSQL).Scan(&after).Error)
		must(tx.Commit().Error)
		read := after - before
		t.Logf("chunk %d: %d planned, %d recipients' rows read", i, got, read)
		if limit := int64(chunk + 8); read > limit {
			t.Errorf("chunk %d (%d recipients planned before it): %d rows of notification_recipients read to plan %d, want at most %d",
				i, planned, read, got, limit)
		}
		planned += got
		if got < chunk {
			break
		}
	}
	if got, _, err := push.PlanChunk(w.App.Push, db, id, 7, "", chunk); err != nil || got != 0 {
		t.Fatalf("a chunk from the first recipient again planned %d (%v), want none left", got, err)
	}
	var left, deliveries int
	must(w.DB.Raw(`SELECT count(*) FROM notification_recipients WHERE notification_id = ? AND state <> 'PLANNED'`, id).Scan(&left).Error)
	must(w.DB.Raw(`SELECT count(*) FROM notification_deliveries WHERE notification_id = ?`, id).Scan(&deliveries).Error)
	if planned != users || left != 0 || deliveries != users {
		t.Fatalf("%d planned, %d left unplanned, %d deliveries; want %d, 0, %d", planned, left, deliveries, users, users)
	}
}
