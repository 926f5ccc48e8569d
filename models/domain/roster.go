package domain

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
	"github.com/sameside/sameside/models/roster/oneroster"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The roster as each viewer may see it: students and classrooms (the
// schema's roster.graphqls).

// Student returns a student the viewer may see, or NOT_FOUND.
func (s *Service) Student(ctx context.Context, v *models.Viewer, id string) (*models.Student, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("student")
	}
	return policy.VisibleStudent(ctx, s.DB, v, id)
}

// StudentProfile is Student for the API: a staff member's read is audited
// (Student itself also serves writes, which audit what they change).
func (s *Service) StudentProfile(ctx context.Context, v *models.Viewer, id string) (*models.Student, error) {
	st, err := s.Student(ctx, v, id)
	if err != nil {
		return nil, err
	}
	return st, s.AuditRead(ctx, v, st.SchoolID, st.ID, "", "student.profile")
}

// Classroom returns a classroom the viewer may see, or NOT_FOUND.
func (s *Service) Classroom(ctx context.Context, v *models.Viewer, id string) (*models.Classroom, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("classroom")
	}
	return policy.VisibleClassroom(ctx, s.DB, v, id)
}

// SetGuardianRestricted sets or clears a guardianship's restriction, with
// the reason, audited; the guardian's sockets are told at once.
func (s *Service) SetGuardianRestricted(ctx context.Context, v *models.Viewer, in models.SetGuardianRestrictedInput) (*models.Guardianship, error) {
	var reason *string
	if in.Restricted {
		r := ""
		if in.Reason != nil {
			r = strings.TrimSpace(*in.Reason)
		}
		if r == "" || utf8.RuneCountInString(r) > models.MaxRestrictionReason {
			return nil, models.InvalidField("reason", "give the reason for the restriction (1 to %d characters)", models.MaxRestrictionReason)
		}
		reason = &r
	}
	op := "guardian.unrestrict"
	if in.Restricted {
		op = "guardian.restrict"
	}
	return s.changeGuardian(ctx, v, in.GuardianID, op, map[string]any{"restricted": in.Restricted, "restricted_reason": reason})
}

// RemoveGuardian ends a guardianship, audited; the guardian's sockets are
// told at once.
func (s *Service) RemoveGuardian(ctx context.Context, v *models.Viewer, in models.GuardianIDInput) (*models.Guardianship, error) {
	return s.changeGuardian(ctx, v, in.GuardianID, "guardian.remove", map[string]any{"ended_at": s.now()})
}

// SetGuardianHousehold puts a guardianship in a household (nil: not said),
// audited.
func (s *Service) SetGuardianHousehold(ctx context.Context, v *models.Viewer, in models.SetGuardianHouseholdInput) (*models.Guardianship, error) {
	h, err := cleanHousehold(in.Household)
	if err != nil {
		return nil, err
	}
	return s.changeGuardian(ctx, v, in.GuardianID, "guardian.household", map[string]any{"household": h})
}

// cleanHousehold trims a household key: nil or empty is "not said".
func cleanHousehold(in *string) (*string, error) {
	if in == nil || strings.TrimSpace(*in) == "" {
		return nil, nil
	}
	h := strings.TrimSpace(*in)
	if len(h) > oneroster.MaxHousehold {
		return nil, models.InvalidField("household", "household is at most %d bytes", oneroster.MaxHousehold)
	}
	return &h, nil
}

// changeGuardian applies an admin's change to a guardianship of their
// school.
func (s *Service) changeGuardian(ctx context.Context, v *models.Viewer, id, op string, fields map[string]any) (*models.Guardianship, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("guardian")
	}
	var g *models.Guardianship
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		g, err = findOne[models.Guardianship](tx.Clauses(clause.Locking{Strength: "UPDATE"}).Scopes(policy.Guardianships(v)).Where("guardianships.id = ?", id), "guardian")
		if err != nil {
			return err
		}
		if err := policy.RequireSchoolAdmin(v, g.SchoolID, "change a child's guardians"); err != nil {
			return err
		}
		if _, ended := fields["ended_at"]; ended && g.EndedAt != nil {
			return nil // removed already
		}
		fields["updated_at"] = s.now()
		if err := tx.Model(&models.Guardianship{}).Where("id = ?", g.ID).Updates(fields).Error; err != nil {
			return err
		}
		if err := tx.Take(g, "id = ?", g.ID).Error; err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, g.SchoolID, g.StudentID, g.ID, op); err != nil {
			return err
		}
		return s.accessChanged(tx, g.UserID)
	})
	return g, err
}
