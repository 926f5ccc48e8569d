// Package retention runs the daily purge of records whose school's
// retention has run out (models/domain: PurgeExpired).
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/jobs"
)

// PurgeArgs is the job that purges expired records.
type PurgeArgs struct{}

// Kind names the job.
func (PurgeArgs) Kind() string { return "retention_purge" }

// InsertOpts puts it on the maintenance queue.
func (PurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, MaxAttempts: 5}
}

// Worker purges.
type Worker struct {
	river.WorkerDefaults[PurgeArgs]
	Domain *domain.Service
	Log    *slog.Logger
}

// Work purges everything due now.
func (w *Worker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	n, err := w.Domain.PurgeExpired(ctx, w.Domain.Now())
	if n > 0 || err != nil {
		w.Log.InfoContext(ctx, "retention purge", "students", n, "err", err)
	}
	return err
}

// Every is how often the purge runs.
const Every = 24 * time.Hour

// Periodic is the purge's schedule, for the worker client.
func Periodic() *river.PeriodicJob { return jobs.Every("retention_purge", Every, PurgeArgs{}) }
