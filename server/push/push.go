// Package push delivers notifications: domain writes enqueue a Notice inside
// their own transaction (EnqueueTx), and a River worker fans it out to every
// recipient's devices through FCM.
//
// Guarantees: no commit, no push (the job is inserted in the writer's
// transaction); commit, then one push per device (a delivery row per
// (notification, device) records what was sent, rows are claimed before they
// are sent, and a stopping worker finishes its batches before it lets go).
// Category preferences and quiet hours are honoured per recipient; urgent
// notices ignore quiet hours.
//
// It must not decide who is told: callers pass recipients, already checked
// by policy (restricted guardians left out).
package push

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"firebase.google.com/go/v4/messaging"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/jobs"
)

// Sender sends FCM messages; *messaging.Client is one.
type Sender interface {
	Send(ctx context.Context, message *messaging.Message) (string, error)
}

// Config tunes the pipeline.
type Config struct {
	// BatchSize bounds the deliveries one statement claims.
	BatchSize int
	// InFlight × 50 is how many messages one fan-out has on the wire at
	// once: as many as InFlight SendEach calls of the SDK would (each runs
	// 50 requests at a time), so benchmarks compare like with like.
	InFlight int
	// MaxAttempts caps retries of one delivery on 429/5xx answers.
	MaxAttempts int
	// BaseBackoff is the first retry delay when FCM gives no Retry-After;
	// it doubles per attempt, with jitter, up to MaxBackoff.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// SendTimeout bounds one message's send.
	SendTimeout time.Duration
	// OutcomeWait is how long an outcome write waits for more outcomes
	// (up to a batch of minWrite) while sends are still on the wire; 0
	// writes whatever has come in as soon as the write before is done.
	OutcomeWait time.Duration
	// JobTimeout bounds one run of a fan-out job; a fan-out that reaches
	// it records what it sent and snoozes, and the next run carries on.
	// It must stay below the workers' RescueAfter (see WorkerOptions).
	JobTimeout time.Duration
}

// sdkSendEachWorkers is how many requests the SDK's SendEach runs at once.
const sdkSendEachWorkers = 50

// concurrency is how many messages a fan-out sends at once.
func (c Config) concurrency() int { return max(1, c.InFlight) * sdkSendEachWorkers }

// DefaultConfig is what production runs with.
func DefaultConfig() Config {
	return Config{BatchSize: 500, InFlight: 4, MaxAttempts: 8, BaseBackoff: 5 * time.Second, MaxBackoff: 30 * time.Minute, SendTimeout: 2 * time.Minute,
		JobTimeout: 4 * time.Minute, OutcomeWait: 10 * time.Millisecond}
}

// Channels plans a notification's email and SMS beside its pushes
// (server/outbound).
type Channels interface {
	// ReachableSQL is an SQL condition: the user in column user has a
	// contact point the school (an SQL expression of a uuid, NULL for
	// none) may send on. The fan-out reads it with its recipients.
	ReachableSQL(user, school string) string
	// PlanTx records, in the fan-out's transaction, what goes to users (of
	// those reachable) by email and SMS; pushOff are those among them with
	// the push off.
	PlanTx(ctx context.Context, tx *gorm.DB, n *models.Notification, users []*models.User, pushOff []string) error
}

// Pipeline enqueues notices and works the fan-out jobs.
type Pipeline struct {
	// Channels adds email and SMS (nil: pushes only).
	Channels Channels
	DB       *gorm.DB
	FCM      Sender
	Config   Config
	Log      *slog.Logger
	Metrics  *Metrics
	// Now is the clock for quiet hours and retries.
	Now func() time.Time
	// inserter inserts jobs inside a database/sql transaction (GORM's).
	inserter *river.Client[*sql.Tx]
	// wakes limits the wake-ups of notices' statements (NoticeSQL), as
	// inserter limits its own.
	wakes *jobs.Wakes
}

// New returns a pipeline. inserter is a River client on the same database
// with the database/sql driver (no queues: it only inserts).
func New(db *gorm.DB, inserter *river.Client[*sql.Tx], fcm Sender, cfg Config, log *slog.Logger) *Pipeline {
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{DB: db, FCM: fcm, Config: cfg, Log: log, Metrics: &Metrics{}, Now: time.Now, inserter: inserter,
		wakes: &jobs.Wakes{Every: insertWakeEvery}}
}

