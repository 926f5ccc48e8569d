package domain

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Feed is the parent's feed: SHARED observations about the viewer's
// children (for staff: about their students), newest first, optionally only
// some students and kinds. Each row comes with the viewer's acknowledgement
// and the number of responses they may see, in the same statement.
// Errors: BAD_USER_INPUT (first out of 1..100, a cursor not ours).
func (s *Service) Feed(ctx context.Context, v *models.Viewer, args models.FeedArgs) (*models.ObservationPage, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if len(args.StudentIDs) > models.MaxPageSize {
		return nil, models.InvalidField("studentIds", "at most %d students", models.MaxPageSize)
	}
	var ids []string
	if args.StudentIDs != nil {
		ids = validIDs(args.StudentIDs)
	}
	// The hottest read: its statement is written here, not built by GORM
	// (TestFeedBuiltWithoutGORM), the same shape as observationPageByStudent.
	students, each, p := policy.SharedAboutVisibleStudents(v, ids)
	n, filter, err := pageFilter(args, p)
	if err != nil {
		return nil, err
	}
	limit := strconv.Itoa(n + 1)
	return s.readPage(ctx, v, `SELECT observations.* FROM unnest(ARRAY(`+students+`)) AS vs(id)
		CROSS JOIN LATERAL (SELECT observations.* FROM observations WHERE `+each+filter+` AND observations.student_id = vs.id
			ORDER BY `+feedOrder+` LIMIT `+limit+`) AS observations
		ORDER BY `+feedOrder+` LIMIT `+limit, nil, p, n, args)
}

// ClassroomFeed is a classroom's observations the viewer may see (staff: all
// but other staff's drafts), newest first.
func (s *Service) ClassroomFeed(ctx context.Context, v *models.Viewer, c *models.Classroom, args models.FeedArgs) (*models.ObservationPage, error) {
	sq := s.DB.WithContext(ctx).Model(&models.Student{}).Select("students.id").Scopes(policy.Students(v)).
		Where("students.id IN (SELECT student_id FROM enrollments WHERE classroom_id = ?)", c.ID)
	return audited[*models.ObservationPage](ctx, s, v, c.SchoolID, "", c.ID, "classroom.feed")(
		s.observationPageByStudent(ctx, v, sq, policy.Observations(v), args))
}

// StudentObservations is a student's observations the viewer may see.
func (s *Service) StudentObservations(ctx context.Context, v *models.Viewer, st *models.Student, args models.FeedArgs) (*models.ObservationPage, error) {
	q := s.DB.WithContext(ctx).Table("observations").Scopes(policy.Observations(v)).Where("observations.student_id = ?", st.ID)
	return audited[*models.ObservationPage](ctx, s, v, st.SchoolID, st.ID, "", "student.observations")(s.observationPage(ctx, v, q, args))
}

// ReviewQueue is the concerns waiting for review in the viewer's schools,
// newest first like every list (ADMINs; anyone else gets an empty queue).
func (s *Service) ReviewQueue(ctx context.Context, v *models.Viewer, args models.FeedArgs) (*models.ObservationPage, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Table("observations").
		Where("observations.state = ? AND observations.school_id IN ?", models.StateInReview, policy.AdminSchools(v))
	return s.observationPage(ctx, v, q, args)
}

type feedRow struct {
	models.Observation
	Author      models.User
	Student     models.Student
	AckReaction *models.Reaction
	AckAt       *time.Time
	Count       int
	// Attachments are the item's uploads as JSON, when asked for.
	Attachments []byte
}

