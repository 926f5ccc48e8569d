package models

import "time"

// AuditAction says whether a staff member read or changed a record.
type AuditAction string

// Audit actions.
const (
	AuditRead  AuditAction = "READ"
	AuditWrite AuditAction = "WRITE"
)

// AuditEvent is one staff access to a student's records: who (actor and
// the role they acted in), what (operation, student, item) and when.
type AuditEvent struct {
	ID        string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID  string `gorm:"type:uuid"`
	ActorID   *string
	ActorRole Role
	Action    AuditAction
	// Operation names what was done, e.g. "student.timeline" or
	// "observation.share".
	Operation string
	StudentID *string
	ItemID    *string
	At        time.Time
}

// AuditLogArgs filter the audit log.
type AuditLogArgs struct {
	SchoolID  string
	StudentID *string
	ActorID   *string
	First     *int
	After     *string
}

// StudentExport is everything about a student the viewer may see, as one
// JSON document.
type StudentExport struct {
	Student     *Student
	GeneratedAt time.Time
	JSON        string
}

// DeleteFamilyDataInput names a family by its children at one school.
type DeleteFamilyDataInput struct {
	ClientMutationID string
	StudentIDs       []string
	Confirm          string
}

// DeleteFamilyDataPayload says what the deletion removed.
type DeleteFamilyDataPayload struct {
	ClientMutationID  string
	DeletedStudents   int
	DeletedGuardians  int
	DetachedGuardians int
	DeletedFiles      int
}

// AuditEventConnection is a page of the audit log.
type AuditEventConnection = Connection[AuditEvent]

// AuditEventEdge is one event of a page.
type AuditEventEdge = Edge[AuditEvent]
