package push

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"firebase.google.com/go/v4/messaging"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/jobs"
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
		rs, err := claimRecipients(tx, n, only, size, now)
		if err != nil || len(rs) == 0 {
			return err
		}
		got = len(rs)
		d, err := decide(tx, n, rs, now)
		if err != nil {
			return err
		}
		if err := p.apply(ctx, tx, n, d, now); err != nil {
			return err
		}
		for _, r := range rs {
			if r.State == models.RecipientPending {
				p.Metrics.Queued.Add(1)
			}
		}
		p.Metrics.Skipped.Add(int64(len(d.skipped)))
		for _, us := range d.deferred {
			p.Metrics.Deferred.Add(int64(len(us)))
		}
		return nil
	})
	return got, err
}

// claimRecipients locks up to size recipients still to plan (skipping those
// another worker holds): the pending ones, or with only, those of only that
// are pending or whose deferral has ended.
func claimRecipients(tx *gorm.DB, n *models.Notification, only []string, size int, now time.Time) ([]models.NotificationRecipient, error) {
	q := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).Where("notification_id = ?", n.ID).
		Order("user_id").Limit(size)
	if len(only) > 0 {
		q = q.Where("user_id IN ? AND (state = ? OR (state = ? AND deferred_until <= ?))", only, models.RecipientPending, models.RecipientDeferred, now)
	} else {
		q = q.Where("state = ?", models.RecipientPending)
	}
	var rs []models.NotificationRecipient
	return rs, q.Find(&rs).Error
}

// decision is what happens to each claimed recipient.
type decision struct {
	users    map[string]*models.User
	skipped  []string               // the category is off for them
	planned  []string               // push now
	deferred map[time.Time][]string // push when quiet or closed hours end
}

// decide sorts recipients by their settings: the notification's category
// off, quiet hours (urgent notifications ignore them) and, for staff and
// message notifications, office hours.
func decide(tx *gorm.DB, n *models.Notification, rs []models.NotificationRecipient, now time.Time) (decision, error) {
	d := decision{deferred: map[time.Time][]string{}, users: map[string]*models.User{}}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.UserID
	}
	var users []models.User
	if err := tx.Where("id IN ?", ids).Find(&users).Error; err != nil {
		return d, err
	}
	var off []string
	if n.Category != models.CategorySystem {
		if err := tx.Model(&models.NotificationPreference{}).Where("user_id IN ? AND category = ? AND NOT push", ids, n.Category).
			Pluck("user_id", &off).Error; err != nil {
			return d, err
		}
	}
	isOff := map[string]bool{}
	for _, u := range off {
		isOff[u] = true
	}
	// Staff hear about messages in their office hours; the rest wait for
	// the next window (urgent ones do not).
	office := map[string][]models.OfficeHours{}
	if n.Category == models.CategoryNewMessage && !n.Urgent {
		var hours []models.OfficeHours
		if err := tx.Where("user_id IN ?", ids).Find(&hours).Error; err != nil {
			return d, err
		}
		for _, h := range hours {
			office[h.UserID] = append(office[h.UserID], h)
		}
	}
	for i := range users {
		u := &users[i]
		d.users[u.ID] = u
		if isOff[u.ID] {
			d.skipped = append(d.skipped, u.ID)
			continue
		}
		// The later of the two ends; the deferred fan-out checks again then
		// (the window may start inside quiet hours).
		var until time.Time
		if end, quiet := QuietUntil(u, now); quiet && !n.Urgent {
			until = end
		}
		if open, next := models.NextOfficeHours(office[u.ID], u.TimeZone, now); !open && next.After(until) {
			until = next
		}
		if until.IsZero() {
			d.planned = append(d.planned, u.ID)
		} else {
			d.deferred[until] = append(d.deferred[until], u.ID)
		}
	}
	return d, nil
}

