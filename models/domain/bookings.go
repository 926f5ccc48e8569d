package domain

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// BookConferenceSlot books a slot for a child: the viewer must be the
// child's unrestricted guardian, the slot's teacher must teach the child,
// the round must apply to the child, and the slot must be free and ahead.
// One booking per child and household per round (reschedule to move it):
// separated households each book their own. Errors:
// NOT_FOUND, BAD_USER_INPUT, CONFLICT (taken, or already booked).
func (s *Service) BookConferenceSlot(ctx context.Context, v *models.Viewer, in models.BookConferenceSlotInput) (*models.ConferenceBookingPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	questions, err := models.CleanOptionalBody("questions", in.Questions, models.MaxFamilyNotes)
	if err != nil {
		return nil, err
	}
	atHome, err := models.CleanOptionalBody("atHome", in.AtHome, models.MaxFamilyNotes)
	if err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "bookConferenceSlot", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		st, slot, err := s.bookable(ctx, tx, v, in.SlotID, in.StudentID)
		if err != nil {
			return nil, err
		}
		household, err := householdOf(tx, v.ID, st.ID)
		if err != nil {
			return nil, err
		}
		var n int64
		if err := tx.Model(&models.ConferenceBooking{}).Where("round_id = ? AND student_id = ? AND household = ? AND cancelled_at IS NULL", slot.RoundID, st.ID, household).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, models.Errorf(models.CodeConflict, "%s already has a conference in this round; reschedule it instead", firstName(st))
		}
		b, err := s.book(ctx, tx, v, st, slot, bookingWords{household: household, questions: questions, atHome: atHome})
		if err != nil {
			return nil, err
		}
		return &written{ID: b.ID}, s.conferenceNotice(ctx, tx, b, slot, st, "BOOKED", slot.TeacherID)
	})
	if err != nil {
		return nil, err
	}
	b, err := loadOne[models.ConferenceBooking](ctx, s.DB, res.ID)
	return &models.ConferenceBookingPayload{ClientMutationID: in.ClientMutationID, Booking: b}, err
}

// RescheduleConferenceBooking moves a booking to another slot of the same
// round in one transaction: the child ends with the new slot, or (when it
// was just taken: CONFLICT) with the old one; never none or two.
func (s *Service) RescheduleConferenceBooking(ctx context.Context, v *models.Viewer, in models.RescheduleConferenceBookingInput) (*models.ConferenceBookingPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "rescheduleConferenceBooking", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		old, err := s.liveBooking(ctx, tx, v, in.BookingID)
		if err != nil {
			return nil, err
		}
		ok, err := isGuardianOf(tx, v.ID, old.StudentID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, models.Errorf(models.CodeForbidden, "only the child's guardians reschedule; staff cancel")
		}
		st, slot, err := s.bookable(ctx, tx, v, in.SlotID, old.StudentID)
		if err != nil {
			return nil, err
		}
		if slot.RoundID != old.RoundID {
			return nil, models.InvalidField("slotId", "the new slot must be in the same round")
		}
		if slot.ID == old.SlotID {
			return &written{ID: old.ID}, nil
		}
		if err := s.cancelBooking(ctx, tx, v, old); err != nil {
			return nil, err
		}
		b, err := s.book(ctx, tx, v, st, slot, bookingWords{household: old.Household, questions: old.Questions, atHome: old.AtHome})
		if err != nil {
			return nil, err
		}
		return &written{ID: b.ID}, s.conferenceNotice(ctx, tx, b, slot, st, "CHANGED", slot.TeacherID)
	})
	if err != nil {
		return nil, err
	}
	b, err := loadOne[models.ConferenceBooking](ctx, s.DB, res.ID)
	return &models.ConferenceBookingPayload{ClientMutationID: in.ClientMutationID, Booking: b}, err
}

