package push_test

import (
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push"
)

// An outcome write finds its rows by their keys however stale the table's
// statistics: here they were taken when the table held one delivery for
// each of 50 notifications, and an announcement then wrote 4,000. Each
// write of 160 outcomes reads at most one pass over the table (a plan may
// find a pass cheaper while the table is small) and its own rows, on
// every run of its prepared statement: the first five (custom plans),
// those after (PostgreSQL's generic plan, made once for every batch), and
// with the generic plan forced. The generic plan used to read the
// notification's deliveries once per outcome, 300,000 rows a batch.
// Rows read are PostgreSQL's own count for this transaction alone.
func TestOutcomeWriteReadsItsRowsOnly(t *testing.T) {
	const batch, owed = 160, 4000
	w := newWorld(t, apptest.Options{})
	u, _ := w.user("UTC", "", "", 0)
	db := w.DB
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Exec(`ALTER TABLE notification_deliveries SET (autovacuum_enabled = false)`).Error)
	must(db.Exec(`INSERT INTO notifications (id, type, category, urgent, params, data, deep_link, collapse_key, thread_id, created_at)
		SELECT gen_random_uuid(), 'TEST', 'SYSTEM', false, '{}', '{}', 'x', 'x', 'x', now() FROM generate_series(1, 50)`).Error)
	must(db.Exec(`INSERT INTO notification_deliveries (notification_id, device_id, user_id, status, next_attempt_at, created_at, updated_at)
		SELECT id, gen_random_uuid(), ?, 'SENT', now(), now(), now() FROM notifications`, u.ID).Error)
	must(db.Exec(`ANALYZE notification_deliveries`).Error)
	const nid = "00000000-0000-4000-8000-000000000001"
	must(db.Exec(`INSERT INTO notifications (id, type, category, urgent, params, data, deep_link, collapse_key, thread_id, created_at)
		VALUES (?, 'TEST', 'SYSTEM', false, '{}', '{}', 'x', 'x', 'x', now())`, nid).Error)
	must(db.Exec(`INSERT INTO notification_deliveries (notification_id, device_id, user_id, status, claimed_by, next_attempt_at, created_at, updated_at)
		SELECT ?, gen_random_uuid(), ?, 'SENDING', 1, now(), now(), now() FROM generate_series(1, ?)`, nid, u.ID, owed).Error)
	var rows int64
	must(db.Raw(`SELECT count(*) FROM notification_deliveries`).Scan(&rows).Error)
	for i := 0; i < 12; i++ {
		generic := i >= 8
		var ids []string
		must(db.Raw(`SELECT device_id FROM notification_deliveries WHERE notification_id = ? AND status = 'SENDING' ORDER BY random() LIMIT ?`, nid, batch).Scan(&ids).Error)
		tx := db.Begin()
		if generic {
			must(tx.Exec(`SET LOCAL plan_cache_mode = force_generic_plan`).Error)
		}
		// This transaction's reads of the table so far (PostgreSQL's
		// counters for it), before and after the write.
		const readsSQL = `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables WHERE relname = 'notification_deliveries'`
		var before, after, written int64
		must(tx.Raw(readsSQL).Scan(&before).Error)
		must(push.SaveSent(tx, nid, ids))
		must(tx.Raw(readsSQL).Scan(&after).Error)
		must(tx.Raw(`SELECT count(*) FROM notification_deliveries WHERE notification_id = ? AND device_id = ANY(CAST(? AS uuid[]))
			AND status = 'SENT' AND claimed_by IS NULL AND attempts = 1`, nid, models.Array[string](ids)).Scan(&written).Error)
		must(tx.Commit().Error)
		read := after - before
		t.Logf("write %d (generic plan forced: %v): %d rows read", i+1, generic, read)
		if written != batch {
			t.Fatalf("write %d: %d of %d outcomes written", i+1, written, batch)
		}
		if read > rows+2*batch {
			t.Errorf("write %d (generic plan forced: %v): %d rows read for %d outcomes in a table of %d", i+1, generic, read, batch, rows)
		}
	}
}
