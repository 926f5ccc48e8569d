package policy

import "github.com/sameside/sameside/models"

// Roles. Every decision on what a viewer's role allows is made in this
// package: the domain and the resolvers ask these functions, never the
// viewer's memberships (TestRoleChecksOnlyInPolicy keeps it so).

// IsMember reports whether the viewer belongs to the school in any role.
func IsMember(v *models.Viewer, schoolID string) bool { return v.IsMember(schoolID) }

// IsAdmin reports whether the viewer is an admin of the school.
func IsAdmin(v *models.Viewer, schoolID string) bool { return v.HasRole(schoolID, models.RoleAdmin) }

// IsTeacher reports whether the viewer is a teacher at the school.
func IsTeacher(v *models.Viewer, schoolID string) bool {
	return v.HasRole(schoolID, models.RoleTeacher)
}

// IsStaff reports whether the viewer is on the school's staff: an admin or
// a teacher.
func IsStaff(v *models.Viewer, schoolID string) bool {
	return IsAdmin(v, schoolID) || IsTeacher(v, schoolID)
}

// IsParent reports whether the viewer is a parent at the school.
func IsParent(v *models.Viewer, schoolID string) bool { return v.HasRole(schoolID, models.RoleParent) }

// AdminSchools, TeacherSchools and ParentSchools list the schools where the
// viewer holds the role; StaffSchools those where they are an admin or a
// teacher. Never nil, so they go straight into an SQL IN list.
func AdminSchools(v *models.Viewer) []string   { return v.SchoolsWithRole(models.RoleAdmin) }
func TeacherSchools(v *models.Viewer) []string { return v.SchoolsWithRole(models.RoleTeacher) }
func ParentSchools(v *models.Viewer) []string  { return v.SchoolsWithRole(models.RoleParent) }
func StaffSchools(v *models.Viewer) []string {
	return append(AdminSchools(v), TeacherSchools(v)...)
}

// StaffRole is the role the viewer acts in as staff at the school: ADMIN
// over TEACHER; "" for someone not on its staff.
func StaffRole(v *models.Viewer, schoolID string) models.Role {
	switch {
	case IsAdmin(v, schoolID):
		return models.RoleAdmin
	case IsTeacher(v, schoolID):
		return models.RoleTeacher
	}
	return ""
}

// IsStaffRole reports whether r is a staff role (what addStaff grants).
func IsStaffRole(r models.Role) bool {
	return r == models.RoleTeacher || r == models.RoleAdmin || r == models.RoleMonitor
}

// IsMonitor reports whether the viewer is a message monitor of the school.
func IsMonitor(v *models.Viewer, schoolID string) bool {
	return v.HasRole(schoolID, models.RoleMonitor)
}

// TranscriptReader is the role in which the viewer may read every
// conversation of the school (ADMIN for records requests, MONITOR for
// safeguarding), or an error: NOT_FOUND outside the school, FORBIDDEN for
// other roles.
func TranscriptReader(v *models.Viewer, schoolID string) (models.Role, error) {
	if err := RequireViewer(v); err != nil {
		return "", err
	}
	switch {
	case !IsMember(v, schoolID):
		return "", models.NotFound("school")
	case IsAdmin(v, schoolID):
		return models.RoleAdmin, nil
	case IsMonitor(v, schoolID):
		return models.RoleMonitor, nil
	}
	return "", models.Errorf(models.CodeForbidden, "only the school's admins and message monitors read its conversations")
}

// RequireSchoolAdmin checks that the viewer is an admin of the school:
// NOT_FOUND for a school they do not belong to, FORBIDDEN (saying that only
// admins do what) for another role.
func RequireSchoolAdmin(v *models.Viewer, schoolID, what string) error {
	if err := RequireViewer(v); err != nil {
		return err
	}
	if !IsMember(v, schoolID) {
		return models.NotFound("school")
	}
	if !IsAdmin(v, schoolID) {
		return models.Errorf(models.CodeForbidden, "only the school's admins %s", what)
	}
	return nil
}

// RequireAdminOfAll lets through an admin of every one of the schools:
// NOT_FOUND if the viewer belongs to none of them, FORBIDDEN otherwise.
func RequireAdminOfAll(v *models.Viewer, schoolIDs []string, what string) error {
	if err := RequireViewer(v); err != nil {
		return err
	}
	member := false
	for _, s := range schoolIDs {
		member = member || IsMember(v, s)
	}
	if !member {
		return models.NotFound("user")
	}
	for _, s := range schoolIDs {
		if !IsAdmin(v, s) {
			return models.Errorf(models.CodeForbidden, "only an admin of every school the accounts belong to %s", what)
		}
	}
	return nil
}
