package policy

import (
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Scopes for the loaders of records reached through something already
// checked (an observation's student, a booking's slot, a note's author or
// attachments). The finer rule is the checked record's; these hold the
// line that no school's rows ever reach another school's members, whatever
// a caller passes.

// InViewerSchools limits a query on table (which has a school_id column)
// to the viewer's schools.
func InViewerSchools(v *models.Viewer, table string) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(table+".school_id IN ?", v.SchoolIDs())
	}
}

// Schools lists the viewer's schools, in any role (GORM writes an empty
// list as IN (NULL), which matches nothing).
func Schools(v *models.Viewer) []string {
	if v == nil {
		return nil
	}
	return v.SchoolIDs()
}

// Users limits a query on users to people who share a school with the
// viewer, and the viewer.
func Users(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where("users.id = ? OR users.id IN (SELECT m.user_id FROM memberships m WHERE m.school_id IN ?)", v.ID, v.SchoolIDs())
	}
}

// uploadsRule is who may see an upload (the uploads table aliased t): its
// owner, and the people who share a school with the viewer's (named
// parameters @uid and @schools).
func uploadsRule(t string) string {
	return `(` + t + `.user_id = @uid OR ` + t + `.user_id IN (SELECT m.user_id FROM memberships m WHERE m.school_id IN @schools))`
}

// Uploads limits a query on uploads to files of people who share a school
// with the viewer, and the viewer's own.
func Uploads(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(uploadsRule("uploads"), map[string]any{"uid": v.ID, "schools": v.SchoolIDs()})
	}
}
