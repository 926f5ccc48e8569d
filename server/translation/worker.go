package translation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/txhook"
	"github.com/sameside/sameside/server/jobs"
)

// What can be translated: the kinds of texts people write.
const (
	KindMessage      = "message"
	KindObservation  = "observation"
	KindResponse     = "response"
	KindInsight      = "insight"
	KindAnnouncement = "announcement"
	KindEvent        = "event"
	KindResource     = "resource"
	KindBooking      = "booking"
	KindRequest      = "request"
	KindSummary      = "summary"
	KindFollowUp     = "followup"
	// KindTried's ID is "observation id/user id"; KindProfile's "student
	// id/household".
	KindTried   = "tried"
	KindProfile = "profile"
)

// Service translates written texts in the background.
type Service struct {
	DB         *gorm.DB
	Translator Translator
	Log        *slog.Logger
	// CallTimeout bounds one call to the provider.
	CallTimeout time.Duration
	// WakeGap is the least time between two drains one process asks for:
	// the items written meanwhile wait for the next and go in its batch.
	WakeGap time.Duration
	// Characters counts what the provider translated, by target language.
	Characters *prometheus.CounterVec
	inserter   *river.Client[*sql.Tx]
	wake       chan struct{}
}

// New returns a service; inserter is a River client on the same database.
// Run must be running for what is written to be translated at once (the
// periodic sweep, Periodic, finds it otherwise).
func New(db *gorm.DB, inserter *river.Client[*sql.Tx], t Translator, log *slog.Logger) *Service {
	return &Service{DB: db, Translator: t, Log: log, inserter: inserter, CallTimeout: 20 * time.Second, WakeGap: 100 * time.Millisecond,
		wake: make(chan struct{}, 1),
		Characters: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "sameside", Name: "translated_characters_total",
			Help: "Characters sent to the translation provider (what it bills), by target language."}, []string{"target"})}
}

// EnqueueTx queues the translation of an item in the transaction that
// writes it: no job, no call. In a transaction with hooks (the domain's)
// the transaction's items go in with one statement at its end.
func (s *Service) EnqueueTx(ctx context.Context, tx *gorm.DB, kind, id string) error {
	if _, ok := loadSQL[kind]; !ok {
		return fmt.Errorf("translation: kind %q", kind)
	}
	h := txhook.Of(tx)
	if h == nil {
		s.QueuedTx(tx)
		return s.queue(tx.WithContext(ctx), []string{kind}, []string{id})
	}
	q := h.Once(queueKey{s}, func() any {
		q := &queued{}
		h.BeforeCommit(func(tx *gorm.DB) error { return s.queue(tx, q.kinds, q.ids) })
		s.QueuedTx(tx)
		return q
	}).(*queued)
	q.kinds, q.ids = append(q.kinds, kind), append(q.ids, id)
	return nil
}

// QueueSQL is a statement, for a writer's own (as a CTE), that queues the
// translation of the items of kind whose ids ids selects (one column, of
// uuids or texts); the writer then calls QueuedTx. A message is queued
// this way, in its own statement, rather than with a round trip more.
func (s *Service) QueueSQL(kind, ids string) string {
	if _, ok := loadSQL[kind]; !ok {
		panic("translation: kind " + kind)
	}
	return `INSERT INTO translation_queue (kind, item_id) SELECT '` + kind + `', CAST(queued.id AS text) FROM (` + ids + `) AS queued (id)`
}

// QueuedTx says that tx queued items: a drain is asked for once it
// commits (in a transaction without hooks, now: a drain that runs before
// the commit leaves the items to the next one, the sweep's at the latest).
func (s *Service) QueuedTx(tx *gorm.DB) {
	h := txhook.Of(tx)
	if h == nil {
		s.Wake()
		return
	}
	h.Once(wakeKey{s}, func() any {
		h.AfterCommit(s.Wake)
		return true
	})
}

func (s *Service) queue(tx *gorm.DB, kinds, ids []string) error {
	return tx.Exec(`INSERT INTO translation_queue (kind, item_id) SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]))`,
		models.Array[string](kinds), models.Array[string](ids)).Error
}

// queueKey keeps a service's items in a transaction's hooks; wakeKey, that
// a drain is asked for once it commits.
type (
	queueKey struct{ s *Service }
	wakeKey  struct{ s *Service }
)

