// Package policy decides who may see and do what. It is the one place
// authorization lives: read access is expressed as GORM scopes that every
// query for a protected table applies (a row you may not see is simply not
// found), and write access as checks that return the coded error to show.
//
// The rules (docs/architecture.md tells where they sit):
//   - ADMIN: everything in their schools.
//   - TEACHER: the students of the classrooms they staff, in schools where
//     they hold the TEACHER role, and everything about those students.
//   - PARENT: their own children (guardianships that are not restricted), in
//     schools where they hold the PARENT role; the classrooms those children
//     are in; only their own guardianship row.
//
// Roles are per school: a teacher at one school who is a parent at another
// gets teacher access there and parent access here, never more.
//
// It must not write anything.
package policy

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Scope narrows a query to the rows the viewer may see.
type Scope = func(*gorm.DB) *gorm.DB

func params(v *models.Viewer) map[string]any {
	return map[string]any{
		"uid":     v.ID,
		"admin":   v.SchoolsWithRole(models.RoleAdmin),
		"teacher": v.SchoolsWithRole(models.RoleTeacher),
		"parent":  v.SchoolsWithRole(models.RoleParent),
	}
}

// Teaching joins students (e.student_id) to the staff (cs.user_id) of
// their current classrooms: every "who teaches this child" reads it. An
// archived classroom (a past school year) is history: it makes no one
// anyone's teacher any more.
const Teaching = `enrollments e JOIN classroom_staff cs ON cs.classroom_id = e.classroom_id
	JOIN classrooms tc ON tc.id = e.classroom_id AND tc.archived_at IS NULL`

// The students a teacher reaches through the classrooms they staff.
const taughtStudents = `SELECT e.student_id FROM ` + Teaching + `
	WHERE cs.user_id = @uid AND cs.school_id IN @teacher`

// Teaches reports whether teacherID teaches the student now.
func Teaches(db *gorm.DB, studentID, teacherID string) (bool, error) {
	var n int64
	err := db.Table(Teaching).Where("e.student_id = ? AND cs.user_id = ?", studentID, teacherID).Count(&n).Error
	return n > 0, err
}

// TeachersOf lists who teaches the student now.
func TeachersOf(db *gorm.DB, studentID string) ([]string, error) {
	var ids []string
	err := db.Table(Teaching).Where("e.student_id = ?", studentID).Distinct("cs.user_id").Pluck("cs.user_id", &ids).Error
	return ids, err
}

// The children a parent reaches through unrestricted guardianships.
const guardedStudents = `SELECT g.student_id FROM guardianships g
	WHERE g.user_id = @uid AND g.grants_access AND g.school_id IN @parent`

// Students limits a query on the students table.
func Students(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		cond := studentsRule(v)
		if cond == "false" {
			return db.Where("false") // with a parameter map GORM would read a column name
		}
		return db.Where(cond, params(v))
	}
}

// studentsRule is Students' condition on the students table (named
// parameters: params).
func studentsRule(v *models.Viewer) string {
	return anyOf(v,
		"students.school_id IN @admin",
		"students.id IN ("+taughtStudents+")",
		"students.id IN ("+guardedStudents+")")
}

// anyOf joins with OR the conditions of the viewer's roles: admin, teacher
// and parent, in that order. A role the viewer holds in no school is left
// out, not written as "IN (NULL)": the result is the same, and the planner
// spends far less on a feed query without the dead branches.
func anyOf(v *models.Viewer, admin, teacher, parent string) string {
	var conds []string
	for _, c := range []struct {
		role models.Role
		sql  string
	}{{models.RoleAdmin, admin}, {models.RoleTeacher, teacher}, {models.RoleParent, parent}} {
		if c.sql != "" && len(v.SchoolsWithRole(c.role)) > 0 {
			conds = append(conds, c.sql)
		}
	}
	if len(conds) == 0 {
		return "false"
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// Classrooms limits a query on the classrooms table. A family reaches only
// current classes: last year's (archived) are history, kept for the staff.
func Classrooms(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(classrooms.school_id IN @admin
			OR classrooms.id IN (SELECT cs.classroom_id FROM classroom_staff cs WHERE cs.user_id = @uid AND cs.school_id IN @teacher)
			OR (classrooms.archived_at IS NULL AND classrooms.id IN (SELECT e.classroom_id FROM enrollments e WHERE e.student_id IN (`+guardedStudents+`))))`, params(v))
	}
}

// Guardianships limits a query on the guardianships table: staff who may see
// the student see all of its guardianships, restricted ones included (they
// must know whom not to tell); a parent sees only their own.
func Guardianships(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(guardianships.school_id IN @admin
			OR guardianships.student_id IN (`+taughtStudents+`)
			OR (guardianships.user_id = @uid AND guardianships.grants_access AND guardianships.school_id IN @parent))`, params(v))
	}
}

// RequireViewer returns UNAUTHENTICATED for anonymous callers.
func RequireViewer(v *models.Viewer) error {
	if v == nil {
		return models.Errorf(models.CodeUnauthenticated, "sign in required")
	}
	return nil
}

// VisibleStudent loads a student the viewer may see, or NOT_FOUND.
func VisibleStudent(ctx context.Context, db *gorm.DB, v *models.Viewer, id string) (*models.Student, error) {
	return visible[models.Student](ctx, db, Students(v), "students", "student", id)
}

// VisibleClassroom loads a classroom the viewer may see, or NOT_FOUND.
func VisibleClassroom(ctx context.Context, db *gorm.DB, v *models.Viewer, id string) (*models.Classroom, error) {
	return visible[models.Classroom](ctx, db, Classrooms(v), "classrooms", "classroom", id)
}

func visible[T any](ctx context.Context, db *gorm.DB, scope Scope, table, what, id string) (*T, error) {
	var row T
	err := db.WithContext(ctx).Scopes(scope).Where(table+".id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.NotFound(what)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return &row, nil
}

// TeachesStudent reports whether the viewer staffs a classroom the student is
// enrolled in, holding the TEACHER role in the student's school.
func TeachesStudent(ctx context.Context, db *gorm.DB, v *models.Viewer, s *models.Student) (bool, error) {
	if v == nil || !v.HasRole(s.SchoolID, models.RoleTeacher) {
		return false, nil
	}
	return Teaches(db.WithContext(ctx), s.ID, v.ID)
}

// CanManageStudent decides whether the viewer may act for the school about a
// student (create invitations, later post observations): an ADMIN of the
// student's school, or a teacher of the student. The student must already be
// one the viewer may see (VisibleStudent); a parent gets FORBIDDEN.
func CanManageStudent(ctx context.Context, db *gorm.DB, v *models.Viewer, s *models.Student) error {
	if v.HasRole(s.SchoolID, models.RoleAdmin) {
		return nil
	}
	ok, err := TeachesStudent(ctx, db, v, s)
	if err != nil {
		return models.Internal(err)
	}
	if !ok {
		return models.Errorf(models.CodeForbidden, "only the student's teachers and school admins may do this")
	}
	return nil
}
