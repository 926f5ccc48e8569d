package policy

import (
	"context"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Observations limits a query on the observations table:
//   - an ADMIN sees every observation of their schools;
//   - a teacher sees those about the students they teach, except other
//     staff's DRAFTs, and everything they wrote themselves;
//   - a parent sees only SHARED observations about their children (a
//     restricted guardian sees none): never a DRAFT, IN_REVIEW or
//     STAFF_ONLY one, not even as a count.
func Observations(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(observations.school_id IN @admin
			OR (observations.author_id = @uid AND observations.school_id IN @teacher)
			OR (observations.state <> 'DRAFT' AND observations.student_id IN (`+taughtStudents+`))
			OR (observations.state = 'SHARED' AND observations.student_id IN (`+guardedStudents+`)))`, params(v))
	}
}

// Responses limits a query on observation_responses: staff who may see the
// observation see every response; a parent sees their own.
func Responses(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(observation_responses.author_id = @uid
			OR observation_responses.observation_id IN (SELECT o.id FROM observations o WHERE o.school_id IN @admin
				OR o.student_id IN (`+taughtStudents+`)))`, params(v))
	}
}

// HomeInsights limits a query on home_insights: the child's staff and the
// parent who wrote it.
func HomeInsights(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(home_insights.school_id IN @admin
			OR home_insights.student_id IN (`+taughtStudents+`)
			OR (home_insights.author_id = @uid AND home_insights.student_id IN (`+guardedStudents+`)))`, params(v))
	}
}

// VisibleObservation loads an observation the viewer may see, or NOT_FOUND.
func VisibleObservation(ctx context.Context, db *gorm.DB, v *models.Viewer, id string) (*models.Observation, error) {
	return visible[models.Observation](ctx, db, Observations(v), "observations", "observation", id)
}

// IsGuardian reports whether the viewer is an unrestricted guardian of the
// student, holding the PARENT role in its school.
func IsGuardian(ctx context.Context, db *gorm.DB, v *models.Viewer, s *models.Student) (bool, error) {
	if v == nil || !v.HasRole(s.SchoolID, models.RoleParent) {
		return false, nil
	}
	var n int64
	err := db.WithContext(ctx).Model(&models.Guardianship{}).
		Where("student_id = ? AND user_id = ? AND grants_access", s.ID, v.ID).Count(&n).Error
	return n > 0, err
}

// ResponseCountSQL is a subquery counting the responses to observations.id
// the viewer may see (staff: all; a parent: their own), with its arguments,
// for feeds that return the count with each row.
func ResponseCountSQL(v *models.Viewer) (string, []any) {
	return `(SELECT count(*) FROM observation_responses r WHERE r.observation_id = observations.id
		AND (r.author_id = @uid OR ` + anyOf(v, "observations.school_id IN @admin",
			`observations.student_id IN (`+taughtStudents+`)`, "") + `))`,
		[]any{params(v)}
}

// SharedAboutVisibleStudents limits a query on observations to SHARED ones
// about students the viewer may see (narrowed to some when ids is not nil).
// By the rules above that is exactly the SHARED part of Observations(v) —
// an admin sees all of their school's, a teacher all but drafts of their
// students', a parent the shared ones of their children — but as
// student_id = ANY(ARRAY(subquery)) the planner computes the students once
// and reads only their rows through the feed index, where the disjunction
// in Observations makes it scan.
func SharedAboutVisibleStudents(db *gorm.DB, v *models.Viewer, ids []string) Scope {
	return func(q *gorm.DB) *gorm.DB {
		students := db.Model(&models.Student{}).Select("students.id").Scopes(Students(v))
		if ids != nil {
			students = students.Where("students.id IN ?", ids)
		}
		return q.Where("observations.state = ? AND observations.student_id = ANY (ARRAY(?))", models.StateShared, students)
	}
}
