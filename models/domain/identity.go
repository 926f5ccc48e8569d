package domain

import (
	"context"
	"fmt"
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
	// EmailVerified: the sign-in provider proved the email is theirs.
	EmailVerified bool
	// Expires is when the token expires: until then its verification may
	// be reused. Zero: verify it every time (revocation checks).
	Expires time.Time
}

// ViewerForIdentity maps a verified identity to its user, creating the user
// (with no memberships) on first sign-in, and loads the memberships. A
// sign-in whose token carries a verified email or phone number that a
// roster record not yet signed in to holds claims that record: its roles,
// children and classes become the signed-in user's (claimRoster).
// Called by authentication only, after the token was verified.
func (s *Service) ViewerForIdentity(ctx context.Context, id Identity) (*models.Viewer, error) {
	v, claimable, err := s.loadViewer(ctx, id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		u := newUser(id)
		// Two first requests may race: the unique firebase_uid keeps one row.
		if err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&u).Error; err != nil {
			return nil, models.Internal(err)
		}
		if v, claimable, err = s.loadViewer(ctx, id); err != nil || v == nil {
			return nil, models.Internal(fmt.Errorf("user %s vanished after sign-up: %v", id.UID, err))
		}
	}
	if !claimable {
		return v, nil
	}
	if err := s.claimRoster(ctx, v, id); err != nil {
		return nil, err
	}
	v, _, err = s.loadViewer(ctx, id)
	return v, err
}

// loadViewer is one statement for a returning user (every request signs
// in): the user, their memberships, and whether a roster record waits to
// be claimed. Nil for a first sign-in.
func (s *Service) loadViewer(ctx context.Context, id Identity) (*models.Viewer, bool, error) {
	// Every request signs in, so this is read as the feed's page is: the
	// columns listed and scanned by pgx (runNative), not by GORM.
	var (
		u               models.User
		mID, mSchool    *string
		mRole           *models.Role
		mAt             *time.Time
		claimable       bool
		v               *models.Viewer
		viewerClaimable bool
	)
	cols, dsts := joinColumns(append(userColumns("users", &u),
		column{"m.id", &mID}, column{"m.school_id", &mSchool}, column{"m.role", &mRole}, column{"m.created_at", &mAt},
		column{`($2 <> '' AND EXISTS (SELECT 1 FROM users c WHERE lower(c.email) = lower($2) AND c.firebase_uid LIKE $4))
		OR ($3 <> '' AND EXISTS (SELECT 1 FROM users c WHERE c.phone = $3 AND c.firebase_uid LIKE $4))`, &claimable}))
	email, phone := id.VerifiedContacts()
	err := s.native(ctx, "sign_in", s.DB, `SELECT `+cols+`
		FROM users LEFT JOIN (`+membershipsSQL+`) m ON m.user_id = users.id
		WHERE users.firebase_uid = $1 OR users.id = (SELECT a.user_id FROM user_aliases a WHERE a.firebase_uid = $1)
		ORDER BY m.created_at, m.id`,
		[]any{id.UID, email, phone, models.UnclaimedUIDPrefix + "%"}, dsts, func() error {
			if v == nil {
				v, viewerClaimable = &models.Viewer{User: u, Memberships: []models.Membership{}}, claimable
			}
			if mID != nil {
				v.Memberships = append(v.Memberships, models.Membership{ID: *mID, UserID: v.ID, SchoolID: *mSchool, Role: *mRole, CreatedAt: *mAt})
			}
			return nil
		})
	if err != nil {
		return nil, false, models.Internal(err)
	}
	if v == nil {
		return nil, false, nil
	}
	return v, viewerClaimable, nil
}

// VerifiedContacts are the identity's email and phone number that may claim
// a roster record: an email only if the token says it is verified, a phone
// number always (Firebase holds only numbers proven by SMS).
func (id Identity) VerifiedContacts() (email, phone string) {
	if id.EmailVerified {
		email = strings.TrimSpace(id.Email)
	}
	return email, strings.TrimSpace(id.Phone)
}

// claimRoster links to v the roster records (people the roster created who
// never signed in) that hold the identity's verified email or phone: their
// memberships, guardianships, classes and district roles move to v, the
// placeholder goes, and v's open sockets are told their access changed.
func (s *Service) claimRoster(ctx context.Context, v *models.Viewer, id Identity) error {
	email, phone := id.VerifiedContacts()
	return s.tx(ctx, func(tx *gorm.DB) error {
		var from []models.User
		q := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
			Where("firebase_uid LIKE ? AND id <> ?", models.UnclaimedUIDPrefix+"%", v.ID)
		switch {
		case email != "" && phone != "":
			q = q.Where("lower(email) = lower(?) OR phone = ?", email, phone)
		case email != "":
			q = q.Where("lower(email) = lower(?)", email)
		default:
			q = q.Where("phone = ?", phone)
		}
		if err := q.Find(&from).Error; err != nil {
			return err
		}
		for i := range from {
			if err := mergeUser(tx, &from[i], v.ID); err != nil {
				return err
			}
		}
		if len(from) == 0 {
			return nil
		}
		return s.accessChanged(tx, v.ID)
	})
}

// membershipsSQL is every user's memberships: their own rows, ADMIN of each
// school of a district they administer, and MONITOR of each school of a
// district they monitor (each with a stable id of its own, unless they
// hold that role at the school already).
const membershipsSQL = `SELECT id, user_id, school_id, role, created_at FROM memberships
	UNION ALL
	SELECT md5(da.user_id::text || s.id::text)::uuid, da.user_id, s.id, 'ADMIN', da.created_at
	FROM district_admins da JOIN schools s ON s.district_id = da.district_id
	WHERE NOT EXISTS (SELECT 1 FROM memberships x WHERE x.user_id = da.user_id AND x.school_id = s.id AND x.role = 'ADMIN')
	UNION ALL
	SELECT md5('monitor' || dm.user_id::text || s.id::text)::uuid, dm.user_id, s.id, 'MONITOR', dm.created_at
	FROM district_monitors dm JOIN schools s ON s.district_id = dm.district_id
	WHERE NOT EXISTS (SELECT 1 FROM memberships x WHERE x.user_id = dm.user_id AND x.school_id = s.id AND x.role = 'MONITOR')`

// accessStampSQL is true when the user @stamp_uid's access version is still
// @stamp_version (models.AccessStamp): nothing a sign-in reads for them has
// changed since an instance read their viewer with that version.
const accessStampSQL = `(SELECT su.access_version FROM users su WHERE su.id = @stamp_uid) = @stamp_version`

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
		changes["locale"], changes["locale_source"] = loc, models.LocaleFromProfile
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
		Where(`(classrooms.school_id IN ? OR classrooms.id IN (SELECT cs.classroom_id FROM classroom_staff cs WHERE cs.user_id = ? AND cs.school_id IN ?))
			AND classrooms.archived_at IS NULL`, policy.AdminSchools(v), v.ID, policy.TeacherSchools(v)).
		Order("classrooms.grade, classrooms.name, classrooms.id").Find(&out).Error
	return out, internal(err)
}

// lockUser serializes a user's concurrent operations that count (rate limits).
func lockUser(tx *gorm.DB, userID string) error {
	return tx.Exec("SELECT 1 FROM users WHERE id = ? FOR UPDATE", userID).Error
}
