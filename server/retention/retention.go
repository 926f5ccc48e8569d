// Package retention runs the daily purge of records whose school's
// retention has run out (models/domain: PurgeExpired).
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/sameside/sameside/models/domain"
)

// Chore names the purge.
const Chore = "retention_purge"

// Every is how often the purge runs.
const Every = 24 * time.Hour

// Purge purges everything due now.
func Purge(d *domain.Service, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := d.PurgeExpired(ctx, d.Now())
		if n > 0 || err != nil {
			log.InfoContext(ctx, "retention purge", "students", n, "err", err)
		}
		return err
	}
}