// insertWakeEvery is how often, at most, notices' statements wake the
// workers of the push queue: River's own default between two wake-ups of
// a queue by one inserting client (its FetchCooldown).
const insertWakeEvery = 100 * time.Millisecond

// FanOutArgs is the River job that delivers one notification. UserIDs, when
// set, limits it to those recipients (a deferred delivery after quiet hours).
type FanOutArgs struct {
	NotificationID string   `json:"notification_id"`
	UserIDs        []string `json:"user_ids,omitempty"`
}

// Kind implements river.JobArgs.
func (FanOutArgs) Kind() string { return "push_fan_out" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (FanOutArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueuePush, MaxAttempts: 25}
}

// EnqueueTx records a notice and schedules its delivery in tx, the
// transaction of the write it is about: if tx rolls back, nothing is sent.
func (p *Pipeline) EnqueueTx(ctx context.Context, tx *gorm.DB, n models.Notice) error {
	if n.Type == "" || n.DeepLink == "" {
		return errors.New("push: a notice needs a type and a deep link")
	}
	if n.RecipientsSQL != "" && len(n.Recipients) > 0 {
		return errors.New("push: a notice has Recipients or RecipientsSQL, not both")
	}
	if n.RecipientsSQL == "" && len(n.Recipients) == 0 {
		return nil
	}
	// Who: the ids as one array, or the notice's own subquery.
	to, args := n.RecipientsSQL, map[string]any{}
	for k, v := range n.RecipientsArgs {
		args[k] = v
	}
	if to == "" {
		seen := map[string]bool{}
		recipients := make([]string, 0, len(n.Recipients))
		for _, u := range n.Recipients {
			if !seen[u] {
				seen[u] = true
				recipients = append(recipients, u)
			}
		}
		to, args["notice_ids"] = "SELECT unnest(CAST(@notice_ids AS uuid[]))", models.Array[string](recipients)
	}
	cte, noticeArgs, id, err := p.NoticeSQL(n, to, "")
	if err != nil {
		return err
	}
	for k, v := range noticeArgs {
		args[k] = v
	}
	var written int
	if err := tx.WithContext(ctx).Raw(`WITH `+cte+` SELECT count(*) FROM notice_w`, args).Scan(&written).Error; err != nil {
		return fmt.Errorf("push: record notification: %w", err)
	}
	if written == 0 || n.SendAt == nil { // none, or the statement scheduled it
		return nil
	}
	return p.NoticedTx(ctx, tx, id, n.SendAt)
}