// apply records a decision in tx: recipients' states, a fan-out job at the
// end of each deferral, and a delivery row per device of those planned.
func (p *Pipeline) apply(ctx context.Context, tx *gorm.DB, n *models.Notification, d decision, now time.Time) error {
	set := func(state string, users []string, until *time.Time) error {
		if len(users) == 0 {
			return nil
		}
		return tx.Model(&models.NotificationRecipient{}).Where("notification_id = ? AND user_id IN ?", n.ID, users).
			Updates(map[string]any{"state": state, "deferred_until": until}).Error
	}
	if err := set(models.RecipientSkipped, d.skipped, nil); err != nil {
		return err
	}
	for end, us := range d.deferred {
		if err := set(models.RecipientDeferred, us, &end); err != nil {
			return err
		}
		if err := p.scheduleTx(ctx, tx, FanOutArgs{NotificationID: n.ID, UserIDs: us}, end); err != nil {
			return err
		}
	}
	if err := set(models.RecipientPlanned, d.planned, nil); err != nil {
		return err
	}
	if p.Channels != nil {
		// Email and SMS go with the push, to the planned and to those who
		// turned the push off but a channel on.
		var now []*models.User
		for _, id := range append(d.planned, d.skipped...) {
			now = append(now, d.users[id])
		}
		if err := p.Channels.PlanTx(ctx, tx, n, now, d.skipped); err != nil {
			return fmt.Errorf("channels: %w", err)
		}
	}
	if len(d.planned) == 0 {
		return nil
	}
	return tx.Exec(`INSERT INTO notification_deliveries (notification_id, device_id, user_id, next_attempt_at, created_at, updated_at)
		SELECT ?, d.id, d.user_id, ?, ?, ? FROM devices d WHERE d.user_id IN ?
		ON CONFLICT DO NOTHING`, n.ID, now, now, now, d.planned).Error
}

