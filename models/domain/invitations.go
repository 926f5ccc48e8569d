package domain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Invitation codes: 12 symbols from an alphabet without look-alikes (no 0/O,
// 1/I/L), about 59 bits, shown as XXXX-XXXX-XXXX. Only the SHA-256 of the
// normalized code is stored; the high entropy plus the per-user rate limit
// make a slow hash unnecessary.
const (
	codeAlphabet    = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	codeSymbols     = 12
	maxWrongCodes   = 5
	wrongCodeWindow = 15 * time.Minute
)

// NewInvitationCode returns a random code, formatted for people.
func NewInvitationCode() string {
	b := make([]byte, codeSymbols)
	out := make([]byte, 0, codeSymbols+2)
	// Rejection sampling keeps every symbol equally likely.
	for i := 0; i < codeSymbols; {
		if _, err := rand.Read(b[:1]); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		if int(b[0]) >= 256-256%len(codeAlphabet) {
			continue
		}
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(b[0])%len(codeAlphabet)])
		i++
	}
	return string(out)
}

// NormalizeInvitationCode upper-cases a typed code and drops spaces and
// dashes. ok is false when what is left cannot be a code.
func NormalizeInvitationCode(s string) (code string, ok bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == codeSymbols
}

func hashCode(normalized string) []byte {
	h := sha256.Sum256([]byte(normalized))
	return h[:]
}

// CreateInvitation makes a one-time code for a guardian of a student. Staff
// only: a teacher of the student or an ADMIN of the student's school.
// Errors: BAD_USER_INPUT, NOT_FOUND (student unknown or not visible),
// FORBIDDEN (visible but the viewer is the student's parent).
func (s *Service) CreateInvitation(ctx context.Context, v *models.Viewer, in models.CreateInvitationInput) (*models.CreateInvitationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !in.Relationship.Valid() {
		return nil, models.InvalidField("relationship", "relationship is not valid")
	}
	hours := models.DefaultInvitationHours
	if in.ExpiresInHours != nil {
		hours = *in.ExpiresInHours
	}
	if hours < 1 || hours > models.MaxInvitationHours {
		return nil, models.InvalidField("expiresInHours", "expiresInHours must be between 1 and %d", models.MaxInvitationHours)
	}
	var email *string
	if in.Email != nil && strings.TrimSpace(*in.Email) != "" {
		e, err := models.CleanEmail("email", *in.Email)
		if err != nil {
			return nil, err
		}
		email = &e
	}
	if !validID(in.StudentID) {
		return nil, models.NotFound("student")
	}
	student, err := policy.VisibleStudent(ctx, s.DB, v, in.StudentID)
	if err != nil {
		return nil, err
	}
	if err := policy.CanManageStudent(ctx, s.DB, v, student); err != nil {
		return nil, err
	}
	code := NewInvitationCode()
	normalized, _ := NormalizeInvitationCode(code)
	now := s.now()
	inv := &models.Invitation{
		SchoolID:     student.SchoolID,
		StudentID:    student.ID,
		Relationship: in.Relationship,
		IsPrimary:    in.IsPrimary != nil && *in.IsPrimary,
		Email:        email,
		CodeHash:     hashCode(normalized),
		ExpiresAt:    now.Add(time.Duration(hours) * time.Hour),
		CreatedByID:  v.ID,
		CreatedAt:    now,
	}
	if err := s.DB.WithContext(ctx).Create(inv).Error; err != nil {
		return nil, models.Internal(err)
	}
	return &models.CreateInvitationPayload{Invitation: inv, Code: code}, nil
}

