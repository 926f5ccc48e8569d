package policy

import (
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// ConferenceRounds limits a query on conference_rounds to the rounds the
// viewer may see: staff see their schools' rounds; a parent the rounds that
// apply to one of their children (the child's school, and its grade when
// the round is for one grade).
func ConferenceRounds(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(conference_rounds.school_id IN @admin OR conference_rounds.school_id IN @teacher
			OR EXISTS (SELECT 1 FROM guardianships g JOIN students st ON st.id = g.student_id
				WHERE g.user_id = @uid AND g.grants_access AND g.school_id IN @parent
				AND st.school_id = conference_rounds.school_id
				AND (conference_rounds.grade IS NULL OR st.grade = conference_rounds.grade)))`, params(v))
	}
}

// ConferenceBookings limits a query on conference_bookings to those the
// viewer may see: the school's admins, the teacher of the slot, and the
// child's unrestricted guardians.
func ConferenceBookings(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(conference_bookings.school_id IN @admin
			OR (conference_bookings.school_id IN @teacher AND conference_bookings.slot_id IN
				(SELECT cs.id FROM conference_slots cs WHERE cs.teacher_id = @uid))
			OR conference_bookings.student_id IN (`+guardedStudents+`))`, params(v))
	}
}

// GuardedStudentsSQL is the subquery of the children whose unrestricted
// guardian the user with id ? is (one argument: the user id).
const GuardedStudentsSQL = `SELECT g.student_id FROM guardianships g
	JOIN memberships m ON m.user_id = g.user_id AND m.school_id = g.school_id AND m.role = 'PARENT'
	WHERE g.user_id = ? AND g.grants_access`

// ConferenceRequests limits a query on conference_requests to those the
// viewer may see: the school's admins, the teacher asked, and the child's
// unrestricted guardians.
func ConferenceRequests(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(conference_requests.school_id IN @admin
			OR (conference_requests.school_id IN @teacher AND conference_requests.teacher_id = @uid)
			OR conference_requests.student_id IN (`+guardedStudents+`))`, params(v))
	}
}
