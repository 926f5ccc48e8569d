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

// responseCountSQL is a subquery counting the responses to observations.id
// the viewer may see (staff: all; a parent: their own), for feeds that
// return the count with each row (named parameters: params).
func responseCountSQL(v *models.Viewer) string {
	return `(SELECT count(*) FROM observation_responses r WHERE r.observation_id = observations.id
		AND (r.author_id = @uid OR ` + anyOf(v, "observations.school_id IN @admin",
		`observations.student_id IN (`+taughtStudents+`)`, "") + `))`
}

// FeedExtrasSQL is what a feed row adds to its observation: the response
// count the viewer may see (responseCountSQL) and, with attachments, the
// uploads of the observation's group the viewer may see as a JSON array
// in position order (models.Upload's json names); one map of named
// parameters for both (v's, as SharedAboutVisibleStudents gives them too).
func FeedExtrasSQL(v *models.Viewer, attachments bool) (count, files string, p map[string]any) {
	p = params(v)
	p["schools"] = v.SchoolIDs()
	if attachments {
		files = `(SELECT coalesce(json_agg(json_build_object('id', u.id, 'user_id', u.user_id, 'content_type', u.content_type,
			'size', u.size, 'sha256', u.sha256, 'state', u.state, 'width', u.width, 'height', u.height, 'attached_at', u.attached_at,
			'item_type', u.item_type, 'item_id', u.item_id, 'position', u.position, 'expires_at', u.expires_at, 'created_at', u.created_at)
			ORDER BY u.position), '[]') FROM uploads u WHERE u.item_type = '` + models.ItemObservationGroup + `' AND u.item_id = observations.group_id
			AND ` + uploadsRule("u") + `)`
	}
	return responseCountSQL(v), files, p
}

// SharedAboutVisibleStudents is the feed's rule: the SHARED observations
// about students the viewer may see (narrowed to some when ids is not nil).
// By the rules above that is exactly the SHARED part of Observations(v) —
// an admin sees all of their school's, a teacher all but drafts of their
// students', a parent the shared ones of their children. It is given as the
// students (a query of their ids) and the condition on each one's
// observations, SQL with named parameters (p), so that the feed reads each
// student's newest notes through the feed index (observations_shared_feed_idx,
// whose condition the state's literal matches in a generic plan) and stops
// after a page: the work grows with the number of children, not with their
// history. The feed writes its statement without GORM (its hottest read).
func SharedAboutVisibleStudents(v *models.Viewer, ids []string) (students, each string, p map[string]any) {
	each = "observations.state = '" + string(models.StateShared) + "'"
	if v == nil {
		return "SELECT students.id FROM students WHERE false", each, map[string]any{}
	}
	p = params(v)
	students = "SELECT students.id FROM students WHERE " + studentsRule(v)
	if ids != nil {
		students += " AND students.id IN @ids"
		p["ids"] = ids
	}
	return students, each, p
}
