// Package loaders batches the related-record reads of one GraphQL operation
// (dataloaders), so a query costs a fixed number of SQL statements however
// many rows it returns. Every loader of a protected table applies the same
// policy scope as a direct read: a row the viewer may not see never loads.
package loaders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/vikstrous/dataloadgen"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Loaders are created per operation for one viewer.
type Loaders struct {
	School  *dataloadgen.Loader[string, *models.School]
	User    *dataloadgen.Loader[string, *models.User]
	Student *dataloadgen.Loader[string, *models.Student]
	// StudentOfVisible loads students of records already checked against
	// the viewer (an observation's student), within the viewer's schools.
	StudentOfVisible    *dataloadgen.Loader[string, *models.Student]
	StudentsByClassroom *dataloadgen.Loader[string, []*models.Student]
	ClassroomsByStudent *dataloadgen.Loader[string, []*models.Classroom]
	TeachersByClassroom *dataloadgen.Loader[string, []*models.User]
	GuardiansByStudent  *dataloadgen.Loader[string, []*models.Guardianship]
	// Per observation, for the viewer: their acknowledgement (nil: none) and
	// the responses they may see. Feeds prime both from their own query.
	Acknowledgement *dataloadgen.Loader[string, *models.Acknowledgement]
	ResponseCount   *dataloadgen.Loader[string, int]
	Responses       *dataloadgen.Loader[string, []*models.ObservationResponse]
	Reviews         *dataloadgen.Loader[string, []*models.ObservationReview]
	// Per conversation (already checked against the viewer).
	Participants *dataloadgen.Loader[string, []*models.User]
	LastMessage  *dataloadgen.Loader[string, *models.Message]
	// Membership is the viewer's own participant row (muted, read state).
	Membership  *dataloadgen.Loader[string, *models.ConversationParticipant]
	UnreadCount *dataloadgen.Loader[string, int]
	// ReadPositions are every participant's read position (read receipts).
	ReadPositions *dataloadgen.Loader[string, []*models.ConversationParticipant]
	// OfficeHours by user, Monday first. They are not private: whoever may
	// see the user may see them.
	OfficeHours *dataloadgen.Loader[string, []*models.OfficeHours]
	// Conference slots and rounds of bookings already checked against the
	// viewer, within the viewer's schools.
	ConferenceSlot  *dataloadgen.Loader[string, *models.ConferenceSlot]
	ConferenceRound *dataloadgen.Loader[string, *models.ConferenceRound]
	// RequestOptions are the times proposed for meeting requests already
	// checked against the viewer (within the viewer's schools), soonest
	// first.
	RequestOptions *dataloadgen.Loader[string, []*models.ConferenceRequestOption]
	// Attachments by "ITEM_TYPE:item id", of items already checked against
	// the viewer, in their order (files of people sharing a school with
	// the viewer only).
	Attachments *dataloadgen.Loader[string, []*models.Upload]
	// AnnouncementReach counts, per announcement (already checked against
	// the viewer), the families it reaches and how many of them read it.
	AnnouncementReach *dataloadgen.Loader[string, [2]int]
	// AnnouncementRead says, per announcement, whether the viewer read it.
	AnnouncementRead *dataloadgen.Loader[string, bool]
	// Translation loads stored translations by TranslationKey (nil: none
	// yet). They are keyed by the text itself, so whoever asks has it.
	Translation *dataloadgen.Loader[string, *models.Translation]

	db     *gorm.DB
	viewer *models.Viewer
}

// wait is how long a loader gathers keys before it queries.
const wait = 2 * time.Millisecond

