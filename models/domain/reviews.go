package domain

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Coaching: a teacher asks the school's admins to review a concern before
// it is shared; an admin returns it with a comment, or shares it.

// RequestObservationReview sends the viewer's CONCERN draft to the school's
// admins for coaching (IN_REVIEW) and notifies them.
func (s *Service) RequestObservationReview(ctx context.Context, v *models.Viewer, in models.ObservationIDInput) (*models.ObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "requestObservationReview", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		o, err := s.authored(ctx, tx, v, in.ID)
		if err != nil {
			return nil, err
		}
		if o.Kind != models.KindConcern || o.State != models.StateDraft {
			return nil, models.Errorf(models.CodeConflict, "only a CONCERN draft can be sent to review")
		}
		now := s.now()
		if err := tx.Model(o).Updates(map[string]any{"state": models.StateInReview, "updated_at": now}).Error; err != nil {
			return nil, err
		}
		if err := tx.Create(&models.ObservationReview{ObservationID: o.ID, ReviewerID: v.ID, Decision: models.ReviewRequested, CreatedAt: now}).Error; err != nil {
			return nil, err
		}
		if err := s.auditWrite(tx, v, o.SchoolID, o.StudentID, o.ID, "observation.request_review"); err != nil {
			return nil, err
		}
		var admins []string
		if err := tx.Model(&models.Membership{}).Where("school_id = ? AND role = ?", o.SchoolID, models.RoleAdmin).Pluck("user_id", &admins).Error; err != nil {
			return nil, err
		}
		school := o.SchoolID
		if err := s.notify(ctx, tx, models.Notice{
			Type: NoticeReviewRequested, Category: models.CategoryCoaching, SchoolID: &school, Recipients: admins,
			Params:   map[string]string{"author": v.DisplayName},
			Data:     map[string]string{"observationId": o.ID},
			DeepLink: "sameside://reviews/" + o.ID, CollapseKey: "review-" + o.ID,
		}); err != nil {
			return nil, err
		}
		return &written{ID: o.ID}, nil
	})
	return s.observationPayload(ctx, in.ClientMutationID, res, err)
}

// ReviewObservation approves (shares it) or returns (to DRAFT, with a
// comment for the author) a concern in review. ADMINs of its school only.
// Errors: FORBIDDEN (not an admin), CONFLICT (not in review), BAD_USER_INPUT.
func (s *Service) ReviewObservation(ctx context.Context, v *models.Viewer, in models.ReviewObservationInput) (*models.ObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	comment := ""
	if in.Comment != nil && strings.TrimSpace(*in.Comment) != "" {
		c, err := models.CleanBody("comment", *in.Comment, models.MaxReviewComment)
		if err != nil {
			return nil, err
		}
		comment = c
	}
	if in.Decision != models.DecisionApprove && in.Decision != models.DecisionReturn {
		return nil, models.InvalidField("decision", "decision must be APPROVE or RETURN")
	}
	if in.Decision == models.DecisionReturn && comment == "" {
		return nil, models.InvalidField("comment", "returning a concern needs a comment for its author")
	}
	res, err := once(ctx, s, v, "reviewObservation", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		if !validID(in.ID) {
			return nil, models.NotFound("observation")
		}
		o, err := policy.VisibleObservation(ctx, tx.Clauses(clause.Locking{Strength: "UPDATE"}), v, in.ID)
		if err != nil {
			return nil, err
		}
		if !policy.IsAdmin(v, o.SchoolID) {
			return nil, models.Errorf(models.CodeForbidden, "only school admins review concerns")
		}
		if o.State != models.StateInReview {
			return nil, models.Errorf(models.CodeConflict, "this observation is not in review")
		}
		now := s.now()
		decision := models.ReviewApproved
		if in.Decision == models.DecisionReturn {
			decision = models.ReviewReturned
		}
		if err := tx.Create(&models.ObservationReview{ObservationID: o.ID, ReviewerID: v.ID, Decision: decision, Comment: comment, CreatedAt: now}).Error; err != nil {
			return nil, err
		}
		if err := s.auditWrite(tx, v, o.SchoolID, o.StudentID, o.ID, "observation.review"); err != nil {
			return nil, err
		}
		if in.Decision == models.DecisionApprove {
			if err := s.share(ctx, tx, v, o); err != nil {
				return nil, err
			}
		} else {
			if err := tx.Model(o).Updates(map[string]any{"state": models.StateDraft, "updated_at": now}).Error; err != nil {
				return nil, err
			}
			school := o.SchoolID
			if err := s.notify(ctx, tx, models.Notice{
				Type: NoticeReviewReturned, Category: models.CategoryCoaching, SchoolID: &school, Recipients: []string{o.AuthorID},
				Params:   map[string]string{"reviewer": v.DisplayName},
				Data:     map[string]string{"observationId": o.ID},
				DeepLink: "sameside://observations/" + o.ID, CollapseKey: "review-" + o.ID,
			}); err != nil {
				return nil, err
			}
		}
		return &written{ID: o.ID}, nil
	})
	return s.observationPayload(ctx, in.ClientMutationID, res, err)
}
