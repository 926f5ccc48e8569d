package models

import "time"

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

// UnclaimedUIDPrefix starts the placeholder uid of a person the roster
// created who has not signed in yet: no sign-in token carries it.
const UnclaimedUIDPrefix = "unclaimed:"

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

// Roster import states.
const (
	ImportQueued    = "QUEUED"
	ImportRunning   = "RUNNING"
	ImportSucceeded = "SUCCEEDED"
	ImportFailed    = "FAILED"
)

// RosterImport is one import (or dry run) of a OneRoster set and its outcome.
type RosterImport struct {
	ID            string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	DistrictID    *string `gorm:"type:uuid"`
	RequestedByID *string `gorm:"type:uuid"`
	UploadID      *string `gorm:"type:uuid"`
	DryRun        bool
	State         string
	Summary       []RosterChange `gorm:"serializer:json"`
	Problems      []string       `gorm:"serializer:json"`
	Progress      int32
	CreatedAt     time.Time
	FinishedAt    *time.Time
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