// New returns loaders reading db for viewer v. They read v when they fetch,
// so a membership added to v during the operation (redeeming an invitation)
// is honoured by later loads.
func New(db *gorm.DB, v *models.Viewer) *Loaders {
	opt := dataloadgen.WithWait(wait)
	l := &Loaders{db: db, viewer: v}
	l.people(db, v, opt)
	l.observations(db, v, opt)
	l.messaging(db, v, opt)
	l.conferences(db, v, opt)
	l.community(db, v, opt)
	l.Translation = dataloadgen.NewLoader(func(ctx context.Context, keys []string) ([]*models.Translation, []error) {
		// The texts' hashes and their languages (a viewer's one, as a
		// rule): the rows found are matched to the keys below, so a hash
		// stored in another of the languages asked costs a row, not an
		// answer.
		hashes, targets := make(models.Array[string], len(keys)), models.Array[string]{}
		for i, k := range keys {
			hashes[i] = hex.EncodeToString([]byte(k[:sha256.Size]))
			if t := k[sha256.Size:]; !slices.Contains(targets, t) {
				targets = append(targets, t)
			}
		}
		var rows []*models.Translation
		sql, args := translationsSQL, []any{hashes, targets}
		if len(keys) == 1 {
			sql, args = translationSQL, []any{[]byte(keys[0][:sha256.Size]), keys[0][sha256.Size:]}
		}
		if err := db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
			errs := make([]error, len(keys))
			for i := range errs {
				errs[i] = err
			}
			return nil, errs
		}
		found := make(map[string]*models.Translation, len(rows))
		for _, r := range rows {
			found[TranslationKey(r.Hash, r.Target)] = r
		}
		out := make([]*models.Translation, len(keys))
		for i, k := range keys {
			out[i] = found[k]
		}
		return out, nil
	}, opt)
	return l
}

// The Translation loader's statements, each planned once per connection
// (TestTranslationLookupPlannedOnce): PostgreSQL keeps a statement's
// generic plan when it costs no more than the plans for the values at
// hand. One text, the common case (a message delivered live), is read by
// its key. Many (a page's) are read by their hashes and languages: read by
// (hash, target) pairs, unnested and joined, they were planned again on
// every run (under make bench-live, 11,312 plans for 11,311 runs, three
// quarters of the statement's time); no one statement was planned once for
// both one text and many.
const (
	translationSQL  = `SELECT * FROM translations WHERE hash = ? AND target = ?`
	translationsSQL = `SELECT * FROM translations WHERE hash = ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest(CAST(? AS text[])) AS h)) AND target = ANY(CAST(? AS text[]))`
)

// TranslationKey is the Translation loader's key: a text's hash (SHA-256)
// and a target language.
func TranslationKey(hash []byte, target string) string { return string(hash) + target }

// people makes the loaders of the school, its people and its classrooms.
func (l *Loaders) people(db *gorm.DB, v *models.Viewer, opt dataloadgen.Option) {
	l.School = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.School, error) {
		return byID[models.School](db.WithContext(ctx), ids, func(s *models.School) string { return s.ID })
	}, opt)
	l.User = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.User, error) {
		return byID[models.User](db.WithContext(ctx).Scopes(policy.Users(v)), ids, func(u *models.User) string { return u.ID })
	}, opt)
	l.Student = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.Student, error) {
		return byID[models.Student](db.WithContext(ctx).Scopes(policy.Students(v)), ids, func(s *models.Student) string { return s.ID })
	}, opt)
	l.StudentOfVisible = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.Student, error) {
		return byID[models.Student](db.WithContext(ctx).Scopes(policy.InViewerSchools(v, "students")), ids, func(s *models.Student) string { return s.ID })
	}, opt)
	l.StudentsByClassroom = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.Student, error) {
		return listBy[models.Student](db.WithContext(ctx), "students", "JOIN enrollments e ON e.student_id = students.id",
			"e.classroom_id", ids, policy.Students(v), "students.last_name, students.first_name, students.id")
	}, opt)
	l.ClassroomsByStudent = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.Classroom, error) {
		return listBy[models.Classroom](db.WithContext(ctx), "classrooms", "JOIN enrollments e ON e.classroom_id = classrooms.id",
			"e.student_id", ids, current(policy.Classrooms(v)), "classrooms.grade, classrooms.name, classrooms.id")
	}, opt)
	l.TeachersByClassroom = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.User, error) {
		// Teachers are visible to whoever may see the classroom.
		return listBy[models.User](db.WithContext(ctx), "users", "JOIN classroom_staff cs ON cs.user_id = users.id",
			"cs.classroom_id", ids, nil, "users.display_name, users.id")
	}, opt)
	l.GuardiansByStudent = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.Guardianship, error) {
		var rows []*models.Guardianship
		err := db.WithContext(ctx).Where("guardianships.student_id IN ?", ids).Scopes(policy.Guardianships(v)).
			Order("guardianships.is_primary DESC, guardianships.created_at, guardianships.id").Find(&rows).Error
		return group(ids, rows, func(g *models.Guardianship) (string, *models.Guardianship) { return g.StudentID, g }), err
	}, opt)
	l.OfficeHours = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.OfficeHours, error) {
		var rows []*models.OfficeHours
		err := db.WithContext(ctx).Where("user_id IN ?", ids).Order("user_id, (weekday + 6) % 7, start_minute").Find(&rows).Error
		return group(ids, rows, func(r *models.OfficeHours) (string, *models.OfficeHours) { return r.UserID, r }), err
	}, opt)
}

