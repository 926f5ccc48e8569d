package translation

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
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
	// Characters counts what the provider translated, by target language.
	Characters *prometheus.CounterVec
	inserter   *river.Client[*sql.Tx]
}

// New returns a service; inserter is a River client on the same database.
func New(db *gorm.DB, inserter *river.Client[*sql.Tx], t Translator, log *slog.Logger) *Service {
	return &Service{DB: db, Translator: t, Log: log, inserter: inserter, CallTimeout: 20 * time.Second,
		Characters: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "sameside", Name: "translated_characters_total",
			Help: "Characters sent to the translation provider (what it bills), by target language."}, []string{"target"})}
}

// Args is the River job that translates one written item into its
// readers' languages.
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

// EnqueueTx schedules the translation of an item in the transaction that
// writes it: no commit, no call.
func (s *Service) EnqueueTx(ctx context.Context, tx *gorm.DB, kind, id string) error {
	return jobs.InsertTx(ctx, s.inserter, tx, Args{What: kind, ID: id}, nil)
}

// Worker works Args jobs.
type Worker struct {
	river.WorkerDefaults[Args]
	S *Service
}

// Register returns what adds the worker to a jobs client.
func Register(s *Service) func(*river.Workers) error {
	return func(w *river.Workers) error { return river.AddWorkerSafely(w, &Worker{S: s}) }
}

// item is what one job translates: its texts, the names to keep, and the
// languages of those who read it.
type item struct {
	texts, names, langs []string
	school              string
	// authorLang is the author's language: most likely the text's, so it
	// goes last (by then a translation has told the text's language, and
	// a call that would only return the text as it is is saved).
	authorLang string
}

// Work translates each text of the item into each reader language it is
// not yet in. A provider error fails the job, and River retries it with
// backoff; what was translated before the error is kept, so a retry calls
// the provider only for what is missing.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	s := w.S
	it, err := load(s.DB.WithContext(ctx), job.Args.What, job.Args.ID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var targets []string
	for _, l := range it.langs {
		if l = Lang(l); l != "" && !seen[l] {
			seen[l] = true
			targets = append(targets, l)
		}
	}
	author := Lang(it.authorLang)
	slices.SortFunc(targets, func(a, b string) int {
		switch {
		case a == author:
			return 1
		case b == author:
			return -1
		}
		return strings.Compare(a, b)
	})
	for _, text := range it.texts {
		if text == "" {
			continue
		}
		if err := s.translate(ctx, it.school, text, it.names, targets); err != nil {
			return err
		}
	}
	return nil
}

// usageShards is how many rows a school's usage in a month and language
// is spread over (the migration's CHECK says the same).
const usageShards = 16

// UsageShard is the usage row text's characters are counted in: picked by
// its hash, so that translations of different texts seldom wait on one
// row's lock (those of one text wait on each other's advisory lock anyway).
func UsageShard(text string) int16 { return int16(Hash(text)[0] % usageShards) }

