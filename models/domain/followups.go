package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// A meeting's follow-up: the summary the teacher shares after a
// conference (a round's booking or a scheduled request), the next steps
// agreed, the family's acknowledgement and additions, and both sides'
// check-in answers. Everything belongs to the household that met: the
// other household of a separated family never sees it
// (policy.ConferenceSummaries).

// meeting is what a summary is of: a round's booking or a scheduled
// request, as one shape.
type meeting struct {
	schoolID, studentID, household, teacherID string
	startsAt                                  time.Time
	bookingID, requestID                      *string
}

// ShareConferenceSummary shares a meeting's summary and its next steps
// with the household that met (the meeting's teacher or a school admin,
// once the meeting has begun). The family is told now, and both sides are
// asked how the steps go after CheckInAfterDays (default 30). Errors:
// BAD_USER_INPUT (body, nextSteps.N, checkInAfterDays; not exactly one of
// bookingId and requestId), NOT_FOUND, FORBIDDEN (not the meeting's
// staff), CONFLICT (cancelled, not yet held, or summarized already).
func (s *Service) ShareConferenceSummary(ctx context.Context, v *models.Viewer, in models.ShareConferenceSummaryInput) (*models.ConferenceSummaryPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if (in.BookingID == nil) == (in.RequestID == nil) {
		return nil, models.InvalidField("bookingId", "give the booking or the meeting request the summary is of, one of them")
	}
	body, err := models.CleanBody("body", in.Body, models.MaxSummaryBody)
	if err != nil {
		return nil, err
	}
	if len(in.NextSteps) > models.MaxNextSteps {
		return nil, models.InvalidField("nextSteps", "at most %d next steps", models.MaxNextSteps)
	}
	steps := make([]models.ConferenceNextStep, 0, len(in.NextSteps))
	for i, ns := range in.NextSteps {
		field := fmt.Sprintf("nextSteps.%d", i)
		if ns == nil || !ns.Owner.Valid() {
			return nil, models.InvalidField(field, "a next step has an owner, HOME or SCHOOL")
		}
		b, err := models.CleanBody(field+".body", ns.Body, models.MaxNextStepBody)
		if err != nil {
			return nil, err
		}
		step := models.ConferenceNextStep{Position: int16(i), Owner: ns.Owner, Body: b}
		if ns.DueOn != nil && strings.TrimSpace(*ns.DueOn) != "" {
			d, err := parseDate(field+".dueOn", *ns.DueOn)
			if err != nil {
				return nil, err
			}
			step.DueOn = &d
		}
		steps = append(steps, step)
	}
	days := int32(models.DefaultCheckInDays)
	if in.CheckInAfterDays != nil {
		if days = *in.CheckInAfterDays; days < 1 || days > models.MaxCheckInDays {
			return nil, models.InvalidField("checkInAfterDays", "a check-in comes 1 to %d days after the summary", models.MaxCheckInDays)
		}
	}
	res, err := once(ctx, s, v, "shareConferenceSummary", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		m, err := s.meetingFor(tx, v, in.BookingID, in.RequestID)
		if err != nil {
			return nil, err
		}
		if m.teacherID != v.ID && !policy.IsAdmin(v, m.schoolID) {
			return nil, models.Errorf(models.CodeForbidden, "the meeting's teacher or a school admin shares its summary")
		}
		now := s.now()
		if m.startsAt.After(now) {
			return nil, models.Errorf(models.CodeConflict, "this meeting has not taken place yet")
		}
		sum := &models.ConferenceSummary{SchoolID: m.schoolID, StudentID: m.studentID, BookingID: m.bookingID, RequestID: m.requestID,
			Household: m.household, AuthorID: v.ID, Body: body, CheckInDays: days, CheckInAt: now.Add(time.Duration(days) * 24 * time.Hour), CreatedAt: now}
		if err := tx.Create(sum).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, models.Errorf(models.CodeConflict, "this meeting has a summary already")
		} else if err != nil {
			return nil, err
		}
		for i := range steps {
			steps[i].SummaryID, steps[i].CreatedAt = sum.ID, now
		}
		if len(steps) > 0 {
			if err := tx.Create(&steps).Error; err != nil {
				return nil, err
			}
		}
		if err := s.translateTx(ctx, tx, "summary", sum.ID); err != nil {
			return nil, err
		}
		if err := s.auditWrite(tx, v, sum.SchoolID, sum.StudentID, sum.ID, "conference.summary"); err != nil {
			return nil, err
		}
		family, err := householdGuardians(tx, sum.StudentID, sum.Household)
		if err != nil {
			return nil, err
		}
		st, err := loadOne[models.Student](ctx, tx, sum.StudentID)
		if err != nil {
			return nil, err
		}
		if err := s.notify(ctx, tx, followUpNotice(sum, st, "SUMMARY", v.DisplayName, family)); err != nil {
			return nil, err
		}
		n := followUpNotice(sum, st, "CHECK_IN", "", append(family, sum.AuthorID))
		n.SendAt, n.CancelKey = &sum.CheckInAt, "conference-summary:"+sum.ID
		return &written{ID: sum.ID}, s.notify(ctx, tx, n)
	})
	if err != nil {
		return nil, err
	}
	sum, err := loadOne[models.ConferenceSummary](ctx, s.DB, res.ID)
	return &models.ConferenceSummaryPayload{ClientMutationID: in.ClientMutationID, Summary: sum}, err
}