// observations makes the loaders of what hangs on observations and other items.
func (l *Loaders) observations(db *gorm.DB, v *models.Viewer, opt dataloadgen.Option) {
	l.Acknowledgement = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.Acknowledgement, error) {
		var rows []*models.Acknowledgement
		err := db.WithContext(ctx).Where("observation_id IN ? AND user_id = ?", ids, v.ID).Find(&rows).Error
		return one(ids, rows, func(id string) *models.Acknowledgement { return nil }, func(r *models.Acknowledgement) (string, *models.Acknowledgement) { return r.ObservationID, r }), err
	}, opt)
	l.ResponseCount = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]int, error) {
		var rows []struct {
			ObservationID string
			N             int
		}
		err := db.WithContext(ctx).Table("observation_responses").Scopes(policy.Responses(v)).
			Where("observation_responses.observation_id IN ?", ids).
			Select("observation_responses.observation_id, count(*) AS n").Group("observation_responses.observation_id").Scan(&rows).Error
		return one(ids, rows, func(id string) int { return 0 }, func(r struct {
			ObservationID string
			N             int
		}) (string, int) {
			return r.ObservationID, r.N
		}), err
	}, opt)
	l.Responses = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.ObservationResponse, error) {
		var rows []*models.ObservationResponse
		err := db.WithContext(ctx).Scopes(policy.Responses(v)).Where("observation_responses.observation_id IN ?", ids).
			Order("observation_responses.created_at, observation_responses.id").Find(&rows).Error
		return group(ids, rows, func(r *models.ObservationResponse) (string, *models.ObservationResponse) { return r.ObservationID, r }), err
	}, opt)
	l.Reviews = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.ObservationReview, error) {
		// Coaching is between staff: only reviews of observations in the
		// viewer's staff schools load.
		staff := policy.StaffSchools(v)
		var rows []*models.ObservationReview
		err := db.WithContext(ctx).Where("observation_id IN ? AND observation_id IN (SELECT id FROM observations WHERE school_id IN ?)", ids, staff).
			Order("created_at, id").Find(&rows).Error
		return group(ids, rows, func(r *models.ObservationReview) (string, *models.ObservationReview) { return r.ObservationID, r }), err
	}, opt)
	l.Attachments = dataloadgen.NewMappedLoader(func(ctx context.Context, keys []string) (map[string][]*models.Upload, error) {
		return attachments(db.WithContext(ctx).Scopes(policy.Uploads(v)), keys)
	}, opt)
}