// columns lists the feed row's columns and where each is scanned: rows are
// scanned by hand, not by GORM's reflection, because this is the hottest
// read of the app (TestFeedColumnsCoverModels keeps the lists whole). pgx
// scans them (queryNative), so the skills go to a plain []string: pgx
// hands an sql.Scanner the array's binary form, which models.Array (made
// for database/sql's text) cannot read.
func (r *feedRow) columns(countSQL, attachmentsSQL string) (string, []any) {
	o, st := &r.Observation, &r.Student
	cols := []column{
		{"observations.id", &o.ID}, {"observations.school_id", &o.SchoolID}, {"observations.student_id", &o.StudentID},
		{"observations.author_id", &o.AuthorID}, {"observations.group_id", &o.GroupID}, {"observations.kind", &o.Kind},
		{"observations.body", &o.Body}, {"observations.skills", (*[]string)(&o.Skills)}, {"observations.state", &o.State},
		{"observations.edited_after_sharing", &o.EditedAfterSharing}, {"observations.try_at_home", &o.TryAtHome}, {"observations.shared_at", &o.SharedAt},
		{"observations.feed_at", &o.FeedAt}, {"observations.created_at", &o.CreatedAt}, {"observations.updated_at", &o.UpdatedAt},
	}
	cols = append(cols, userColumns("au", &r.Author)...)
	cols = append(cols,
		column{"st.id", &st.ID}, column{"st.school_id", &st.SchoolID}, column{"st.first_name", &st.FirstName}, column{"st.last_name", &st.LastName},
		column{"st.preferred_name", &st.PreferredName}, column{"st.grade", &st.Grade}, column{"st.withdrawn_at", &st.WithdrawnAt},
		column{"st.legal_hold", &st.LegalHold}, column{"st.created_at", &st.CreatedAt}, column{"st.updated_at", &st.UpdatedAt},
		column{"a.reaction", &r.AckReaction}, column{"a.created_at", &r.AckAt}, column{countSQL, &r.Count})
	if attachmentsSQL != "" {
		cols = append(cols, column{attachmentsSQL, &r.Attachments})
	}
	return joinColumns(cols)
}

// column is a selected column and where pgx scans it.
type column struct {
	sql string
	dst any
}

// userColumns are a user's columns (table alias t) and where each goes in
// u; TestFeedColumnsCoverModels keeps them whole.
func userColumns(t string, u *models.User) []column {
	return []column{
		{t + ".id", &u.ID}, {t + ".firebase_uid", &u.FirebaseUID}, {t + ".email", &u.Email}, {t + ".phone", &u.Phone},
		{t + ".display_name", &u.DisplayName}, {t + ".locale", &u.Locale}, {t + ".locale_source", &u.LocaleSource}, {t + ".time_zone", &u.TimeZone},
		{t + ".quiet_hours_start", &u.QuietHoursStart}, {t + ".quiet_hours_end", &u.QuietHoursEnd},
		{t + ".created_at", &u.CreatedAt}, {t + ".updated_at", &u.UpdatedAt}, {t + ".access_version", &u.AccessVersion},
	}
}

// joinColumns is cols' select list and their destinations, in order.
func joinColumns(cols []column) (string, []any) {
	sqls, dsts := make([]string, len(cols)), make([]any, len(cols))
	for i, c := range cols {
		sqls[i], dsts[i] = c.sql, c.dst
	}
	return strings.Join(sqls, ", "), dsts
}

// feedOrder is every list's order: newest first, the id breaking ties
// (the keyset cursor's order).
const feedOrder = "observations.feed_at DESC, observations.id DESC"

// pageFilter is the page's size and the conditions of args (kinds, the
// cursor) on observations: SQL with named parameters, added to p ("" when
// args sets none, else beginning with " AND ").
func pageFilter(args models.FeedArgs, p map[string]any) (int, string, error) {
	n, err := pageSize(args.First)
	if err != nil {
		return 0, "", err
	}
	cond := ""
	if len(args.Kinds) > 0 {
		kinds := make([]string, len(args.Kinds))
		for i, k := range args.Kinds {
			if !k.Valid() {
				return 0, "", models.InvalidField("kinds", "unknown kind")
			}
			kinds[i] = string(k)
		}
		cond += " AND observations.kind IN @kinds"
		p["kinds"] = kinds
	}
	if args.After != nil {
		at, id, err := decodeCursor("after", *args.After)
		if err != nil {
			return 0, "", err
		}
		cond += " AND (observations.feed_at, observations.id) < (@after_at, @after_id)"
		p["after_at"], p["after_id"] = at, id
	}
	return n, cond, nil
}

// whereFilter adds pageFilter's conditions to q.
func whereFilter(q *gorm.DB, filter string, p map[string]any) *gorm.DB {
	if filter == "" {
		return q // GORM would read a lone map as column values
	}
	return q.Where(strings.TrimPrefix(filter, " AND "), p)
}

// observationPage runs one keyset page of q, newest first, with extras.
func (s *Service) observationPage(ctx context.Context, v *models.Viewer, q *gorm.DB, args models.FeedArgs) (*models.ObservationPage, error) {
	p := map[string]any{}
	n, filter, err := pageFilter(args, p)
	if err != nil {
		return nil, err
	}
	inner, vars, err := dryRun(whereFilter(q, filter, p).Select("observations.*").Order(feedOrder).Limit(n + 1))
	if err != nil {
		return nil, models.Internal(err)
	}
	return s.readPage(ctx, v, inner, vars, nil, n, args)
}

