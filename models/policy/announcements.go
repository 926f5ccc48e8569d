package policy

import (
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Announcements limits a query on announcements to those the viewer may
// see at now: staff see their schools' (admins and authors also before
// they are published, and once cancelled); a parent those published, and
// not cancelled, for an audience one of their children is in (the school,
// the child's grade, the child's classroom).
func Announcements(v *models.Viewer, now time.Time) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		p := params(v)
		p["now"] = now
		return db.Where(`(announcements.school_id IN @admin OR announcements.author_id = @uid
			OR (announcements.publish_at <= @now AND announcements.cancelled_at IS NULL AND (announcements.school_id IN @teacher
				OR announcements.id IN (SELECT a.id FROM announcements a JOIN guardianships g ON g.school_id = a.school_id
					JOIN students st ON st.id = g.student_id
					WHERE g.user_id = @uid AND g.grants_access AND g.school_id IN @parent
					AND (a.audience = 'SCHOOL'
						OR (a.audience = 'GRADE' AND a.grade = st.grade)
						OR (a.audience = 'CLASSROOM' AND a.classroom_id IN (SELECT e.classroom_id FROM enrollments e WHERE e.student_id = st.id)))))))`, p)
	}
}

// AnnouncementAudienceSQL is a subquery of the users an announcement
// (the row aliased a) reaches, each once: the unrestricted guardians, with
// the PARENT role, of the students in its audience (the school, a grade, a
// classroom). One rule for the push at posting and for the read receipts
// staff see.
//
// Each kind of audience is a branch of its own, switched on or off by the
// announcement's audience alone: written as one condition with ORs, the
// planner could not tell the kinds apart and planned every announcement as
// a small one, an index probe per student and per guardian (8.4 ms for a
// school of 2,000 families, against 1.4 ms with a hash join per branch).
func AnnouncementAudienceSQL(a string) string {
	guardians := `SELECT g.user_id FROM guardianships g
		JOIN memberships m ON m.user_id = g.user_id AND m.school_id = g.school_id AND m.role = 'PARENT'`
	where := ` WHERE g.school_id = ` + a + `.school_id AND g.grants_access AND `
	return guardians + where + a + `.audience = 'SCHOOL'
		UNION ` + guardians + ` JOIN students st ON st.id = g.student_id` + where + a + `.audience = 'GRADE' AND st.grade = ` + a + `.grade
		UNION ` + guardians + ` JOIN enrollments e ON e.student_id = g.student_id` + where + a + `.audience = 'CLASSROOM' AND e.classroom_id = ` + a + `.classroom_id`
}