// messaging makes the loaders of conversations.
func (l *Loaders) messaging(db *gorm.DB, v *models.Viewer, opt dataloadgen.Option) {
	l.Participants = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.User, error) {
		return listBy[models.User](db.WithContext(ctx), "users", "JOIN conversation_participants p ON p.user_id = users.id",
			"p.conversation_id", ids, nil, "users.display_name, users.id")
	}, opt)
	l.LastMessage = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.Message, error) {
		var rows []*models.Message
		err := db.WithContext(ctx).Raw(`SELECT DISTINCT ON (conversation_id) * FROM messages WHERE conversation_id IN ? ORDER BY conversation_id, seq DESC`, ids).Scan(&rows).Error
		return one(ids, rows, func(id string) *models.Message { return nil }, func(m *models.Message) (string, *models.Message) { return m.ConversationID, m }), err
	}, opt)
	l.Membership = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.ConversationParticipant, error) {
		var rows []*models.ConversationParticipant
		err := db.WithContext(ctx).Where("conversation_id IN ? AND user_id = ?", ids, v.ID).Find(&rows).Error
		return one(ids, rows, func(id string) *models.ConversationParticipant {
			return &models.ConversationParticipant{ConversationID: id}
		}, func(r *models.ConversationParticipant) (string, *models.ConversationParticipant) {
			return r.ConversationID, r
		}), err
	}, opt)
	l.ReadPositions = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.ConversationParticipant, error) {
		var rows []*models.ConversationParticipant
		err := db.WithContext(ctx).Where("conversation_id IN ?", ids).Order("joined_at, user_id").Find(&rows).Error
		return group(ids, rows, func(r *models.ConversationParticipant) (string, *models.ConversationParticipant) {
			return r.ConversationID, r
		}), err
	}, opt)
	l.UnreadCount = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]int, error) {
		var rows []struct {
			ConversationID string
			N              int
		}
		err := db.WithContext(ctx).Raw(`SELECT p.conversation_id, (SELECT count(*) FROM messages m WHERE m.conversation_id = p.conversation_id
				AND m.seq > p.last_read_seq AND m.sender_id <> p.user_id) AS n
			FROM conversation_participants p WHERE p.user_id = ? AND p.conversation_id IN ?`, v.ID, ids).Scan(&rows).Error
		return one(ids, rows, func(id string) int { return 0 }, func(r struct {
			ConversationID string
			N              int
		}) (string, int) {
			return r.ConversationID, r.N
		}), err
	}, opt)
}

// conferences makes the loaders of conferences and meeting requests.
func (l *Loaders) conferences(db *gorm.DB, v *models.Viewer, opt dataloadgen.Option) {
	l.ConferenceSlot = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.ConferenceSlot, error) {
		return byID[models.ConferenceSlot](db.WithContext(ctx).Scopes(policy.InViewerSchools(v, "conference_slots")), ids, func(s *models.ConferenceSlot) string { return s.ID })
	}, opt)
	l.ConferenceRound = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*models.ConferenceRound, error) {
		return byID[models.ConferenceRound](db.WithContext(ctx).Scopes(policy.InViewerSchools(v, "conference_rounds")), ids, func(r *models.ConferenceRound) string { return r.ID })
	}, opt)
	l.RequestOptions = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*models.ConferenceRequestOption, error) {
		var rows []*models.ConferenceRequestOption
		err := db.WithContext(ctx).Where("request_id IN (SELECT r.id FROM conference_requests r WHERE r.id IN ? AND r.school_id IN ?)", ids, policy.Schools(v)).
			Order("starts_at, id").Find(&rows).Error
		return group(ids, rows, func(r *models.ConferenceRequestOption) (string, *models.ConferenceRequestOption) {
			return r.RequestID, r
		}), err
	}, opt)
}

// community makes the loaders of announcements.
func (l *Loaders) community(db *gorm.DB, v *models.Viewer, opt dataloadgen.Option) {
	l.AnnouncementReach = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][2]int, error) {
		var rows []struct {
			ID             string
			Audience, Read int
		}
		err := db.WithContext(ctx).Raw(`SELECT a.id,
				(SELECT count(*) FROM (`+policy.AnnouncementAudienceSQL("a")+`) x) AS audience,
				(SELECT count(*) FROM announcement_reads r WHERE r.announcement_id = a.id
					AND r.user_id IN (`+policy.AnnouncementAudienceSQL("a")+`)) AS read
			FROM announcements a WHERE a.id IN ?`, ids).Scan(&rows).Error
		out := make(map[string][2]int, len(ids))
		for _, r := range rows {
			out[r.ID] = [2]int{r.Audience, r.Read}
		}
		return out, err
	}, opt)
	l.AnnouncementRead = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]bool, error) {
		var read []string
		err := db.WithContext(ctx).Model(&models.AnnouncementRead{}).Where("user_id = ? AND announcement_id IN ?", v.ID, ids).
			Pluck("announcement_id", &read).Error
		out := make(map[string]bool, len(ids))
		for _, id := range ids {
			out[id] = false
		}
		for _, id := range read {
			out[id] = true
		}
		return out, err
	}, opt)
}

// PrimeViewer seeds the User loader with the viewer's own row as read at
// sign-in (every column: policy lets a viewer see themself), for an
// operation that does not change it: a message's sender in sendMessage's
// answer is then no read of its own.
func (l *Loaders) PrimeViewer() {
	if l.viewer != nil {
		l.User.Prime(l.viewer.ID, &l.viewer.User)
	}
}

