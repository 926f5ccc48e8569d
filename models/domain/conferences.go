package domain

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Reminders before a conference: how long before, and the push's kind.
var conferenceReminders = []struct {
	before time.Duration
	kind   string
}{{24 * time.Hour, "REMINDER_DAY"}, {time.Hour, "REMINDER_HOUR"}}

// CreateConferenceRound opens a round for a school (or one grade of it).
// Admins of the school only.
func (s *Service) CreateConferenceRound(ctx context.Context, v *models.Viewer, in models.CreateConferenceRoundInput) (*models.ConferenceRound, error) {
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "open conference rounds"); err != nil {
		return nil, err
	}
	name, err := models.CleanText("name", in.Name, 100, true)
	if err != nil {
		return nil, err
	}
	startsOn, err := parseDate("startsOn", in.StartsOn)
	if err != nil {
		return nil, err
	}
	endsOn, err := parseDate("endsOn", in.EndsOn)
	if err != nil {
		return nil, err
	}
	if endsOn.Before(startsOn) || endsOn.Sub(startsOn) > models.MaxConferenceRoundDays*24*time.Hour {
		return nil, models.InvalidField("endsOn", "a round ends on or after its first day and lasts at most %d days", models.MaxConferenceRoundDays)
	}
	if in.SlotMinutes < 5 || in.SlotMinutes > 120 {
		return nil, models.InvalidField("slotMinutes", "slots are 5 to 120 minutes")
	}
	if !in.Mode.Valid() {
		return nil, models.InvalidField("mode", "unknown mode")
	}
	r := &models.ConferenceRound{SchoolID: in.SchoolID, Name: name, StartsOn: startsOn, EndsOn: endsOn,
		SlotMinutes: in.SlotMinutes, Mode: in.Mode, CreatedByID: v.ID, CreatedAt: s.now()}
	if in.Grade != nil {
		g, err := models.CleanText("grade", *in.Grade, 20, true)
		if err != nil {
			return nil, err
		}
		r.Grade = &g
	}
	if in.Location != nil {
		if r.Location, err = models.CleanText("location", *in.Location, 200, false); err != nil {
			return nil, err
		}
	}
	if in.VideoURL != nil && strings.TrimSpace(*in.VideoURL) != "" {
		if r.VideoURL, err = httpsURL("videoUrl", *in.VideoURL, 500); err != nil {
			return nil, err
		}
	}
	if r.Mode == models.ConferenceVideo && r.VideoURL == "" {
		return nil, models.InvalidField("videoUrl", "a video round needs its link")
	}
	if r.Mode == models.ConferenceInPerson && r.Location == "" {
		return nil, models.InvalidField("location", "an in-person round needs a location")
	}
	return r, internal(s.DB.WithContext(ctx).Create(r).Error)
}

func parseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, models.InvalidField(field, "%s must be a date like 2026-11-24", field)
	}
	return t, nil
}

// ConferenceRounds lists the rounds the viewer may see, latest first.
func (s *Service) ConferenceRounds(ctx context.Context, v *models.Viewer) ([]*models.ConferenceRound, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.ConferenceRound
	err := s.DB.WithContext(ctx).Scopes(policy.ConferenceRounds(v)).Order("starts_on DESC, id").Find(&out).Error
	return out, internal(err)
}

// ConferenceRound loads a round the viewer may see, else NOT_FOUND.
func (s *Service) ConferenceRound(ctx context.Context, v *models.Viewer, id string) (*models.ConferenceRound, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return findOne[models.ConferenceRound](s.DB.WithContext(ctx).Scopes(policy.ConferenceRounds(v)).Where("conference_rounds.id = ?", id), "conference round")
}

