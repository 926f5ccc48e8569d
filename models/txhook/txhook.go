// Package txhook lets code writing inside a transaction leave work for
// just before the transaction commits, or for once it has, when whoever
// opened it asked for that (With): the domain's transactions do. River's
// job inserts use it so that a write's jobs go in together, in one
// statement, at its end; the translation queue, to ask for a drain once
// the items it queued can be seen.
package txhook

import (
	"context"

	"gorm.io/gorm"
)

type key struct{}

// Hooks is one transaction's work before its commit. Like the
// transaction, it is used by one goroutine at a time.
type Hooks struct {
	values map[any]any
	before []func(tx *gorm.DB) error
	after  []func()
}

// With returns ctx carrying new Hooks for the transaction about to be
// opened with it; the opener calls Run as the transaction's last step, and
// Committed once it has committed.
func With(ctx context.Context) (context.Context, *Hooks) {
	h := &Hooks{}
	return context.WithValue(ctx, key{}, h), h
}

// Of returns the Hooks of tx's transaction, or nil when it has none.
func Of(tx *gorm.DB) *Hooks {
	if tx == nil || tx.Statement == nil || tx.Statement.Context == nil {
		return nil
	}
	h, _ := tx.Statement.Context.Value(key{}).(*Hooks)
	return h
}

// Once returns the value kept under k, made (by make) the first time it is
// asked for in this transaction.
func (h *Hooks) Once(k any, make func() any) any {
	if v, ok := h.values[k]; ok {
		return v
	}
	if h.values == nil {
		h.values = map[any]any{}
	}
	v := make()
	h.values[k] = v
	return v
}

// BeforeCommit adds fn to what Run does, after what is there already.
func (h *Hooks) BeforeCommit(fn func(tx *gorm.DB) error) {
	h.before = append(h.before, fn)
}

// AfterCommit adds fn to what Committed does.
func (h *Hooks) AfterCommit(fn func()) {
	h.after = append(h.after, fn)
}

// Committed does what was left for after the commit, in the order it was
// left; the opener calls it once the transaction has committed.
func (h *Hooks) Committed() {
	for _, fn := range h.after {
		fn()
	}
}

// Run does what was left for before the commit, in the order it was left
// (including what that adds meanwhile), and stops at the first error.
func (h *Hooks) Run(tx *gorm.DB) error {
	for i := 0; i < len(h.before); i++ {
		if err := h.before[i](tx); err != nil {
			return err
		}
	}
	return nil
}

// Waiting says whether anything was left for before the commit.
func (h *Hooks) Waiting() bool { return len(h.before) > 0 }
