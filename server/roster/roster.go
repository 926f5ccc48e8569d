// Package roster runs roster imports as background jobs: the API queues
// one (in the transaction that records it) and a worker applies it.
package roster

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/jobs"
)

// ImportArgs is the job that works one roster import.
type ImportArgs struct {
	ImportID string `json:"import_id"`
}

// Kind names the job.
func (ImportArgs) Kind() string { return "roster_import" }

// InsertOpts puts it on the maintenance queue: imports are rare and heavy,
// and must not hold up pushes. A failed run is not repeated more than
// twice: the import records why it failed.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, MaxAttempts: 2}
}

// Worker applies imports.
type Worker struct {
	river.WorkerDefaults[ImportArgs]
	Domain *domain.Service
	Log    *slog.Logger
	// Timeout bounds one import (below the runtime's rescue time).
	Limit time.Duration
}

// Timeout is the job's own bound.
func (w *Worker) Timeout(*river.Job[ImportArgs]) time.Duration { return w.Limit }

// Work runs the import.
func (w *Worker) Work(ctx context.Context, j *river.Job[ImportArgs]) error {
	start := time.Now()
	err := w.Domain.RunRosterImport(ctx, j.Args.ImportID)
	w.Log.InfoContext(ctx, "roster import", "import", j.Args.ImportID, "took", time.Since(start).Round(time.Millisecond), "err", err)
	return err
}

// Queue inserts import jobs inside GORM transactions.
type Queue struct {
	Inserter *river.Client[*sql.Tx]
}

// EnqueueRosterImportTx queues the import in tx.
func (q Queue) EnqueueRosterImportTx(ctx context.Context, tx *gorm.DB, importID string) error {
	return jobs.InsertTx(ctx, q.Inserter, tx, ImportArgs{ImportID: importID}, nil)
}