// CancelConferenceBooking cancels a booking: a guardian of the child, the
// slot's teacher or a school admin. The other side is told; reminders are
// called off. Cancelling a cancelled booking returns it unchanged.
func (s *Service) CancelConferenceBooking(ctx context.Context, v *models.Viewer, in models.CancelConferenceBookingInput) (*models.ConferenceBooking, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var b *models.ConferenceBooking
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if b, err = s.visibleBooking(ctx, tx, v, in.BookingID, true); err != nil {
			return err
		}
		if b.CancelledAt != nil {
			return nil
		}
		var slot models.ConferenceSlot
		if err := tx.Take(&slot, "id = ?", b.SlotID).Error; err != nil {
			return err
		}
		var st models.Student
		if err := tx.Take(&st, "id = ?", b.StudentID).Error; err != nil {
			return err
		}
		if err := s.cancelBooking(ctx, tx, v, b); err != nil {
			return err
		}
		return s.conferenceNotice(ctx, tx, b, &slot, &st, "CANCELLED", slot.TeacherID)
	})
	return b, err
}

// CancelConferenceSlot withdraws one of the viewer's slots (or, for an
// admin, any of the school's); a booking on it is cancelled and the family
// is told to choose another time.
func (s *Service) CancelConferenceSlot(ctx context.Context, v *models.Viewer, in models.CancelConferenceSlotInput) (*models.ConferenceSlot, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var slot models.ConferenceSlot
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND (teacher_id = ? OR school_id IN ?)", in.SlotID, v.ID, orNone(policy.AdminSchools(v))).
			Limit(1).Find(&slot)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || !policy.IsStaff(v, slot.SchoolID) {
			return models.NotFound("conference slot")
		}
		if slot.CancelledAt != nil {
			return nil
		}
		now := s.now()
		slot.CancelledAt = &now
		if err := tx.Model(&slot).Update("cancelled_at", now).Error; err != nil {
			return err
		}
		var b models.ConferenceBooking
		res = tx.Where("slot_id = ? AND cancelled_at IS NULL", slot.ID).Limit(1).Find(&b)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		var st models.Student
		if err := tx.Take(&st, "id = ?", b.StudentID).Error; err != nil {
			return err
		}
		if err := s.cancelBooking(ctx, tx, v, &b); err != nil {
			return err
		}
		return s.conferenceNotice(ctx, tx, &b, &slot, &st, "CANCELLED", slot.TeacherID)
	})
	return &slot, err
}

// SetConferenceNotes sets the teacher's notes to prepare for a booking
// (the slot's teacher or an admin; parents never see them).
func (s *Service) SetConferenceNotes(ctx context.Context, v *models.Viewer, in models.SetConferenceNotesInput) (*models.ConferenceBooking, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	notes := strings.TrimSpace(in.Notes)
	if len([]rune(notes)) > models.MaxConferenceNotes {
		return nil, models.InvalidField("notes", "notes are at most %d characters", models.MaxConferenceNotes)
	}
	b, err := s.visibleBooking(ctx, s.DB.WithContext(ctx), v, in.BookingID, false)
	if err != nil {
		return nil, err
	}
	if !policy.IsStaff(v, b.SchoolID) {
		return nil, models.Errorf(models.CodeForbidden, "notes to prepare are for staff")
	}
	b.Notes = notes
	return b, s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(b).Update("notes", notes).Error; err != nil {
			return err
		}
		return s.auditWrite(tx, v, b.SchoolID, b.StudentID, b.ID, "conference.notes")
	})
}

// MyConferences lists the viewer's live bookings, soonest first: a
// parent's children's, a teacher's schedule (their slots), in a round or
// all.
func (s *Service) MyConferences(ctx context.Context, v *models.Viewer, roundID *string) ([]*models.ConferenceBooking, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Model(&models.ConferenceBooking{}).Scopes(policy.ConferenceBookings(v)).
		Joins("JOIN conference_slots cs ON cs.id = conference_bookings.slot_id").
		Where("conference_bookings.cancelled_at IS NULL").
		Where("(cs.teacher_id = ? OR conference_bookings.student_id IN ("+policy.GuardedStudentsSQL+"))", v.ID, v.ID).
		Order("cs.starts_at, conference_bookings.id")
	if roundID != nil {
		q = q.Where("conference_bookings.round_id = ?", *roundID)
	}
	var out []*models.ConferenceBooking
	return out, internal(q.Find(&out).Error)
}

