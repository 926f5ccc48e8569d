package push_test

import (
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push"
)

// An outcome write finds its rows by their keys however stale the table's
// statistics, on the pipeline's own connections: the statistics were taken
// when the table held one delivery for each of 50 notifications; a notice
// to 200 devices is written while the table is that small, then 64,000
// more rows come (a busy minute of a new school, faster than autovacuum's
// ANALYZE) and a notice's 4,000. While the table is small a write may make
// one pass over it (a plan may find that cheaper); once it has grown, each
// write of 160 outcomes reads its own rows. A
// generic plan cached while the table was small scanned it whole for every
// batch (60,000 rows a write; a run of 30 announcements had publishes
// whose PostgreSQL time tripled), and the generic plan of the write as it
// first was read the notification's deliveries once per outcome (300,000
// rows a write). Rows read are PostgreSQL's own count for this transaction
// alone.
func TestOutcomeWriteReadsItsRowsOnly(t *testing.T) {
	const batch, small, owed, later = 160, 20, 4000, 60000
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
		SELECT ?, gen_random_uuid(), ?, 'SENDING', 1, now(), now(), now() FROM generate_series(1, ?)`, nid, u.ID, 10*small).Error)
	pipeline := w.App.Push.DB // the background jobs' pool, as the sender writes
	write := func(i, batch int) (read int64) {
		t.Helper()
		var ids []string
		must(db.Raw(`SELECT device_id FROM notification_deliveries WHERE notification_id = ? AND status = 'SENDING' ORDER BY random() LIMIT ?`, nid, batch).Scan(&ids).Error)
		tx := pipeline.Begin()
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
		if written != int64(batch) {
			t.Fatalf("write %d: %d of %d outcomes written", i, written, batch)
		}
		return after - before
	}
	rows := int64(50 + 10*small)
	for i := 1; i <= 8; i++ {
		read := write(i, small)
		t.Logf("write %d, table of %d: %d rows read", i, rows, read)
		if read > rows+2*small {
			t.Errorf("write %d: %d rows read for %d outcomes in a table of %d", i, read, small, rows)
		}
	}
	must(db.Exec(`INSERT INTO notification_deliveries (notification_id, device_id, user_id, status, next_attempt_at, created_at, updated_at)
		SELECT n.id, gen_random_uuid(), ?, 'SENT', now(), now(), now() FROM generate_series(1, ?) g,
		LATERAL (SELECT id FROM notifications WHERE id <> ? ORDER BY id OFFSET g % 50 LIMIT 1) n`, u.ID, later, nid).Error)
	must(db.Exec(`INSERT INTO notification_deliveries (notification_id, device_id, user_id, status, claimed_by, next_attempt_at, created_at, updated_at)
		SELECT ?, gen_random_uuid(), ?, 'SENDING', 1, now(), now(), now() FROM generate_series(1, ?)`, nid, u.ID, owed).Error)
	rows += later + owed
	for i := 9; i <= 16; i++ {
		read := write(i, batch)
		t.Logf("write %d, table of %d: %d rows read", i, rows, read)
		if read > 2*batch {
			t.Errorf("write %d: %d rows read for %d outcomes in a table of %d", i, read, batch, rows)
		}
	}
}
