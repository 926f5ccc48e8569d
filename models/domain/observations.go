package domain

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Notice types of observations (payload schemas in mobile-contracts/push/).
const (
	NoticeObservationShared = "OBSERVATION_SHARED"
	NoticeObservationReply  = "OBSERVATION_RESPONSE"
	NoticeHomeInsight       = "HOME_INSIGHT"
	NoticeReviewRequested   = "REVIEW_REQUESTED"
	NoticeReviewReturned    = "REVIEW_RETURNED"
)

func cleanSkills(in []models.Skill) (models.Array[string], error) {
	out := models.Array[string]{}
	seen := map[models.Skill]bool{}
	for _, s := range in {
		if !s.Valid() {
			return nil, models.InvalidField("skills", "unknown skill %q", s)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, string(s))
		}
	}
	return out, nil
}

// PostObservation writes one note about each of the given students (one
// observation per student, one group). Staff only: a teacher of each student
// or an ADMIN of its school. State DRAFT (default), SHARED (guardians are
// notified) or STAFF_ONLY. Retrying with the same clientMutationId returns
// the first result. Errors: BAD_USER_INPUT, NOT_FOUND (a student not
// visible), FORBIDDEN (a parent).
func (s *Service) PostObservation(ctx context.Context, v *models.Viewer, in models.PostObservationInput) (*models.PostObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, models.InvalidField("kind", "kind is not valid")
	}
	body, err := models.CleanBody("body", in.Body, models.MaxObservationBody)
	if err != nil {
		return nil, err
	}
	skills, err := cleanSkills(in.Skills)
	if err != nil {
		return nil, err
	}
	try, err := models.CleanOptionalBody("tryAtHome", in.TryAtHome, models.MaxTryAtHome)
	if err != nil {
		return nil, err
	}
	state := models.StateDraft
	if in.State != nil {
		state = *in.State
	}
	if state != models.StateDraft && state != models.StateShared && state != models.StateStaffOnly {
		return nil, models.InvalidField("state", "a new observation is DRAFT, SHARED or STAFF_ONLY (send a concern to review with requestObservationReview)")
	}
	ids := dedupe(in.StudentIDs)
	if len(ids) == 0 || len(ids) > models.MaxStudentsPerPost {
		return nil, models.InvalidField("studentIds", "studentIds must name 1 to %d students", models.MaxStudentsPerPost)
	}
	students := make([]*models.Student, 0, len(ids))
	for _, id := range ids {
		st, err := s.Student(ctx, v, id)
		if err != nil {
			return nil, err
		}
		if err := policy.CanManageStudent(ctx, s.DB, v, st); err != nil {
			return nil, err
		}
		students = append(students, st)
	}
	res, err := once(ctx, s, v, "postObservation", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		now := s.now()
		group := uuid.NewString()
		var out []string
		for _, st := range students {
			o := &models.Observation{
				SchoolID: st.SchoolID, StudentID: st.ID, AuthorID: v.ID, GroupID: group, Kind: in.Kind,
				Body: body, Skills: skills, TryAtHome: try, State: state, FeedAt: now, CreatedAt: now, UpdatedAt: now,
			}
			if state == models.StateShared {
				o.SharedAt = &now
			}
			if err := tx.Create(o).Error; err != nil {
				return nil, err
			}
			if err := s.translateTx(ctx, tx, "observation", o.ID); err != nil {
				return nil, err
			}
			if err := s.auditWrite(tx, v, st.SchoolID, st.ID, o.ID, "observation.post"); err != nil {
				return nil, err
			}
			if state == models.StateShared {
				if err := s.notifyShared(ctx, tx, v, o, st); err != nil {
					return nil, err
				}
			}
			out = append(out, o.ID)
		}
		if err := s.attach(tx, v, models.ItemObservationGroup, group, in.AttachmentIDs); err != nil {
			return nil, err
		}
		return &written{IDs: out}, nil
	})
	if err != nil {
		return nil, err
	}
	obs, err := s.observationsByID(ctx, res.IDs)
	if err != nil {
		return nil, err
	}
	return &models.PostObservationPayload{ClientMutationID: in.ClientMutationID, Observations: obs}, nil
}

