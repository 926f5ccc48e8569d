package push

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"firebase.google.com/go/v4/messaging"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
)

// Worker works FanOutArgs jobs.
type Worker struct {
	river.WorkerDefaults[FanOutArgs]
	P *Pipeline
}

// Timeout is Config.JobTimeout: long enough for a school-wide fan-out, and
// short of the rescue of jobs whose instance died, so a rescued job never
// runs beside a live one.
func (w *Worker) Timeout(*river.Job[FanOutArgs]) time.Duration {
	if w.P.Config.JobTimeout > 0 {
		return w.P.Config.JobTimeout
	}
	return 4 * time.Minute
}

// Work plans the recipients still pending (preferences, quiet hours,
// delivery rows) and sends every delivery still owed. When the client stops
// mid-way it finishes the batches in flight, records them, and snoozes the
// job so the next worker carries on where this one stopped.
func (w *Worker) Work(ctx context.Context, job *river.Job[FanOutArgs]) error {
	p := w.P
	var n models.Notification
	err := p.DB.WithContext(ctx).Take(&n, "id = ?", job.Args.NotificationID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // deleted since (a family's data removed): nothing to send
	}
	if err != nil {
		return err
	}
	// Planning and sending overlap: the plan commits recipients in growing
	// chunks and signals each one; the sender claims what is planned so far.
	planned := make(chan struct{}, 1)
	planErr := make(chan error, 1)
	go func() {
		planErr <- p.plan(ctx, &n, job.Args.UserIDs, planned)
		close(planned)
	}()
	res, err := p.send(ctx, &n, job.ID, job.Args.UserIDs, planned)
	if perr := <-planErr; perr != nil && ctx.Err() == nil {
		return fmt.Errorf("plan: %w", perr)
	}
	p.Log.Info("push fan-out", "notification", n.ID, "type", n.Type, "job", job.ID, "attempt", job.Attempt,
		"sent", res.sent, "failed", res.failed, "retry", res.retry, "tokens_removed", res.removed, "totals", p.Metrics.Snapshot())
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return river.JobSnooze(0) // stopping: the next worker picks it up at once
	}
	if !res.nextAttempt.IsZero() {
		return river.JobSnooze(max(0, res.nextAttempt.Sub(p.Now())))
	}
	return nil
}

// plan decides, for each recipient not yet planned, whether to skip them
// (category off), defer them (quiet hours; a job is scheduled for the end)
// or write a delivery row per device. It works in chunks of recipients, each
// in its own transaction, growing from 8 so the first pushes leave early,
// and signals planned after each. It is idempotent: a retried job plans only
// who is still pending.
func (p *Pipeline) plan(ctx context.Context, n *models.Notification, only []string, planned chan<- struct{}) error {
	for size := 8; ; size = min(2*size, 1024) {
		got, err := p.planChunk(ctx, n, only, size)
		if err != nil {
			return err
		}
		select {
		case planned <- struct{}{}:
		default: // the sender has a signal waiting already
		}
		if got < size {
			return nil
		}
	}
}