// queued is what a transaction queues at its end.
type queued struct{ kinds, ids []string }

// Wake asks for a drain: at once, or after WakeGap when one was asked for
// less than WakeGap ago (Run does it). It never blocks.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default: // one is asked for already, and takes this item too
	}
}

// Run inserts a drain job for each wake-up, at most one a WakeGap, until
// ctx ends: at 200 messages a second, a drain translates a batch of them
// rather than a job each.
func (s *Service) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		if _, err := s.inserter.Insert(ctx, DrainArgs{}, nil); err != nil && ctx.Err() == nil {
			s.Log.Warn("translation: drain not queued; the sweep will run it", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.WakeGap):
		}
	}
}

// DrainArgs is the River job that translates what the queue holds.
type DrainArgs struct{}

// Kind implements river.JobArgs.
func (DrainArgs) Kind() string { return "translate_drain" }

// InsertOpts implements river.JobArgsWithInsertOpts. A failed drain is
// not retried by River: its items carry their own backoff.
func (DrainArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueTranslate, MaxAttempts: 1}
}

// SweepEvery is how often the workers' leader runs a drain whatever was
// asked for: items whose backoff has passed, and any whose wake-up was lost
// (their process stopped between the commit and the wake-up).
const SweepEvery = time.Minute

// Periodic is the sweep, for the workers' periodic jobs.
func Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return DrainArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "translate_drain", RunOnStart: true})
}

