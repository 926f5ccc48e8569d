package domain

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Identity is what a verified sign-in token says about its holder.
type Identity struct {
	UID         string // Firebase UID (or the demo user's UID)
	Email       string
	Phone       string
	DisplayName string
	// Expires is when the token expires: until then its verification may
	// be reused. Zero: verify it every time (revocation checks).
	Expires time.Time
}

// ViewerForIdentity maps a verified identity to its user, creating the user
// (with no memberships) on first sign-in, and loads the memberships.
// Called by authentication only, after the token was verified.
func (s *Service) ViewerForIdentity(ctx context.Context, id Identity) (*models.Viewer, error) {
	db := s.DB.WithContext(ctx)
	// One statement for a returning user: every request signs in.
	var rows []struct {
		models.User `gorm:"embedded"`
		MID         *string
		MSchoolID   *string
		MRole       *models.Role
		MCreatedAt  *time.Time
	}
	err := db.Raw(`SELECT users.*, m.id AS m_id, m.school_id AS m_school_id, m.role AS m_role, m.created_at AS m_created_at
		FROM users LEFT JOIN memberships m ON m.user_id = users.id
		WHERE users.firebase_uid = ? ORDER BY m.created_at, m.id`, id.UID).Scan(&rows).Error
	if err != nil {
		return nil, models.Internal(err)
	}
	if len(rows) > 0 {
		v := &models.Viewer{User: rows[0].User, Memberships: []models.Membership{}}
		for _, r := range rows {
			if r.MID != nil {
				v.Memberships = append(v.Memberships, models.Membership{ID: *r.MID, UserID: v.ID, SchoolID: *r.MSchoolID, Role: *r.MRole, CreatedAt: *r.MCreatedAt})
			}
		}
		return v, nil
	}
	var u models.User
	{
		u = newUser(id)
		// Two first requests may race: the unique firebase_uid keeps one row.
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&u).Error; err != nil {
			return nil, models.Internal(err)
		}
		if err := db.Where("firebase_uid = ?", id.UID).Take(&u).Error; err != nil {
			return nil, models.Internal(err)
		}
	}
	v := &models.Viewer{User: u}
	if err := db.Where("user_id = ?", u.ID).Order("created_at, id").Find(&v.Memberships).Error; err != nil {
		return nil, models.Internal(err)
	}
	return v, nil
}

func newUser(id Identity) models.User {
	u := models.User{FirebaseUID: id.UID, Locale: "en-US", TimeZone: "UTC"}
	if e := strings.TrimSpace(id.Email); e != "" {
		e = strings.ToLower(e)
		u.Email = &e
	}
	if p := strings.TrimSpace(id.Phone); p != "" {
		u.Phone = &p
	}
	name, _ := models.CleanText("displayName", id.DisplayName, models.MaxNameLength, false)
	if name == "" && u.Email != nil {
		name = strings.SplitN(*u.Email, "@", 2)[0]
	}
	u.DisplayName = name
	return u
}

// UpdateProfile changes the viewer's display name, locale or time zone.
// Any signed-in user, for themselves. Errors: BAD_USER_INPUT.
func (s *Service) UpdateProfile(ctx context.Context, v *models.Viewer, in models.UpdateProfileInput) (*models.Viewer, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	changes := map[string]any{}
	if in.DisplayName != nil {
		name, err := models.CleanText("displayName", *in.DisplayName, models.MaxNameLength, true)
		if err != nil {
			return nil, err
		}
		changes["display_name"] = name
	}
	if in.Locale != nil {
		loc, err := models.CleanLocale("locale", *in.Locale)
		if err != nil {
			return nil, err
		}
		changes["locale"] = loc
	}
	if in.TimeZone != nil {
		tz, err := models.CleanTimeZone("timeZone", *in.TimeZone)
		if err != nil {
			return nil, err
		}
		changes["time_zone"] = tz
	}
	out := *v
	if len(changes) == 0 {
		return &out, nil
	}
	changes["updated_at"] = s.now()
	err := s.DB.WithContext(ctx).Model(&models.User{}).Where("id = ?", v.ID).Updates(changes).Error
	if err != nil {
		return nil, models.Internal(err)
	}
	if err := s.DB.WithContext(ctx).Take(&out.User, "id = ?", v.ID).Error; err != nil {
		return nil, models.Internal(err)
	}
	return &out, nil
}

// Children returns the students the viewer is an unrestricted guardian of,
// in schools where they are a PARENT.
func (s *Service) Children(ctx context.Context, v *models.Viewer) ([]*models.Student, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.Student
	err := s.DB.WithContext(ctx).Scopes(policy.Students(v)).
		Where("students.id IN (SELECT g.student_id FROM guardianships g WHERE g.user_id = ? AND g.grants_access AND g.school_id IN ?)",
			v.ID, policy.ParentSchools(v)).
		Order("students.last_name, students.first_name, students.id").Find(&out).Error
	return out, internal(err)
}

// StaffClassrooms returns the classrooms the viewer teaches and, for an
// ADMIN, every classroom of their schools.
func (s *Service) StaffClassrooms(ctx context.Context, v *models.Viewer) ([]*models.Classroom, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.Classroom
	err := s.DB.WithContext(ctx).
		Where(`classrooms.school_id IN ? OR classrooms.id IN (SELECT cs.classroom_id FROM classroom_staff cs WHERE cs.user_id = ? AND cs.school_id IN ?)`,
			policy.AdminSchools(v), v.ID, policy.TeacherSchools(v)).
		Order("classrooms.grade, classrooms.name, classrooms.id").Find(&out).Error
	return out, internal(err)
}

// lockUser serializes a user's concurrent operations that count (rate limits).
func lockUser(tx *gorm.DB, userID string) error {
	return tx.Exec("SELECT 1 FROM users WHERE id = ? FOR UPDATE", userID).Error
}