// scheduleTx inserts a job to run at a time, inside tx.
func (p *Pipeline) scheduleTx(ctx context.Context, tx *gorm.DB, args FanOutArgs, at time.Time) error {
	sqlTx, err := jobs.SQLTx(tx)
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

// send claims owed deliveries and sends each one by itself, Concurrency at
// a time, until none are owed now or the job is told to stop. Rows are
// claimed only as workers free up, and each device's outcome is recorded
// as soon as its own send returns (outcomes that arrive together are
// written together), so what a crash leaves claimed (and a rescued job
// sends again) is what was on the wire at that moment, not whole batches.
func (p *Pipeline) send(ctx context.Context, n *models.Notification, jobID int64, only []string, planned <-chan struct{}) (sendResult, error) {
	db := p.DB.WithContext(context.WithoutCancel(ctx))
	// Rows this job claimed before it was interrupted the hard way: owed again.
	if err := db.Exec(`UPDATE notification_deliveries SET status = 'PENDING', claimed_by = NULL
		WHERE notification_id = ? AND status = 'SENDING' AND claimed_by = ?`, n.ID, jobID).Error; err != nil {
		return sendResult{}, err
	}
	info := newRecipientCache(db, n.ID)
	rec := newLiveRecorder(p, db, n.ID)
	workers := p.Config.concurrency()
	chunk := max(1, min(p.Config.BatchSize, workers/4))
	// slots are the sends in flight (a worker is free again as soon as
	// FCM answers); owed are the claimed rows whose outcome is not yet
	// written, at most twice the workers: a send does not wait for the
	// outcome before it to be written, and what a killed process leaves
	// claimed stays bounded.
	slots := make(chan struct{}, workers)
	owed := make(chan struct{}, 2*workers)
	releaseSlot := func() { <-slots }
	releaseOwed := func() { <-owed }
	release := func() { releaseSlot(); releaseOwed() }
	var wg sync.WaitGroup
	var loopErr error
	for ctx.Err() == nil && loopErr == nil {
		// Claim no more than there are free workers to send at once.
		for i := 0; i < chunk; i++ {
			owed <- struct{}{}
			slots <- struct{}{}
		}
		batch, err := p.claim(db, n.ID, jobID, only, chunk)
		for i := len(batch); i < chunk; i++ {
			release()
		}
		if err != nil {
			loopErr = err
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
		users := make([]string, 0, len(batch))
		for _, c := range batch {
			users = append(users, c.UserID)
		}
		who, err := info.get(users)
		if err != nil {
			for range batch {
				release()
			}
			loopErr = err
			break
		}
		for _, c := range batch {
			if c.Token == nil { // device removed since it was planned
				releaseSlot()
				rec.add(func(r *recorder) { r.fail(c.DeviceID, "DEVICE_REMOVED") }, releaseOwed)
				continue
			}
			msg := buildMessage(n, *c.Token, who[c.UserID])
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The send finishes even when the job is told to stop: its
				// outcome must be recorded, not left claimed. Its worker is
				// free again once FCM answers; its row counts as owed until
				// the outcome is written.
				sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.Config.SendTimeout)
				id, err := p.FCM.Send(sctx, msg)
				cancel()
				releaseSlot()
				rec.add(func(r *recorder) {
					r.answer(c, &messaging.SendResponse{Success: err == nil, MessageID: id, Error: err}, p)
				}, releaseOwed)
			}()
		}
	}
	wg.Wait()
	res, err := rec.close()
	if err = errors.Join(loopErr, err); err != nil {
		return res, err
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

// liveRecorder records outcomes as they arrive: one goroutine writes
// whatever has come in since its last write, in one transaction, while the
// next outcomes gather.
type liveRecorder struct {
	p   *Pipeline
	db  *gorm.DB
	nid string

	mu      sync.Mutex
	cur     *recorder
	written []func() // called once cur is written
	wake    chan struct{}
	closing chan struct{}
	done    chan struct{}
	res     sendResult
	err     error
}

func newLiveRecorder(p *Pipeline, db *gorm.DB, notificationID string) *liveRecorder {
	l := &liveRecorder{p: p, db: db, nid: notificationID, cur: newRecorder(notificationID),
		wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

// add records one outcome (f appends it to the pending recorder); written
// is called once it is in the database (or its write failed).
func (l *liveRecorder) add(f func(*recorder), written func()) {
	l.mu.Lock()
	f(l.cur)
	l.written = append(l.written, written)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *liveRecorder) run() {
	defer close(l.done)
	for {
		closing := false
		select {
		case <-l.wake:
		case <-l.closing:
			closing = true
		}
		l.mu.Lock()
		r, written := l.cur, l.written
		l.cur, l.written = newRecorder(l.nid), nil
		l.mu.Unlock()
		if !r.empty() {
			if err := r.save(l.db, l.p); err != nil {
				// Left claimed: the next run of the job sends them again.
				l.err = errors.Join(l.err, err)
			} else {
				sent, failed, retry, removed := len(r.sentIDs), len(r.failedIDs), len(r.retryIDs), len(r.removeDevices)
				l.res.sent += sent
				l.res.failed += failed
				l.res.retry += retry
				l.res.removed += removed
				l.p.Metrics.Sent.Add(int64(sent))
				l.p.Metrics.Failed.Add(int64(failed))
				l.p.Metrics.Retried.Add(int64(retry))
				l.p.Metrics.TokensRemoved.Add(int64(removed))
			}
		}
		for _, f := range written {
			f()
		}
		if closing {
			return
		}
	}
}

// close waits until everything added so far is written, and returns the
// totals and any error writing them.
func (l *liveRecorder) close() (sendResult, error) {
	close(l.closing)
	<-l.done
	return l.res, l.err
}

// claim marks up to limit owed deliveries as being sent by this job and
// returns them with their device tokens. SKIP LOCKED lets several jobs of one
// notification (a deferred one, say) work side by side without overlap.
func (p *Pipeline) claim(db *gorm.DB, notificationID string, jobID int64, only []string, limit int) ([]claimed, error) {
	now := p.Now().UTC()
	scope, args := "", []any{notificationID, now}
	if len(only) > 0 {
		scope, args = "AND user_id IN ?", append(args, only)
	}
	args = append(args, limit, jobID, now)
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

// backoff is the delay before retry number attempt (1-based).
func (p *Pipeline) backoff(attempt int) time.Duration {
	return jobs.Backoff(p.Config.BaseBackoff, p.Config.MaxBackoff, attempt)
}
