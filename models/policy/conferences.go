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

// ofMyHousehold is the condition that the viewer is an unrestricted
// guardian of the row's student (table.student_id) in the row's household
// (table.household): separated households each see only their own
// conferences, summaries and answers.
func ofMyHousehold(table string) string {
	return `EXISTS (SELECT 1 FROM guardianships g WHERE g.user_id = @uid AND g.grants_access AND g.school_id IN @parent
		AND g.student_id = ` + table + `.student_id AND coalesce(g.household, '') = ` + table + `.household)`
}

// ConferenceBookings limits a query on conference_bookings to those the
// viewer may see: the school's admins, the teacher of the slot, and the
// unrestricted guardians of the household that booked.
func ConferenceBookings(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(conference_bookings.school_id IN @admin
			OR (conference_bookings.school_id IN @teacher AND conference_bookings.slot_id IN
				(SELECT cs.id FROM conference_slots cs WHERE cs.teacher_id = @uid))
			OR `+ofMyHousehold("conference_bookings")+`)`, params(v))
	}
}

// conferenceSummaries is the condition on conference_summaries (named
// table) that the viewer may see the summary: the school's admins, its
// author and the student's current teachers, and the unrestricted
// guardians of the household that met.
func conferenceSummaries(table string) string {
	return `(` + table + `.school_id IN @admin
		OR (` + table + `.school_id IN @teacher AND (` + table + `.author_id = @uid OR ` + table + `.student_id IN (` + taughtStudents + `)))
		OR ` + ofMyHousehold(table) + `)`
}

// ConferenceSummaries limits a query on conference_summaries to those the
// viewer may see.
func ConferenceSummaries(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(conferenceSummaries("conference_summaries"), params(v))
	}
}

// ConferenceFollowUps limits a query on conference_follow_ups to those of
// summaries the viewer may see.
func ConferenceFollowUps(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`conference_follow_ups.summary_id IN (SELECT cfs.id FROM conference_summaries cfs WHERE `+conferenceSummaries("cfs")+`)`, params(v))
	}
}

// GuardedStudentsSQL is the subquery of the children whose unrestricted
// guardian the user with id ? is (one argument: the user id).
const GuardedStudentsSQL = `SELECT g.student_id FROM guardianships g
	JOIN memberships m ON m.user_id = g.user_id AND m.school_id = g.school_id AND m.role = 'PARENT'
	WHERE g.user_id = ? AND g.grants_access`

// ConferenceRequests limits a query on conference_requests to those the
// viewer may see: the school's admins, the teacher asked, and the
// unrestricted guardians of the household that asked.
func ConferenceRequests(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(conference_requests.school_id IN @admin
			OR (conference_requests.school_id IN @teacher AND conference_requests.teacher_id = @uid)
			OR `+ofMyHousehold("conference_requests")+`)`, params(v))
	}
}
