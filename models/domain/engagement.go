package domain

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Engagement computes, for a school's admins, one row per classroom and
// teacher over [from, to) (dates in the school's time zone, to inclusive):
//
//   - positive and concern notes: the teacher's observations of those kinds
//     about the classroom's students, shared in the range;
//   - guardians reached: the classroom's unrestricted guardians with at
//     least one registered device, of all of them (now);
//   - acknowledgement rate: of those shared notes, the share a guardian
//     acknowledged, and the median time from sharing to the first
//     acknowledgement;
//   - median first response: for each run of guardian messages in the
//     teacher's conversations about the classroom's students that starts
//     in the range, the time until the teacher's next message (runs not yet
//     answered are left out, and counted as unanswered);
//   - conference booking rate: the classroom's students with a live
//     booking of a slot of this teacher starting in the range, of all of
//     them.
func (s *Service) Engagement(ctx context.Context, v *models.Viewer, schoolID, fromDate, toDate string) (*models.EngagementReport, error) {
	// A teacher sees their own figures, and no one else's.
	own, err := policy.OwnEngagement(v, schoolID)
	if err != nil {
		return nil, err
	}
	db := s.DB.WithContext(ctx)
	var school models.School
	if err := db.Take(&school, "id = ?", schoolID).Error; err != nil {
		return nil, internal(err)
	}
	loc := school.Location()
	from, err := parseDate("from", fromDate)
	if err != nil {
		return nil, err
	}
	to, err := parseDate("to", toDate)
	if err != nil {
		return nil, err
	}
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, models.InvalidField("to", "a range ends on or after its start and spans at most a year")
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)

	var pairs []struct{ ClassroomID, ClassroomName, TeacherID, TeacherName string }
	err = db.Raw(`SELECT c.id AS classroom_id, c.name AS classroom_name, u.id AS teacher_id, u.display_name AS teacher_name
		FROM classroom_staff cs JOIN classrooms c ON c.id = cs.classroom_id JOIN users u ON u.id = cs.user_id
		JOIN memberships m ON m.user_id = u.id AND m.school_id = c.school_id AND m.role = 'TEACHER'
		WHERE c.school_id = @school AND (@own = '' OR u.id::text = @own) ORDER BY c.name, u.display_name, c.id, u.id`,
		map[string]any{"school": schoolID, "own": own}).Scan(&pairs).Error
	if err != nil {
		return nil, internal(err)
	}
	report := &models.EngagementReport{SchoolID: schoolID, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Rows: []*models.EngagementRow{}}
	if err := db.Raw(`SELECT to_char(month, 'YYYY-MM') AS month, target AS language, sum(chars)::bigint AS characters FROM translation_usage
		WHERE school_id = ? AND month >= date_trunc('month', CAST(? AS date)) AND month <= CAST(? AS date)
		GROUP BY month, target ORDER BY month, target`,
		schoolID, from.Format(time.DateOnly), to.Format(time.DateOnly)).Scan(&report.Translation).Error; err != nil {
		return nil, internal(err)
	}
	if report.Translation == nil || own != "" {
		report.Translation = []*models.TranslationMonth{} // the school's cost, for its admins
	}
	if report.TryAtHome, err = tryAtHome(db, `o.school_id = @school AND (@own = '' OR o.author_id::text = @own)`,
		map[string]any{"school": schoolID, "own": own, "start": start, "end": end}); err != nil {
		return nil, internal(err)
	}
	for _, p := range pairs {
		row, err := engagementRow(db, p.ClassroomID, p.TeacherID, start, end)
		if err != nil {
			return nil, internal(err)
		}
		row.ClassroomID, row.ClassroomName, row.TeacherID, row.TeacherName = p.ClassroomID, p.ClassroomName, p.TeacherID, p.TeacherName
		report.Rows = append(report.Rows, row)
	}
	return report, nil
}

