package models

import "time"

// School is a tenant: every school-scoped row carries its school's id and
// nothing crosses schools (the schema enforces it with composite foreign keys).
type School struct {
	ID       string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	Name     string
	TimeZone string // IANA name, e.g. America/Los_Angeles
	// DistrictID is the district the school belongs to, if any.
	DistrictID *string `gorm:"type:uuid"`
	// RetentionYears is how long a student's records stay after they
	// leave; nil: until deleted by hand.
	RetentionYears *int16
	// LegalHold stops the retention purge for the whole school.
	LegalHold bool
	// DigestTime is when the daily digest goes, in minutes after local
	// midnight; DigestSentOn the local date it last went.
	DigestTime   int16      `gorm:"default:1080"`
	DigestSentOn *time.Time `gorm:"type:date"`
	// Channels are what the school sends on besides push: EMAIL, SMS.
	Channels Array[string] `gorm:"type:text[];default:'{EMAIL,SMS}'"`
	// ReminderSentOn is the local Monday the teachers' weekly reminder
	// last went.
	ReminderSentOn *time.Time `gorm:"type:date"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Location is the school's time zone (UTC if its name is unknown): its
// days, digest and reminder times are in it.
func (s *School) Location() *time.Location {
	loc, err := LoadZone(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// User is a person who signs in. Users are global; Memberships tie them to schools.
type User struct {
	ID          string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	FirebaseUID string `gorm:"column:firebase_uid"`
	Email       *string
	Phone       *string
	DisplayName string
	Locale      string // BCP 47, e.g. en-US
	// LocaleSource is where Locale came from: DEFAULT, ROSTER, DEVICE or
	// PROFILE (each may replace the ones before it, not those after).
	LocaleSource string `gorm:"default:DEFAULT"`
	TimeZone     string // IANA name
	// Quiet hours, minutes after midnight in TimeZone; both nil for none.
	QuietHoursStart *int16
	QuietHoursEnd   *int16
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// AccessVersion grows whenever anything a sign-in reads for the user
	// changes (database triggers keep it, migration 00035); GORM never
	// writes it.
	AccessVersion int64 `gorm:"->" json:"-"`
}

// QuietHours returns the user's quiet hours, if set.
func (u *User) QuietHours() (QuietHours, bool) {
	if u.QuietHoursStart == nil || u.QuietHoursEnd == nil {
		return QuietHours{}, false
	}
	return QuietHours{StartMinute: int(*u.QuietHoursStart), EndMinute: int(*u.QuietHoursEnd)}, true
}

// Membership is a user's role in one school.
type Membership struct {
	ID        string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID    string `gorm:"type:uuid"`
	SchoolID  string `gorm:"type:uuid"`
	Role      Role
	CreatedAt time.Time
}

// Classroom is a class in one school year.
type Classroom struct {
	ID         string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID   string `gorm:"type:uuid"`
	Name       string
	Grade      string // "K", "1" … "12"
	SchoolYear string // e.g. "2026-2027"
	// ArchivedAt is when the class left the roster (a past school year):
	// read-only history from then on.
	ArchivedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Student is a child at a school.
type Student struct {
	ID            string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID      string `gorm:"type:uuid"`
	FirstName     string
	LastName      string
	PreferredName *string
	Grade         string
	// WithdrawnAt is when the student left the school: their guardians'
	// access ended then, their history is kept for retention.
	WithdrawnAt *time.Time
	// LegalHold stops the retention purge for this student.
	LegalHold bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DisplayName is the name staff and parents see: the preferred name if any.
func (s *Student) DisplayName() string {
	first := s.FirstName
	if s.PreferredName != nil && *s.PreferredName != "" {
		first = *s.PreferredName
	}
	return first + " " + s.LastName
}

// Enrollment places a student in a classroom.
type Enrollment struct {
	ClassroomID string `gorm:"type:uuid;primaryKey"`
	StudentID   string `gorm:"type:uuid;primaryKey"`
	SchoolID    string `gorm:"type:uuid"`
	CreatedAt   time.Time
}

// ClassroomStaff assigns a staff member to a classroom.
type ClassroomStaff struct {
	ClassroomID string `gorm:"type:uuid;primaryKey"`
	UserID      string `gorm:"type:uuid;primaryKey"`
	SchoolID    string `gorm:"type:uuid"`
	CreatedAt   time.Time
}

// TableName keeps the table name singular-free and readable.
func (ClassroomStaff) TableName() string { return "classroom_staff" }

// Guardianship links a parent or carer to a student. A restricted guardianship
// (court order, custody) gives its user no access to the child and no
// notifications about them.
type Guardianship struct {
	ID           string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID     string `gorm:"type:uuid"`
	StudentID    string `gorm:"type:uuid"`
	UserID       string `gorm:"type:uuid"`
	Relationship Relationship
	IsPrimary    bool
	Restricted   bool
	// RestrictedReason is why an admin restricted it.
	RestrictedReason *string
	// EndedAt is when the guardianship ended (the student withdrawn, the
	// guardian gone from the roster).
	EndedAt *time.Time
	// Household is the key shared by a child's guardians who live together
	// (nil: not said; they count as one household).
	Household *string
	// GrantsAccess is the database's rule: neither restricted nor ended.
	// Every query deciding a guardian's access uses it.
	GrantsAccess bool `gorm:"->"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Invitation lets a parent join a school as a student's guardian. The one-time
// code is never stored: only its SHA-256 hash.
type Invitation struct {
	ID           string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID     string `gorm:"type:uuid"`
	StudentID    string `gorm:"type:uuid"`
	Relationship Relationship
	IsPrimary    bool
	Email        *string
	CodeHash     []byte
	ExpiresAt    time.Time
	CreatedByID  string  `gorm:"type:uuid"`
	RedeemedByID *string `gorm:"type:uuid"`
	RedeemedAt   *time.Time
	CreatedAt    time.Time
}

// Redeemed reports whether the invitation has been used.
func (i *Invitation) Redeemed() bool { return i.RedeemedAt != nil }

// InvitationAttempt records one try at redeeming a code, for rate limiting.
type InvitationAttempt struct {
	ID        int64  `gorm:"primaryKey"`
	UserID    string `gorm:"type:uuid"`
	Succeeded bool
	CreatedAt time.Time
}

// RosterClaim is the one-time code a roster invitation carries: whoever
// redeems it becomes the person (UserID) the roster recorded.
type RosterClaim struct {
	ID         string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID     string `gorm:"type:uuid"`
	CodeHash   []byte
	ExpiresAt  time.Time
	RedeemedAt *time.Time
	CreatedAt  time.Time
}

// Translation is a text (by its SHA-256) in one language: Target is a
// base language; Source the original's. Target == Source holds the
// original itself.
type Translation struct {
	Hash      []byte `gorm:"primaryKey"`
	Target    string `gorm:"primaryKey"`
	Text      string
	Source    string
	Chars     int32 `gorm:"default:0"`
	CreatedAt time.Time
}

// TranslationUsage is part of what a school had translated in a month
// (Month is its first day) into one language, in characters.
type TranslationUsage struct {
	SchoolID string    `gorm:"type:uuid;primaryKey"`
	Month    time.Time `gorm:"type:date;primaryKey"`
	Target   string    `gorm:"primaryKey"`
	// Shard spreads the count over rows (0–15), so a school's
	// translations do not wait on one row's lock; the usage is their sum.
	Shard int16 `gorm:"primaryKey"`
	Chars int64 `gorm:"default:0"`
}

// TableName keeps the table's name singular, as the migration has it.
func (TranslationUsage) TableName() string { return "translation_usage" }

// Translated reports whether t is a translation (not the original).
func (t *Translation) Translated() bool { return t.Target != t.Source }

// DemoSigningKey is the Ed25519 key demo mode signs its tokens with. It lives
// in the database so every server process and the demo-token command share it.
type DemoSigningKey struct {
	ID         int16 `gorm:"primaryKey"`
	PrivateKey []byte
	CreatedAt  time.Time
}

// AllModels lists every model, for schema checks.
func AllModels() []any {
	return []any{
		&School{}, &User{}, &Membership{}, &Classroom{}, &Student{}, &Enrollment{},
		&ClassroomStaff{}, &Guardianship{}, &Invitation{}, &InvitationAttempt{}, &RosterClaim{}, &Translation{}, &TranslationUsage{}, &DemoSigningKey{},
		&Device{}, &NotificationPreference{}, &Notification{}, &NotificationRecipient{}, &NotificationDelivery{},
		&Observation{}, &ObservationReview{}, &Acknowledgement{}, &ObservationResponse{}, &HomeInsight{}, &ClientMutation{},
		&Conversation{}, &ConversationParticipant{}, &Message{}, &OfficeHours{},
		&ConferenceRound{}, &ConferenceSlot{}, &ConferenceBooking{}, &CalendarFeed{},
		&ConferenceRequest{}, &ConferenceRequestOption{}, &Announcement{}, &AnnouncementRead{},
		&SchoolEvent{}, &EventRSVP{}, &Resource{}, &Upload{}, &ServerSecret{}, &AuditEvent{},
		&District{}, &DistrictAdmin{}, &RosterID{}, &RosterImport{}, &UserAlias{}, &DistrictMonitor{},
		&ContactPoint{}, &OutboundMessage{}, &DigestSubscriber{},
		&ConferenceSummary{}, &ConferenceNextStep{}, &ConferenceFollowUp{}, &TryAtHomeAnswer{}, &ChildProfile{},
	}
}

// Original is a text as its author wrote it, beside the field that gives
// it in the viewer's language.
type Original struct {
	Text string
	// Language is the base language it was written in, once known.
	Language *string
	// Translated says the field beside it is a translation.
	Translated bool
}
