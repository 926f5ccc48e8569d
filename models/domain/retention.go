package domain

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Retention: a school keeps a student's records for the years it sets
// after the student leaves; the purge deletes them as completely as a
// family's deletion does, unless a legal hold (the school's or the
// student's) stops it.

// MaxRetentionYears bounds a school's retention.
const MaxRetentionYears = 50

// SetRetention sets a school's retention and legal hold. ADMIN; audited.
func (s *Service) SetRetention(ctx context.Context, v *models.Viewer, in models.SetRetentionInput) (*models.School, error) {
	if !validID(in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "set how long records are kept"); err != nil {
		return nil, err
	}
	var years *int16
	if in.Years != nil {
		if *in.Years < 1 || *in.Years > MaxRetentionYears {
			return nil, models.InvalidField("years", "keep records 1 to %d years after a student leaves (or leave it out: until deleted)", MaxRetentionYears)
		}
		y := int16(*in.Years)
		years = &y
	}
	var school models.School
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.School{}).Where("id = ?", in.SchoolID).
			Updates(map[string]any{"retention_years": years, "legal_hold": in.LegalHold, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, in.SchoolID, "", in.SchoolID, "school.retention"); err != nil {
			return err
		}
		return tx.Take(&school, "id = ?", in.SchoolID).Error
	})
	return &school, err
}

// SetStudentLegalHold holds (or releases) a student's records from the
// purge. ADMIN of the student's school; audited.
func (s *Service) SetStudentLegalHold(ctx context.Context, v *models.Viewer, in models.SetStudentLegalHoldInput) (*models.Student, error) {
	return s.adminStudentChange(ctx, v, in.StudentID, "student.legal_hold", func(tx *gorm.DB, st *models.Student) error {
		return tx.Model(st).Updates(map[string]any{"legal_hold": in.Hold, "updated_at": s.now()}).Error
	})
}

// WithdrawStudent records that a student left the school (a school without
// a roster import does it by hand): their guardians' access ends at once,
// their history stays until the retention rules delete it. ADMIN; audited.
func (s *Service) WithdrawStudent(ctx context.Context, v *models.Viewer, in models.StudentIDInput) (*models.Student, error) {
	return s.adminStudentChange(ctx, v, in.StudentID, "student.withdraw", func(tx *gorm.DB, st *models.Student) error {
		if st.WithdrawnAt != nil {
			return nil
		}
		guardians, err := withdrawStudent(tx, st.ID, s.now())
		if err != nil {
			return err
		}
		return s.accessChanged(tx, guardians...)
	})
}

// adminStudentChange runs change on a student of a school the viewer
// administers, audited as operation, and returns the student as it is then.
func (s *Service) adminStudentChange(ctx context.Context, v *models.Viewer, id, operation string, change func(*gorm.DB, *models.Student) error) (*models.Student, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("student")
	}
	var st models.Student
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Scopes(policy.Students(v)).Take(&st, "students.id = ?", id).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return models.NotFound("student")
			}
			return err
		}
		if err := policy.RequireSchoolAdmin(v, st.SchoolID, "change a student's records"); err != nil {
			return err
		}
		if err := change(tx, &st); err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, st.SchoolID, st.ID, st.ID, operation); err != nil {
			return err
		}
		return tx.Take(&st, "id = ?", st.ID).Error
	})
	return &st, err
}

// PurgeBatch is how many students one purge transaction deletes.
const PurgeBatch = 10

// PurgeExpired deletes, as of at, the records of every student whose
// school's retention has run out since they left, unless the school or the
// student is on legal hold: as completely as a family's deletion, logged as
// the system's "retention.purge". It works one school and PurgeBatch
// students per transaction, and returns how many students it deleted.
func (s *Service) PurgeExpired(ctx context.Context, at time.Time) (int, error) {
	total := 0
	for {
		var due []struct{ ID, SchoolID string }
		err := s.DB.WithContext(ctx).Raw(`SELECT st.id, st.school_id FROM students st JOIN schools sc ON sc.id = st.school_id
			WHERE sc.retention_years IS NOT NULL AND NOT sc.legal_hold AND NOT st.legal_hold
			AND st.withdrawn_at IS NOT NULL AND st.withdrawn_at + make_interval(years => sc.retention_years) <= ?
			ORDER BY st.school_id, st.id LIMIT ?`, at, PurgeBatch).Scan(&due).Error
		if err != nil || len(due) == 0 {
			return total, internal(err)
		}
		school := due[0].SchoolID
		var ids []string
		for _, d := range due {
			if d.SchoolID == school {
				ids = append(ids, d.ID)
			}
		}
		var files []string
		err = s.tx(ctx, func(tx *gorm.DB) error {
			_, gone, err := s.eraseStudents(tx, school, ids, nil, models.AuditSystem, "retention.purge")
			files = gone
			return err
		})
		if err != nil {
			return total, err
		}
		total += len(ids)
		if s.Files != nil {
			for _, id := range files {
				if err := s.deleteFiles(ctx, id); err != nil {
					return total, err
				}
			}
		}
	}
}
