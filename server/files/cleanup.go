package files

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/jobs"
)

// CleanupArgs is the job that deletes expired, unattached uploads.
type CleanupArgs struct{}

// Kind names the job.
func (CleanupArgs) Kind() string { return "upload_cleanup" }

// InsertOpts puts it on the queue the app's worker client works.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, MaxAttempts: 5}
}

// CleanupWorker deletes expired uploads with their files.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	Domain *domain.Service
	Log    *slog.Logger
}

// Work deletes one batch; a full batch asks for another run soon.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	n, err := w.Domain.DeleteExpiredUploads(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.Log.InfoContext(ctx, "expired uploads deleted", "count", n)
	}
	if n == 500 {
		return river.JobSnooze(time.Second)
	}
	return nil
}

// CleanupEvery is how often the cleanup runs.
const CleanupEvery = 10 * time.Minute

// Periodic is the cleanup's schedule, for the worker client.
func Periodic() *river.PeriodicJob { return jobs.Every("upload_cleanup", CleanupEvery, CleanupArgs{}) }
