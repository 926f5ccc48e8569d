package domain

import (
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Notes that suggest a next step, and parents as experts on their child:
// the "we tried it" answer to a note's suggestion, and "About my child",
// the profile each household keeps of their child for the child's
// teachers.

// AnswerTryAtHome records the viewer's (a guardian's) "we tried it" on a
// shared note's suggestion, with an optional word on how it went; a second
// answer replaces the first. The note's author is told. Errors: NOT_FOUND,
// FORBIDDEN (not a guardian, not shared), CONFLICT (the note suggests
// nothing), BAD_USER_INPUT (body).
func (s *Service) AnswerTryAtHome(ctx context.Context, v *models.Viewer, in models.AnswerTryAtHomeInput) (*models.TryAtHomeAnswer, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	body, err := models.CleanOptionalBody("body", in.Body, models.MaxTryAtHomeAnswer)
	if err != nil {
		return nil, err
	}
	o, err := s.guardianOf(ctx, v, in.ObservationID)
	if err != nil {
		return nil, err
	}
	if o.TryAtHome == "" {
		return nil, models.Errorf(models.CodeConflict, "this note suggests nothing to try at home")
	}
	now := s.now()
	a := &models.TryAtHomeAnswer{ObservationID: o.ID, UserID: v.ID, SchoolID: o.SchoolID, StudentID: o.StudentID, Body: body, CreatedAt: now, UpdatedAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "observation_id"}, {Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"body", "updated_at"}),
		}).Create(a).Error; err != nil {
			return err
		}
		if body != "" {
			if err := s.translateTx(ctx, tx, "tried", o.ID+"/"+v.ID); err != nil {
				return err
			}
		}
		if err := s.auditWrite(tx, v, o.SchoolID, o.StudentID, o.ID, "observation.tried_at_home"); err != nil {
			return err
		}
		st, err := loadOne[models.Student](ctx, tx, o.StudentID)
		if err != nil {
			return err
		}
		school := o.SchoolID
		return s.notify(ctx, tx, models.Notice{
			Type: models.NoticeTriedAtHome, Category: models.CategoryObservation, SchoolID: &school, Recipients: []string{o.AuthorID},
			Params:   map[string]string{"parent": v.DisplayName, "student": firstName(st)},
			Data:     map[string]string{"observationId": o.ID, "studentId": o.StudentID},
			DeepLink: "sameside://observations/" + o.ID, CollapseKey: "observation-" + o.ID, ThreadID: "student-" + o.StudentID,
		})
	})
	if err != nil {
		return nil, err
	}
	return loadTried(ctx, s.DB, o.ID, v.ID)
}

func loadTried(ctx context.Context, db *gorm.DB, observationID, userID string) (*models.TryAtHomeAnswer, error) {
	var a models.TryAtHomeAnswer
	return &a, internal(db.WithContext(ctx).Take(&a, "observation_id = ? AND user_id = ?", observationID, userID).Error)
}

// TriedAtHome lists the "we tried it" answers on a note the viewer holds:
// staff of the school see every guardian's, a guardian their own.
func (s *Service) TriedAtHome(ctx context.Context, v *models.Viewer, o *models.Observation) ([]*models.TryAtHomeAnswer, error) {
	var out []*models.TryAtHomeAnswer
	return out, internal(s.DB.WithContext(ctx).Scopes(policy.TryAtHomeAnswers(v)).Where("try_at_home_answers.observation_id = ?", o.ID).
		Order("created_at, user_id").Find(&out).Error)
}