// observationPageByStudent is observationPage over the observations of
// some students (each limiting a student's rows): each student's newest
// page through the index on (student_id, feed_at, id), merged, then the
// page of those. It reads at most a page per student, however long their
// history; one scan of every row of the students and a sort would read
// them all. (Feed writes the same statement itself.)
func (s *Service) observationPageByStudent(ctx context.Context, v *models.Viewer, students *gorm.DB, each policy.Scope, args models.FeedArgs) (*models.ObservationPage, error) {
	p := map[string]any{}
	n, filter, err := pageFilter(args, p)
	if err != nil {
		return nil, err
	}
	db := s.DB.WithContext(ctx)
	per := whereFilter(db.Table("observations").Scopes(each), filter, p).Where("observations.student_id = vs.id").
		Select("observations.*").Order(feedOrder).Limit(n + 1)
	inner, vars, err := dryRun(db.Table("unnest(ARRAY(?)) AS vs(id)", students).Joins("CROSS JOIN LATERAL (?) AS observations", per).
		Select("observations.*").Order(feedOrder).Limit(n + 1))
	if err != nil {
		return nil, models.Internal(err)
	}
	return s.readPage(ctx, v, inner, vars, nil, n, args)
}

// pages is the handle observation pages are read on.
func (s *Service) pages() *gorm.DB {
	if s.Pages != nil {
		return s.Pages
	}
	return s.DB
}

// readPage reads the page inner selects (at most n+1 observations, in
// feed order: SQL with $1 … for vars, and named parameters from p) with
// what each of its rows needs.
func (s *Service) readPage(ctx context.Context, v *models.Viewer, inner string, vars []any, p map[string]any, n int, args models.FeedArgs) (*models.ObservationPage, error) {
	// The page first (keyset, LIMIT n+1 on the scoped rows), then what each
	// of its rows needs: author, student, the viewer's acknowledgement and
	// response count, in the same statement but only for the page's rows.
	// Author and student are read with it (the observation passed the
	// scope), so the page needs no further loads.
	// The attachments too, when asked for, in the same statement.
	countSQL, attachSQL, extras := policy.FeedExtrasSQL(v, args.WithAttachments)
	if p == nil {
		p = extras
	} else {
		maps.Copy(p, extras)
	}
	// A viewer not read again for this request is checked here, in this
	// statement's snapshot: its access version unchanged, or no rows.
	stamp, stampSQL := models.AccessStampFrom(ctx, v), ""
	if stamp != nil {
		stampSQL = `WHERE ` + accessStampSQL
		p["stamp_uid"], p["stamp_version"] = stamp.UserID, stamp.Version
	}
	var row feedRow
	cols, dsts := row.columns(countSQL, attachSQL)
	query, vars, err := bindNamed(`SELECT `+cols+` FROM (`+inner+`) AS observations
		JOIN users au ON au.id = observations.author_id JOIN students st ON st.id = observations.student_id
		LEFT JOIN acknowledgements a ON a.observation_id = observations.id AND a.user_id = @uid
		`+stampSQL+` ORDER BY `+feedOrder, p, vars)
	if err != nil {
		return nil, models.Internal(err)
	}
	rows := make([]feedRow, 0, n+1)
	if err := s.native(ctx, "feed_page", s.pages(), query, vars, dsts, func() error {
		rows = append(rows, row)
		row = feedRow{}
		return nil
	}); err != nil {
		return nil, models.Internal(err)
	}
	if stamp != nil && len(rows) > 0 {
		stamp.Confirmed()
	}
	page := &models.ObservationPage{Extras: map[string]models.ObservationExtras{}, Cursors: map[string]string{},
		Authors: map[string]*models.User{}, Students: map[string]*models.Student{}}
	if args.WithAttachments {
		page.Attachments = map[string][]*models.Upload{}
	}
	if len(rows) > n {
		page.HasNext = true
		rows = rows[:n]
	}
	for i := range rows {
		o := rows[i].Observation
		page.Items = append(page.Items, &o)
		page.Extras[o.ID] = models.ObservationExtras{
			Acknowledged: rows[i].AckAt != nil, Reaction: rows[i].AckReaction, AcknowledgedAt: rows[i].AckAt,
			ResponseCount: rows[i].Count,
		}
		page.Cursors[o.ID] = encodeCursor(o.FeedAt, o.ID)
		if args.WithAttachments {
			files, err := uploadsJSON(rows[i].Attachments)
			if err != nil {
				return nil, models.Internal(err)
			}
			page.Attachments[models.ItemObservationGroup+":"+o.GroupID] = files
		}
		author, student := rows[i].Author, rows[i].Student
		page.Authors[author.ID] = &author
		page.Students[student.ID] = &student
	}
	return page, nil
}