// Args is the job a written item was translated by before the queue
// (migration 00030); one still waiting when a server with the queue starts
// puts its item in the queue.
type Args struct {
	What string `json:"what"` // KindMessage …
	ID   string `json:"id"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "translate" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueTranslate, MaxAttempts: 20}
}

// Worker works Args jobs.
type Worker struct {
	river.WorkerDefaults[Args]
	S *Service
}

// Work queues the job's item.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	if _, ok := loadSQL[job.Args.What]; !ok {
		return nil
	}
	defer w.S.Wake()
	return w.S.queue(w.S.DB.WithContext(ctx), []string{job.Args.What}, []string{job.Args.ID})
}

// DrainWorker works DrainArgs jobs.
type DrainWorker struct {
	river.WorkerDefaults[DrainArgs]
	S *Service
}

// Work drains the queue.
func (w *DrainWorker) Work(ctx context.Context, _ *river.Job[DrainArgs]) error {
	_, err := w.S.Drain(ctx)
	return err
}

// Register returns what adds the workers to a jobs client.
func Register(s *Service) func(*river.Workers) error {
	return func(w *river.Workers) error {
		if err := river.AddWorkerSafely(w, &Worker{S: s}); err != nil {
			return err
		}
		return river.AddWorkerSafely(w, &DrainWorker{S: s})
	}
}

// writeMargin is the time a drain keeps, before its job's deadline, to
// write its batch after the provider's calls.
const writeMargin = 10 * time.Second

// drainBatch is how many queued items one drain's transaction takes.
const drainBatch = 200

// maxAttempts is how often an item is tried before it is given up (River's
// retries for a job were 20 too); the backoff (jobs.Backoff, the push
// retries' rule) doubles from retryBase up to retryCeiling.
const (
	maxAttempts  = 20
	retryBase    = 2 * time.Second
	retryCeiling = time.Hour
)

// Drain translates what is due in the queue, in batches, until none is
// left that another drain does not hold; it returns how many items it
// took. Items the provider failed on stay queued with a backoff, what was
// translated before the failure kept (a retry calls the provider only for
// what is missing), and Drain returns the failure.
func (s *Service) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.drainOnce(ctx)
		total += n
		if err != nil || n < drainBatch {
			return total, err
		}
	}
}

// claimed is a queued item as the claim reads it.
type claimed struct {
	QueueID  int64
	Kind     string
	ItemID   string
	Attempts int
	Texts    models.Array[string] `gorm:"type:text[]"`
	Names    models.Array[string] `gorm:"type:text[]"`
	Langs    models.Array[string] `gorm:"type:text[]"`
	School   *string
	Author   *string
	Exists   bool
}

// drainOnce translates one batch in one transaction: the claim, the
// items' texts, names and languages in a statement a kind, the texts' locks in
// one, a call a language, the results and the queue in one.
func (s *Service) drainOnce(ctx context.Context) (int, error) {
	// The provider's calls end writeMargin before the job must: a call cut
	// short leaves the batch the time to write what was made and put the
	// rest back, rather than River cancelling the job and rolling the
	// batch back every time.
	callCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithDeadline(ctx, dl.Add(-writeMargin))
		defer cancel()
	}
	var n int
	var callErr error
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var items []claimed
		if err := tx.Raw(claimSQL).Scan(&items).Error; err != nil {
			return err
		}
		n = len(items)
		if n == 0 {
			return nil
		}
		if err := readItems(tx, items); err != nil {
			return err
		}
		var texts []text
		for _, it := range items {
			if !it.Exists {
				continue // deleted since, or not an item
			}
			targets := readerLangs(it.Langs)
			school, author := "", ""
			if it.School != nil {
				school = *it.School
			}
			if it.Author != nil {
				author = Lang(*it.Author)
			}
			for _, t := range it.Texts {
				if t != "" {
					texts = append(texts, text{body: t, names: it.Names, school: school, targets: targets, author: author})
				}
			}
		}
		res, err := s.translateLocked(callCtx, tx, texts)
		if err != nil {
			return err
		}
		callErr = res.callErr
		var done []int64
		var retries []retry
		for _, it := range items {
			switch {
			case callErr == nil || !it.Exists:
				done = append(done, it.QueueID)
			case it.Attempts+1 >= maxAttempts:
				s.Log.Error("translation: given up", "kind", it.Kind, "id", it.ItemID, "attempts", it.Attempts+1, "err", callErr)
				done = append(done, it.QueueID)
			default:
				retries = append(retries, retry{id: it.QueueID, after: jobs.Backoff(retryBase, retryCeiling, it.Attempts+1)})
			}
		}
		return s.write(tx, res, done, retries)
	})
	if err == nil && callErr != nil {
		err = callErr
	}
	return n, err
}

// readerLangs are the base languages of langs, each once, sorted.
func readerLangs(langs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range langs {
		if l = Lang(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// InLanguage is text in lang for an email or a text about to be written:
// the stored translation, or one made now (once, as a drain would) within
// wait; ok is false when text is in lang already or no translation could
// be had in time (the caller sends it as written: an alert does not wait
// for a translation). Wait bounds all of it, the waits for a connection
// included.
func (s *Service) InLanguage(ctx context.Context, school, body string, names []string, lang string, wait time.Duration) (string, bool) {
	lang = Lang(lang)
	if body == "" || lang == "" {
		return body, false
	}
	// All of it within wait, the reads too: translation's connections may
	// all be held by drains waiting for a slow provider.
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	read := func() (*models.Translation, error) {
		var t models.Translation
		err := s.DB.WithContext(ctx).Where("hash = ? AND target = ?", Hash(body), lang).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil
		}
		return &t, err
	}
	t, err := read()
	if err == nil && t == nil {
		err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res, err := s.translateLocked(ctx, tx, []text{{body: body, names: names, school: school, targets: []string{lang}}})
			if err != nil {
				return err
			}
			return errors.Join(s.write(tx, res, nil, nil), res.callErr)
		})
		if err == nil {
			t, err = read()
		}
	}
	if err != nil {
		s.Log.Warn("translation: sending as written", "lang", lang, "err", err)
		return body, false
	}
	if t == nil || !t.Translated() {
		return body, false
	}
	return t.Text, true
}

// claimSQL locks up to drainBatch due queue rows, skipping those another
// drain holds. Their items are read by kind after it (itemsSQL): one
// statement for the claim and all thirteen kinds' reads planned 586 nodes,
// each set up and torn down on every run whichever kinds were queued
// (about 2 ms a run with nothing queued; TestDrainStatementsStaySmall).
var claimSQL = `SELECT q.id AS queue_id, q.kind, q.item_id, q.attempts FROM translation_queue q
	WHERE q.not_before <= now() ORDER BY q.not_before, q.id LIMIT ` + strconv.Itoa(drainBatch) + ` FOR UPDATE SKIP LOCKED`

// itemsSQL reads, for each kind, its claimed items (queue ids and item ids,
// two arrays): each one's texts, the names in it to keep, its readers'
// languages (the author's and school's own included: names and the
// author's language are the same whoever reads), its school, its author's
// language, and whether it exists. A kind's query (loadSQL) reads its item
// from k: id (the uuid, or the first of a composite "first/second" ID),
// user_id and household (the second: a tried answer's user, a profile's
// household, everything after the first slash). Each is one statement text,
// planned once per connection.
var itemsSQL = func() map[string]string {
	const uuidRE = `'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`
	part := func(n string) string { return `split_part(q.item_id, '/', ` + n + `)` }
	items := `WITH k AS (SELECT q.queue_id,
			CASE WHEN ` + part("1") + ` ~* ` + uuidRE + ` THEN CAST(` + part("1") + ` AS uuid) END AS id,
			CASE WHEN ` + part("2") + ` ~* ` + uuidRE + ` THEN CAST(` + part("2") + ` AS uuid) END AS user_id,
			CASE WHEN strpos(q.item_id, '/') > 0 THEN substr(q.item_id, strpos(q.item_id, '/') + 1) ELSE '' END AS household
		FROM unnest(CAST(? AS bigint[]), CAST(? AS text[])) AS q(queue_id, item_id))
	SELECT k.queue_id, l.texts, l.names, l.langs, CAST(l.school AS text) AS school, l.author, l.exists FROM k CROSS JOIN LATERAL (`
	out := make(map[string]string, len(loadSQL))
	for kind, load := range loadSQL {
		out[kind] = items + load + `) l`
	}
	return out
}()