func engagementRow(db *gorm.DB, classroomID, teacherID string, start, end time.Time) (*models.EngagementRow, error) {
	row := &models.EngagementRow{}
	students := `SELECT e.student_id FROM enrollments e WHERE e.classroom_id = @class`
	args := map[string]any{"class": classroomID, "teacher": teacherID, "start": start, "end": end}

	var notes struct{ Positive, Concern, Shared, Acknowledged int }
	if err := db.Raw(`SELECT count(*) FILTER (WHERE o.kind = 'POSITIVE') AS positive, count(*) FILTER (WHERE o.kind = 'CONCERN') AS concern,
			count(*) AS shared, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM acknowledgements a WHERE a.observation_id = o.id)) AS acknowledged
		FROM observations o WHERE o.author_id = @teacher AND o.state = 'SHARED' AND o.shared_at >= @start AND o.shared_at < @end
		AND o.student_id IN (`+students+`)`, args).Scan(&notes).Error; err != nil {
		return nil, err
	}
	row.PositiveNotes, row.ConcernNotes, row.SharedNotes, row.AcknowledgedNotes = notes.Positive, notes.Concern, notes.Shared, notes.Acknowledged
	if notes.Shared > 0 {
		r := float64(notes.Acknowledged) / float64(notes.Shared)
		row.AcknowledgementRate = &r
	}
	var ackSeconds []float64
	if err := db.Raw(`SELECT extract(epoch FROM (SELECT min(a.created_at) FROM acknowledgements a WHERE a.observation_id = o.id) - o.shared_at)
		FROM observations o WHERE o.author_id = @teacher AND o.state = 'SHARED' AND o.shared_at >= @start AND o.shared_at < @end
		AND o.student_id IN (`+students+`) AND EXISTS (SELECT 1 FROM acknowledgements a WHERE a.observation_id = o.id)`, args).Scan(&ackSeconds).Error; err != nil {
		return nil, err
	}
	row.MedianSecondsToAcknowledge = median(ackSeconds)

	var reach struct{ Guardians, WithDevice int }
	if err := db.Raw(`SELECT count(DISTINCT g.user_id) AS guardians,
			count(DISTINCT g.user_id) FILTER (WHERE EXISTS (SELECT 1 FROM devices d WHERE d.user_id = g.user_id)) AS with_device
		FROM guardianships g WHERE g.grants_access AND g.student_id IN (`+students+`)`, args).Scan(&reach).Error; err != nil {
		return nil, err
	}
	row.Guardians, row.GuardiansWithDevice = reach.Guardians, reach.WithDevice
	if reach.Guardians > 0 {
		r := float64(reach.WithDevice) / float64(reach.Guardians)
		row.GuardiansReached = &r
	}

	// Messages of the teacher's conversations about the classroom's
	// students, in order, to find each run of guardian messages and the
	// teacher's first answer after it.
	var msgs []struct {
		ConversationID string
		SenderID       string
		Guardian       bool
		CreatedAt      time.Time
	}
	if err := db.Raw(`SELECT m.conversation_id, m.sender_id, m.created_at,
			EXISTS (SELECT 1 FROM guardianships g WHERE g.user_id = m.sender_id AND g.student_id = c.student_id) AS guardian
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.student_id IN (`+students+`)
		AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.user_id = @teacher)
		AND m.created_at >= @start
		ORDER BY m.conversation_id, m.seq`, args).Scan(&msgs).Error; err != nil {
		return nil, err
	}
	var responses []float64
	var waitingSince *time.Time
	conv := ""
	for _, m := range msgs {
		if m.ConversationID != conv {
			if waitingSince != nil {
				row.UnansweredParentMessages++
			}
			conv, waitingSince = m.ConversationID, nil
		}
		switch {
		case m.Guardian && waitingSince == nil && m.CreatedAt.Before(end):
			at := m.CreatedAt
			waitingSince = &at
		case m.SenderID == teacherID && waitingSince != nil:
			responses = append(responses, m.CreatedAt.Sub(*waitingSince).Seconds())
			waitingSince = nil
		}
	}
	if waitingSince != nil {
		row.UnansweredParentMessages++
	}
	row.MedianSecondsToFirstResponse = median(responses)

	var booking struct{ Students, Booked int }
	if err := db.Raw(`SELECT count(*) AS students, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM conference_bookings b
			JOIN conference_slots cs ON cs.id = b.slot_id
			WHERE b.student_id = e.student_id AND b.cancelled_at IS NULL AND cs.teacher_id = @teacher
			AND cs.starts_at >= @start AND cs.starts_at < @end)) AS booked
		FROM enrollments e WHERE e.classroom_id = @class`, args).Scan(&booking).Error; err != nil {
		return nil, err
	}
	row.Students, row.StudentsWithConference = booking.Students, booking.Booked
	if booking.Students > 0 {
		r := float64(booking.Booked) / float64(booking.Students)
		row.ConferenceBookingRate = &r
	}
	var err error
	row.TryAtHome, err = tryAtHome(db, `o.author_id = @teacher AND o.student_id IN (`+students+`)`, args)
	return row, err
}

// tryAtHome counts the shared notes (matching where, with args including
// start and end) that suggested something to try at home in the range,
// and those a guardian answered "we tried it".
func tryAtHome(db *gorm.DB, where string, args map[string]any) (*models.TryAtHomeFigures, error) {
	var f models.TryAtHomeFigures
	if err := db.Raw(`SELECT count(*) AS suggestions,
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM try_at_home_answers t WHERE t.observation_id = o.id)) AS tried
		FROM observations o WHERE o.state = 'SHARED' AND o.try_at_home <> '' AND o.shared_at >= @start AND o.shared_at < @end
		AND `+where, args).Scan(&f).Error; err != nil {
		return nil, err
	}
	if f.Suggestions > 0 {
		r := float64(f.Tried) / float64(f.Suggestions)
		f.Rate = &r
	}
	return &f, nil
}

// median of xs, nil when there are none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}