// meetingFor loads the booking or request the viewer may see, as a
// meeting: a cancelled booking or a request not scheduled is CONFLICT.
func (s *Service) meetingFor(tx *gorm.DB, v *models.Viewer, bookingID, requestID *string) (*meeting, error) {
	if bookingID != nil {
		b, err := findOne[models.ConferenceBooking](tx.Scopes(policy.ConferenceBookings(v)).Where("conference_bookings.id = ?", *bookingID), "conference booking")
		if err != nil {
			return nil, err
		}
		if b.CancelledAt != nil {
			return nil, models.Errorf(models.CodeConflict, "this booking was cancelled")
		}
		var slot models.ConferenceSlot
		if err := tx.Take(&slot, "id = ?", b.SlotID).Error; err != nil {
			return nil, err
		}
		return &meeting{schoolID: b.SchoolID, studentID: b.StudentID, household: b.Household, teacherID: slot.TeacherID,
			startsAt: slot.StartsAt, bookingID: &b.ID}, nil
	}
	r, err := findOne[models.ConferenceRequest](tx.Scopes(policy.ConferenceRequests(v)).Where("conference_requests.id = ?", *requestID), "conference request")
	if err != nil {
		return nil, err
	}
	if r.State != models.RequestScheduled || r.AcceptedOptionID == nil {
		return nil, models.Errorf(models.CodeConflict, "this meeting request is %s, not scheduled", r.State)
	}
	var o models.ConferenceRequestOption
	if err := tx.Take(&o, "id = ?", *r.AcceptedOptionID).Error; err != nil {
		return nil, err
	}
	return &meeting{schoolID: r.SchoolID, studentID: r.StudentID, household: r.Household, teacherID: r.TeacherID,
		startsAt: o.StartsAt, requestID: &r.ID}, nil
}

// AcknowledgeConferenceSummary is the family's acknowledgement of a
// summary (a guardian of the household that met), with an optional
// addition in their words; the author is told. Acknowledging again only
// adds the addition. Errors: NOT_FOUND, FORBIDDEN (staff), BAD_USER_INPUT
// (addition).
func (s *Service) AcknowledgeConferenceSummary(ctx context.Context, v *models.Viewer, in models.AcknowledgeConferenceSummaryInput) (*models.ConferenceFollowUpPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	addition, err := models.CleanOptionalBody("addition", in.Addition, models.MaxFollowUpBody)
	if err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "acknowledgeConferenceSummary", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		sum, err := s.visibleSummary(tx, v, in.SummaryID, true)
		if err != nil {
			return nil, err
		}
		if ok, err := policy.InHousehold(tx, v.ID, sum.StudentID, sum.Household); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, models.Errorf(models.CodeForbidden, "the family acknowledges a summary")
		}
		kind := ""
		if sum.AcknowledgedAt == nil {
			now := s.now()
			sum.AcknowledgedAt, sum.AcknowledgedByID, kind = &now, &v.ID, "ACKNOWLEDGED"
			if err := tx.Model(sum).Updates(map[string]any{"acknowledged_at": now, "acknowledged_by_id": v.ID}).Error; err != nil {
				return nil, err
			}
		}
		out := &written{ID: sum.ID}
		if addition != "" {
			f, err := s.addFollowUp(ctx, tx, v, sum, nil, nil, addition, models.FollowUpAddition)
			if err != nil {
				return nil, err
			}
			out.IDs = []string{f.ID}
			if kind == "" {
				kind = "ANSWERED"
			}
		}
		if kind == "" {
			return out, nil
		}
		st, err := loadOne[models.Student](ctx, tx, sum.StudentID)
		if err != nil {
			return nil, err
		}
		return out, s.notify(ctx, tx, followUpNotice(sum, st, kind, v.DisplayName, []string{sum.AuthorID}))
	})
	if err != nil {
		return nil, err
	}
	return s.followUpPayload(ctx, in.ClientMutationID, res)
}