// RedeemInvitation makes the viewer a guardian of the invitation's student
// and a PARENT member of its school. Any signed-in user. Retrying a code the
// viewer already redeemed returns the same result. Wrong codes are recorded:
// the fifth within 15 minutes locks the user out for the rest of the window.
// Errors: BAD_USER_INPUT (empty or over-long), NOT_FOUND (unknown or expired
// code), CONFLICT (code used by someone else; already a guardian),
// RATE_LIMITED.
func (s *Service) RedeemInvitation(ctx context.Context, v *models.Viewer, in models.RedeemInvitationInput) (*models.RedeemInvitationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	normalized, wellFormed, err := readCode(in.Code)
	if err != nil {
		return nil, err
	}

	var out *models.RedeemInvitationPayload
	var wrong error // a wrong code: recorded, committed, then returned
	err = s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := startCodeAttempt(tx, v.ID, now); err != nil {
			return err
		}
		var inv models.Invitation
		found, err := byCode(tx, normalized, wellFormed, &inv)
		if err != nil {
			return err
		}
		switch {
		case found && inv.Redeemed() && inv.RedeemedByID != nil && *inv.RedeemedByID == v.ID:
			// The same parent retrying (a flaky network): the same answer.
			var err error
			out, err = redeemedPayload(tx, v, &inv)
			return err
		case !found:
			wrong = models.Errorf(models.CodeNotFound, "that invitation code is not valid; check it or ask the school for a new one")
		case inv.Redeemed():
			wrong = models.Errorf(models.CodeConflict, "that invitation code has already been used; ask the school for a new one")
		case !now.Before(inv.ExpiresAt):
			wrong = models.Errorf(models.CodeNotFound, "that invitation code has expired; ask the school for a new one")
		}
		if wrong != nil {
			return tx.Create(&models.InvitationAttempt{UserID: v.ID, Succeeded: false, CreatedAt: now}).Error
		}

		var existing int64
		if err := tx.Model(&models.Guardianship{}).Where("student_id = ? AND user_id = ?", inv.StudentID, v.ID).Count(&existing).Error; err != nil {
			return err
		}
		if existing > 0 {
			return models.Errorf(models.CodeConflict, "you are already a guardian of this student")
		}
		g := &models.Guardianship{
			SchoolID: inv.SchoolID, StudentID: inv.StudentID, UserID: v.ID,
			Relationship: inv.Relationship, IsPrimary: inv.IsPrimary, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.Create(g).Error; err != nil {
			return err
		}
		m := models.Membership{UserID: v.ID, SchoolID: inv.SchoolID, Role: models.RoleParent, CreatedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
			return err
		}
		if err := tx.Model(&inv).Updates(map[string]any{"redeemed_by_id": v.ID, "redeemed_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.InvitationAttempt{UserID: v.ID, Succeeded: true, CreatedAt: now}).Error; err != nil {
			return err
		}
		out, err = redeemedPayload(tx, v, &inv)
		return err
	})
	if err != nil {
		return nil, err
	}
	if wrong != nil {
		return nil, wrong
	}
	return out, nil
}

// startCodeAttempt locks the user (one code attempt of theirs at a time)
// and is RATE_LIMITED once they have had maxWrongCodes wrong codes
// (invitations and roster claims alike) within wrongCodeWindow.
func startCodeAttempt(tx *gorm.DB, userID string, now time.Time) error {
	if err := lockUser(tx, userID); err != nil {
		return err
	}
	var failures int64
	if err := tx.Model(&models.InvitationAttempt{}).
		Where("user_id = ? AND NOT succeeded AND created_at > ?", userID, now.Add(-wrongCodeWindow)).
		Count(&failures).Error; err != nil {
		return err
	}
	if failures >= maxWrongCodes {
		return models.Errorf(models.CodeRateLimited, "too many wrong codes; try again in 15 minutes")
	}
	return nil
}

// byCode locks and loads into row the invitation or roster claim whose
// code this is; false for an unknown or malformed one.
func byCode[T any](tx *gorm.DB, normalized string, wellFormed bool, row *T) (bool, error) {
	if !wellFormed {
		return false, nil
	}
	res := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("code_hash = ?", hashCode(normalized)).Limit(1).Find(row)
	return res.RowsAffected == 1, res.Error
}

// readCode trims and checks a typed code; ok is false when it cannot be
// one (it still counts as a wrong code).
func readCode(in string) (normalized string, ok bool, err error) {
	raw := strings.TrimSpace(in)
	if raw == "" {
		return "", false, models.InvalidField("code", "code must not be empty")
	}
	if len(raw) > models.MaxCodeLength {
		return "", false, models.InvalidField("code", "code must be at most %d characters", models.MaxCodeLength)
	}
	normalized, ok = NormalizeInvitationCode(raw)
	return normalized, ok, nil
}