func validIDs(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if validID(id) {
			out = append(out, id)
		}
	}
	return out
}

// Balance is a student's recent picture: positive and concern notes the
// viewer may see over the last 30 days (drafts left out) and the last
// positive note.
func (s *Service) Balance(ctx context.Context, v *models.Viewer, st *models.Student) (*models.StudentBalance, error) {
	return audited[*models.StudentBalance](ctx, s, v, st.SchoolID, st.ID, "", "student.balance")(s.balance(ctx, v, st))
}

func (s *Service) balance(ctx context.Context, v *models.Viewer, st *models.Student) (*models.StudentBalance, error) {
	since := s.now().AddDate(0, 0, -30)
	var counts []struct {
		Kind models.ObservationKind
		N    int
	}
	base := func() *gorm.DB {
		return s.DB.WithContext(ctx).Table("observations").Scopes(policy.Observations(v)).
			Where("observations.student_id = ? AND observations.state <> ?", st.ID, models.StateDraft)
	}
	if err := base().Where("observations.feed_at >= ?", since).Select("observations.kind, count(*) AS n").Group("observations.kind").Scan(&counts).Error; err != nil {
		return nil, models.Internal(err)
	}
	b := &models.StudentBalance{Since: since}
	for _, c := range counts {
		switch c.Kind {
		case models.KindPositive:
			b.Positive = c.N
		case models.KindConcern:
			b.Concern = c.N
		case models.KindObservation:
			b.Observation = c.N
		}
	}
	var last models.Observation
	res := base().Where("observations.kind = ?", models.KindPositive).Order("observations.feed_at DESC, observations.id DESC").Limit(1).Find(&last)
	if res.Error != nil {
		return nil, models.Internal(res.Error)
	}
	if res.RowsAffected == 1 {
		b.LastPositiveNote = &last
	}
	return b, nil
}

// StudentsNeedingPositiveNote lists a classroom's students with no shared
// positive note in the last days (1 to 60): the nudge that makes positive
// notes a habit. Staff of the classroom only (FORBIDDEN for parents).
func (s *Service) StudentsNeedingPositiveNote(ctx context.Context, v *models.Viewer, c *models.Classroom, days int) ([]*models.Student, error) {
	if !policy.IsStaff(v, c.SchoolID) {
		return nil, models.Errorf(models.CodeForbidden, "staff only")
	}
	if days < 1 || days > 60 {
		return nil, models.InvalidField("days", "days is 1 to 60")
	}
	since := s.now().AddDate(0, 0, -days)
	var out []*models.Student
	err := s.DB.WithContext(ctx).Scopes(policy.Students(v)).
		Where("students.id IN (SELECT student_id FROM enrollments WHERE classroom_id = ?)", c.ID).
		Where(`NOT EXISTS (SELECT 1 FROM observations o WHERE o.student_id = students.id AND o.kind = ? AND o.state = ? AND o.shared_at >= ?)`,
			models.KindPositive, models.StateShared, since).
		Order("students.last_name, students.first_name, students.id").Find(&out).Error
	return out, internal(err)
}

// UnacknowledgedCount counts shared observations of a classroom no guardian
// has acknowledged yet. Staff only (0 for others).
func (s *Service) UnacknowledgedCount(ctx context.Context, v *models.Viewer, c *models.Classroom) (int, error) {
	if !policy.IsStaff(v, c.SchoolID) {
		return 0, nil
	}
	var n int64
	err := s.DB.WithContext(ctx).Table("observations").Scopes(policy.Observations(v)).
		Where("observations.state = ? AND observations.student_id IN (SELECT student_id FROM enrollments WHERE classroom_id = ?)", models.StateShared, c.ID).
		Where("NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.observation_id = observations.id)").Count(&n).Error
	return int(n), internal(err)
}

// HomeInsights lists home insights about a student the viewer may see,
// newest first (at most 100).
func (s *Service) HomeInsights(ctx context.Context, v *models.Viewer, st *models.Student, first *int) ([]*models.HomeInsight, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	var out []*models.HomeInsight
	err = s.DB.WithContext(ctx).Scopes(policy.HomeInsights(v)).Where("home_insights.student_id = ?", st.ID).
		Order("home_insights.created_at DESC, home_insights.id DESC").Limit(n).Find(&out).Error
	return audited[[]*models.HomeInsight](ctx, s, v, st.SchoolID, st.ID, "", "student.home_insights")(out, internal(err))
}

