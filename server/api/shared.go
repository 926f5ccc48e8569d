package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// SharedLimits makes the rate limit and the socket limit hold across
// instances, with PostgreSQL as the shared state (no other service).
//
// Rate: every instance keeps its token buckets in memory, so a request
// costs no statement; a few times a second (SyncEvery) one statement adds
// what this instance spent per key and second since the last sync to
// rate_usage and reads what the other instances spent on the keys in use
// here since each came into use, and whatever they spent since the last
// reading is taken from the local buckets too. So N instances allow one
// limit, not N, give or take what is spent within one sync interval.
//
// Sockets: opening a signed-in socket inserts a row in live_sockets when
// the user has fewer than the limit on all instances (counted under a lock
// per user); closing deletes it; each instance refreshes its rows on a
// heartbeat, and rows of an instance that died go stale and stop counting.
type SharedLimits struct {
	db       *gorm.DB
	log      *slog.Logger
	instance string
	// SyncEvery is how often rate usage is exchanged.
	SyncEvery time.Duration

	mu      sync.Mutex
	pending map[spend]int64
	watch   map[string]*watched
}

// spend is a key's spending in one second.
type spend struct {
	key    string
	second int64
}

// watched is a key in use on this instance.
type watched struct {
	bucket *rate.Limiter
	burst  int
	// since is the second it came into use here: the others' spending
	// from then on counts against it.
	since   int64
	others  int64 // the others' spending since then, when last read
	lastUse time.Time
}

// Socket liveness: rows are refreshed every socketHeartbeat and stop
// counting after socketStale without one.
const (
	socketHeartbeat = 20 * time.Second
	socketStale     = time.Minute
	// watchFor is how long a key stays watched after its last use here.
	watchFor = 2 * time.Minute
)

// NewSharedLimits returns the shared limits of one instance; Run must run.
func NewSharedLimits(db *gorm.DB, log *slog.Logger, syncEvery time.Duration) *SharedLimits {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	if syncEvery <= 0 {
		syncEvery = 200 * time.Millisecond
	}
	return &SharedLimits{db: db, log: log, instance: hex.EncodeToString(b), SyncEvery: syncEvery,
		pending: map[spend]int64{}, watch: map[string]*watched{}}
}

// spent records n tokens taken from key's bucket here.
func (s *SharedLimits) spent(key string, n int, bucket *rate.Limiter, burst int) {
	key = sharedKey(key)
	now := time.Now()
	s.mu.Lock()
	s.pending[spend{key, now.Unix()}] += int64(n)
	w := s.watch[key]
	if w == nil {
		w = &watched{since: now.Unix()}
		s.watch[key] = w
	}
	w.bucket, w.burst, w.lastUse = bucket, burst, now
	s.mu.Unlock()
}

// Run exchanges rate usage every SyncEvery and keeps this instance's
// sockets fresh until ctx ends; then it withdraws this instance's sockets.
func (s *SharedLimits) Run(ctx context.Context) {
	tick := time.NewTicker(s.SyncEvery)
	defer tick.Stop()
	beat := time.NewTicker(socketHeartbeat)
	defer beat.Stop()
	tidy := time.NewTicker(time.Minute)
	defer tidy.Stop()
	for {
		select {
		case <-ctx.Done():
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = s.sync(bg)
			_ = s.db.WithContext(bg).Exec(`DELETE FROM live_sockets WHERE instance = ?`, s.instance).Error
			cancel()
			return
		case <-tick.C:
			if err := s.sync(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "shared limits: sync", "err", err)
			}
		case <-beat.C:
			if err := s.db.WithContext(ctx).Exec(`UPDATE live_sockets SET seen_at = now() WHERE instance = ?`, s.instance).Error; err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "shared limits: socket heartbeat", "err", err)
			}
		case <-tidy.C:
			_ = s.db.WithContext(ctx).Exec(`DELETE FROM rate_usage WHERE second < ?`, time.Now().Add(-2*watchFor).Unix()).Error
			_ = s.db.WithContext(ctx).Exec(`DELETE FROM live_sockets WHERE seen_at < now() - interval '10 minutes'`).Error
		}
	}
}

