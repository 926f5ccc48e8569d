// Package jobs is the background-job runtime every part of the server
// shares: River on PostgreSQL (jobs are inserted in the same transaction as
// the write that causes them), its queues, its periodic jobs and its
// logging. The parts bring their workers (push fan-outs and reminders,
// upload cleanup); this package runs them.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models/txhook"
)

// Queues.
const (
	// QueuePush runs notification fan-outs and reminders.
	QueuePush = "push"
	// QueueMaintenance runs housekeeping (expired uploads).
	QueueMaintenance = "maintenance"
	// QueueOutbound plans and sends email and SMS, beside the pushes
	// rather than in their way.
	QueueOutbound = "outbound"
	// QueueTranslate translates what people write into their readers'
	// languages.
	QueueTranslate = "translate"
)

// NewInserter returns a River client that only inserts jobs, through
// database/sql, so they can be inserted inside GORM's transactions.
func NewInserter(db *sql.DB, log *slog.Logger) (*river.Client[*sql.Tx], error) {
	return river.NewClient(riverdatabasesql.New(db), &river.Config{Logger: Logger(log)})
}

// The workers a process runs when its options name none (the server's
// configuration starts from these too).
const (
	DefaultPushWorkers      = 10
	DefaultTranslateWorkers = 4
)

// Options tune the River client that works jobs.
type Options struct {
	// PushWorkers is how many push jobs run at once per process.
	PushWorkers int
	// TranslateWorkers is how many translation drains run at once per process.
	TranslateWorkers int
	// PollInterval is how often the client looks for jobs between
	// notifications (new jobs wake it through LISTEN/NOTIFY).
	PollInterval time.Duration
	// RescueAfter is how long a job may stay running before it counts as
	// abandoned (its instance died) and is run again elsewhere; every
	// job's own timeout must stay below it. Default 5 minutes.
	RescueAfter time.Duration
	// Register add the parts' workers.
	Register []func(*river.Workers) error
	// Periodic are jobs the client's leader inserts on a schedule.
	Periodic []*river.PeriodicJob
}

// NewClient returns a River client on pool working every queue with the
// parts' workers. Start it with the server; Stop it on shutdown.
func NewClient(pool *pgxpool.Pool, log *slog.Logger, o Options) (*river.Client[pgx.Tx], error) {
	if o.PushWorkers == 0 {
		o.PushWorkers = DefaultPushWorkers
	}
	if o.TranslateWorkers == 0 {
		o.TranslateWorkers = DefaultTranslateWorkers
	}
	if o.PollInterval == 0 {
		o.PollInterval = time.Second
	}
	if o.RescueAfter == 0 {
		o.RescueAfter = 5 * time.Minute
	}
	workers := river.NewWorkers()
	for _, register := range o.Register {
		if err := register(workers); err != nil {
			return nil, err
		}
	}
	if len(o.Register) == 0 {
		return nil, errors.New("jobs: no workers registered")
	}
	return river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues: map[string]river.QueueConfig{
			QueuePush:        {MaxWorkers: o.PushWorkers},
			QueueOutbound:    {MaxWorkers: o.PushWorkers},
			QueueMaintenance: {MaxWorkers: 2},
			QueueTranslate:   {MaxWorkers: o.TranslateWorkers},
		},
		Workers:           workers,
		Middleware:        []rivertype.Middleware{&jobContext{}},
		PeriodicJobs:      o.Periodic,
		Logger:            Logger(log),
		FetchPollInterval: o.PollInterval,
		// A job inserted (and notified) is fetched within 20 ms, not
		// River's default 100: an urgent alert passes three queues (fan-out,
		// email and SMS plan, send), and each hop waited up to a cooldown.
		FetchCooldown:        min(o.PollInterval, 20*time.Millisecond),
		RescueStuckJobsAfter: o.RescueAfter,
		// Every job's own bound (a worker's Timeout may set its own).
		JobTimeout: min(time.Minute, o.RescueAfter*4/5),
	})
}

// jobContext puts the job being worked in its work's context (Running).
type jobContext struct{ river.MiddlewareDefaults }

type runningKey struct{}

func (*jobContext) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	return doInner(context.WithValue(ctx, runningKey{}, job))
}

// Running returns the job whose work ctx belongs to (nil outside a job's
// work): what a statement or a log line was done for.
func Running(ctx context.Context) *rivertype.JobRow {
	job, _ := ctx.Value(runningKey{}).(*rivertype.JobRow)
	return job
}

// Start starts a worker client that runs until Stop, whatever becomes of
// ctx (its values are kept). A River client stops when the context it was
// started with ends, and cancels the jobs it is running as failures: a
// server whose context ends on SIGTERM recorded a "context canceled" error
// on each, spent an attempt and waited out a backoff, where Stop, called
// once the requests have drained, puts them back to run again at once.
func Start(ctx context.Context, c *river.Client[pgx.Tx]) error {
	return c.Start(context.WithoutCancel(ctx))
}

// Stop stops a worker client within ctx, cancelling running jobs so they
// record what they did and snooze; what is left runs when a worker starts
// again, here or on another instance.
func Stop(ctx context.Context, c *river.Client[pgx.Tx]) error {
	return c.StopAndCancel(ctx)
}

