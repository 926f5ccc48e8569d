package jobs

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// InsertSQL is job args (with opts over the args' own InsertOpts) as a
// CTE named name for a writer's own statement: it inserts the job, ready
// to run now, when cond (a boolean SQL expression of that statement)
// holds, and params are its named arguments (name_*). The job goes in with
// the write that causes it, in the same statement: no transaction of its
// own, no round trip of its own (a message's whole write is one statement
// that PostgreSQL commits alone).
//
// The row is the one River's own clients write: River's insert-only
// clients for other languages write river_job the same way, and
// TestInsertSQLWritesRiversRow holds it to River's InsertTx for the same
// job. What River adds at insert and this does not take is refused:
// unique jobs, a later start, a pending state, tags.
//
// wake, when it says so, has the statement wake River's workers for the
// job's queue (the NOTIFY River's own insert sends, rate-limited the same
// way): a worker waiting for its next poll fetches it at once.
func InsertSQL(name string, args river.JobArgs, opts *river.InsertOpts, cond string, wake *Wakes) (cte string, params map[string]any, err error) {
	o := river.InsertOpts{}
	if a, ok := args.(river.JobArgsWithInsertOpts); ok {
		o = a.InsertOpts()
	}
	for _, given := range []*river.InsertOpts{&o, opts} {
		if given != nil && (given.Pending || !given.ScheduledAt.IsZero() || len(given.Tags) > 0 || given.Metadata != nil ||
			given.UniqueOpts.ByArgs || given.UniqueOpts.ByPeriod != 0 || given.UniqueOpts.ByQueue || len(given.UniqueOpts.ByState) > 0) {
			return "", nil, fmt.Errorf("jobs: InsertSQL inserts plain jobs, to run now (%s's options ask for more)", args.Kind())
		}
	}
	if opts != nil {
		o.Queue = cmp.Or(opts.Queue, o.Queue)
		o.MaxAttempts = cmp.Or(opts.MaxAttempts, o.MaxAttempts)
		o.Priority = cmp.Or(opts.Priority, o.Priority)
	}
	encoded, err := json.Marshal(args)
	if err != nil {
		return "", nil, fmt.Errorf("jobs: %s: %w", args.Kind(), err)
	}
	queue := cmp.Or(o.Queue, river.QueueDefault)
	p := func(field string) string { return "@" + name + "_" + field }
	params = map[string]any{
		name + "_args": string(encoded), name + "_kind": args.Kind(), name + "_queue": queue,
		name + "_max_attempts": cmp.Or(o.MaxAttempts, river.MaxAttemptsDefault), name + "_priority": cmp.Or(o.Priority, river.PriorityDefault),
	}
	returning := "id"
	if wake.due(queue) {
		// In RETURNING: a row inserted, a wake-up sent; none, none.
		returning += ", pg_notify(current_schema() || '.river_insert', " + p("wake") + ")"
		params[name+"_wake"] = fmt.Sprintf(`{"queue": %q}`, queue)
	}
	cte = name + ` AS (
			INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags)
			SELECT CAST(` + p("args") + ` AS jsonb), now(), ` + p("kind") + `, ` + p("max_attempts") + `, '{}', ` + p("priority") + `, ` +
		p("queue") + `, now(), 'available', '{}'
			WHERE ` + cond + ` RETURNING ` + returning + `)`
	return cte, params, nil
}

// Wakes rate-limits the wake-ups InsertSQL's statements send: at most one
// a queue per Every (River's own inserts wait its FetchCooldown, 100 ms by
// default, between two). A nil *Wakes sends none: the workers find the
// job at their next poll.
type Wakes struct {
	Every time.Duration
	mu    sync.Mutex
	last  map[string]time.Time
}

// due says whether a wake-up for queue may go now, and counts it sent.
func (w *Wakes) due(queue string) bool {
	if w == nil {
		return false
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.last[queue]) < w.Every {
		return false
	}
	if w.last == nil {
		w.last = map[string]time.Time{}
	}
	w.last[queue] = now
	return true
}
