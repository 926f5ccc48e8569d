package domain

import (
	"context"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// auditWrite records, in tx, that staff member v changed a student's record
// (nothing for others). It commits or rolls back with the change.
func (s *Service) auditWrite(tx *gorm.DB, v *models.Viewer, schoolID, studentID, itemID, operation string) error {
	e := s.auditEvent(v, schoolID, studentID, itemID, operation, models.AuditWrite)
	if e == nil {
		return nil
	}
	return tx.Create(e).Error
}

// AuditRead records that staff member v read a student's records (nothing
// for others). Its commit does not wait for the disk (synchronous_commit
// off): reads stay fast, and what a crash could lose is the last fraction
// of a second of read records, never a write's.
// studentID or itemID may be "" (a classroom's feed names the classroom).
func (s *Service) AuditRead(ctx context.Context, v *models.Viewer, schoolID, studentID, itemID, operation string) error {
	e := s.auditEvent(v, schoolID, studentID, itemID, operation, models.AuditRead)
	if e == nil {
		return nil
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL synchronous_commit = off").Error; err != nil {
			return err
		}
		return tx.Create(e).Error
	})
	return internal(err)
}

// audited passes a read's result through, first recording a staff member's
// read of a student's records when the read succeeded. A read that cannot
// be recorded fails: the school must be able to say who looked.
func audited[T any](ctx context.Context, s *Service, v *models.Viewer, schoolID, studentID, itemID, operation string) func(T, error) (T, error) {
	return func(res T, err error) (T, error) {
		if err == nil {
			err = s.AuditRead(ctx, v, schoolID, studentID, itemID, operation)
		}
		if err != nil {
			var zero T
			return zero, err
		}
		return res, nil
	}
}

func (s *Service) auditEvent(v *models.Viewer, schoolID, studentID, itemID, operation string, action models.AuditAction) *models.AuditEvent {
	role := policy.StaffRole(v, schoolID)
	if role == "" {
		return nil
	}
	e := &models.AuditEvent{SchoolID: schoolID, ActorID: &v.ID, ActorRole: role, Action: action, Operation: operation, At: s.now()}
	if studentID != "" {
		e.StudentID = &studentID
	}
	if itemID != "" {
		e.ItemID = &itemID
	}
	return e
}

// AuditLog is a school's audit log, newest first, optionally for one
// student or one staff member. ADMINs of the school only: FORBIDDEN for
// its other members, NOT_FOUND for anyone else.
func (s *Service) AuditLog(ctx context.Context, v *models.Viewer, args models.AuditLogArgs) (*models.AuditEventConnection, error) {
	if !validID(args.SchoolID) || !policy.IsMember(v, args.SchoolID) {
		return nil, models.NotFound("school")
	}
	if !policy.IsAdmin(v, args.SchoolID) {
		return nil, models.Errorf(models.CodeForbidden, "only the school's admins may read its audit log")
	}
	n, err := pageSize(args.First)
	if err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Where("school_id = ?", args.SchoolID)
	for field, id := range map[string]*string{"student_id": args.StudentID, "actor_id": args.ActorID} {
		if id == nil {
			continue
		}
		if !validID(*id) {
			return models.ConnectionOf[models.AuditEvent](nil, n, nil), nil
		}
		q = q.Where(field+" = ?", *id)
	}
	if args.After != nil {
		at, id, err := decodeCursor("after", *args.After)
		if err != nil {
			return nil, err
		}
		q = q.Where("(at, id) < (?, ?)", at, id)
	}
	return keysetPage(q, "at DESC, id DESC", n, func(e *models.AuditEvent) string { return encodeCursor(e.At, e.ID) })
}