// planChunk plans up to size recipients in one transaction and says how
// many it took.
func (p *Pipeline) planChunk(ctx context.Context, n *models.Notification, only []string, size int) (int, error) {
	now := p.Now().UTC()
	var got int
	err := p.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).Where("notification_id = ?", n.ID).
			Order("user_id").Limit(size)
		if len(only) > 0 {
			q = q.Where("user_id IN ? AND (state = ? OR (state = ? AND deferred_until <= ?))", only, models.RecipientPending, models.RecipientDeferred, now)
		} else {
			q = q.Where("state = ?", models.RecipientPending)
		}
		var rs []models.NotificationRecipient
		if err := q.Find(&rs).Error; err != nil {
			return err
		}
		got = len(rs)
		if len(rs) == 0 {
			return nil
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.UserID
		}
		var users []models.User
		if err := tx.Where("id IN ?", ids).Find(&users).Error; err != nil {
			return err
		}
		var off []string
		if n.Category != models.CategorySystem {
			if err := tx.Model(&models.NotificationPreference{}).Where("user_id IN ? AND category = ? AND NOT push", ids, n.Category).
				Pluck("user_id", &off).Error; err != nil {
				return err
			}
		}
		isOff := map[string]bool{}
		for _, u := range off {
			isOff[u] = true
		}
		// Staff hear about messages in their office hours; the rest wait
		// for the next window (urgent ones do not).
		office := map[string][]models.OfficeHours{}
		if n.Category == models.CategoryNewMessage && !n.Urgent {
			var hours []models.OfficeHours
			if err := tx.Where("user_id IN ?", ids).Find(&hours).Error; err != nil {
				return err
			}
			for _, h := range hours {
				office[h.UserID] = append(office[h.UserID], h)
			}
		}
		var skipped, planned []string
		deferred := map[time.Time][]string{}
		for i := range users {
			u := &users[i]
			if isOff[u.ID] {
				skipped = append(skipped, u.ID)
				continue
			}
			// The later of the two ends; the deferred fan-out checks again
			// then (the window may start inside quiet hours).
			var until time.Time
			if end, quiet := quietUntil(u, now); quiet && !n.Urgent {
				until = end
			}
			if open, next := models.NextOfficeHours(office[u.ID], u.TimeZone, now); !open && next.After(until) {
				until = next
			}
			if until.IsZero() {
				planned = append(planned, u.ID)
			} else {
				deferred[until] = append(deferred[until], u.ID)
			}
		}
		set := func(state string, users []string, until *time.Time) error {
			if len(users) == 0 {
				return nil
			}
			return tx.Model(&models.NotificationRecipient{}).Where("notification_id = ? AND user_id IN ?", n.ID, users).
				Updates(map[string]any{"state": state, "deferred_until": until}).Error
		}
		if err := set(models.RecipientSkipped, skipped, nil); err != nil {
			return err
		}
		for end, us := range deferred {
			if err := set(models.RecipientDeferred, us, &end); err != nil {
				return err
			}
			if err := p.scheduleTx(ctx, tx, FanOutArgs{NotificationID: n.ID, UserIDs: us}, end); err != nil {
				return err
			}
		}
		if err := set(models.RecipientPlanned, planned, nil); err != nil {
			return err
		}
		if len(planned) > 0 {
			if err := tx.Exec(`INSERT INTO notification_deliveries (notification_id, device_id, user_id, next_attempt_at, created_at, updated_at)
				SELECT ?, d.id, d.user_id, ?, ?, ? FROM devices d WHERE d.user_id IN ?
				ON CONFLICT DO NOTHING`, n.ID, now, now, now, planned).Error; err != nil {
				return err
			}
		}
		for _, r := range rs {
			if r.State == models.RecipientPending {
				p.Metrics.Queued.Add(1)
			}
		}
		p.Metrics.Skipped.Add(int64(len(skipped)))
		for _, us := range deferred {
			p.Metrics.Deferred.Add(int64(len(us)))
		}
		return nil
	})
	return got, err
}

// scheduleTx inserts a job to run at a time, inside tx.
func (p *Pipeline) scheduleTx(ctx context.Context, tx *gorm.DB, args FanOutArgs, at time.Time) error {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	opts := args.InsertOpts()
	opts.ScheduledAt = at
	_, err = p.inserter.InsertTx(ctx, sqlTx, args, &opts)
	return err
}

type sendResult struct {
	sent, failed, retry, removed int
	// nextAttempt is when deliveries put back for a retry are due (zero: none).
	nextAttempt time.Time
}

// claimed is one delivery taken by this job, with what its message needs.
type claimed struct {
	DeviceID string
	UserID   string
	Attempts int
	Token    *string
}