// observationsByID loads observations in the given order (results of the
// viewer's own writes).
func (s *Service) observationsByID(ctx context.Context, ids []string) ([]*models.Observation, error) {
	var rows []*models.Observation
	if err := s.DB.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, models.Internal(err)
	}
	byID := map[string]*models.Observation{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]*models.Observation, 0, len(ids))
	for _, id := range ids {
		if o := byID[id]; o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// authored loads an observation the viewer wrote, locked for update.
// Someone else's observation the viewer may see is FORBIDDEN; one they may
// not see is NOT_FOUND.
func (s *Service) authored(ctx context.Context, tx *gorm.DB, v *models.Viewer, id string) (*models.Observation, error) {
	if !validID(id) {
		return nil, models.NotFound("observation")
	}
	o, err := policy.VisibleObservation(ctx, tx.Clauses(clause.Locking{Strength: "UPDATE"}), v, id)
	if err != nil {
		return nil, err
	}
	if o.AuthorID != v.ID {
		return nil, models.Errorf(models.CodeForbidden, "only the author may change this observation")
	}
	return o, nil
}

// UpdateObservation edits the viewer's own observation. A shared one is
// marked edited after sharing; the kind changes only on a draft; one in
// review cannot change until returned (CONFLICT).
func (s *Service) UpdateObservation(ctx context.Context, v *models.Viewer, in models.UpdateObservationInput) (*models.ObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	changes := map[string]any{}
	if in.Body != nil {
		body, err := models.CleanBody("body", *in.Body, models.MaxObservationBody)
		if err != nil {
			return nil, err
		}
		changes["body"] = body
	}
	if in.Skills != nil {
		skills, err := cleanSkills(in.Skills)
		if err != nil {
			return nil, err
		}
		changes["skills"] = skills
	}
	if in.Kind != nil {
		if !in.Kind.Valid() {
			return nil, models.InvalidField("kind", "kind is not valid")
		}
		changes["kind"] = *in.Kind
	}
	if in.TryAtHome != nil {
		try, err := models.CleanOptionalBody("tryAtHome", in.TryAtHome, models.MaxTryAtHome)
		if err != nil {
			return nil, err
		}
		changes["try_at_home"] = try
	}
	res, err := once(ctx, s, v, "updateObservation", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		o, err := s.authored(ctx, tx, v, in.ID)
		if err != nil {
			return nil, err
		}
		switch o.State {
		case models.StateInReview:
			return nil, models.Errorf(models.CodeConflict, "this observation is in review; it can change once the reviewer returns it")
		case models.StateShared:
			if _, ok := changes["kind"]; ok && *in.Kind != o.Kind {
				return nil, models.InvalidField("kind", "the kind of a shared observation cannot change")
			}
			changes["edited_after_sharing"] = true
		}
		changes["updated_at"] = s.now()
		if err := tx.Model(o).Updates(changes).Error; err != nil {
			return nil, err
		}
		_, edited := changes["body"]
		if _, try := changes["try_at_home"]; try || edited {
			if err := s.translateTx(ctx, tx, "observation", o.ID); err != nil {
				return nil, err
			}
		}
		if err := s.auditWrite(tx, v, o.SchoolID, o.StudentID, o.ID, "observation.update"); err != nil {
			return nil, err
		}
		return &written{ID: o.ID}, nil
	})
	return s.observationPayload(ctx, in.ClientMutationID, res, err)
}

func (s *Service) observationPayload(ctx context.Context, cmid string, res *written, err error) (*models.ObservationPayload, error) {
	if err != nil {
		return nil, err
	}
	obs, err := s.observationsByID(ctx, []string{res.ID})
	if err != nil {
		return nil, err
	}
	if len(obs) == 0 {
		return nil, models.NotFound("observation")
	}
	return &models.ObservationPayload{ClientMutationID: cmid, Observation: obs[0]}, nil
}

// ShareObservation shares the viewer's draft or staff-only observation with
// the student's guardians (and notifies them). Sharing a shared one changes
// nothing; one in review is shared by its reviewer (CONFLICT).
func (s *Service) ShareObservation(ctx context.Context, v *models.Viewer, in models.ObservationIDInput) (*models.ObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "shareObservation", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		o, err := s.authored(ctx, tx, v, in.ID)
		if err != nil {
			return nil, err
		}
		switch o.State {
		case models.StateInReview:
			return nil, models.Errorf(models.CodeConflict, "this observation is in review; the reviewer shares it")
		case models.StateDraft, models.StateStaffOnly:
			if err := s.share(ctx, tx, v, o); err != nil {
				return nil, err
			}
		}
		return &written{ID: o.ID}, nil
	})
	return s.observationPayload(ctx, in.ClientMutationID, res, err)
}

