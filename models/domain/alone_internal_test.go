package domain

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models/txhook"
	"github.com/sameside/sameside/server/database/dbtest"
)

// TestAloneRefusesWorkLeftForACommit: a write outside a transaction
// (Service.alone) that leaves work for before a commit (what jobs.InsertTx
// does inside one) gets an error, and that work is not done; what it
// leaves for after the commit runs, as in a transaction.
func TestAloneRefusesWorkLeftForACommit(t *testing.T) {
	s := New(dbtest.Open(t))
	ctx := context.Background()
	ranBefore, ranAfter := false, false
	err := s.alone(ctx, func(db *gorm.DB) error {
		h := txhook.Of(db)
		h.BeforeCommit(func(*gorm.DB) error { ranBefore = true; return nil })
		return db.Exec("SELECT 1").Error
	})
	if !errors.Is(err, errLeftForCommit) {
		t.Fatalf("alone with work left for a commit: %v, want errLeftForCommit", err)
	}
	if ranBefore {
		t.Fatal("the work left for a commit ran outside a transaction")
	}
	if err := s.alone(ctx, func(db *gorm.DB) error {
		txhook.Of(db).AfterCommit(func() { ranAfter = true })
		return db.Exec("SELECT 1").Error
	}); err != nil || !ranAfter {
		t.Fatalf("alone: %v, after-commit work ran: %v", err, ranAfter)
	}
}