// NoticeSQL is notice n for a writer's own statement: CTEs (notice_to,
// notice_n, notice_w; the writer puts them in its WITH) that write n's
// notification and its recipients, the users whose ids recipients selects
// (a subquery of one column, in the writer's statement and with its named
// arguments), with the named arguments they need (notice_*) and the
// notification's id. data, when not empty, is a jsonb expression of the
// statement added to n.Data (what only the statement knows: a message's
// sequence number). An audience of nobody writes neither. The writer's
// statement learns how many recipients it wrote from (SELECT count(*) FROM
// notice_w). A notice without SendAt is also scheduled by the statement
// (notice_job: its fan-out job, when any recipient was written), so the
// statement needs no transaction around it; with SendAt, the writer calls
// NoticedTx in the same transaction when any recipient was written.
// A message's notice is written this way, in the message's own statement,
// rather than with round trips more.
func (p *Pipeline) NoticeSQL(n models.Notice, recipients, data string) (cte string, args map[string]any, id string, err error) {
	if n.Type == "" || n.DeepLink == "" {
		return "", nil, "", errors.New("push: a notice needs a type and a deep link")
	}
	if n.CollapseKey == "" {
		n.CollapseKey = n.Type
	}
	if n.ThreadID == "" {
		n.ThreadID = n.CollapseKey
	}
	params, err := json.Marshal(nonNilMap(n.Params))
	if err != nil {
		return "", nil, "", err
	}
	fixed, err := json.Marshal(nonNilMap(n.Data))
	if err != nil {
		return "", nil, "", err
	}
	dataSQL := "CAST(@notice_data AS jsonb)"
	if data != "" {
		dataSQL += " || (" + data + ")"
	}
	var cancelKey *string
	if n.CancelKey != "" {
		cancelKey = &n.CancelKey
	}
	now := p.Now().UTC()
	id = timeOrderedID(now)
	args = map[string]any{"notice_id": id, "notice_school": n.SchoolID, "notice_type": n.Type, "notice_category": n.Category,
		"notice_urgent": n.Urgent, "notice_params": string(params), "notice_data": string(fixed), "notice_link": n.DeepLink,
		"notice_collapse": n.CollapseKey, "notice_thread": n.ThreadID, "notice_cancel": cancelKey, "notice_at": now,
		"notice_pending": models.RecipientPending}
	// The notification and its recipients in one statement: GORM's batch
	// insert sent a school's recipients as thousands of parameters (6,000
	// a statement), about a third of an announcement's call to 2,000
	// families, and every notice (each message) paid a round trip for the
	// notification row alone. The recipients have no foreign keys
	// (migrations 00031 and 00032): the statement locks their users itself,
	// all at once (FOR KEY SHARE, the lock a key's check took row by row),
	// so a user's deletion waits for this transaction and then deletes
	// their rows; a user deleted first is left out.
	cte = `notice_to AS (
			SELECT u.id AS u FROM users u WHERE u.id IN (` + recipients + `) FOR KEY SHARE OF u),
		notice_n AS (
			INSERT INTO notifications (id, school_id, type, category, urgent, params, data, deep_link, collapse_key, thread_id, cancel_key, created_at)
			SELECT @notice_id, @notice_school, @notice_type, @notice_category, @notice_urgent, CAST(@notice_params AS jsonb), ` + dataSQL + `,
				@notice_link, @notice_collapse, @notice_thread, @notice_cancel, @notice_at
			WHERE EXISTS (SELECT 1 FROM notice_to) RETURNING id),
		notice_w AS (
			INSERT INTO notification_recipients (notification_id, user_id, state, created_at)
			SELECT notice_n.id, notice_to.u, @notice_pending, @notice_at FROM notice_n, notice_to RETURNING 1)`
	if n.SendAt == nil {
		job, jobArgs, err := jobs.InsertSQL("notice_job", FanOutArgs{NotificationID: id}, nil, "EXISTS (SELECT 1 FROM notice_w)", p.wakes)
		if err != nil {
			return "", nil, "", err
		}
		cte += ",\n\t\t" + job
		for k, v := range jobArgs {
			args[k] = v
		}
	}
	return cte, args, id, nil
}

// NoticedTx schedules, inside tx, the delivery of notification id, which a
// writer's statement wrote with NoticeSQL (with recipients): now, or at
// sendAt when that is later.
func (p *Pipeline) NoticedTx(ctx context.Context, tx *gorm.DB, id string, sendAt *time.Time) error {
	if sendAt != nil && sendAt.After(p.Now()) {
		if err := p.scheduleTx(ctx, tx, FanOutArgs{NotificationID: id}, *sendAt); err != nil {
			return fmt.Errorf("push: schedule: %w", err)
		}
		return nil
	}
	if err := jobs.InsertTx(ctx, p.inserter, tx, FanOutArgs{NotificationID: id}, nil); err != nil {
		return fmt.Errorf("push: enqueue: %w", err)
	}
	return nil
}

// CancelTx calls off, inside tx, the notifications enqueued with cancelKey
// for every recipient not yet planned: a reminder for a booking that was
// cancelled or moved is never sent. What has gone out stays gone.
func (p *Pipeline) CancelTx(ctx context.Context, tx *gorm.DB, cancelKey string) error {
	return tx.WithContext(ctx).Exec(`UPDATE notification_recipients SET state = ?, deferred_until = NULL
		WHERE state IN (?, ?) AND notification_id IN (SELECT id FROM notifications WHERE cancel_key = ?)`,
		models.RecipientSkipped, models.RecipientPending, models.RecipientDeferred, cancelKey).Error
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