// AnswerNextStepCheckIn records one side's word on how a next step goes
// (a guardian of the household, or staff who see the summary); DONE marks
// the step done, and once every step is done the check-in still to come is
// called off. The other side is told. Errors: NOT_FOUND, FORBIDDEN,
// BAD_USER_INPUT (body).
func (s *Service) AnswerNextStepCheckIn(ctx context.Context, v *models.Viewer, in models.AnswerNextStepCheckInInput) (*models.ConferenceFollowUpPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !in.Progress.Valid() {
		return nil, models.InvalidField("progress", "progress is NOT_STARTED, GOING_WELL, STUCK or DONE")
	}
	body, err := models.CleanOptionalBody("body", in.Body, models.MaxFollowUpBody)
	if err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "answerNextStepCheckIn", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		var step models.ConferenceNextStep
		r := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", in.StepID).Limit(1).Find(&step)
		if r.Error != nil {
			return nil, r.Error
		}
		if r.RowsAffected == 0 {
			return nil, models.NotFound("next step")
		}
		sum, err := s.visibleSummary(tx, v, step.SummaryID, false)
		if err != nil {
			return nil, models.NotFound("next step")
		}
		family, err := policy.InHousehold(tx, v.ID, sum.StudentID, sum.Household)
		if err != nil {
			return nil, err
		}
		if !family && !policy.IsStaff(v, sum.SchoolID) {
			return nil, models.Errorf(models.CodeForbidden, "the family and the child's staff answer a check-in")
		}
		progress := in.Progress
		f, err := s.addFollowUp(ctx, tx, v, sum, &step.ID, &progress, body, models.FollowUpCheckIn)
		if err != nil {
			return nil, err
		}
		if progress == models.ProgressDone && step.DoneAt == nil {
			if err := tx.Model(&step).Updates(map[string]any{"done_at": s.now(), "done_by_id": v.ID}).Error; err != nil {
				return nil, err
			}
			var open int64
			if err := tx.Model(&models.ConferenceNextStep{}).Where("summary_id = ? AND done_at IS NULL", sum.ID).Count(&open).Error; err != nil {
				return nil, err
			}
			if open == 0 {
				if err := s.Notify.CancelTx(ctx, tx, "conference-summary:"+sum.ID); err != nil {
					return nil, err
				}
			}
		}
		to := []string{sum.AuthorID}
		if !family {
			if to, err = householdGuardians(tx, sum.StudentID, sum.Household); err != nil {
				return nil, err
			}
		}
		st, err := loadOne[models.Student](ctx, tx, sum.StudentID)
		if err != nil {
			return nil, err
		}
		return &written{ID: sum.ID, IDs: []string{f.ID}}, s.notify(ctx, tx, followUpNotice(sum, st, "ANSWERED", v.DisplayName, without(to, []string{v.ID})))
	})
	if err != nil {
		return nil, err
	}
	return s.followUpPayload(ctx, in.ClientMutationID, res)
}

func (s *Service) addFollowUp(ctx context.Context, tx *gorm.DB, v *models.Viewer, sum *models.ConferenceSummary, stepID *string, progress *models.NextStepProgress, body string, kind models.FollowUpKind) (*models.ConferenceFollowUp, error) {
	f := &models.ConferenceFollowUp{SummaryID: sum.ID, StepID: stepID, SchoolID: sum.SchoolID, StudentID: sum.StudentID, AuthorID: v.ID,
		Kind: kind, Progress: progress, Body: body, CreatedAt: s.now()}
	if err := tx.Create(f).Error; err != nil {
		return nil, err
	}
	if body != "" {
		if err := s.translateTx(ctx, tx, "followup", f.ID); err != nil {
			return nil, err
		}
	}
	return f, s.auditWrite(tx, v, sum.SchoolID, sum.StudentID, f.ID, "conference.follow_up")
}