// translate puts text into each of targets (in order) it is not in yet and
// is not written in, in one transaction under the text's lock: a burst of
// identical texts calls the provider once per language, and a text's
// languages cost one lock, one write and one commit together. A provider
// error ends the calls; what was translated before it is written (a retry
// calls the provider only for what is missing), then the error returned.
func (s *Service) translate(ctx context.Context, school, text string, names []string, targets []string) error {
	h := Hash(text)
	lock := int64(binary.BigEndian.Uint64(h[:8]))
	var callErr error
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The lock, then what is there as its last holder left it, in one
		// call (migration 00029).
		var have []models.Translation
		if err := tx.Raw("SELECT target, source FROM translation_lock(?, decode(?, 'hex'))", lock, hex.EncodeToString(h)).Scan(&have).Error; err != nil {
			return err
		}
		// The languages the text is in already: translated into, or
		// written in.
		done := map[string]bool{}
		for _, t := range have {
			done[t.Target], done[t.Source] = true, true
		}
		chars := int32(len([]rune(text)))
		var rows []models.Translation
		var billed []string // the targets the provider was called for
		for _, target := range targets {
			if done[target] {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, s.CallTimeout)
			res, err := s.Translator.Translate(cctx, []string{Protect(text, names)}, target)
			cancel()
			if err != nil {
				callErr = fmt.Errorf("translation into %s: %w", target, err)
				break
			}
			source := Lang(res[0].Source)
			if source == "" {
				source = "und"
			}
			row := models.Translation{Hash: h, Target: target, Text: Unprotect(res[0].Text), Source: source, Chars: chars}
			if source == target {
				row.Text = text // in its own language: the original
			}
			rows = append(rows, row)
			billed = append(billed, target)
			done[target] = true
			if source != "und" && !done[source] {
				// The original's row says the text's language.
				rows = append(rows, models.Translation{Hash: h, Target: source, Text: text, Source: source})
				done[source] = true
			}
		}
		if len(rows) == 0 {
			return nil
		}
		// The rows, and the characters added to the school's usage when
		// there is a school, in one statement.
		values := make([]string, len(rows))
		var args []any
		now := time.Now().UTC()
		for i, r := range rows {
			values[i] = "(decode(?, 'hex'), ?, ?, ?, ?, ?)" // GORM would spread a []byte into one ? per byte
			args = append(args, hex.EncodeToString(r.Hash), r.Target, r.Text, r.Source, r.Chars, now)
		}
		q := `INSERT INTO translations (hash, target, text, source, chars, created_at) VALUES ` + strings.Join(values, ", ") + ` ON CONFLICT DO NOTHING`
		if school != "" {
			usage := make([]string, len(billed))
			month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			for i, target := range billed {
				usage[i] = "(?, ?, ?, ?, ?)"
				args = append(args, school, month, target, UsageShard(text), chars)
			}
			q = `WITH t AS (` + q + `)
				INSERT INTO translation_usage (school_id, month, target, shard, chars) VALUES ` + strings.Join(usage, ", ") + `
				ON CONFLICT (school_id, month, target, shard) DO UPDATE SET chars = translation_usage.chars + EXCLUDED.chars`
		}
		if err := tx.Exec(q, args...).Error; err != nil {
			return err
		}
		for _, target := range billed {
			s.Characters.WithLabelValues(target).Add(float64(chars))
		}
		return nil
	})
	return errors.Join(err, callErr)
}

// InLanguage is text in lang for an email or a text about to be written:
// the stored translation, or one made now (once, as the job would) within
// wait; ok is false when text is in lang already or no translation could
// be had in time (the caller sends it as written: an alert does not wait
// for a translation).
func (s *Service) InLanguage(ctx context.Context, school, text string, names []string, lang string, wait time.Duration) (string, bool) {
	lang = Lang(lang)
	if text == "" || lang == "" {
		return text, false
	}
	read := func() (*models.Translation, error) {
		var t models.Translation
		err := s.DB.WithContext(ctx).Where("hash = ? AND target = ?", Hash(text), lang).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil
		}
		return &t, err
	}
	t, err := read()
	if err == nil && t == nil {
		cctx, cancel := context.WithTimeout(ctx, wait)
		err = s.translate(cctx, school, text, names, []string{lang})
		cancel()
		if err == nil {
			t, err = read()
		}
	}
	if err != nil {
		s.Log.Warn("translation: sending as written", "lang", lang, "err", err)
		return text, false
	}
	if t == nil || !t.Translated() {
		return text, false
	}
	return t.Text, true
}

