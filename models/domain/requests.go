package domain

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// RequestConferenceMeeting asks, as a child's guardian, for a meeting with
// the child's teacher and the school's admins about a topic; they are told
// and propose times. Errors: NOT_FOUND (child), FORBIDDEN (not a
// guardian), BAD_USER_INPUT (topic; a teacher who does not teach the child).
func (s *Service) RequestConferenceMeeting(ctx context.Context, v *models.Viewer, in models.RequestConferenceMeetingInput) (*models.ConferenceRequestPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	topic, err := models.CleanBody("topic", in.Topic, models.MaxTopic)
	if err != nil {
		return nil, err
	}
	atHome, err := models.CleanOptionalBody("atHome", in.AtHome, models.MaxFamilyNotes)
	if err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "requestConferenceMeeting", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		st, err := policy.VisibleStudent(ctx, tx, v, in.StudentID)
		if err != nil {
			return nil, err
		}
		if ok, err := isGuardianOf(tx, v.ID, st.ID); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, models.Errorf(models.CodeForbidden, "only the child's guardians request meetings")
		}
		teaches, err := policy.Teaches(tx, st.ID, in.TeacherID)
		if err != nil {
			return nil, err
		}
		if !teaches {
			return nil, models.InvalidField("teacherId", "choose one of %s's teachers", firstName(st))
		}
		household, err := householdOf(tx, v.ID, st.ID)
		if err != nil {
			return nil, err
		}
		r := &models.ConferenceRequest{SchoolID: st.SchoolID, StudentID: st.ID, TeacherID: in.TeacherID, RequestedByID: v.ID,
			Household: household, Topic: topic, AtHome: atHome, State: models.RequestOpen, CreatedAt: s.now()}
		if err := tx.Create(r).Error; err != nil {
			return nil, err
		}
		if err := s.translateTx(ctx, tx, "request", r.ID); err != nil {
			return nil, err
		}
		staff, err := requestStaff(tx, r)
		if err != nil {
			return nil, err
		}
		return &written{ID: r.ID}, s.notify(ctx, tx, requestNotice(r, st, "REQUESTED", v.DisplayName, nil, staff))
	})
	if err != nil {
		return nil, err
	}
	r, err := loadOne[models.ConferenceRequest](ctx, s.DB, res.ID)
	return &models.ConferenceRequestPayload{ClientMutationID: in.ClientMutationID, Request: r}, err
}

// ProposeConferenceTimes offers times for an open request (its teacher or
// a school admin): 1 to 5, ahead, at most 3 hours each. The family is told.
func (s *Service) ProposeConferenceTimes(ctx context.Context, v *models.Viewer, in models.ProposeConferenceTimesInput) (*models.ConferenceRequest, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if len(in.Times) == 0 || len(in.Times) > models.MaxProposedTimes {
		return nil, models.InvalidField("times", "propose 1 to %d times", models.MaxProposedTimes)
	}
	for i, t := range in.Times {
		if t == nil || !t.EndsAt.After(t.StartsAt) || t.EndsAt.Sub(t.StartsAt) > models.MaxMeetingLength || !t.StartsAt.After(s.now()) {
			return nil, models.InvalidField(fmt.Sprintf("times.%d", i), "a time starts ahead and lasts up to 3 hours")
		}
	}
	return s.changeRequest(ctx, v, in.RequestID, func(tx *gorm.DB, r *models.ConferenceRequest, st *models.Student) error {
		if !policy.IsAdmin(v, r.SchoolID) && r.TeacherID != v.ID {
			return models.Errorf(models.CodeForbidden, "the child's guardians accept times; staff propose them")
		}
		if r.State != models.RequestOpen {
			return models.Errorf(models.CodeConflict, "this request is %s", r.State)
		}
		for _, t := range in.Times {
			o := models.ConferenceRequestOption{RequestID: r.ID, ProposedByID: v.ID, StartsAt: t.StartsAt.UTC(), EndsAt: t.EndsAt.UTC(), CreatedAt: s.now()}
			if err := tx.Create(&o).Error; err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, requestNotice(r, st, "PROPOSED", v.DisplayName, nil, []string{r.RequestedByID}))
	})
}

