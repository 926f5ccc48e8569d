package models

import (
	"io"
	"strconv"
	"time"
)

// Audience is who an announcement is for.
type Audience string

// Audiences.
const (
	AudienceSchool    Audience = "SCHOOL"
	AudienceGrade     Audience = "GRADE"
	AudienceClassroom Audience = "CLASSROOM"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	return a == AudienceSchool || a == AudienceGrade || a == AudienceClassroom
}

// MarshalGQL implements graphql.Marshaler.
func (a Audience) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(a))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *Audience) UnmarshalGQL(v any) error { return unmarshalEnum(v, a, Audience.Valid, "Audience") }

// Announcement is news for an audience of families.
type Announcement struct {
	ID          string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID    string `gorm:"type:uuid"`
	Audience    Audience
	Grade       *string
	ClassroomID *string `gorm:"type:uuid"`
	Title       string
	Body        string
	Urgent      bool
	AuthorID    string `gorm:"type:uuid"`
	PublishAt   time.Time
	// EditedAt is when it was last changed before going out.
	EditedAt *time.Time
	// CancelledAt is when it was called off before going out: families
	// never see it.
	CancelledAt   *time.Time
	CancelledByID *string `gorm:"type:uuid"`
	CreatedAt     time.Time
}

// AnnouncementRead is a read receipt.
type AnnouncementRead struct {
	AnnouncementID string `gorm:"type:uuid;primaryKey"`
	UserID         string `gorm:"type:uuid;primaryKey"`
	ReadAt         time.Time
}

// Announcement limits.
const (
	MaxAnnouncementTitle = 200
	MaxAnnouncementBody  = 10000
	NoticeAnnouncement   = "ANNOUNCEMENT"
)

// PostAnnouncementInput posts (or schedules) an announcement.
type PostAnnouncementInput struct {
	ClientMutationID string
	SchoolID         string
	Audience         Audience
	Grade            *string
	ClassroomID      *string
	Title            string
	Body             string
	Urgent           *bool
	PublishAt        *time.Time
	// AttachmentIDs are completed uploads of the viewer's (at most 6).
	AttachmentIDs []string
}

// UpdateAnnouncementInput changes an announcement before it goes out; nil
// leaves a field. AttachmentIDs, when given, replace the attachments.
type UpdateAnnouncementInput struct {
	ID            string
	Title         *string
	Body          *string
	PublishAt     *time.Time
	AttachmentIDs []string
}

// AnnouncementPayload returns the announcement.
type AnnouncementPayload struct {
	ClientMutationID string
	Announcement     *Announcement
}

// AnnouncementConnection is a page of announcements.
type AnnouncementConnection = Connection[Announcement]

// AnnouncementEdge is one announcement and its cursor.
type AnnouncementEdge = Edge[Announcement]

// AnnouncementIDInput names an announcement.
type AnnouncementIDInput struct {
	ID string
}
