package domain

import (
	"context"

	"gorm.io/gorm"
)

// Two-way translation: what people write is stored as written, and its
// translation into its readers' languages is scheduled in the same
// transaction (server/translation does it in the background; the API
// reads the stored results, see graph/translated.go).

// Translate schedules, in a writer's transaction, the translation of what
// it wrote (kind: message, observation, response, insight, announcement…):
// with a statement of its own at the transaction's end (EnqueueTx), or
// inside the writer's statement (QueueSQL, then QueuedTx).
type Translate interface {
	EnqueueTx(ctx context.Context, tx *gorm.DB, kind, id string) error
	QueueSQL(kind, ids string) string
	QueuedTx(tx *gorm.DB)
}

// translateTx schedules an item's translation, when translation is on.
func (s *Service) translateTx(ctx context.Context, tx *gorm.DB, kind, id string) error {
	if s.Translate == nil {
		return nil
	}
	return s.Translate.EnqueueTx(ctx, tx, kind, id)
}