// PrimeFeed seeds the per-observation loaders from a feed page, which read
// the viewer's acknowledgement and response count in its own query.
func (l *Loaders) PrimeFeed(page *models.ObservationPage) {
	for _, o := range page.Items {
		x := page.Extras[o.ID]
		var ack *models.Acknowledgement
		if x.Acknowledged {
			ack = &models.Acknowledgement{ObservationID: o.ID, Reaction: x.Reaction, CreatedAt: *x.AcknowledgedAt}
		}
		l.Acknowledgement.Prime(o.ID, ack)
		l.ResponseCount.Prime(o.ID, x.ResponseCount)
	}
	for id, u := range page.Authors {
		l.User.Prime(id, u)
	}
	for id, st := range page.Students {
		l.StudentOfVisible.Prime(id, st)
	}
}

func byID[T any](db *gorm.DB, ids []string, id func(*T) string) (map[string]*T, error) {
	var rows []*T
	if err := db.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]*T, len(rows))
	for _, r := range rows {
		out[id(r)] = r
	}
	return out, nil
}

// keyed is a row of T with the key it was loaded for.
type keyed[T any] struct {
	Row T `gorm:"embedded"`
	Key string
}

// listBy loads the rows of table linked (by join) to each key in keyCol,
// narrowed by scope when there is one.
func listBy[T any](db *gorm.DB, table, join, keyCol string, ids []string, scope policy.Scope, order string) (map[string][]*T, error) {
	q := db.Table(table).Select(table+".*, "+keyCol+" AS key").Joins(join).Where(keyCol+" IN ?", ids)
	if scope != nil {
		q = q.Scopes(scope)
	}
	var rows []keyed[T]
	err := q.Order(order).Scan(&rows).Error
	return group(ids, rows, func(r keyed[T]) (string, *T) { x := r.Row; return r.Key, &x }), err
}

// one gives every key its row's value, or def(key) when it has no row.
func one[R any, V any](keys []string, rows []R, def func(string) V, split func(R) (string, V)) map[string]V {
	out := make(map[string]V, len(keys))
	for _, k := range keys {
		out[k] = def(k)
	}
	for _, r := range rows {
		k, v := split(r)
		out[k] = v
	}
	return out
}

// group files rows under their key; every requested key gets a (possibly
// empty) list, so a classroom with no visible students is not an error.
func group[R any, T any](keys []string, rows []R, split func(R) (string, T)) map[string][]T {
	out := make(map[string][]T, len(keys))
	for _, k := range keys {
		out[k] = []T{}
	}
	for _, r := range rows {
		k, v := split(r)
		out[k] = append(out[k], v)
	}
	return out
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the loaders of the operation in ctx.
func From(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	if l == nil {
		panic("loaders: none in context; the GraphQL handler installs them per operation")
	}
	return l
}

// attachments reads the uploads attached to items, by "ITEM_TYPE:item id",
// in their order; every key gets a list, empty if nothing is attached.
func attachments(db *gorm.DB, keys []string) (map[string][]*models.Upload, error) {
	pairs := make([][]any, 0, len(keys))
	for _, k := range keys {
		typ, id, _ := strings.Cut(k, ":")
		pairs = append(pairs, []any{typ, id})
	}
	var rows []*models.Upload
	err := db.Where("(item_type, item_id) IN ?", pairs).Order("position").Find(&rows).Error
	out := make(map[string][]*models.Upload, len(keys))
	for _, k := range keys {
		out[k] = []*models.Upload{}
	}
	for _, r := range rows {
		k := *r.ItemType + ":" + *r.ItemID
		out[k] = append(out[k], r)
	}
	return out, err
}

// PrimeAttachments primes the loader with attachments a page read with
// its items (ObservationPage.Attachments): no statement, no batching wait.
func (l *Loaders) PrimeAttachments(m map[string][]*models.Upload) {
	for k, v := range m {
		l.Attachments.Prime(k, v)
	}
}

// current narrows a classrooms query to this year's: archived ones are
// history, reached by id.
func current(scope policy.Scope) policy.Scope {
	return func(db *gorm.DB) *gorm.DB { return scope(db).Where("classrooms.archived_at IS NULL") }
}