// readItems fills in the claimed items' texts, names, languages, school,
// author and whether they exist, a statement for each kind among them. An
// item of a kind with no query is left as not existing.
func readItems(tx *gorm.DB, items []claimed) error {
	byKind := map[string][]int{}
	for i, it := range items {
		if _, ok := itemsSQL[it.Kind]; ok {
			byKind[it.Kind] = append(byKind[it.Kind], i)
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(byKind)) {
		at := map[int64]int{}
		var queueIDs models.Array[int64]
		var itemIDs models.Array[string]
		for _, i := range byKind[kind] {
			at[items[i].QueueID] = i
			queueIDs, itemIDs = append(queueIDs, items[i].QueueID), append(itemIDs, items[i].ItemID)
		}
		var rows []claimed
		if err := tx.Raw(itemsSQL[kind], queueIDs, itemIDs).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if i, ok := at[r.QueueID]; ok {
				it := &items[i]
				it.Texts, it.Names, it.Langs, it.School, it.Author, it.Exists = r.Texts, r.Names, r.Langs, r.School, r.Author, r.Exists
			}
		}
	}
	return nil
}

// studentPeople is a student's guardians and the staff of their classes.
const studentPeople = `SELECT g.user_id FROM guardianships g WHERE g.student_id = x.student_id AND g.grants_access
	UNION SELECT cs.user_id FROM classroom_staff cs JOIN enrollments e ON e.classroom_id = cs.classroom_id WHERE e.student_id = x.student_id
	UNION SELECT x.author_id`

// studentNames are a student's names and their school's.
const studentNames = `SELECT unnest(ARRAY[st.first_name, st.last_name, coalesce(st.preferred_name, ''), sc.name])
	FROM students st JOIN schools sc ON sc.id = st.school_id, x WHERE st.id = x.student_id`

// itemTail is what every item's query ends with: its school, its author's
// language, and whether it exists.
const itemTail = `(SELECT school_id FROM x LIMIT 1) AS school, (SELECT u.locale FROM users u, x WHERE u.id = x.author_id LIMIT 1) AS author,
	EXISTS (SELECT 1 FROM x) AS exists`

// aboutStudent is the query of an item about a student, read by the
// student's guardians and staff: x (body, student_id, author_id,
// school_id) selects its texts, a row each.
func aboutStudent(x string) string {
	return `WITH x AS (` + x + `)
		SELECT ARRAY(SELECT body FROM x) AS texts,
			ARRAY(SELECT * FROM (` + studentNames + `) n UNION SELECT u.display_name FROM users u, x WHERE u.id IN (` + studentPeople + `)) AS names,
			ARRAY(SELECT DISTINCT u.locale FROM users u, x WHERE u.id IN (` + studentPeople + `)) AS langs, ` + itemTail
}

