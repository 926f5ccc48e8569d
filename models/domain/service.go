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
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
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
	// Files keeps uploads (server/files); nil refuses uploads.
	Files FileStore
}

// Publisher hands live events to subscribers on every instance
// (server/realtime). Publish must not block: live events are best effort,
// and the app refetches what it missed when it reconnects.
type Publisher interface {
	Publish(events ...models.Event)
}

type pendingEventsKey struct{}

// publish queues events to go out once the transaction tx (begun by s.tx)
// commits: subscribers load what an event names, so it must not reach them
// before the rows do, and a rolled-back write must not announce anything.
// They are published after the commit rather than by NOTIFY inside it
// because PostgreSQL serializes the commits of notifying transactions on
// one lock held through the WAL flush, which would make every write that
// notifies wait for every other.
func (s *Service) publish(tx *gorm.DB, events ...models.Event) error {
	pending, ok := tx.Statement.Context.Value(pendingEventsKey{}).(*[]models.Event)
	if !ok {
		return errors.New("domain: events published outside Service.tx")
	}
	*pending = append(*pending, events...)
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
	var pending []models.Event
	ctx = context.WithValue(ctx, pendingEventsKey{}, &pending)
	if err := s.DB.WithContext(ctx).Transaction(fn); err != nil {
		return internal(err)
	}
	if len(pending) > 0 && s.Events != nil {
		s.Events.Publish(pending...)
	}
	return nil
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

// schoolAdmin checks that the viewer is an admin of schoolID: NOT_FOUND for
// a school they do not belong to, FORBIDDEN (with what only admins do) for
// another role.
func schoolAdmin(v *models.Viewer, schoolID, what string) error {
	if err := policy.RequireViewer(v); err != nil {
		return err
	}
	if !v.IsMember(schoolID) {
		return models.NotFound("school")
	}
	if !v.HasRole(schoolID, models.RoleAdmin) {
		return models.Errorf(models.CodeForbidden, "only the school's admins %s", what)
	}
	return nil
}

// httpsURL validates a link the app will open: https, with a host, at
// most max characters.
func httpsURL(field, s string, max int) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "https" || u.Host == "" || len(u.String()) > max {
		return "", models.InvalidField(field, "%s must be an https link", field)
	}
	return u.String(), nil
}

// findOne runs q for one row: NOT_FOUND (naming what) when there is none.
func findOne[T any](q *gorm.DB, what string) (*T, error) {
	var row T
	res := q.Limit(1).Find(&row)
	if res.Error != nil {
		return nil, internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.NotFound(what)
	}
	return &row, nil
}