// UpdateChildProfile sets the viewer's household's "About my child" (a
// guardian's): strengths, what works, worries and goals in the family's
// words. A field not given stays; "" clears it. Errors: NOT_FOUND,
// FORBIDDEN (not a guardian), BAD_USER_INPUT.
func (s *Service) UpdateChildProfile(ctx context.Context, v *models.Viewer, in models.UpdateChildProfileInput) (*models.ChildProfile, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	fields := map[string]*string{"strengths": in.Strengths, "what_works": in.WhatWorks, "worries": in.Worries, "goals": in.Goals}
	names := map[string]string{"strengths": "strengths", "what_works": "whatWorks", "worries": "worries", "goals": "goals"}
	changes := map[string]any{}
	for col, val := range fields {
		if val == nil {
			continue
		}
		clean, err := models.CleanOptionalBody(names[col], val, models.MaxProfileField)
		if err != nil {
			return nil, err
		}
		changes[col] = clean
	}
	st, err := s.guardedStudent(ctx, v, in.StudentID, "the child's family keeps their profile")
	if err != nil {
		return nil, err
	}
	var p models.ChildProfile
	err = s.tx(ctx, func(tx *gorm.DB) error {
		household, err := householdOf(tx, v.ID, st.ID)
		if err != nil {
			return err
		}
		now := s.now()
		p = models.ChildProfile{StudentID: st.ID, SchoolID: st.SchoolID, Household: household, UpdatedByID: &v.ID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&p).Error; err != nil {
			return err
		}
		changes["updated_by_id"], changes["updated_at"] = v.ID, now
		if err := tx.Model(&models.ChildProfile{}).Where("student_id = ? AND household = ?", st.ID, household).Updates(changes).Error; err != nil {
			return err
		}
		if err := tx.Take(&p, "student_id = ? AND household = ?", st.ID, household).Error; err != nil {
			return err
		}
		if err := s.translateTx(ctx, tx, "profile", st.ID+"/"+household); err != nil {
			return err
		}
		return s.auditWrite(tx, v, st.SchoolID, st.ID, st.ID, "student.profile")
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ChildProfiles lists a student's "About my child" profiles the viewer may
// read: the school's admins and the child's current teachers all
// households', a guardian their own household's; anyone else none (a
// teacher from a past school year among them).
func (s *Service) ChildProfiles(ctx context.Context, v *models.Viewer, st *models.Student) ([]*models.ChildProfile, error) {
	var out []*models.ChildProfile
	err := s.DB.WithContext(ctx).Scopes(policy.ChildProfiles(v)).Where("child_profiles.student_id = ?", st.ID).Order("household").Find(&out).Error
	return audited[[]*models.ChildProfile](ctx, s, v, st.SchoolID, st.ID, "", "student.profile")(out, internal(err))
}

// GettingToKnow is a teacher's "getting to know" list: the students who
// joined one of the viewer's current classes in the last six weeks (a new
// school year's class after the rollover), those whose families wrote
// "About my child" first, newest arrivals first.
func (s *Service) GettingToKnow(ctx context.Context, v *models.Viewer) ([]*models.GettingToKnowEntry, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	db := s.DB.WithContext(ctx)
	since := s.now().Add(-models.GettingToKnowDays * 24 * time.Hour)
	var rows []struct {
		StudentID string
		JoinedAt  time.Time
	}
	if err := db.Raw(`SELECT e.student_id, max(e.created_at) AS joined_at FROM `+policy.Teaching+`
		WHERE cs.user_id = ? AND cs.school_id IN ? AND e.created_at >= ?
		GROUP BY e.student_id`, v.ID, orNone(policy.TeacherSchools(v)), since).Scan(&rows).Error; err != nil {
		return nil, models.Internal(err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.StudentID
	}
	students, err := byID(db, ids, func(st *models.Student) string { return st.ID })
	if err != nil {
		return nil, err
	}
	var profiles []*models.ChildProfile
	if err := db.Scopes(policy.ChildProfiles(v)).Where("child_profiles.student_id IN ?", orNone(ids)).Order("household").Find(&profiles).Error; err != nil {
		return nil, models.Internal(err)
	}
	out := make([]*models.GettingToKnowEntry, 0, len(rows))
	for _, r := range rows {
		e := &models.GettingToKnowEntry{Student: students[r.StudentID], JoinedAt: r.JoinedAt, Profiles: []*models.ChildProfile{}}
		for _, p := range profiles {
			if p.StudentID == r.StudentID {
				e.Profiles = append(e.Profiles, p)
			}
		}
		if e.Student != nil {
			out = append(out, e)
		}
	}
	sortGettingToKnow(out)
	return out, nil
}

func sortGettingToKnow(es []*models.GettingToKnowEntry) {
	slices.SortStableFunc(es, func(a, b *models.GettingToKnowEntry) int {
		if pa, pb := len(a.Profiles) > 0, len(b.Profiles) > 0; pa != pb {
			if pa {
				return -1
			}
			return 1
		}
		if c := b.JoinedAt.Compare(a.JoinedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Student.DisplayName(), b.Student.DisplayName())
	})
}