// share makes o SHARED now and notifies the student's guardians, in tx.
func (s *Service) share(ctx context.Context, tx *gorm.DB, v *models.Viewer, o *models.Observation) error {
	now := s.now()
	if err := tx.Model(o).Updates(map[string]any{"state": models.StateShared, "shared_at": now, "feed_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	if err := s.auditWrite(tx, v, o.SchoolID, o.StudentID, o.ID, "observation.share"); err != nil {
		return err
	}
	var st models.Student
	if err := tx.Take(&st, "id = ?", o.StudentID).Error; err != nil {
		return err
	}
	return s.notifyShared(ctx, tx, v, o, &st)
}

// notifyShared tells each unrestricted guardian of the student.
func (s *Service) notifyShared(ctx context.Context, tx *gorm.DB, v *models.Viewer, o *models.Observation, st *models.Student) error {
	var guardians []string
	if err := tx.Model(&models.Guardianship{}).Where("student_id = ? AND grants_access", st.ID).Pluck("user_id", &guardians).Error; err != nil {
		return err
	}
	var author models.User
	if err := tx.Take(&author, "id = ?", o.AuthorID).Error; err != nil {
		return err
	}
	events := make([]models.Event, 0, len(guardians))
	for _, g := range guardians {
		events = append(events, models.Event{Topic: "user:" + g, Type: models.EventObservationShared, ObservationID: o.ID})
	}
	if err := s.publish(tx, events...); err != nil {
		return err
	}
	school := st.SchoolID
	return s.notify(ctx, tx, models.Notice{
		Type: NoticeObservationShared, Category: o.Kind.Category(), SchoolID: &school, Recipients: guardians,
		Params:      map[string]string{"student": firstName(st), "author": author.DisplayName, "kind": string(o.Kind)},
		Data:        map[string]string{"observationId": o.ID, "studentId": st.ID, "kind": string(o.Kind)},
		DeepLink:    "sameside://observations/" + o.ID,
		CollapseKey: "observation-" + o.ID, ThreadID: "student-" + st.ID,
	})
}

func firstName(st *models.Student) string {
	if st.PreferredName != nil && *st.PreferredName != "" {
		return *st.PreferredName
	}
	return st.FirstName
}

// DeleteObservation deletes the viewer's own draft; anything else is CONFLICT.
func (s *Service) DeleteObservation(ctx context.Context, v *models.Viewer, in models.ObservationIDInput) (*models.DeleteObservationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	res, err := once(ctx, s, v, "deleteObservation", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		o, err := s.authored(ctx, tx, v, in.ID)
		if err != nil {
			return nil, err
		}
		if o.State != models.StateDraft {
			return nil, models.Errorf(models.CodeConflict, "only drafts can be deleted")
		}
		if err := tx.Delete(o).Error; err != nil {
			return nil, err
		}
		if err := s.auditWrite(tx, v, o.SchoolID, o.StudentID, o.ID, "observation.delete"); err != nil {
			return nil, err
		}
		return &written{ID: o.ID}, nil
	})
	if err != nil {
		return nil, err
	}
	return &models.DeleteObservationPayload{ClientMutationID: in.ClientMutationID, DeletedID: res.ID}, nil
}

// Observation returns one observation the viewer may see, or NOT_FOUND.
func (s *Service) Observation(ctx context.Context, v *models.Viewer, id string) (*models.Observation, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("observation")
	}
	o, err := policy.VisibleObservation(ctx, s.DB, v, id)
	if err != nil {
		return nil, err
	}
	// Opening the note (the push's deep link) is what a fallback text waits for.
	return o, internal(s.opened(s.DB.WithContext(ctx), v.ID, "observationId", o.ID))
}

// opened records that userID opened what notifications told them of (the
// item named by key in their data): the email or SMS fallback then skips
// them. It reads only the user's unopened recipients (an index).
func (s *Service) opened(db *gorm.DB, userID, key, value string) error {
	return db.Exec(`UPDATE notification_recipients r SET read_at = ? FROM notifications n
		WHERE r.user_id = ? AND r.read_at IS NULL AND r.state <> 'SKIPPED' AND n.id = r.notification_id AND n.data ->> ? = ?`,
		s.now(), userID, key, value).Error
}

// loadOne loads the row a mutation just wrote (or wrote the first time).
func loadOne[T any](ctx context.Context, db *gorm.DB, id string) (*T, error) {
	var row T
	err := db.WithContext(ctx).Take(&row, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Written a moment ago, deleted since (a family's deletion ran
		// between the write's commit and this read).
		return nil, models.Errorf(models.CodeNotFound, "what this refers to was deleted meanwhile")
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return &row, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
