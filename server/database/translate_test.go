package database_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/sameside/sameside/server/database/dbtest"
)

// A statement run for its rows (Raw(…).Scan) reports a broken foreign key
// as gorm.ErrForeignKeyViolated, as a Create or an Exec does: the domain
// answers NOT_FOUND for it (a concurrent deletion took the row away), not
// INTERNAL (TestFamilyDeletionRacingMessages in graph).
func TestRowStatementErrorsTranslated(t *testing.T) {
	db := dbtest.Open(t)
	for _, q := range []string{
		`CREATE TABLE tr_parent (id int PRIMARY KEY)`,
		`CREATE TABLE tr_child (parent_id int NOT NULL REFERENCES tr_parent (id))`,
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	err := db.Raw(`WITH w AS (INSERT INTO tr_child (parent_id) VALUES (1) RETURNING 1) SELECT count(*) FROM w`).Scan(&n).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("Raw(…).Scan: %v (%T); want gorm.ErrForeignKeyViolated", err, err)
	}
	if err := db.Exec(`INSERT INTO tr_child (parent_id) VALUES (1)`).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("Exec: %v; want gorm.ErrForeignKeyViolated", err)
	}
}