// load reads an item's texts, the names in it to keep, and its readers'
// languages (the author's and school's own included: names and the
// author's language are the same whoever reads).
func load(db *gorm.DB, kind, id string) (item, error) {
	var it item
	var row struct {
		Texts  models.Array[string] `gorm:"type:text[]"`
		Names  models.Array[string] `gorm:"type:text[]"`
		Langs  models.Array[string] `gorm:"type:text[]"`
		School *string
		Author *string
		Exists bool
	}
	q, ok := loadSQL[kind]
	if !ok {
		return it, fmt.Errorf("translation: kind %q", kind)
	}
	// A composite ID is "first/second": a tried answer's observation and
	// user, a profile's student and household.
	first, second, _ := strings.Cut(id, "/")
	if err := db.Raw(q, map[string]any{"id": first, "user": second, "household": second}).Scan(&row).Error; err != nil {
		return it, err
	}
	if !row.Exists {
		return it, gorm.ErrRecordNotFound
	}
	it = item{texts: row.Texts, names: row.Names, langs: row.Langs}
	if row.School != nil {
		it.school = *row.School
	}
	if row.Author != nil {
		it.authorLang = *row.Author
	}
	return it, nil
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
	KindMessage: `WITH x AS (SELECT m.body, m.sender_id AS author_id, c.id AS conversation_id, c.student_id, c.school_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @id),
		p AS (SELECT u.display_name, u.locale FROM conversation_participants cp JOIN users u ON u.id = cp.user_id, x WHERE cp.conversation_id = x.conversation_id)
		SELECT ARRAY(SELECT body FROM x) AS texts,
			ARRAY(SELECT display_name FROM p UNION SELECT unnest(ARRAY[st.first_name, st.last_name, coalesce(st.preferred_name, '')]) FROM students st, x WHERE st.id = x.student_id
				UNION SELECT sc.name FROM schools sc, x WHERE sc.id = x.school_id) AS names,
			ARRAY(SELECT DISTINCT locale FROM p) AS langs, ` + itemTail,
	KindObservation: aboutStudent(`SELECT unnest(ARRAY[o.body, o.try_at_home]) AS body, o.student_id, o.author_id, o.school_id FROM observations o WHERE o.id = @id`),
	KindResponse: aboutStudent(`SELECT r.body, o.student_id, r.author_id, o.school_id FROM observation_responses r
		JOIN observations o ON o.id = r.observation_id WHERE r.id = @id`),
	KindInsight:      aboutStudent(`SELECT h.body, h.student_id, h.author_id, h.school_id FROM home_insights h WHERE h.id = @id`),
	KindAnnouncement: forSchool(`SELECT a.title, a.body, a.school_id, a.author_id FROM announcements a WHERE a.id = @id`),
	KindEvent:        forSchool(`SELECT e.title, e.description AS body, e.school_id, e.created_by_id AS author_id FROM school_events e WHERE e.id = @id`),
	KindResource:     forSchool(`SELECT r.title, r.summary AS body, r.school_id, r.created_by_id AS author_id FROM resources r WHERE r.id = @id`),
	// The family's words before a meeting, and a meeting's summary with
	// its next steps and what either side added later.
	KindBooking: aboutStudent(`SELECT unnest(ARRAY[b.questions, b.at_home]) AS body, b.student_id, b.booked_by_id AS author_id, b.school_id
		FROM conference_bookings b WHERE b.id = @id`),
	KindRequest: aboutStudent(`SELECT unnest(ARRAY[r.topic, r.at_home]) AS body, r.student_id, r.requested_by_id AS author_id, r.school_id
		FROM conference_requests r WHERE r.id = @id`),
	KindSummary: aboutStudent(`SELECT cs.body, cs.student_id, cs.author_id, cs.school_id FROM conference_summaries cs WHERE cs.id = @id
		UNION ALL SELECT ns.body, cs.student_id, cs.author_id, cs.school_id FROM conference_next_steps ns
		JOIN conference_summaries cs ON cs.id = ns.summary_id WHERE cs.id = @id`),
	KindTried: aboutStudent(`SELECT t.body, t.student_id, t.user_id AS author_id, t.school_id FROM try_at_home_answers t
		WHERE t.observation_id = @id AND t.user_id = @user`),
	KindProfile: aboutStudent(`SELECT unnest(ARRAY[p.strengths, p.what_works, p.worries, p.goals]) AS body, p.student_id, p.updated_by_id AS author_id, p.school_id
		FROM child_profiles p WHERE p.student_id = @id AND p.household = @household`),
	KindFollowUp: aboutStudent(`SELECT f.body, f.student_id, f.author_id, f.school_id FROM conference_follow_ups f WHERE f.id = @id`),
}
