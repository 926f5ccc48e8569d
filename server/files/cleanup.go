package files

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sameside/sameside/models/domain"
)

// CleanupChore names the chore that deletes expired, unattached uploads.
const CleanupChore = "upload_cleanup"

// CleanupEvery is how often the cleanup runs.
const CleanupEvery = 10 * time.Minute

// Cleanup deletes one batch of expired uploads with their files; a full
// batch asks for another run soon.
func Cleanup(d *domain.Service, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := d.DeleteExpiredUploads(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			log.InfoContext(ctx, "expired uploads deleted", "count", n)
		}
		if n == 500 {
			return river.JobSnooze(time.Second)
		}
		return nil
	}
}
