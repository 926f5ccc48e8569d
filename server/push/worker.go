package push

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"firebase.google.com/go/v4/messaging"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

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
	id := job.Args.NotificationID
	// Deliveries this job claimed before it was interrupted the hard way:
	// owed again (before planning claims new ones). Only a run that ended
	// hard leaves any (one that returns gives back what it claimed and did
	// not send), and River runs such a job again at attempt 2 or more (a
	// snooze puts the attempt back).
	if job.Attempt > 1 {
		if err := p.unclaim(ctx, id, job.ID); err != nil {
			return err
		}
	}
	// What the messages need about each recipient, read with their plan
	// (or, for what the sender claims itself, when it claims it).
	info := newRecipientCache(p.DB.WithContext(context.WithoutCancel(ctx)), id)
	// The plan's first chunk reads the notification itself, in the
	// statement that locks it and claims its first recipients: a notice to
	// one person (a message) pays no statement of its own for it. The
	// sender needs it, so that chunk is planned before sending starts; the
	// sender had nothing to send before it anyway.
	n := models.Notification{ID: id}
	first, err := p.planChunk(ctx, &n, true, job.ID, job.Args.UserIDs, "", firstChunk)
	if errors.Is(err, errNotificationGone) {
		return nil // deleted since (a family's data removed): nothing to send
	}
	if err != nil {
		if ctx.Err() != nil {
			return river.JobSnooze(0) // stopping: the next worker picks it up at once
		}
		return fmt.Errorf("plan: %w", err)
	}
	info.put(first.who)
	// Planning and sending overlap: the plan commits recipients in growing
	// chunks, their deliveries already claimed by this job, and hands each
	// chunk's to the sender; the sender then claims whatever else is owed
	// (retries due, what an earlier run left).
	planned := make(chan []claimed)
	sent := make(chan struct{}) // the sender has stopped taking chunks
	planErr := make(chan error, 1)
	go func() {
		planErr <- p.plan(ctx, &n, job.ID, job.Args.UserIDs, info, first, planned, sent)
		close(planned)
	}()
	res, err := p.send(ctx, &n, job.ID, job.Args.UserIDs, jobs.RanBefore(job.JobRow), info, planned)
	close(sent)
	perr := <-planErr
	// Planned and claimed but not sent (the job was told to stop, or an
	// error ended it): owed again, now rather than when the job runs next.
	// Every send has its outcome written by now. A run that ended on its
	// own sent everything it claimed: nothing to give back.
	if err != nil || perr != nil || ctx.Err() != nil {
		if uerr := p.unclaim(ctx, n.ID, job.ID); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}
	if perr != nil && ctx.Err() == nil {
		return errors.Join(fmt.Errorf("plan: %w", perr), err)
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
// and hands each chunk's deliveries (claimed by job already) to the sender
// on planned, until the sender stops (sent). It is idempotent: a retried
// job plans only who is still pending, and deliveries it claimed but never
// handed over are owed again when the job ends (Work unclaims them).
//
// The chunks take the recipients in one pass, in the order of their ids,
// each after the last one the chunk before took: a chunk reads its own
// recipients only, not again those planned before it. A recipient passed
// over because another job's plan held it is that job's to plan (or, if
// its plan rolls back, its next run's), as it was when every chunk started
// from the first recipient; none goes back to pending once planned.
func (p *Pipeline) plan(ctx context.Context, n *models.Notification, job int64, only []string, info *recipientCache, first chunk, planned chan<- []claimed, sent <-chan struct{}) error {
	c, size := first, firstChunk
	for {
		if len(c.rows) > 0 {
			select {
			case planned <- c.rows:
			case <-sent:
				return nil
			}
		}
		if c.got < size {
			return nil
		}
		size = min(2*size, 1024)
		var err error
		if c, err = p.planChunk(ctx, n, false, job, only, c.last, size); err != nil {
			return err
		}
		info.put(c.who)
	}
}

// firstChunk is how many recipients the plan's first chunk takes.
const firstChunk = 8

// chunk is what one chunk of the plan took and wrote.
type chunk struct {
	got  int    // recipients taken
	last string // the last of their ids ("" for none)
	rows []claimed
	who  map[string]recipientInfo // what their messages need about their users
}

// planChunk plans up to size recipients in one transaction, of those whose
// ids come after after ("": from the first), and says how many it took and
// the last of their ids, with the deliveries it wrote (claimed by job) and
// what their messages need about their users. With read, it first reads
// the notification n names (its id) into n, in the statement that claims
// the recipients; errNotificationGone when there is none.
func (p *Pipeline) planChunk(ctx context.Context, n *models.Notification, read bool, job int64, only []string, after string, size int) (chunk, error) {
	now := p.Now().UTC()
	c := chunk{last: after}
	err := p.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rs, err := claimRecipients(tx, n, read, only, after, size, now)
		if err != nil || len(rs) == 0 {
			return err
		}
		c.got, c.last = len(rs), rs[len(rs)-1].UserID
		// The badges come with the plan: the sender pays no read of its own
		// for them. (Read by the sender while the next chunk was planned,
		// each chunk's users were read twice and their badges' statement
		// planned for its values every time, 7.5 to 12 ms of PostgreSQL's
		// time an announcement to 2,000 families: on two busy cores the
		// overlap gained nothing.)
		d, err := p.decide(tx, n, rs, now)
		if err != nil {
			return err
		}
		if c.rows, err = p.apply(ctx, tx, n, job, d, rs, now); err != nil {
			return err
		}
		c.who = d.info
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
	if err != nil {
		return chunk{last: after}, err // rolled back: none were written
	}
	return c, nil
}

// errNotificationGone: the notification a job is for was deleted.
var errNotificationGone = errors.New("push: the notification is gone")

// claimRecipients locks up to size recipients still to plan (skipping those
// another worker holds), the first by id after after ("": from the first):
// the pending ones, or with only, those of only that are pending or whose
// deferral has ended. It locks their notification
// first (FOR KEY SHARE, once: its recipients and deliveries have no
// foreign key to it, see migration 00031): a deletion of it waits for this
// plan to commit and then takes what it wrote, or has taken everything and
// nothing is claimed. Locking the recipients first would deadlock with the
// deletion, which holds the notification while it deletes them.
func claimRecipients(tx *gorm.DB, n *models.Notification, read bool, only []string, after string, size int, now time.Time) ([]claimedRecipient, error) {
	args := map[string]any{"id": n.ID, "size": size, "pending": models.RecipientPending}
	filter := "r.state = @pending"
	if len(only) > 0 {
		filter = "r.user_id IN @only AND (r.state = @pending OR (r.state = @deferred AND r.deferred_until <= @now))"
		args["only"], args["deferred"], args["now"] = only, models.RecipientDeferred, now
	}
	// In the primary key's order from after: an index range, not a pass
	// over the recipients planned before it (nor, for the first chunk, a
	// sort of them all when the table's statistics are missing).
	filter += " AND r.user_id > @after"
	args["after"] = cmp.Or(after, uuid.Nil.String())
	// The plan's statements after this one keep one generic plan each per
	// connection (set_config's third argument: for this transaction only).
	// The jobs' connections plan every statement for its values
	// (database.CustomPlans) because outcome writes scan a table that grows
	// by thousands of rows a minute; the plan's statements find their rows
	// by key whatever the sizes, and the recipients' one (their settings,
	// office hours, badge and reach) took 2.7 ms to plan and 0.13 ms to
	// run, once per message (TestFanOutPlanKeepsItsPlans). Set here, in
	// the plan's first statement, it costs no round trip of its own.
	// The two run first, once (one-time conditions): the notification is
	// locked before any recipient, and the recipients are read in their
	// key's order, up to size of them, not all sorted.
	notice := "id"
	if read {
		notice = "*"
	}
	head := `WITH g AS MATERIALIZED (SELECT set_config('plan_cache_mode', 'force_generic_plan', true)),
		n AS MATERIALIZED (SELECT ` + notice + ` FROM notifications WHERE id = @id FOR KEY SHARE)`
	recipients := `SELECT r.*, r.ctid::text AS row FROM notification_recipients r
		WHERE EXISTS (SELECT 1 FROM g) AND EXISTS (SELECT 1 FROM n) AND r.notification_id = @id AND ` + filter + `
		ORDER BY r.user_id LIMIT @size FOR UPDATE OF r SKIP LOCKED`
	var rs []claimedRecipient
	if !read {
		return rs, tx.Raw(head+"\n"+recipients, args).Scan(&rs).Error
	}
	// With the notification's columns (n_…) on each row, and on one row
	// with no recipient when none is left to plan; no row at all when the
	// notification is gone.
	var rows []struct {
		Notice    models.Notification `gorm:"embedded;embeddedPrefix:n_"`
		Recipient claimedRecipient    `gorm:"embedded"`
	}
	if err := tx.Raw(head+`
		SELECT `+noticeColumns()+`, r.* FROM n LEFT JOIN LATERAL (`+recipients+`) r ON true`, args).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNotificationGone
	}
	*n = rows[0].Notice
	for _, r := range rows {
		if r.Recipient.UserID != "" {
			rs = append(rs, r.Recipient)
		}
	}
	return rs, nil
}