// sync adds this instance's spending since the last sync and takes what
// the others spent since from the local buckets, in one statement.
func (s *SharedLimits) sync(ctx context.Context) error {
	s.mu.Lock()
	var keys []string
	var seconds, deltas []int64
	for sp, n := range s.pending {
		keys, seconds, deltas = append(keys, sp.key), append(seconds, sp.second), append(deltas, n)
	}
	s.pending = map[spend]int64{}
	var watching []string
	var since []int64
	now := time.Now()
	for k, w := range s.watch {
		if now.Sub(w.lastUse) > watchFor {
			delete(s.watch, k)
			continue
		}
		watching, since = append(watching, k), append(since, w.since)
	}
	s.mu.Unlock()
	if len(watching) == 0 {
		return nil
	}
	var totals []struct {
		Key  string
		Used int64
	}
	err := s.db.WithContext(ctx).Raw(`WITH up AS (
			INSERT INTO rate_usage (key, second, instance, used)
			SELECT k, sec, ?, d FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS t(k, sec, d)
			ON CONFLICT (key, second, instance) DO UPDATE SET used = rate_usage.used + EXCLUDED.used)
		SELECT r.key, sum(r.used)::bigint AS used
		FROM rate_usage r JOIN unnest(?::text[], ?::bigint[]) AS w(key, since) ON r.key = w.key AND r.second >= w.since
		WHERE r.instance <> ? GROUP BY r.key`,
		s.instance, models.Array[string](keys), models.Array[int64](seconds), models.Array[int64](deltas),
		models.Array[string](watching), models.Array[int64](since), s.instance).Scan(&totals).Error
	if err != nil {
		s.mu.Lock() // not recorded: send it with the next sync
		for i, k := range keys {
			s.pending[spend{k, seconds[i]}] += deltas[i]
		}
		s.mu.Unlock()
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range totals {
		w := s.watch[t.Key]
		if w == nil || t.Used <= w.others {
			continue
		}
		debit(w.bucket, w.burst, t.Used-w.others, now)
		w.others = t.Used
	}
	return nil
}

// sharedKey is what rate_usage knows a key by: a digest, so the table
// holds neither user ids nor IP addresses (and a deleted family leaves no
// trace there; rows are gone within minutes anyway).
func sharedKey(key string) string {
	sum := sha256.Sum256([]byte("sameside-rate:" + key))
	return hex.EncodeToString(sum[:16])
}

// debit takes n tokens from b, into debt if need be (a reservation of at
// most burst at a time is always granted, pushing the bucket negative).
func debit(b *rate.Limiter, burst int, n int64, now time.Time) {
	for n > 0 && burst > 0 {
		k := int(min(n, int64(burst)))
		b.ReserveN(now, k)
		n -= int64(k)
	}
}

// errTooManySockets is openSocket's refusal.
var errTooManySockets = errors.New("too many open sockets")

// openSocket takes one of userID's max sockets across all instances and
// returns its id, or errTooManySockets.
func (s *SharedLimits) openSocket(ctx context.Context, userID string, max int) (string, error) {
	var id string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "socket:"+userID).Error; err != nil {
			return err
		}
		var ids []string
		if err := tx.Raw(`INSERT INTO live_sockets (user_id, instance) SELECT ?, ?
			WHERE (SELECT count(*) FROM live_sockets WHERE user_id = ? AND seen_at > now() - make_interval(secs => ?)) < ?
			RETURNING id`, userID, s.instance, userID, int(socketStale.Seconds()), max).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return errTooManySockets
		}
		id = ids[0]
		return nil
	})
	return id, err
}

// closeSocket gives a socket's slot back.
func (s *SharedLimits) closeSocket(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.db.WithContext(ctx).Exec(`DELETE FROM live_sockets WHERE id = ?`, id).Error; err != nil {
		s.log.WarnContext(ctx, "shared limits: closing a socket", "err", err)
	}
}