// ConferenceBooking loads a booking the viewer may see, else NOT_FOUND.
func (s *Service) ConferenceBooking(ctx context.Context, v *models.Viewer, id string) (*models.ConferenceBooking, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return s.visibleBooking(ctx, s.DB.WithContext(ctx), v, id, false)
}

// bookable checks that the viewer may book slotID for studentID now.
func (s *Service) bookable(ctx context.Context, tx *gorm.DB, v *models.Viewer, slotID, studentID string) (*models.Student, *models.ConferenceSlot, error) {
	st, err := policy.VisibleStudent(ctx, tx, v, studentID)
	if err != nil {
		return nil, nil, err
	}
	ok, err := isGuardianOf(tx, v.ID, st.ID)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, models.Errorf(models.CodeForbidden, "only the child's guardians book conferences")
	}
	var slot models.ConferenceSlot
	res := tx.Where("id = ? AND school_id = ?", slotID, st.SchoolID).Limit(1).Find(&slot)
	if res.Error != nil {
		return nil, nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, nil, models.NotFound("conference slot")
	}
	var round models.ConferenceRound
	if err := tx.Take(&round, "id = ?", slot.RoundID).Error; err != nil {
		return nil, nil, err
	}
	if round.Grade != nil && *round.Grade != st.Grade {
		return nil, nil, models.NotFound("conference slot")
	}
	teaches, err := policy.Teaches(tx, st.ID, slot.TeacherID)
	if err != nil {
		return nil, nil, err
	}
	if !teaches {
		return nil, nil, models.InvalidField("slotId", "this slot is with a teacher who does not teach %s", firstName(st))
	}
	if slot.CancelledAt != nil || !slot.StartsAt.After(s.now()) {
		return nil, nil, models.Errorf(models.CodeConflict, "this time is no longer available")
	}
	return st, &slot, nil
}

// bookingWords is what a booking carries besides its time: the household
// it is for and the family's words before the meeting.
type bookingWords struct{ household, questions, atHome string }

// book inserts the booking and schedules its reminders; a slot taken by a
// concurrent booking is CONFLICT (the unique index decides).
func (s *Service) book(ctx context.Context, tx *gorm.DB, v *models.Viewer, st *models.Student, slot *models.ConferenceSlot, w bookingWords) (*models.ConferenceBooking, error) {
	b := &models.ConferenceBooking{SlotID: slot.ID, RoundID: slot.RoundID, SchoolID: slot.SchoolID, StudentID: st.ID, BookedByID: v.ID,
		Household: w.household, Questions: w.questions, AtHome: w.atHome, CreatedAt: s.now()}
	err := tx.Create(b).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, models.Errorf(models.CodeConflict, "this time was just taken; choose another")
	}
	if err != nil {
		return nil, err
	}
	if w.questions != "" || w.atHome != "" {
		if err := s.translateTx(ctx, tx, "booking", b.ID); err != nil {
			return nil, err
		}
	}
	guardians, err := householdGuardians(tx, st.ID, b.Household)
	if err != nil {
		return nil, err
	}
	for _, r := range conferenceReminders {
		at := slot.StartsAt.Add(-r.before)
		if !at.After(s.now()) {
			continue
		}
		n, err := s.conferenceMessage(tx, b, slot, st, r.kind, guardians)
		if err != nil {
			return nil, err
		}
		n.SendAt, n.CancelKey = &at, "conference-booking:"+b.ID
		if err := s.notify(ctx, tx, n); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// cancelBooking marks b cancelled and calls off its reminders.
func (s *Service) cancelBooking(ctx context.Context, tx *gorm.DB, v *models.Viewer, b *models.ConferenceBooking) error {
	now := s.now()
	b.CancelledAt, b.CancelledByID = &now, &v.ID
	if err := tx.Model(b).Updates(map[string]any{"cancelled_at": now, "cancelled_by_id": v.ID}).Error; err != nil {
		return err
	}
	if s.Notify == nil {
		return models.Internal(errNoNotifier)
	}
	return s.Notify.CancelTx(ctx, tx, "conference-booking:"+b.ID)
}

// liveBooking loads a booking the viewer may see that is not cancelled,
// locked for the change.
func (s *Service) liveBooking(ctx context.Context, tx *gorm.DB, v *models.Viewer, id string) (*models.ConferenceBooking, error) {
	b, err := s.visibleBooking(ctx, tx, v, id, true)
	if err != nil {
		return nil, err
	}
	if b.CancelledAt != nil {
		return nil, models.Errorf(models.CodeConflict, "this booking was cancelled")
	}
	return b, nil
}

func (s *Service) visibleBooking(ctx context.Context, tx *gorm.DB, v *models.Viewer, id string, lock bool) (*models.ConferenceBooking, error) {
	q := tx.Scopes(policy.ConferenceBookings(v)).Where("conference_bookings.id = ?", id)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "conference_bookings"}})
	}
	return findOne[models.ConferenceBooking](q, "conference booking")
}

