package models

import (
	"io"
	"strconv"
	"time"
)

// District is a group of schools run together (OneRoster's district org).
type District struct {
	ID        string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	Name      string
	TimeZone  string // IANA name: new schools of the district get it
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DistrictAdmin administers every school of a district.
type DistrictAdmin struct {
	DistrictID string `gorm:"type:uuid;primaryKey"`
	UserID     string `gorm:"type:uuid;primaryKey"`
	CreatedAt  time.Time
}

// DistrictMonitor is a message monitor at every school of a district.
type DistrictMonitor struct {
	DistrictID string `gorm:"type:uuid;primaryKey"`
	UserID     string `gorm:"type:uuid;primaryKey"`
	CreatedAt  time.Time
}

// SetDistrictMessageMonitorInput grants or removes district monitoring.
type SetDistrictMessageMonitorInput struct {
	DistrictID string
	UserID     string
	Monitor    bool
}

// UnclaimedUIDPrefix starts the placeholder uid of a person the roster
// created who has not signed in yet: no sign-in token carries it.
const UnclaimedUIDPrefix = "unclaimed:"

// UserAlias is another sign-in (Firebase UID) of a user: what was a merged
// account's.
type UserAlias struct {
	FirebaseUID string `gorm:"column:firebase_uid;primaryKey"`
	UserID      string `gorm:"type:uuid"`
	CreatedAt   time.Time
}

// MergeAccountsInput merges one person's two accounts.
type MergeAccountsInput struct {
	FromUserID string
	IntoUserID string
}

// RosterID is what one sourcedId of a district's roster became.
type RosterID struct {
	DistrictID string  `gorm:"type:uuid;primaryKey"`
	Kind       string  `gorm:"primaryKey"` // the OneRoster file: orgs, classes, users …
	SourcedID  string  `gorm:"primaryKey"`
	TargetID   *string `gorm:"type:uuid"`
	Label      string
	Digest     []byte
	Withdrawn  bool
	UpdatedAt  time.Time
}

// RosterImportState is where an import stands.
type RosterImportState string

// Roster import states.
const (
	ImportQueued    RosterImportState = "QUEUED"
	ImportRunning   RosterImportState = "RUNNING"
	ImportSucceeded RosterImportState = "SUCCEEDED"
	ImportFailed    RosterImportState = "FAILED"
)

// MarshalGQL implements graphql.Marshaler.
func (s RosterImportState) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(s)))
}

// UnmarshalGQL implements graphql.Unmarshaler (never an input; here for gqlgen).
func (s *RosterImportState) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	*s = RosterImportState(str)
	return nil
}

// RosterImport is one import (or dry run) of a OneRoster set and its outcome.
type RosterImport struct {
	ID            string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	DistrictID    *string `gorm:"type:uuid"`
	RequestedByID *string `gorm:"type:uuid"`
	UploadID      *string `gorm:"type:uuid"`
	DryRun        bool
	// Invite: the people the import creates are invited by email and text.
	Invite     bool
	State      RosterImportState
	Changes    []RosterChange `gorm:"column:summary;serializer:json"`
	Problems   []string       `gorm:"serializer:json"`
	Progress   int32
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// RosterChange counts what an import did (or a dry run would do) to one
// kind of row: schools, classes, students, staff, guardians, enrollments,
// guardianships.
type RosterChange struct {
	Kind      string `json:"kind"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Withdrawn int    `json:"withdrawn"`
	Unchanged int    `json:"unchanged"`
}

// ImportRosterInput asks for a roster import.
type ImportRosterInput struct {
	UploadID   string
	DistrictID *string
	DryRun     *bool
	Invite     *bool
}

// RosterImportTopic is the live-event topic of an import's progress.
func RosterImportTopic(id string) string { return "roster-import:" + id }

// SetGuardianRestrictedInput sets or clears a guardianship's restriction.
type SetGuardianRestrictedInput struct {
	GuardianID string
	Restricted bool
	Reason     *string
}

// GuardianIDInput names a guardianship.
type GuardianIDInput struct {
	GuardianID string
}

// MaxRestrictionReason bounds the reason an admin gives for a restriction.
const MaxRestrictionReason = 500

// SetRetentionInput sets a school's retention and legal hold.
type SetRetentionInput struct {
	SchoolID string
	// Years after a student leaves that their records are kept; nil keeps
	// them until deleted by hand.
	Years     *int
	LegalHold bool
}

// SetStudentLegalHoldInput holds (or releases) one student's records.
type SetStudentLegalHoldInput struct {
	StudentID string
	Hold      bool
}

// StudentIDInput names a student.
type StudentIDInput struct {
	StudentID string
}

// AuditSystem is the audit log's actor role for what the server does by
// itself (the retention purge).
const AuditSystem Role = "SYSTEM"

// AddGuardianInput adds a guardian to a student by email.
type AddGuardianInput struct {
	StudentID    string
	Email        string
	DisplayName  string
	Relationship Relationship
	Household    *string
}

// SetGuardianHouseholdInput puts a guardianship in a household.
type SetGuardianHouseholdInput struct {
	GuardianID string
	Household  *string
}

// AddStaffInput gives someone a staff role at a school (and classes).
type AddStaffInput struct {
	SchoolID     string
	Email        string
	DisplayName  string
	Role         Role
	ClassroomIDs []string
}

// RemoveStaffInput ends someone's staff roles at a school.
type RemoveStaffInput struct {
	SchoolID string
	UserID   string
}

// CreateClassroomInput creates a classroom.
type CreateClassroomInput struct {
	SchoolID   string
	Name       string
	Grade      string
	SchoolYear string
}

// ClassroomIDInput names a classroom.
type ClassroomIDInput struct {
	ClassroomID string
}

// TransferStudentInput moves a student to a classroom of their school.
type TransferStudentInput struct {
	StudentID   string
	ClassroomID string
}