func (s *Service) followUpPayload(ctx context.Context, cmid string, res *written) (*models.ConferenceFollowUpPayload, error) {
	out := &models.ConferenceFollowUpPayload{ClientMutationID: cmid}
	var err error
	if out.Summary, err = loadOne[models.ConferenceSummary](ctx, s.DB, res.ID); err != nil {
		return nil, err
	}
	if len(res.IDs) > 0 {
		out.FollowUp, err = loadOne[models.ConferenceFollowUp](ctx, s.DB, res.IDs[0])
	}
	return out, err
}

// ConferenceSummary loads a summary the viewer may see, else NOT_FOUND.
func (s *Service) ConferenceSummary(ctx context.Context, v *models.Viewer, id string) (*models.ConferenceSummary, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return s.visibleSummary(s.DB.WithContext(ctx), v, id, false)
}

// StudentConferenceSummaries lists the student's summaries the viewer may
// see, newest first.
func (s *Service) StudentConferenceSummaries(ctx context.Context, v *models.Viewer, studentID string) ([]*models.ConferenceSummary, error) {
	var out []*models.ConferenceSummary
	err := s.DB.WithContext(ctx).Scopes(policy.ConferenceSummaries(v)).Where("conference_summaries.student_id = ?", studentID).
		Order("created_at DESC, id DESC").Find(&out).Error
	return out, internal(err)
}

// SummaryOf is the summary of a booking or request the viewer sees, if
// one was shared and the viewer may see it.
func (s *Service) SummaryOf(ctx context.Context, v *models.Viewer, bookingID, requestID *string) (*models.ConferenceSummary, error) {
	q := s.DB.WithContext(ctx).Scopes(policy.ConferenceSummaries(v))
	if bookingID != nil {
		q = q.Where("booking_id = ?", *bookingID)
	} else {
		q = q.Where("request_id = ?", *requestID)
	}
	var out []*models.ConferenceSummary
	if err := q.Limit(1).Find(&out).Error; err != nil || len(out) == 0 {
		return nil, internal(err)
	}
	return out[0], nil
}

// NextSteps lists a summary's steps in order (the caller holds a summary
// the viewer may see).
func (s *Service) NextSteps(ctx context.Context, summaryID string) ([]*models.ConferenceNextStep, error) {
	var out []*models.ConferenceNextStep
	return out, internal(s.DB.WithContext(ctx).Where("summary_id = ?", summaryID).Order("position").Find(&out).Error)
}

// FollowUps lists a summary's follow-ups, or one step's check-in answers,
// oldest first.
func (s *Service) FollowUps(ctx context.Context, v *models.Viewer, summaryID string, stepID *string) ([]*models.ConferenceFollowUp, error) {
	q := s.DB.WithContext(ctx).Scopes(policy.ConferenceFollowUps(v)).Where("conference_follow_ups.summary_id = ?", summaryID)
	if stepID != nil {
		q = q.Where("conference_follow_ups.step_id = ?", *stepID)
	}
	var out []*models.ConferenceFollowUp
	return out, internal(q.Order("created_at, id").Find(&out).Error)
}

// NextStep loads a step by id (the caller holds a follow-up the viewer may
// see).
func (s *Service) NextStep(ctx context.Context, id string) (*models.ConferenceNextStep, error) {
	return loadOne[models.ConferenceNextStep](ctx, s.DB, id)
}

func (s *Service) visibleSummary(tx *gorm.DB, v *models.Viewer, id string, lock bool) (*models.ConferenceSummary, error) {
	q := tx.Scopes(policy.ConferenceSummaries(v)).Where("conference_summaries.id = ?", id)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "conference_summaries"}})
	}
	return findOne[models.ConferenceSummary](q, "conference summary")
}

// followUpNotice tells about a summary: kind SUMMARY (shared, to the
// family), CHECK_IN (how the steps go, to both sides), ACKNOWLEDGED and
// ANSWERED (the other side wrote).
func followUpNotice(sum *models.ConferenceSummary, st *models.Student, kind, actor string, to []string) models.Notice {
	school := sum.SchoolID
	return models.Notice{
		Type: models.NoticeConferenceFollow, Category: models.CategoryConference, SchoolID: &school, Recipients: to,
		Params:      map[string]string{"kind": kind, "student": firstName(st), "actor": actor},
		Data:        map[string]string{"kind": kind, "summaryId": sum.ID, "studentId": sum.StudentID},
		DeepLink:    "sameside://conference-summaries/" + sum.ID,
		CollapseKey: "conference-summary-" + sum.ID,
	}
}