func isGuardianOf(tx *gorm.DB, userID, studentID string) (bool, error) {
	var n int64
	err := tx.Raw("SELECT count(*) FROM ("+policy.GuardedStudentsSQL+") x WHERE x.student_id = ?", userID, studentID).Scan(&n).Error
	return n > 0, err
}

// householdOf is the household key of the user's unrestricted
// guardianship of the student (” when not said, or none).
func householdOf(tx *gorm.DB, userID, studentID string) (string, error) {
	var hs []string
	err := tx.Raw(`SELECT coalesce(household, '') FROM guardianships WHERE user_id = ? AND student_id = ? AND grants_access LIMIT 1`, userID, studentID).Scan(&hs).Error
	if err != nil || len(hs) == 0 {
		return "", err
	}
	return hs[0], nil
}

// householdGuardians lists the student's unrestricted guardians in one
// household: who hears of that household's conferences.
func householdGuardians(tx *gorm.DB, studentID, household string) ([]string, error) {
	var ids []string
	err := tx.Model(&models.Guardianship{}).Where("student_id = ? AND grants_access AND coalesce(household, '') = ?", studentID, household).Pluck("user_id", &ids).Error
	return ids, err
}

// conferenceNotice tells the teacher and the booking household's guardians
// about a booking change (kind BOOKED, CHANGED, CANCELLED); whoever made it
// gets it too, as the confirmation with the time in their own zone.
func (s *Service) conferenceNotice(ctx context.Context, tx *gorm.DB, b *models.ConferenceBooking, slot *models.ConferenceSlot, st *models.Student, kind, teacherID string) error {
	guardians, err := householdGuardians(tx, st.ID, b.Household)
	if err != nil {
		return err
	}
	n, err := s.conferenceMessage(tx, b, slot, st, kind, append(guardians, teacherID))
	if err != nil {
		return err
	}
	return s.notify(ctx, tx, n)
}

func (s *Service) conferenceMessage(tx *gorm.DB, b *models.ConferenceBooking, slot *models.ConferenceSlot, st *models.Student, kind string, to []string) (models.Notice, error) {
	var teacher models.User
	if err := tx.Take(&teacher, "id = ?", slot.TeacherID).Error; err != nil {
		return models.Notice{}, err
	}
	school := b.SchoolID
	return models.Notice{
		Type: models.NoticeConference, Category: models.CategoryConference, SchoolID: &school, Recipients: to,
		Params:      map[string]string{"kind": kind, "student": firstName(st), "teacher": teacher.DisplayName, "startsAt": slot.StartsAt.UTC().Format(time.RFC3339)},
		Data:        map[string]string{"kind": kind, "bookingId": b.ID, "slotId": slot.ID, "roundId": b.RoundID, "startsAt": slot.StartsAt.UTC().Format(time.RFC3339)},
		DeepLink:    "sameside://conferences/" + b.ID,
		CollapseKey: "conference-" + b.ID,
	}, nil
}

func orNone(ids []string) []string {
	if len(ids) == 0 {
		return []string{"00000000-0000-0000-0000-000000000000"}
	}
	return ids
}
