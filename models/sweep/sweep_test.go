package sweep_test

import (
	"context"
	"testing"

	"github.com/sameside/sameside/models/sweep"
	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Delete takes batch rows a statement, in the order asked, until none of
// the selected rows is left, and touches no other row.
func TestDelete(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	if err := db.Exec(`CREATE TABLE sweep_rows (id int PRIMARY KEY, old bool NOT NULL);
		INSERT INTO sweep_rows SELECT i, i <= 12 FROM generate_series(1, 15) AS i`).Error; err != nil {
		t.Fatal(err)
	}
	n, err := sweep.Delete(ctx, db, "sweep_rows", 5, `SELECT ctid FROM sweep_rows WHERE old = ? ORDER BY id`, true)
	if err != nil || n != 12 {
		t.Fatalf("deleted %d, %v; want 12", n, err)
	}
	var left []int
	db.Raw(`SELECT id FROM sweep_rows ORDER BY id`).Scan(&left)
	if len(left) != 3 || left[0] != 13 {
		t.Fatalf("left %v, want 13 to 15", left)
	}
	// A batch that is exactly full is followed by one that finds nothing.
	if err := db.Exec(`UPDATE sweep_rows SET old = true WHERE id <= 14`).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := sweep.Delete(ctx, db, "sweep_rows", 2, `SELECT ctid FROM sweep_rows WHERE old = ? ORDER BY id`, true); err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want 2", n, err)
	}
	// A cancelled context stops it with its error.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := sweep.Delete(cancelled, db, "sweep_rows", 2, `SELECT ctid FROM sweep_rows ORDER BY id`); err == nil {
		t.Fatal("a cancelled sweep returned no error")
	}
}
