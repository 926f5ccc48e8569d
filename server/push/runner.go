package push

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// NewInserter returns a River client that only inserts jobs, through
// database/sql, so they can be inserted inside GORM's transactions.
func NewInserter(db *sql.DB, log *slog.Logger) (*river.Client[*sql.Tx], error) {
	return river.NewClient(riverdatabasesql.New(db), &river.Config{Logger: riverLogger(log)})
}

// WorkerOptions tune the River client that works push jobs.
type WorkerOptions struct {
	// MaxWorkers is how many fan-outs run at once per process.
	MaxWorkers int
	// PollInterval is how often the client looks for jobs between
	// notifications (new jobs wake it through LISTEN/NOTIFY).
	PollInterval time.Duration
	// Register adds the app's other workers to the same client.
	Register func(*river.Workers) error
	// Periodic are jobs the client's leader inserts on a schedule.
	Periodic []*river.PeriodicJob
	// RescueAfter is how long a job may stay running before it counts as
	// abandoned (its instance died) and is run again elsewhere; it must
	// exceed the pipeline's JobTimeout. Default 5 minutes.
	RescueAfter time.Duration
}

// NewWorkers returns a River client on pool that works push jobs with p.
// Start and Stop it with the server.
func NewWorkers(pool *pgxpool.Pool, p *Pipeline, o WorkerOptions) (*river.Client[pgx.Tx], error) {
	if o.MaxWorkers == 0 {
		o.MaxWorkers = 10
	}
	if o.PollInterval == 0 {
		o.PollInterval = time.Second
	}
	if o.RescueAfter == 0 {
		o.RescueAfter = 5 * time.Minute
	}
	if p.Config.JobTimeout >= o.RescueAfter {
		return nil, fmt.Errorf("push: job timeout %v must be below the rescue time %v", p.Config.JobTimeout, o.RescueAfter)
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &Worker{P: p}); err != nil {
		return nil, err
	}
	if o.Register != nil {
		if err := o.Register(workers); err != nil {
			return nil, err
		}
	}
	return river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               map[string]river.QueueConfig{Queue: {MaxWorkers: o.MaxWorkers}},
		Workers:              workers,
		PeriodicJobs:         o.Periodic,
		Logger:               riverLogger(p.Log),
		FetchPollInterval:    o.PollInterval,
		FetchCooldown:        min(o.PollInterval, 100*time.Millisecond),
		RescueStuckJobsAfter: o.RescueAfter,
		// Every job's own bound (the fan-out's is Config.JobTimeout).
		JobTimeout: min(time.Minute, o.RescueAfter*4/5),
	})
}

// Stop stops a worker client gracefully within ctx: running fan-outs finish
// their batches in flight, record them and snooze; what is left runs when a
// worker starts again.
func Stop(ctx context.Context, c *river.Client[pgx.Tx]) error {
	return c.StopAndCancel(ctx)
}

// quieter hands River's Info lines to the log at Debug: its start and stop
// chatter ("Hard stop started; cancelling all work" on every graceful
// stop, which cancels running fan-outs on purpose so they snooze) is not
// news to whoever reads the log. Warnings and errors pass as they are.
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
	return q.Handler.Handle(ctx, r)
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quieter{q.Handler.WithAttrs(attrs)}
}

func (q quieter) WithGroup(name string) slog.Handler { return quieter{q.Handler.WithGroup(name)} }

// riverLogger is log for River's clients.
func riverLogger(log *slog.Logger) *slog.Logger { return slog.New(quieter{log.Handler()}) }