// StudentTimeline interleaves a student's observations, home insights,
// conference summaries and their follow-ups the viewer may see, newest
// first, by keyset (time, id) like the feed.
func (s *Service) StudentTimeline(ctx context.Context, v *models.Viewer, st *models.Student, size *int, after *string) (*models.TimelineConnection, error) {
	return audited[*models.TimelineConnection](ctx, s, v, st.SchoolID, st.ID, "", "student.timeline")(s.studentTimeline(ctx, v, st, size, after))
}

func (s *Service) studentTimeline(ctx context.Context, v *models.Viewer, st *models.Student, size *int, after *string) (*models.TimelineConnection, error) {
	n, err := pageSize(size)
	if err != nil {
		return nil, err
	}
	db := s.DB.WithContext(ctx)
	obs := db.Table("observations").Scopes(policy.Observations(v)).Where("observations.student_id = ?", st.ID).
		Select("'o' AS kind, observations.id, observations.feed_at AS at")
	ins := db.Table("home_insights").Scopes(policy.HomeInsights(v)).Where("home_insights.student_id = ?", st.ID).
		Select("'h' AS kind, home_insights.id, home_insights.created_at AS at")
	sums := db.Table("conference_summaries").Scopes(policy.ConferenceSummaries(v)).Where("conference_summaries.student_id = ?", st.ID).
		Select("'s' AS kind, conference_summaries.id, conference_summaries.created_at AS at")
	fus := db.Table("conference_follow_ups").Scopes(policy.ConferenceFollowUps(v)).Where("conference_follow_ups.student_id = ?", st.ID).
		Select("'f' AS kind, conference_follow_ups.id, conference_follow_ups.created_at AS at")
	q := db.Table("((?) UNION ALL (?) UNION ALL (?) UNION ALL (?)) AS t", obs, ins, sums, fus)
	if after != nil {
		at, id, err := decodeCursor("after", *after)
		if err != nil {
			return nil, err
		}
		q = q.Where("(t.at, t.id) < (?, ?)", at, id)
	}
	var refs []struct {
		Kind string
		ID   string
		At   time.Time
	}
	if err := q.Select("t.kind, t.id, t.at").Order("t.at DESC, t.id DESC").Limit(n + 1).Scan(&refs).Error; err != nil {
		return nil, models.Internal(err)
	}
	ids := map[string][]string{}
	for _, r := range refs {
		ids[r.Kind] = append(ids[r.Kind], r.ID)
	}
	byO, err := byID(db, ids["o"], func(o *models.Observation) string { return o.ID })
	if err != nil {
		return nil, err
	}
	byH, err := byID(db, ids["h"], func(h *models.HomeInsight) string { return h.ID })
	if err != nil {
		return nil, err
	}
	byS, err := byID(db, ids["s"], func(x *models.ConferenceSummary) string { return x.ID })
	if err != nil {
		return nil, err
	}
	byF, err := byID(db, ids["f"], func(x *models.ConferenceFollowUp) string { return x.ID })
	if err != nil {
		return nil, err
	}
	entries := make([]*models.TimelineEntry, 0, len(refs))
	for _, r := range refs {
		e := &models.TimelineEntry{Cursor: encodeCursor(r.At, r.ID), Observation: byO[r.ID], HomeInsight: byH[r.ID],
			ConferenceSummary: byS[r.ID], ConferenceFollowUp: byF[r.ID]}
		if e.Observation != nil || e.HomeInsight != nil || e.ConferenceSummary != nil || e.ConferenceFollowUp != nil {
			entries = append(entries, e)
		}
	}
	return models.ConnectionOf(entries, n, func(e *models.TimelineEntry) string { return e.Cursor }), nil
}

// byID loads the rows with the given ids, by id.
func byID[T any](db *gorm.DB, ids []string, id func(*T) string) (map[string]*T, error) {
	out := map[string]*T{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*T
	if err := db.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, models.Internal(err)
	}
	for _, r := range rows {
		out[id(r)] = r
	}
	return out, nil
}

// uploadsJSON reads a feed row's attachments (json_build_object writes
// the columns by name: models.Upload's json tags).
func uploadsJSON(b []byte) ([]*models.Upload, error) {
	var out []*models.Upload
	return out, json.Unmarshal(b, &out)
}