// quieter hands River's Info lines to the log at Debug: its start and stop
// chatter ("Hard stop started; cancelling all work" on every graceful
// stop, which cancels running jobs on purpose so they snooze) is not news
// to whoever reads the log. So does an error about work a stop canceled
// (River's periodic enqueuer logs its insert notification failing with
// "context canceled" when an instance shuts down mid-insert). Other
// warnings and errors pass as they are.
type quieter struct{ slog.Handler }

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return q.Handler.Enabled(ctx, l)
}

func (q quieter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	if stopped(ctx, r) {
		if r.Level = slog.LevelDebug; !q.Handler.Enabled(ctx, r.Level) {
			return nil
		}
	}
	return q.Handler.Handle(ctx, r)
}

// stopped is true of an error River logs about work a stop ended: its
// context is done and its error is that cancellation (the periodic
// enqueuer's insert notification when an instance shuts down).
func stopped(ctx context.Context, r slog.Record) bool {
	if r.Level < slog.LevelError || !errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	canceled := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			canceled = strings.Contains(a.Value.String(), context.Canceled.Error())
			return false
		}
		return true
	})
	return canceled
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quieter{q.Handler.WithAttrs(attrs)}
}

func (q quieter) WithGroup(name string) slog.Handler { return quieter{q.Handler.WithGroup(name)} }

// Logger is log for River's clients.
func Logger(log *slog.Logger) *slog.Logger { return slog.New(quieter{log.Handler()}) }

// ChoreArgs is the job of a maintenance chore (the upload cleanup, the
// retention purge): Chore names which.
type ChoreArgs struct {
	Chore string `json:"chore"`
}

// Kind names the job.
func (ChoreArgs) Kind() string { return "chore" }

// InsertOpts puts chores on the maintenance queue.
func (ChoreArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 5}
}

// Chores works chores by name: each does one round and returns (an error,
// or river.JobSnooze to come back soon).
type Chores struct {
	river.WorkerDefaults[ChoreArgs]
	Run map[string]func(context.Context) error
}

// Work runs the chore the job names.
func (c *Chores) Work(ctx context.Context, j *river.Job[ChoreArgs]) error {
	run, ok := c.Run[j.Args.Chore]
	if !ok {
		return river.JobCancel(fmt.Errorf("no chore %q", j.Args.Chore))
	}
	return run(ctx)
}

// Every is a chore's schedule: its job every interval, inserted by the
// leader, and once when it starts.
func Every(chore string, interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return ChoreArgs{Chore: chore}, nil
	}, &river.PeriodicJobOpts{ID: chore, RunOnStart: true})
}

// InsertTx inserts a job in tx, the transaction of the write that causes
// it: if tx rolls back, the job never was. In a transaction opened with
// txhook (the domain's), the job waits for the transaction's end and goes
// in with its others, in one statement (River's InsertManyTx): a message
// schedules its push fan-out and its translation in one round trip.
func InsertTx(ctx context.Context, inserter *river.Client[*sql.Tx], tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) error {
	sqlTx, err := SQLTx(tx)
	if err != nil {
		return err
	}
	if h := txhook.Of(tx); h != nil {
		b := h.Once(batchKey{inserter}, func() any {
			b := &batch{}
			// The hooks are tx's own: its batch goes in on the same *sql.Tx.
			h.BeforeCommit(func(*gorm.DB) error {
				if _, err := inserter.InsertManyTx(ctx, sqlTx, b.params); err != nil {
					return fmt.Errorf("jobs: insert: %w", err)
				}
				return nil
			})
			return b
		}).(*batch)
		b.params = append(b.params, river.InsertManyParams{Args: args, InsertOpts: opts})
		return nil
	}
	if _, err := inserter.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// batchKey keeps an inserter's batch in a transaction's hooks.
type batchKey struct{ inserter *river.Client[*sql.Tx] }

// batch is the jobs a transaction inserts at its end.
type batch struct{ params []river.InsertManyParams }

// SQLTx returns the database/sql transaction under a GORM transaction, for
// River's InsertTx: jobs go in with the write that causes them.
func SQLTx(tx *gorm.DB) (*sql.Tx, error) {
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, errors.New("jobs: a job must be inserted inside a transaction")
	}
	return t, nil
}

// RanBefore says whether job ran before this run. River counts each run in
// Attempt, except that a snooze puts Attempt back and counts itself in the
// metadata's "snoozes" instead: after a snooze a job runs at attempt 1 again.
func RanBefore(job *rivertype.JobRow) bool {
	if job.Attempt > 1 {
		return true
	}
	if len(job.Metadata) == 0 {
		return false
	}
	var m struct {
		Snoozes int64 `json:"snoozes"`
	}
	if err := json.Unmarshal(job.Metadata, &m); err != nil {
		return true // unreadable: assume so (the careful answer)
	}
	return m.Snoozes > 0
}

// Backoff is the delay before retry number attempt (1-based): exponential
// from base with full jitter on the upper half, capped at ceiling.
func Backoff(base, ceiling time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 20)
	if d <= 0 || d > ceiling {
		d = ceiling
	}
	return d/2 + rand.N(d/2+1)
}