// noticeColumns lists the columns of models.Notification as n_ and their
// names, from n: what claimRecipients scans with its prefix.
var noticeColumns = sync.OnceValue(func() string {
	s, err := schema.Parse(&models.Notification{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(err)
	}
	cols := make([]string, 0, len(s.DBNames))
	for _, c := range s.DBNames {
		cols = append(cols, "n."+c+" AS n_"+c)
	}
	return strings.Join(cols, ", ")
})

// claimedRecipient is a recipient the plan locked, with the row version it
// locked (its ctid: the plan's transaction holds it, so it stays that row's
// until the transaction ends, and the plan's writes find it by it, whatever
// the table's size or statistics).
type claimedRecipient struct {
	models.NotificationRecipient
	Row string
}

// rowsOf are the locked rows (ctids) of users, from row (each claimed
// recipient's, by user).
func rowsOf(row map[string]string, users []string) models.Array[string] {
	out := make(models.Array[string], 0, len(users))
	for _, u := range users {
		out = append(out, row[u])
	}
	return out
}

// decision is what happens to each claimed recipient.
type decision struct {
	users     map[string]*models.User
	info      map[string]recipientInfo // of those with a device, for their messages
	reachable map[string]bool          // by email or SMS (Channels)
	skipped   []string                 // the category is off for them
	planned   []string                 // push now
	deferred  map[time.Time][]string   // push when quiet or closed hours end
}

// decide sorts recipients by their settings: the notification's category
// off, quiet hours (urgent notifications ignore them) and, for staff and
// message notifications, office hours.
func (p *Pipeline) decide(tx *gorm.DB, n *models.Notification, rs []claimedRecipient, now time.Time) (decision, error) {
	d := decision{deferred: map[time.Time][]string{}, users: map[string]*models.User{}, info: map[string]recipientInfo{}, reachable: map[string]bool{}}
	reachable := "false"
	if p.Channels != nil {
		reachable = p.Channels.ReachableSQL("users.id", "@school")
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.UserID
	}
	// In one statement: the recipients' rows, whether each turned the
	// category off, their office hours (for staff and message
	// notifications), the badge of each with a device, and whether email
	// or SMS may reach them. It locks them (FOR KEY
	// SHARE) for the plan's transaction: their deliveries have no foreign
	// key (migration 00032), and a user's deletion must wait for the plan,
	// then take what it wrote. A recipient whose user is gone is not
	// returned, and not planned.
	var rows []struct {
		models.User
		PushOff   bool
		Office    *string // models.OfficeHoursJSONSQL, when office hours count
		Badge     *int    // unread messages, when they have a device
		Reachable bool
	}
	if err := tx.Raw(`SELECT users.*,
			@prefs AND EXISTS (SELECT 1 FROM notification_preferences np WHERE np.user_id = users.id AND np.category = @category AND NOT np.push) AS push_off,
			CASE WHEN @office THEN `+models.OfficeHoursJSONSQL("users.id")+` END AS office,
			CASE WHEN EXISTS (SELECT 1 FROM devices dv WHERE dv.user_id = users.id) THEN `+badgeSQL("users.id")+` END AS badge,
			`+reachable+` AS reachable
		FROM users WHERE users.id IN @ids FOR KEY SHARE OF users`,
		map[string]any{"ids": ids, "category": n.Category, "prefs": n.Category != models.CategorySystem, "school": n.SchoolID,
			// Staff hear about messages in their office hours; the rest wait
			// for the next window (urgent ones do not).
			"office": n.Category == models.CategoryNewMessage && !n.Urgent}).Scan(&rows).Error; err != nil {
		return d, err
	}
	users := make([]models.User, len(rows))
	isOff := map[string]bool{}
	office := map[string][]models.OfficeHours{}
	for i, r := range rows {
		users[i] = r.User
		isOff[r.ID] = r.PushOff
		hours, err := models.ParseOfficeHoursJSON(r.ID, r.Office)
		if err != nil {
			return d, err
		}
		if len(hours) > 0 {
			office[r.ID] = hours
		}
		d.reachable[r.ID] = r.Reachable
		if r.Badge != nil {
			d.info[r.ID] = recipientInfo{name: r.DisplayName, locale: r.Locale, timeZone: r.TimeZone, badge: *r.Badge}
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
// end of each deferral, and a delivery row per device of those planned,
// claimed by job (the planning job sends them itself: writing them owed and
// claiming them after would rewrite every row once more). It returns those
// deliveries. rs are the recipients claimRecipients locked.
func (p *Pipeline) apply(ctx context.Context, tx *gorm.DB, n *models.Notification, job int64, d decision, rs []claimedRecipient, now time.Time) ([]claimed, error) {
	// The recipients' rows are found by the row versions the claim locked:
	// on the plan's generic plans `user_id IN (…)` of a chunk's 1,024 ids
	// read every recipient of the notification and compared each with the
	// list one by one (TestPlanChunkReadsItsRecipientsOnly).
	row := make(map[string]string, len(rs))
	for _, r := range rs {
		row[r.UserID] = r.Row
	}
	set := func(state string, users []string, until *time.Time) error {
		if len(users) == 0 {
			return nil
		}
		return tx.Exec(`UPDATE notification_recipients SET state = ?, deferred_until = ? WHERE ctid = ANY(CAST(? AS tid[]))`,
			state, until, rowsOf(row, users)).Error
	}
	if err := set(models.RecipientSkipped, d.skipped, nil); err != nil {
		return nil, err
	}
	for end, us := range d.deferred {
		if err := set(models.RecipientDeferred, us, &end); err != nil {
			return nil, err
		}
		if err := p.scheduleTx(ctx, tx, FanOutArgs{NotificationID: n.ID, UserIDs: us}, end); err != nil {
			return nil, err
		}
	}
	if p.Channels != nil {
		// Email and SMS go with the push, to the planned and to those who
		// turned the push off but a channel on, of those they may reach.
		var now []*models.User
		var off []string
		for _, id := range append(d.planned, d.skipped...) {
			if d.reachable[id] {
				now = append(now, d.users[id])
			}
		}
		for _, id := range d.skipped {
			if d.reachable[id] {
				off = append(off, id)
			}
		}
		if err := p.Channels.PlanTx(ctx, tx, n, now, off); err != nil {
			return nil, fmt.Errorf("channels: %w", err)
		}
	}
	if len(d.planned) == 0 {
		return nil, nil
	}
	// The planned recipients' state and their deliveries, one statement
	// (claimRecipients locked the notification: it is not deleted before
	// this commits). The tokens come from the devices it read, not from
	// another pass over every device.
	var rows []claimed
	err := tx.Raw(`WITH planned AS (
			UPDATE notification_recipients SET state = @planned, deferred_until = NULL WHERE ctid = ANY(CAST(@rows AS tid[]))),
		dev AS (
			SELECT d.id, d.user_id, d.token FROM devices d WHERE d.user_id = ANY(CAST(@users AS uuid[]))),
		ins AS (
			INSERT INTO notification_deliveries (notification_id, device_id, user_id, status, claimed_by, next_attempt_at, created_at, updated_at)
			SELECT @n, dev.id, dev.user_id, 'SENDING', @job, @now, @now, @now FROM dev
			ON CONFLICT DO NOTHING
			RETURNING device_id, user_id, attempts)
		SELECT ins.device_id, ins.user_id, ins.attempts, dev.token FROM ins JOIN dev ON dev.id = ins.device_id
		ORDER BY ins.device_id`, map[string]any{"planned": models.RecipientPlanned, "rows": rowsOf(row, d.planned), "n": n.ID, "users": models.Array[string](d.planned),
		"job": job, "now": now}).Scan(&rows).Error
	return rows, err
}

// scheduleTx inserts a job to run at a time, inside tx.
func (p *Pipeline) scheduleTx(ctx context.Context, tx *gorm.DB, args FanOutArgs, at time.Time) error {
	opts := args.InsertOpts()
	opts.ScheduledAt = at
	return jobs.InsertTx(ctx, p.inserter, tx, args, &opts)
}

type sendResult struct {
	sent, failed, retry, removed int
	// nextAttempt is when deliveries put back for a retry are due (zero: none).
	nextAttempt time.Time
}

// outgoing is a claimed delivery's message, ready to send.
type outgoing struct {
	c   claimed
	msg *messaging.Message
}

// claimed is one delivery taken by this job, with what its message needs.
type claimed struct {
	DeviceID string
	UserID   string
	Attempts int
	Token    *string
}

// send sends each delivery by itself, Concurrency at a time: first those
// the plan hands over on planned (claimed by this job as they were
// written), then, once planning is over, those it claims of what is still
// owed now, until none are or the job is told to stop. Each device's
// outcome is recorded as soon as its own send returns (outcomes that
// arrive together are written together). What a crash leaves claimed is
// owed again when the job runs next (Work unclaims it); of that, only what was
// on the wire or whose outcome was not yet written (at most twice the
// workers) may have reached FCM already, so that is all that may go twice.
func (p *Pipeline) send(ctx context.Context, n *models.Notification, jobID int64, only []string, ranBefore bool, info *recipientCache, planned <-chan []claimed) (sendResult, error) {
	db := p.DB.WithContext(context.WithoutCancel(ctx))
	workers := p.Config.concurrency()
	chunk := max(1, min(p.Config.BatchSize, workers/4))
	// slots are the sends in flight (a worker is free again as soon as
	// FCM answers); owed are the claimed rows whose outcome is not yet
	// written, at most twice the workers: a send does not wait for the
	// outcome before it to be written, and what a killed process leaves
	// claimed stays bounded.
	slots := make(chan struct{}, workers)
	owed := make(chan struct{}, 2*workers)
	rec := newLiveRecorder(p, db, n.ID, func() int { return len(slots) })
	releaseSlot := func() { <-slots }
	releaseOwed := func() { <-owed }
	release := func() { releaseSlot(); releaseOwed() }
	// The sends are made by up to workers goroutines, each started when a
	// send finds none free and kept for the next ones: a goroutine per
	// send grew a new stack for every message FCM's client marshals (a
	// tenth of the sending's CPU for a school-wide announcement).
	work := make(chan outgoing)
	var wg sync.WaitGroup
	started := 0
	sendOne := func(o outgoing) {
		// The send finishes even when the job is told to stop: its
		// outcome must be recorded, not left claimed. Its worker is free
		// again once FCM answers; its row counts as owed until the
		// outcome is written.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.Config.SendTimeout)
		id, err := p.FCM.Send(sctx, o.msg)
		cancel()
		releaseSlot()
		rec.add(func(r *recorder) {
			r.answer(o.c, &messaging.SendResponse{Success: err == nil, MessageID: id, Error: err}, p)
		}, releaseOwed)
	}
	// dispatch hands o to a free sender (o holds a slot: fewer than
	// workers sends are on the wire besides it).
	dispatch := func(o outgoing) {
		select {
		case work <- o:
			return
		default:
		}
		if started < workers {
			started++
			wg.Add(1)
			go func() {
				defer wg.Done()
				for o := range work {
					sendOne(o)
				}
			}()
		}
		work <- o
	}
	var loopErr error
	var handed []claimed // planned, not yet sent
	texts, shape := NewRenderer(n), newPushShape(n)
	for ctx.Err() == nil && loopErr == nil {
		if len(handed) == 0 && planned != nil {
			select {
			case rows, more := <-planned:
				if !more {
					planned = nil
				}
				// What their messages need about their users came with
				// their plan (info); the batches below read only what is
				// missing.
				handed = rows
			case <-ctx.Done():
			}
		}
		var batch []claimed
		var err error
		held := false // the batch's rows hold their worker and owed places already
		switch {
		case len(handed) > 0:
			// Planned rows are claimed already: each takes a worker as one
			// frees up (below), so none stands idle waiting for a batch.
			k := min(chunk, len(handed))
			batch, handed = handed[:k], handed[k:]
		case planned == nil && ctx.Err() == nil && (ranBefore || rec.retried.Load() > 0):
			// What else is owed now: on the job's first run, only what
			// this run put back (an earlier run's, a retry's or a
			// snooze's, on a later run). Claim no more than there are
			// free workers to send at once.
			for i := 0; i < chunk; i++ {
				owed <- struct{}{}
				slots <- struct{}{}
			}
			batch, err = p.claim(db, n.ID, jobID, only, chunk)
			for i := len(batch); i < chunk; i++ {
				release()
			}
			held = true
		}
		if err != nil {
			loopErr = err
			break
		}
		if len(batch) == 0 {
			if planned == nil {
				break // planning is over and nothing is owed now
			}
			continue
		}
		who, err := info.get(userIDs(batch))
		if err != nil {
			if held {
				for range batch {
					release()
				}
			}
			loopErr = err
			break
		}
		for _, c := range batch {
			if !held {
				owed <- struct{}{}
				slots <- struct{}{}
			}
			if c.Token == nil { // device removed since it was planned
				releaseSlot()
				rec.add(func(r *recorder) { r.fail(c.DeviceID, "DEVICE_REMOVED") }, releaseOwed)
				continue
			}
			u := who[c.UserID]
			dispatch(outgoing{c, shape.message(*c.Token, u.badge, texts.render(u))})
		}
	}
	close(work)
	wg.Wait()
	res, err := rec.close()
	if err = errors.Join(loopErr, err); err != nil {
		return res, err
	}
	// Anything put back for later: snooze until the earliest is due. On the
	// job's first run, if it put nothing back, nothing is (what other jobs
	// of the notification put back, they wait for); a run after a snooze or
	// a retry looks, for what earlier runs put back.
	if res.retry == 0 && !ranBefore {
		return res, nil
	}
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

// userIDs are the users of rows, in order.
func userIDs(rows []claimed) []string {
	ids := make([]string, len(rows))
	for i, c := range rows {
		ids[i] = c.UserID
	}
	return ids
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
	// inFlight is how many sends are on the wire: their outcomes are
	// still to come.
	inFlight func() int
	res      sendResult
	err      error
	// retried counts the deliveries put back for later so far (the
	// sender reads it while outcomes still come in; res.retry at the end).
	retried atomic.Int64
}

func newLiveRecorder(p *Pipeline, db *gorm.DB, notificationID string, inFlight func() int) *liveRecorder {
	l := &liveRecorder{p: p, db: db, nid: notificationID, cur: newRecorder(notificationID),
		wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{}), inFlight: inFlight}
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
			closing = l.gather()
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
				l.retried.Add(int64(retry))
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

// Outcomes are written in batches of at least minWrite while more are
// on the wire, each waiting at most Config.OutcomeWait for the rest of its
// batch: a school-wide fan-out's 4,000 outcomes arrived a few at a time
// and took 150 writes, each planned for its values (database.CustomPlans),
// where 60-odd do. What waits is bounded: a send stops taking rows once
// twice the workers' outcomes are unwritten (send's owed), far above
// minWrite.
const minWrite = 64

// gather waits, after the first outcome of a write has come in, until
// minWrite have, nothing more is on the wire, Config.OutcomeWait has
// passed or the recorder is closing (it says whether it is).
func (l *liveRecorder) gather() (closing bool) {
	if l.p.Config.OutcomeWait <= 0 {
		return false
	}
	var wait <-chan time.Time
	for {
		l.mu.Lock()
		n := len(l.written)
		l.mu.Unlock()
		if n >= minWrite || l.inFlight() == 0 {
			return false
		}
		if wait == nil {
			t := time.NewTimer(l.p.Config.OutcomeWait)
			defer t.Stop()
			wait = t.C
		}
		select {
		case <-l.wake:
		case <-wait:
			return false
		case <-l.closing:
			return true
		}
	}
}

// close waits until everything added so far is written, and returns the
// totals and any error writing them.
func (l *liveRecorder) close() (sendResult, error) {
	close(l.closing)
	<-l.done
	l.res.retry = int(l.retried.Load())
	return l.res, l.err
}

// unclaim makes the deliveries of notificationID that job claimed owed
// again.
func (p *Pipeline) unclaim(ctx context.Context, notificationID string, job int64) error {
	// In key order, as the outcome writes and a deletion lock them.
	return p.DB.WithContext(context.WithoutCancel(ctx)).Exec(`WITH locked AS (
			SELECT device_id FROM notification_deliveries WHERE notification_id = ? AND status = 'SENDING' AND claimed_by = ?
			ORDER BY device_id FOR UPDATE)
		UPDATE notification_deliveries nd SET status = 'PENDING', claimed_by = NULL
		FROM locked WHERE nd.notification_id = ? AND nd.device_id = locked.device_id`, notificationID, job, notificationID).Error
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