// AcceptConferenceTime schedules the meeting at a proposed time (a guardian
// of the child); staff are told and the family reminded a day and an hour
// before. Accepting the accepted time again changes nothing; another once
// scheduled is CONFLICT.
func (s *Service) AcceptConferenceTime(ctx context.Context, v *models.Viewer, in models.AcceptConferenceTimeInput) (*models.ConferenceRequest, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return s.changeRequest(ctx, v, in.RequestID, func(tx *gorm.DB, r *models.ConferenceRequest, st *models.Student) error {
		if ok, err := isGuardianOf(tx, v.ID, r.StudentID); err != nil || !ok {
			if err != nil {
				return err
			}
			return models.Errorf(models.CodeForbidden, "the child's guardians accept a time")
		}
		if r.State == models.RequestScheduled && r.AcceptedOptionID != nil && *r.AcceptedOptionID == in.OptionID {
			return nil
		}
		if r.State != models.RequestOpen {
			return models.Errorf(models.CodeConflict, "this request is %s", r.State)
		}
		var o models.ConferenceRequestOption
		res := tx.Where("id = ? AND request_id = ?", in.OptionID, r.ID).Limit(1).Find(&o)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("proposed time")
		}
		if !o.StartsAt.After(s.now()) {
			return models.Errorf(models.CodeConflict, "this time has passed; ask for another")
		}
		r.State, r.AcceptedOptionID = models.RequestScheduled, &o.ID
		if err := tx.Model(r).Updates(map[string]any{"state": r.State, "accepted_option_id": o.ID}).Error; err != nil {
			return err
		}
		staff, err := requestStaff(tx, r)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, requestNotice(r, st, "SCHEDULED", v.DisplayName, &o.StartsAt, staff)); err != nil {
			return err
		}
		for _, rem := range conferenceReminders {
			at := o.StartsAt.Add(-rem.before)
			if !at.After(s.now()) {
				continue
			}
			n := requestNotice(r, st, rem.kind, "", &o.StartsAt, []string{r.RequestedByID})
			n.SendAt, n.CancelKey = &at, "conference-request:"+r.ID
			if err := s.notify(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// CancelConferenceRequest withdraws a request or its scheduled meeting (the
// family or staff who see it); reminders are called off, the others told.
func (s *Service) CancelConferenceRequest(ctx context.Context, v *models.Viewer, in models.CancelConferenceRequestInput) (*models.ConferenceRequest, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return s.changeRequest(ctx, v, in.RequestID, func(tx *gorm.DB, r *models.ConferenceRequest, st *models.Student) error {
		if r.State == models.RequestCancelled {
			return nil
		}
		r.State = models.RequestCancelled
		if err := tx.Model(r).Update("state", r.State).Error; err != nil {
			return err
		}
		if err := s.Notify.CancelTx(ctx, tx, "conference-request:"+r.ID); err != nil {
			return err
		}
		staff, err := requestStaff(tx, r)
		if err != nil {
			return err
		}
		var to []string
		for _, u := range append(staff, r.RequestedByID) {
			if u != v.ID {
				to = append(to, u)
			}
		}
		return s.notify(ctx, tx, requestNotice(r, st, "CANCELLED", v.DisplayName, nil, to))
	})
}

// ConferenceRequests lists the requests the viewer may see, newest first.
func (s *Service) ConferenceRequests(ctx context.Context, v *models.Viewer) ([]*models.ConferenceRequest, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.ConferenceRequest
	err := s.DB.WithContext(ctx).Scopes(policy.ConferenceRequests(v)).Order("created_at DESC, id").Find(&out).Error
	return out, internal(err)
}

// ConferenceRequest loads a request the viewer may see, else NOT_FOUND.
func (s *Service) ConferenceRequest(ctx context.Context, v *models.Viewer, id string) (*models.ConferenceRequest, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return findOne[models.ConferenceRequest](s.DB.WithContext(ctx).Scopes(policy.ConferenceRequests(v)).Where("conference_requests.id = ?", id), "conference request")
}

// changeRequest runs fn in a transaction on a request the viewer may see,
// locked, with its student; NOT_FOUND otherwise.
func (s *Service) changeRequest(ctx context.Context, v *models.Viewer, id string, fn func(tx *gorm.DB, r *models.ConferenceRequest, st *models.Student) error) (*models.ConferenceRequest, error) {
	var r models.ConferenceRequest
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Scopes(policy.ConferenceRequests(v)).Clauses(clause.Locking{Strength: "UPDATE"}).Where("conference_requests.id = ?", id).Limit(1).Find(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("conference request")
		}
		var st models.Student
		if err := tx.Take(&st, "id = ?", r.StudentID).Error; err != nil {
			return err
		}
		return fn(tx, &r, &st)
	})
	return &r, err
}

// requestStaff is who a request reaches at school: its teacher and the
// school's admins.
func requestStaff(tx *gorm.DB, r *models.ConferenceRequest) ([]string, error) {
	var ids []string
	err := tx.Raw(`SELECT user_id FROM memberships WHERE school_id = ? AND role = 'ADMIN' UNION SELECT ?::uuid`, r.SchoolID, r.TeacherID).Scan(&ids).Error
	return ids, err
}

func requestNotice(r *models.ConferenceRequest, st *models.Student, kind, actor string, at *time.Time, to []string) models.Notice {
	school := r.SchoolID
	n := models.Notice{
		Type: models.NoticeConferenceRequest, Category: models.CategoryConference, SchoolID: &school, Recipients: to,
		Params:      map[string]string{"kind": kind, "student": firstName(st), "actor": actor},
		Data:        map[string]string{"kind": kind, "requestId": r.ID},
		DeepLink:    "sameside://conference-requests/" + r.ID,
		CollapseKey: "conference-request-" + r.ID,
	}
	if at != nil {
		n.Params["startsAt"] = at.UTC().Format(time.RFC3339)
		n.Data["startsAt"] = at.UTC().Format(time.RFC3339)
	}
	return n
}
