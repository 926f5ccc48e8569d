// Package domain holds SameSide's operations: what the API can ask for, each
// checked against the viewer through package policy. Public methods open the
// transaction they need and hand it to unexported helpers, so an operation
// either happens whole or not at all. Time comes from Service.Now, so
// time-based rules are testable without sleeping.
//
// It must not know about HTTP, GraphQL or Firebase.
package domain

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Service runs domain operations on one database.
type Service struct {
	DB  *gorm.DB
	Now func() time.Time
	// Notify schedules push notifications; nil sends none (and writes that
	// must notify fail).
	Notify Notifier
	// Events publishes live events for subscriptions; nil publishes none.
	Events Publisher
}

// Publisher sends live events once tx commits (server/realtime).
type Publisher interface {
	PublishTx(ctx context.Context, tx *gorm.DB, e models.Event) error
}

// publish sends events in tx if there is a publisher.
func (s *Service) publish(ctx context.Context, tx *gorm.DB, events ...models.Event) error {
	if s.Events == nil {
		return nil
	}
	for _, e := range events {
		if err := s.Events.PublishTx(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

var errNoNotifier = errors.New("domain: no notifier configured")

// New returns a Service on db using the wall clock.
func New(db *gorm.DB) *Service {
	return &Service{DB: db, Now: func() time.Time { return time.Now().UTC() }}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// tx runs fn in a transaction; any error rolls everything back. Errors that are
// not already *models.Error become INTERNAL.
func (s *Service) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return internal(s.DB.WithContext(ctx).Transaction(fn))
}

// internal turns a database error into INTERNAL, keeping coded errors.
func internal(err error) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	return models.Internal(err)
}