// send claims owed deliveries in batches and sends them, InFlight batches at
// a time, until none are owed now or the job is told to stop.
func (p *Pipeline) send(ctx context.Context, n *models.Notification, jobID int64, only []string, planned <-chan struct{}) (sendResult, error) {
	var res sendResult
	db := p.DB.WithContext(context.WithoutCancel(ctx))
	// Rows this job claimed before it was interrupted the hard way: owed again.
	if err := db.Exec(`UPDATE notification_deliveries SET status = 'PENDING', claimed_by = NULL
		WHERE notification_id = ? AND status = 'SENDING' AND claimed_by = ?`, n.ID, jobID).Error; err != nil {
		return res, err
	}
	info := newRecipientCache(db, n.ID)
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
		sem      = make(chan struct{}, max(1, p.Config.InFlight))
	)
	for ctx.Err() == nil {
		batch, err := p.claim(db, n.ID, jobID, only)
		if err != nil {
			firstErr = err
			break
		}
		if len(batch) == 0 {
			if planned == nil {
				break // planning is over and nothing is owed now
			}
			select {
			case _, more := <-planned:
				if !more {
					planned = nil
				}
			case <-ctx.Done():
			}
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The slot is given back as soon as FCM has answered, so the
			// next batch is on the wire while this one is recorded.
			r, err := p.sendBatch(context.WithoutCancel(ctx), db, n, batch, info, func() { <-sem })
			mu.Lock()
			defer mu.Unlock()
			res.sent += r.sent
			res.failed += r.failed
			res.retry += r.retry
			res.removed += r.removed
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	// Anything put back for later: snooze until the earliest is due.
	var next sql.NullTime
	q := db.Model(&models.NotificationDelivery{}).Where("notification_id = ? AND status = 'PENDING'", n.ID)
	if len(only) > 0 {
		q = q.Where("user_id IN ?", only)
	}
	if err := q.Select("min(next_attempt_at)").Scan(&next).Error; err != nil {
		return res, err
	}
	if next.Valid {
		res.nextAttempt = next.Time
	}
	return res, nil
}

// claim marks up to BatchSize owed deliveries as being sent by this job and
// returns them with their device tokens. SKIP LOCKED lets several jobs of one
// notification (a deferred one, say) work side by side without overlap.
func (p *Pipeline) claim(db *gorm.DB, notificationID string, jobID int64, only []string) ([]claimed, error) {
	now := p.Now().UTC()
	scope, args := "", []any{notificationID, now}
	if len(only) > 0 {
		scope, args = "AND user_id IN ?", append(args, only)
	}
	args = append(args, p.Config.BatchSize, jobID, now)
	var out []claimed
	err := db.Raw(`WITH c AS (
			SELECT notification_id, device_id FROM notification_deliveries
			WHERE notification_id = ? AND status = 'PENDING' AND next_attempt_at <= ? `+scope+`
			LIMIT ? FOR UPDATE SKIP LOCKED)
		UPDATE notification_deliveries nd SET status = 'SENDING', claimed_by = ?, updated_at = ?
		FROM c WHERE nd.notification_id = c.notification_id AND nd.device_id = c.device_id
		RETURNING nd.device_id, nd.user_id, nd.attempts,
			(SELECT d.token FROM devices d WHERE d.id = nd.device_id) AS token`, args...).Scan(&out).Error
	sort.Slice(out, func(i, j int) bool { return out[i].DeviceID < out[j].DeviceID })
	return out, err
}

// sendBatch sends one claimed batch and records every answer.
func (p *Pipeline) sendBatch(ctx context.Context, db *gorm.DB, n *models.Notification, batch []claimed, info *recipientCache, answered func()) (sendResult, error) {
	var res sendResult
	var once sync.Once
	release := func() { once.Do(answered) }
	defer release()
	users := make([]string, 0, len(batch))
	for _, c := range batch {
		users = append(users, c.UserID)
	}
	who, err := info.get(users)
	if err != nil {
		return res, err
	}
	var msgs []*messaging.Message
	var sending []claimed
	var gone []string
	for _, c := range batch {
		if c.Token == nil { // device removed since it was planned
			gone = append(gone, c.DeviceID)
			continue
		}
		msgs = append(msgs, buildMessage(n, *c.Token, who[c.UserID]))
		sending = append(sending, c)
	}
	rec := newRecorder(n.ID)
	for _, id := range gone {
		rec.fail(id, "DEVICE_REMOVED")
	}
	if len(msgs) > 0 {
		sctx, cancel := context.WithTimeout(ctx, p.Config.SendTimeout)
		br, err := p.FCM.SendEach(sctx, msgs)
		cancel()
		if err != nil {
			// The whole call failed (no answers): every message is owed again.
			for _, c := range sending {
				rec.retry(c, "SEND_FAILED", 0, p)
			}
		} else {
			for i, r := range br.Responses {
				rec.answer(sending[i], r, p)
			}
		}
	}
	release()
	if err := rec.save(db, p); err != nil {
		return res, err
	}
	res.sent, res.failed, res.retry, res.removed = len(rec.sentIDs), len(rec.failedIDs), len(rec.retryIDs), len(rec.removeDevices)
	p.Metrics.Sent.Add(int64(res.sent))
	p.Metrics.Failed.Add(int64(res.failed))
	p.Metrics.Retried.Add(int64(res.retry))
	p.Metrics.TokensRemoved.Add(int64(res.removed))
	return res, nil
}

// backoff is the delay before retry number attempt (1-based): exponential
// from BaseBackoff with full jitter on the upper half, capped at MaxBackoff.
func (p *Pipeline) backoff(attempt int) time.Duration {
	d := p.Config.BaseBackoff << min(attempt-1, 20)
	if d <= 0 || d > p.Config.MaxBackoff {
		d = p.Config.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// sqlTxOf returns the database/sql transaction under a GORM transaction,
// for River's InsertTx.
func sqlTxOf(tx *gorm.DB) (*sql.Tx, error) {
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, errors.New("push: needs a transaction")
	}
	return t, nil
}