// forSchool is the query of an item with a title, read by the school's
// members: x (title, body, school_id, author_id) selects it.
func forSchool(x string) string {
	return `WITH x AS (` + x + `)
		SELECT ARRAY(SELECT unnest(ARRAY[title, body]) FROM x) AS texts,
			ARRAY(SELECT sc.name FROM schools sc, x WHERE sc.id = x.school_id UNION SELECT u.display_name FROM users u, x WHERE u.id = x.author_id) AS names,
			ARRAY(SELECT DISTINCT u.locale FROM users u JOIN memberships m ON m.user_id = u.id, x WHERE m.school_id = x.school_id) AS langs, ` + itemTail
}

var loadSQL = map[string]string{
	// A message, read by its conversation's participants.
	KindMessage: `WITH x AS (SELECT m.body, m.sender_id AS author_id, c.id AS conversation_id, c.student_id, c.school_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = k.id),
		p AS (SELECT u.display_name, u.locale FROM conversation_participants cp JOIN users u ON u.id = cp.user_id, x WHERE cp.conversation_id = x.conversation_id)
		SELECT ARRAY(SELECT body FROM x) AS texts,
			ARRAY(SELECT display_name FROM p UNION SELECT unnest(ARRAY[st.first_name, st.last_name, coalesce(st.preferred_name, '')]) FROM students st, x WHERE st.id = x.student_id
				UNION SELECT sc.name FROM schools sc, x WHERE sc.id = x.school_id) AS names,
			ARRAY(SELECT DISTINCT locale FROM p) AS langs, ` + itemTail,
	KindObservation: aboutStudent(`SELECT unnest(ARRAY[o.body, o.try_at_home]) AS body, o.student_id, o.author_id, o.school_id FROM observations o WHERE o.id = k.id`),
	KindResponse: aboutStudent(`SELECT r.body, o.student_id, r.author_id, o.school_id FROM observation_responses r
		JOIN observations o ON o.id = r.observation_id WHERE r.id = k.id`),
	KindInsight:      aboutStudent(`SELECT h.body, h.student_id, h.author_id, h.school_id FROM home_insights h WHERE h.id = k.id`),
	KindAnnouncement: forSchool(`SELECT a.title, a.body, a.school_id, a.author_id FROM announcements a WHERE a.id = k.id`),
	KindEvent:        forSchool(`SELECT e.title, e.description AS body, e.school_id, e.created_by_id AS author_id FROM school_events e WHERE e.id = k.id`),
	KindResource:     forSchool(`SELECT r.title, r.summary AS body, r.school_id, r.created_by_id AS author_id FROM resources r WHERE r.id = k.id`),
	// The family's words before a meeting, and a meeting's summary with
	// its next steps and what either side added later.
	KindBooking: aboutStudent(`SELECT unnest(ARRAY[b.questions, b.at_home]) AS body, b.student_id, b.booked_by_id AS author_id, b.school_id
		FROM conference_bookings b WHERE b.id = k.id`),
	KindRequest: aboutStudent(`SELECT unnest(ARRAY[r.topic, r.at_home]) AS body, r.student_id, r.requested_by_id AS author_id, r.school_id
		FROM conference_requests r WHERE r.id = k.id`),
	KindSummary: aboutStudent(`SELECT cs.body, cs.student_id, cs.author_id, cs.school_id FROM conference_summaries cs WHERE cs.id = k.id
		UNION ALL SELECT ns.body, cs.student_id, cs.author_id, cs.school_id FROM conference_next_steps ns
		JOIN conference_summaries cs ON cs.id = ns.summary_id WHERE cs.id = k.id`),
	KindTried: aboutStudent(`SELECT t.body, t.student_id, t.user_id AS author_id, t.school_id FROM try_at_home_answers t
		WHERE t.observation_id = k.id AND t.user_id = k.user_id`),
	KindProfile: aboutStudent(`SELECT unnest(ARRAY[p.strengths, p.what_works, p.worries, p.goals]) AS body, p.student_id, p.updated_by_id AS author_id, p.school_id
		FROM child_profiles p WHERE p.student_id = k.id AND p.household = k.household`),
	KindFollowUp: aboutStudent(`SELECT f.body, f.student_id, f.author_id, f.school_id FROM conference_follow_ups f WHERE f.id = k.id`),
}