// ClaimRosterRecord makes the record a roster import made for the viewer
// theirs, with the code of its invitation: its schools, children, classes
// and settings move to the viewer (as a sign-in with the roster's email
// or number does), whatever email or number the viewer signed in with.
// Redeeming again a code one already redeemed returns the same result.
// Errors: BAD_USER_INPUT, NOT_FOUND (unknown or expired code), CONFLICT
// (someone else holds the record), RATE_LIMITED (wrong codes, counted
// with invitations').
func (s *Service) ClaimRosterRecord(ctx context.Context, v *models.Viewer, in models.ClaimRosterRecordInput) (*models.Viewer, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	normalized, wellFormed, err := readCode(in.Code)
	if err != nil {
		return nil, err
	}
	var wrong error // a wrong code: recorded, committed, then returned
	out := &models.Viewer{User: v.User}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := startCodeAttempt(tx, v.ID, now); err != nil {
			return err
		}
		var claim models.RosterClaim
		found, err := byCode(tx, normalized, wellFormed, &claim)
		if err != nil {
			return err
		}
		switch {
		case found && claim.UserID == v.ID:
			// Claimed already: by this code before (a retry), or by
			// signing in with the roster's email or number.
		case !found || !now.Before(claim.ExpiresAt):
			wrong = models.Errorf(models.CodeNotFound, "that invitation code is not valid or has expired; ask the school for a new one")
		case claim.RedeemedAt != nil:
			wrong = models.Errorf(models.CodeConflict, "that invitation code has already been used; ask the school for a new one")
		}
		if wrong != nil {
			return tx.Create(&models.InvitationAttempt{UserID: v.ID, Succeeded: false, CreatedAt: now}).Error
		}
		if claim.UserID != v.ID {
			var from models.User
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&from, "id = ?", claim.UserID).Error; err != nil {
				return err
			}
			if !strings.HasPrefix(from.FirebaseUID, models.UnclaimedUIDPrefix) {
				return models.Errorf(models.CodeConflict, "someone has already signed in as this person; ask the school")
			}
			if err := mergeUser(tx, &from, v.ID); err != nil { // the claim moves to v too
				return err
			}
			if err := s.accessChanged(tx, v.ID); err != nil {
				return err
			}
		}
		if claim.RedeemedAt == nil {
			if err := tx.Model(&models.RosterClaim{}).Where("id = ?", claim.ID).Update("redeemed_at", now).Error; err != nil {
				return err
			}
			if err := tx.Create(&models.InvitationAttempt{UserID: v.ID, Succeeded: true, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		return tx.Raw(`SELECT id, user_id, school_id, role, created_at FROM (`+membershipsSQL+`) m WHERE user_id = ? ORDER BY created_at, id`, v.ID).
			Scan(&out.Memberships).Error
	})
	if err != nil {
		return nil, err
	}
	if wrong != nil {
		return nil, wrong
	}
	return out, nil
}

// redeemedPayload loads what a redeemed invitation gave the viewer.
func redeemedPayload(tx *gorm.DB, v *models.Viewer, inv *models.Invitation) (*models.RedeemInvitationPayload, error) {
	out := &models.RedeemInvitationPayload{Student: &models.Student{}, Guardian: &models.Guardianship{}, Membership: &models.Membership{}}
	if err := tx.Take(out.Student, "id = ?", inv.StudentID).Error; err != nil {
		return nil, err
	}
	err := tx.Take(out.Guardian, "student_id = ? AND user_id = ?", inv.StudentID, v.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.Errorf(models.CodeConflict, "this invitation no longer applies; ask the school for a new one")
	}
	if err != nil {
		return nil, err
	}
	if out.Guardian.Restricted {
		// Never hand a restricted guardian the child's record.
		return nil, models.Errorf(models.CodeConflict, "you are already a guardian of this student")
	}
	if err := tx.Take(out.Membership, "user_id = ? AND school_id = ? AND role = ?", v.ID, inv.SchoolID, models.RoleParent).Error; err != nil {
		return nil, err
	}
	return out, nil
}
