package push

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/sweep"
)

// A delivery row is the fan-out's record that a device's push was sent (or
// given up): it keeps a retried job from sending twice. Once final (SENT or
// FAILED) nothing reads it: the plan never plans a recipient twice and the
// sender only claims PENDING rows. The purge deletes final rows a week old,
// so the table holds a week of pushes rather than every push ever sent.
//
// It finds them without an index of its own (one more entry to write for
// every device of every notice): a notification's id is time-ordered
// (timeOrderedID, version 7), so the deliveries' primary key, which leads
// with it, lists them oldest first, and the purge reads that key's range
// below the cutoff's millisecond, in the key's order. Each row's own status
// and updated_at decide; the range only says where to look. (google/uuid's
// NewV7 takes the wall clock's time; the ids here take the pipeline's.) (Rows written before ids were
// time-ordered have random ids: the migration that made the change deleted
// the final ones more than a day old, and those written in its last day lie
// mostly outside the range, left.)

// DeliveryRetention is how long a final delivery row is kept.
const DeliveryRetention = 7 * 24 * time.Hour

// PurgeChore names the daily purge of final delivery rows.
const PurgeChore = "push_deliveries_purge"

// PurgeEvery is how often it runs.
const PurgeEvery = 24 * time.Hour

// purgeBatch is how many rows one statement of the purge deletes: each is
// its own commit, so the purge never holds many locks for long.
const purgeBatch = 5000

// PurgeDeliveries deletes the final delivery rows of notifications made
// more than DeliveryRetention before now, and not changed since; it says
// how many it deleted.
func (p *Pipeline) PurgeDeliveries(ctx context.Context, now time.Time) (int64, error) {
	cutoff := now.Add(-DeliveryRetention)
	n, err := sweep.Delete(ctx, p.DB, "notification_deliveries", purgeBatch, `SELECT ctid FROM notification_deliveries
		WHERE notification_id < ? AND status IN (?, ?) AND updated_at < ? ORDER BY notification_id`,
		firstIDOf(cutoff), models.DeliverySent, models.DeliveryFailed, cutoff)
	if err != nil {
		return n, fmt.Errorf("push: purge deliveries: %w", err)
	}
	return n, nil
}

// timeOrderedID is a new notification id: a UUID of version 7 (RFC 9562)
// whose first 48 bits are t's Unix milliseconds and the rest random, so
// ids sort by when they were made. t is the pipeline's clock, not the
// wall's: a test that moves the clock makes ids of its time.
func timeOrderedID(t time.Time) string {
	id := uuid.New() // random, with the RFC's variant
	putMillis(&id, t)
	id[6] = id[6]&0x0f | 0x70
	return id.String()
}

// firstIDOf is the least version 7 id of t's millisecond: every id made
// before t sorts below it.
func firstIDOf(t time.Time) string {
	var id uuid.UUID
	putMillis(&id, t)
	id[6] = 0x70
	id[8] = 0x80
	return id.String()
}

func putMillis(id *uuid.UUID, t time.Time) {
	ms := uint64(max(t.UnixMilli(), 0))
	for i := 5; i >= 0; i-- {
		id[i] = byte(ms)
		ms >>= 8
	}
}
