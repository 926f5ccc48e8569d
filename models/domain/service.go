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
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/txhook"
)

// Service runs domain operations on one database.
type Service struct {
	DB *gorm.DB
	// Pages, when set, is the handle observation pages are read on (the
	// feed's, a class's, a student's): the same database, on connections
	// where PostgreSQL keeps one generic plan per statement (see
	// server/database.GenericPlans); nil reads them on DB.
	Pages *gorm.DB
	Now   func() time.Time
	// Notify schedules push notifications; nil sends none (and writes that
	// must notify fail).
	Notify Notifier
	// Events publishes live events for subscriptions; nil publishes none.
	Events Publisher
	// Files keeps uploads (server/files); nil refuses uploads.
	Files FileStore
	// Roster runs roster imports in the background; nil refuses them.
	Roster RosterQueue
	// Outbound sends email and SMS; nil refuses what needs them.
	Outbound Outbound
	// Translate translates what people write into their readers'
	// languages, in the background (nil: nothing is translated).
	Translate Translate
	// PublicURL is the server's public URL, for links in emails and texts.
	PublicURL string
	// ObserveStatement, when set, is told how long each of the hottest
	// statements took, by name (the statements runNative runs: "sign_in",
	// "feed_page", "send_message", "message_in"), from asking for a
	// connection to the last row read. Beside the operation's own time it
	// says whether a slow request waited for the database or for the server.
	ObserveStatement func(statement string, d time.Duration)

	// facts keeps conversations' facts (conversationFacts); nil (a
	// Service not made by New) keeps none.
	facts *lru.Cache[string, conversationFact]
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

// errLeftForCommit: a write outside a transaction (Service.alone) left
// work for a commit that never comes.
var errLeftForCommit = errors.New("domain: a write without a transaction left work for its commit")

// New returns a Service on db using the wall clock.
func New(db *gorm.DB) *Service {
	facts, _ := lru.New[string, conversationFact](rememberedConversations)
	return &Service{DB: db, Now: func() time.Time { return time.Now().UTC() }, facts: facts}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// accessChanged tells each user, once tx commits, that what they may see
// changed: their open sockets close and the app signs in again.
func (s *Service) accessChanged(tx *gorm.DB, users ...string) error {
	events := make([]models.Event, len(users))
	for i, u := range users {
		events[i] = models.Event{Topic: models.AccessTopic(u), Type: models.EventAccessChanged}
	}
	return s.publish(tx, events...)
}

// tx runs fn in a transaction; any error rolls everything back. Errors that are
// not already *models.Error become INTERNAL (UNAVAILABLE when the database
// cannot be reached). A transaction PostgreSQL aborted to break a deadlock
// or a serialization conflict is run again, up to txAttempts times in all,
// so callers racing each other (a family's deletion and that family's
// messages) see their writes happen one after the other instead of an
// error. fn must therefore keep no state across attempts but what it
// returns.
func (s *Service) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.write(ctx, true, fn)
}

// alone is tx for fn whose writes are a single statement: it runs on no
// transaction of its own, and PostgreSQL commits the statement by itself
// (BEGIN and COMMIT are two round trips, each paid under load; a
// statement is as atomic as a transaction). fn gets the same hooks and
// events as in tx, but leaving work for before a commit (a job by
// jobs.InsertTx) is a mistake: there is none.
func (s *Service) alone(ctx context.Context, fn func(db *gorm.DB) error) error {
	return s.write(ctx, false, fn)
}

func (s *Service) write(ctx context.Context, inTx bool, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		var pending []models.Event
		// What the writes leave for the end (their jobs, inserted
		// together) runs as the transaction's last step.
		tctx, hooks := txhook.With(context.WithValue(ctx, pendingEventsKey{}, &pending))
		var err error
		if inTx {
			err = s.DB.WithContext(tctx).Transaction(func(tx *gorm.DB) error {
				if err := fn(tx); err != nil {
					return err
				}
				return hooks.Run(tx)
			})
		} else if err = fn(s.DB.WithContext(tctx)); err == nil && hooks.Waiting() {
			err = errLeftForCommit
		}
		if err != nil && attempt < txAttempts && retryable(err) && ctx.Err() == nil {
			// A little jitter, so the two sides do not collide again.
			select {
			case <-time.After(time.Duration(attempt) * time.Duration(1+rand.IntN(10)) * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		if err != nil {
			return internal(err)
		}
		hooks.Committed()
		if len(pending) > 0 && s.Events != nil {
			s.Events.Publish(pending...)
		}
		return nil
	}
}

// txAttempts bounds how often tx runs a transaction that PostgreSQL
// aborted as a deadlock victim or for a serialization failure.
const txAttempts = 4

// retryable reports errors after which the whole transaction may simply run
// again: deadlock_detected (40P01) and serialization_failure (40001).
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// Unavailable reports errors that mean the database cannot be reached right
// now (refused or dropped connections, a server shutting down or starting,
// too many connections), as opposed to a fault in the request: the API
// answers those UNAVAILABLE (503 with Retry-After) and clients retry.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08: connection exception; 57P01–57P03: admin or crash
		// shutdown, cannot connect now; 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || pg.Code == "53300"
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
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
	if Unavailable(err) {
		return models.Unavailable(err)
	}
	var pg *pgconn.PgError
	if errors.Is(err, gorm.ErrForeignKeyViolated) || errors.As(err, &pg) && pg.Code == "23503" { // GORM's or pgx's own (runNative)
		// Every reference is checked before a write, so a broken one
		// means a concurrent deletion took it away (a family's data, an
		// account) between the check and the write.
		return &models.Error{Code: models.CodeNotFound, Message: "what this refers to was deleted meanwhile", Err: err}
	}
	return models.Internal(err)
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
