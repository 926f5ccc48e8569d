package domain

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// What families send back: acknowledgements of notes, replies to them, and
// home insights of their own.

// guardianOf loads a SHARED observation the viewer may see and checks they
// are a guardian of its student (staff get FORBIDDEN: acknowledging and
// responding are for families).
func (s *Service) guardianOf(ctx context.Context, v *models.Viewer, id string) (*models.Observation, error) {
	if !validID(id) {
		return nil, models.NotFound("observation")
	}
	o, err := policy.VisibleObservation(ctx, s.DB, v, id)
	if err != nil {
		return nil, err
	}
	st := &models.Student{ID: o.StudentID, SchoolID: o.SchoolID}
	ok, err := policy.IsGuardian(ctx, s.DB, v, st)
	if err != nil {
		return nil, models.Internal(err)
	}
	if !ok || o.State != models.StateShared {
		return nil, models.Errorf(models.CodeForbidden, "only the student's guardians acknowledge and respond")
	}
	return o, nil
}

// AcknowledgeObservation records that the viewer, a guardian, has seen a
// shared observation, with an optional reaction (again: changes the reaction).
func (s *Service) AcknowledgeObservation(ctx context.Context, v *models.Viewer, in models.AcknowledgeObservationInput) (*models.Observation, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if in.Reaction != nil && !in.Reaction.Valid() {
		return nil, models.InvalidField("reaction", "reaction is not valid")
	}
	o, err := s.guardianOf(ctx, v, in.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ack := models.Acknowledgement{ObservationID: o.ID, UserID: v.ID, Reaction: in.Reaction, CreatedAt: now, UpdatedAt: now}
	if err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "observation_id"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"reaction", "updated_at"}),
	}).Create(&ack).Error; err != nil {
		return nil, models.Internal(err)
	}
	return o, nil
}

// RespondToObservation adds the viewer's (a guardian's) reply to a shared
// observation; its author and the child's staff see it; the author is told.
func (s *Service) RespondToObservation(ctx context.Context, v *models.Viewer, in models.RespondToObservationInput) (*models.RespondToObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	body, err := models.CleanBody("body", in.Body, models.MaxResponseBody)
	if err != nil {
		return nil, err
	}
	o, err := s.guardianOf(ctx, v, in.ID)
	if err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "respondToObservation", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		r := &models.ObservationResponse{ObservationID: o.ID, AuthorID: v.ID, Body: body, CreatedAt: s.now()}
		if err := tx.Create(r).Error; err != nil {
			return nil, err
		}
		if err := s.translateTx(ctx, tx, "response", r.ID); err != nil {
			return nil, err
		}
		var st models.Student
		if err := tx.Take(&st, "id = ?", o.StudentID).Error; err != nil {
			return nil, err
		}
		school := o.SchoolID
		if err := s.notify(ctx, tx, models.Notice{
			Type: NoticeObservationReply, Category: models.CategoryObservation, SchoolID: &school, Recipients: []string{o.AuthorID},
			Params:   map[string]string{"parent": v.DisplayName, "student": firstName(&st)},
			Data:     map[string]string{"observationId": o.ID, "studentId": o.StudentID, "responseId": r.ID},
			DeepLink: "sameside://observations/" + o.ID, CollapseKey: "observation-" + o.ID, ThreadID: "student-" + o.StudentID,
		}); err != nil {
			return nil, err
		}
		return &written{ID: r.ID}, nil
	})
	if err != nil {
		return nil, err
	}
	r, err := loadOne[models.ObservationResponse](ctx, s.DB, res.ID)
	if err != nil {
		return nil, err
	}
	return &models.RespondToObservationPayload{ClientMutationID: in.ClientMutationID, Response: r}, nil
}

// ShareHomeInsight records what the viewer, a guardian, sees at home; the
// child's staff see it, and the child's teachers are told.
func (s *Service) ShareHomeInsight(ctx context.Context, v *models.Viewer, in models.ShareHomeInsightInput) (*models.ShareHomeInsightPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	body, err := models.CleanBody("body", in.Body, models.MaxObservationBody)
	if err != nil {
		return nil, err
	}
	skills, err := cleanSkills(in.Skills)
	if err != nil {
		return nil, err
	}
	if in.Kind != nil && !in.Kind.Valid() {
		return nil, models.InvalidField("kind", "kind is STRENGTH, WHAT_WORKS, WORRY or GOAL")
	}
	st, err := s.guardedStudent(ctx, v, in.StudentID, "home insights come from the student's guardians")
	if err != nil {
		return nil, err
	}
	res, err := onceAbout(ctx, s, v, "shareHomeInsight", in.ClientMutationID, []string{st.ID}, func(tx *gorm.DB) (*written, error) {
		h := &models.HomeInsight{SchoolID: st.SchoolID, StudentID: st.ID, AuthorID: v.ID, Kind: in.Kind, Body: body, Skills: skills, CreatedAt: s.now()}
		if err := tx.Create(h).Error; err != nil {
			return nil, err
		}
		if err := s.translateTx(ctx, tx, "insight", h.ID); err != nil {
			return nil, err
		}
		if err := s.attach(tx, v, models.ItemHomeInsight, h.ID, in.AttachmentIDs); err != nil {
			return nil, err
		}
		teachers, err := policy.TeachersOf(tx, st.ID)
		if err != nil {
			return nil, err
		}
		school := st.SchoolID
		if err := s.notify(ctx, tx, models.Notice{
			Type: NoticeHomeInsight, Category: models.CategoryObservation, SchoolID: &school, Recipients: teachers,
			Params:   map[string]string{"parent": v.DisplayName, "student": firstName(st)},
			Data:     map[string]string{"homeInsightId": h.ID, "studentId": st.ID},
			DeepLink: "sameside://students/" + st.ID, CollapseKey: "insight-" + h.ID, ThreadID: "student-" + st.ID,
		}); err != nil {
			return nil, err
		}
		return &written{ID: h.ID}, nil
	})
	if err != nil {
		return nil, err
	}
	h, err := loadOne[models.HomeInsight](ctx, s.DB, res.ID)
	if err != nil {
		return nil, err
	}
	return &models.ShareHomeInsightPayload{ClientMutationID: in.ClientMutationID, HomeInsight: h}, nil
}

// guardedStudent loads a student the viewer may see and guards (an
// unrestricted guardian): NOT_FOUND, else FORBIDDEN with refusal.
func (s *Service) guardedStudent(ctx context.Context, v *models.Viewer, studentID, refusal string) (*models.Student, error) {
	st, err := s.Student(ctx, v, studentID)
	if err != nil {
		return nil, err
	}
	if ok, err := policy.IsGuardian(ctx, s.DB, v, st); err != nil {
		return nil, models.Internal(err)
	} else if !ok {
		return nil, models.Errorf(models.CodeForbidden, "%s", refusal)
	}
	return st, nil
}
