package txhook_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models/txhook"
)

func TestHooks(t *testing.T) {
	ctx, h := txhook.With(context.Background())
	tx := &gorm.DB{Statement: &gorm.Statement{Context: ctx}}
	if txhook.Of(tx) != h {
		t.Fatal("Of does not find the transaction's hooks")
	}
	if txhook.Of(&gorm.DB{Statement: &gorm.Statement{Context: context.Background()}}) != nil {
		t.Fatal("a transaction without hooks has some")
	}
	made := 0
	for range 2 {
		h.Once("k", func() any { made++; return &made })
	}
	if made != 1 {
		t.Fatalf("Once made its value %d times", made)
	}
	var ran []int
	if h.Waiting() {
		t.Fatal("nothing left for the commit, yet Waiting")
	}
	h.BeforeCommit(func(*gorm.DB) error {
		ran = append(ran, 1)
		h.BeforeCommit(func(*gorm.DB) error { ran = append(ran, 3); return nil }) // left meanwhile: runs too
		return nil
	})
	h.BeforeCommit(func(*gorm.DB) error { ran = append(ran, 2); return nil })
	h.AfterCommit(func() { ran = append(ran, 4) })
	h.AfterCommit(func() { ran = append(ran, 5) })
	if !h.Waiting() {
		t.Fatal("work left for the commit, yet not Waiting")
	}
	if err := h.Run(tx); err != nil || !slices.Equal(ran, []int{1, 2, 3}) {
		t.Fatalf("ran %v, %v (what is left for after the commit runs before it)", ran, err)
	}
	h.Committed()
	if !slices.Equal(ran, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("ran %v after the commit", ran)
	}

	_, h = txhook.With(context.Background())
	boom := errors.New("boom")
	h.BeforeCommit(func(*gorm.DB) error { return boom })
	h.BeforeCommit(func(*gorm.DB) error { t.Error("ran after an error"); return nil })
	if err := h.Run(tx); !errors.Is(err, boom) {
		t.Fatalf("Run: %v", err)
	}
}
