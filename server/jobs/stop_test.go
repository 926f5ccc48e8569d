package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/jobs"
)

type stopArgs struct{}

func (stopArgs) Kind() string                 { return "stop_test" }
func (stopArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueuePush} }

// stopWorker waits for its context to end and returns what a statement
// returns then: the context's error.
type stopWorker struct {
	river.WorkerDefaults[stopArgs]
	started chan struct{}
}

func (w *stopWorker) Work(ctx context.Context, _ *river.Job[stopArgs]) error {
	close(w.started)
	<-ctx.Done()
	return ctx.Err()
}

// TestStartContextDoesNotFailJobs: the server starts its workers with the
// context that ends on SIGTERM, then stops them once its requests have
// drained (jobs.Stop). The context's end must not cancel the jobs running
// meanwhile as failures: they go on until the stop, which puts them back.
func TestStartContextDoesNotFailJobs(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	w := &stopWorker{started: make(chan struct{})}
	c, err := jobs.NewClient(pool, slog.New(slog.DiscardHandler), jobs.Options{
		Register: []func(*river.Workers) error{func(ws *river.Workers) error { return river.AddWorkerSafely(ws, w) }},
	})
	if err != nil {
		t.Fatal(err)
	}
	serving, shutDown := context.WithCancel(ctx)
	if err := jobs.Start(serving, c); err != nil {
		t.Fatal(err)
	}
	res, err := c.Insert(ctx, stopArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the job did not start")
	}
	shutDown() // SIGTERM: the server drains its requests, then stops its workers
	if err := jobs.Stop(ctx, c); err != nil {
		t.Fatal(err)
	}
	job, err := c.JobGet(ctx, res.Job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(job.Errors) > 0 || job.Attempt != 0 || (job.State != rivertype.JobStateAvailable && job.State != rivertype.JobStateScheduled) {
		var errs []string
		for _, e := range job.Errors {
			errs = append(errs, e.Error)
		}
		t.Errorf("after the shutdown: state %s, attempt %d, errors %q; want it put back (available or scheduled), attempt 0, no error", job.State, job.Attempt, errs)
	}
}