// PublishConferenceAvailability cuts the viewer's windows into slots of the
// round's length (a remainder shorter than a slot is left out). Teachers
// and admins of the round's school; windows must fall on the round's days
// (in the school's time zone), start in the future and not overlap the
// viewer's other slots. Errors: BAD_USER_INPUT (windows.N), FORBIDDEN,
// CONFLICT (overlap).
func (s *Service) PublishConferenceAvailability(ctx context.Context, v *models.Viewer, in models.PublishConferenceAvailabilityInput) ([]*models.ConferenceSlot, error) {
	r, err := s.ConferenceRound(ctx, v, in.RoundID)
	if err != nil {
		return nil, err
	}
	if !policy.IsStaff(v, r.SchoolID) {
		return nil, models.Errorf(models.CodeForbidden, "only the school's staff publish availability")
	}
	if len(in.Windows) == 0 {
		return nil, models.InvalidField("windows", "give at least one window")
	}
	var school models.School
	if err := s.DB.WithContext(ctx).Take(&school, "id = ?", r.SchoolID).Error; err != nil {
		return nil, internal(err)
	}
	loc := school.Location()
	first := time.Date(r.StartsOn.Year(), r.StartsOn.Month(), r.StartsOn.Day(), 0, 0, 0, 0, loc)
	after := time.Date(r.EndsOn.Year(), r.EndsOn.Month(), r.EndsOn.Day()+1, 0, 0, 0, 0, loc)
	length := time.Duration(r.SlotMinutes) * time.Minute
	now := s.now()
	var slots []*models.ConferenceSlot
	for i, w := range in.Windows {
		field := fmt.Sprintf("windows.%d", i)
		switch {
		case w == nil || !w.EndsAt.After(w.StartsAt):
			return nil, models.InvalidField(field, "a window ends after it starts")
		case w.StartsAt.Before(first) || w.EndsAt.After(after):
			return nil, models.InvalidField(field, "a window must fall within the round (%s to %s)", r.StartsOn.Format(time.DateOnly), r.EndsOn.Format(time.DateOnly))
		case !w.StartsAt.After(now):
			return nil, models.InvalidField(field, "a window must start in the future")
		}
		for at := w.StartsAt; !at.Add(length).After(w.EndsAt); at = at.Add(length) {
			slots = append(slots, &models.ConferenceSlot{RoundID: r.ID, SchoolID: r.SchoolID, TeacherID: v.ID,
				StartsAt: at.UTC(), EndsAt: at.Add(length).UTC(), CreatedAt: now})
		}
	}
	if len(slots) == 0 {
		return nil, models.InvalidField("windows", "the windows are shorter than one %d-minute slot", r.SlotMinutes)
	}
	if len(slots) > models.MaxSlotsPerPublish {
		return nil, models.InvalidField("windows", "at most %d slots at a time", models.MaxSlotsPerPublish)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// One publisher per teacher at a time: the overlap check holds.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&models.User{}, "id = ?", v.ID).Error; err != nil {
			return err
		}
		for i, a := range slots {
			for _, b := range slots[:i] {
				if a.StartsAt.Before(b.EndsAt) && b.StartsAt.Before(a.EndsAt) {
					return models.InvalidField("windows", "the windows overlap")
				}
			}
			var n int64
			if err := tx.Model(&models.ConferenceSlot{}).Where("teacher_id = ? AND cancelled_at IS NULL AND starts_at < ? AND ends_at > ?", v.ID, a.EndsAt, a.StartsAt).
				Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return models.Errorf(models.CodeConflict, "you already have a slot at %s", a.StartsAt.In(loc).Format("Mon Jan 2 15:04"))
			}
		}
		return tx.Create(&slots).Error
	})
	return slots, err
}

// ConferenceSlots lists a round's open (not withdrawn) slots, by time, for
// one teacher when teacherID is set, with whether each is free and whether
// it touches one of the viewer's children's bookings in the round (to book
// siblings back to back).
func (s *Service) ConferenceSlots(ctx context.Context, v *models.Viewer, r *models.ConferenceRound, teacherID *string, availableOnly bool) ([]*models.ConferenceSlotView, error) {
	q := s.DB.WithContext(ctx).Table("conference_slots s").
		Select(`s.*, NOT EXISTS (SELECT 1 FROM conference_bookings b WHERE b.slot_id = s.id AND b.cancelled_at IS NULL) AND s.starts_at > ? AS available,
			EXISTS (SELECT 1 FROM conference_bookings b JOIN conference_slots o ON o.id = b.slot_id
				WHERE b.round_id = s.round_id AND b.cancelled_at IS NULL AND b.student_id IN (`+policy.GuardedStudentsSQL+`)
				AND (o.ends_at = s.starts_at OR o.starts_at = s.ends_at)) AS adjacent_to_my_booking`, s.now(), v.ID).
		Where("s.round_id = ? AND s.cancelled_at IS NULL", r.ID).Order("s.starts_at, s.teacher_id")
	if teacherID != nil {
		q = q.Where("s.teacher_id = ?", *teacherID)
	}
	var out []*models.ConferenceSlotView
	if err := q.Scan(&out).Error; err != nil {
		return nil, internal(err)
	}
	if availableOnly {
		free := out[:0]
		for _, sl := range out {
			if sl.Available {
				free = append(free, sl)
			}
		}
		out = free
	}
	return out, nil
}
