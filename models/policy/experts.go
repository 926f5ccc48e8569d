package policy

import (
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// ChildProfiles limits a query on child_profiles ("About my child") to
// those the viewer may read: the school's admins and the child's current
// teachers every household's, an unrestricted guardian their own
// household's. A teacher of a past year (the class archived) reads none.
func ChildProfiles(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(child_profiles.school_id IN @admin
			OR child_profiles.student_id IN (`+taughtStudents+`)
			OR `+ofMyHousehold("child_profiles")+`)`, params(v))
	}
}

// TryAtHomeAnswers limits a query on try_at_home_answers to those the
// viewer may read (of a note they already see): the school's staff every
// guardian's, a guardian their own.
func TryAtHomeAnswers(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(`(try_at_home_answers.user_id = @uid OR try_at_home_answers.school_id IN @admin
			OR try_at_home_answers.school_id IN @teacher)`, params(v))
	}
}

// InHousehold reports whether the user is an unrestricted guardian of the
// student in the household, holding the PARENT role in its school: who
// acknowledges and answers for a household's conference.
func InHousehold(db *gorm.DB, userID, studentID, household string) (bool, error) {
	var n int64
	err := db.Raw(`SELECT count(*) FROM guardianships g
		JOIN memberships m ON m.user_id = g.user_id AND m.school_id = g.school_id AND m.role = 'PARENT'
		WHERE g.user_id = ? AND g.student_id = ? AND g.grants_access AND coalesce(g.household, '') = ?`, userID, studentID, household).Scan(&n).Error
	return n > 0, err
}

// OwnEngagement says whose engagement rows the viewer may read at a
// school: "" for all (its admins), the viewer's own id for a teacher (their
// own figures, no one else's); anyone else is refused.
func OwnEngagement(v *models.Viewer, schoolID string) (string, error) {
	if IsTeacher(v, schoolID) && !IsAdmin(v, schoolID) {
		return v.ID, nil
	}
	return "", RequireSchoolAdmin(v, schoolID, "see engagement figures")
}
