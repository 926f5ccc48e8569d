package models

import "time"

// Channel is a way to reach a person besides push.
type Channel string

// Channels.
const (
	ChannelEmail Channel = "EMAIL"
	ChannelSMS   Channel = "SMS"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelEmail || c == ChannelSMS }

// Where a contact point came from.
const (
	SourceRoster = "ROSTER"
	SourceUser   = "USER"
)

// ContactPoint is one email address or phone number of a person.
type ContactPoint struct {
	ID      string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID  string `gorm:"type:uuid"`
	Channel Channel
	// Address is a lower-case email address or an E.164 number.
	Address          string
	Source           string
	VerifiedAt       *time.Time
	ConsentAt        *time.Time
	OptInSentAt      *time.Time
	OptedOutAt       *time.Time
	UndeliverableAt  *time.Time
	CodeHash         []byte `gorm:"default:''"`
	CodeExpiresAt    *time.Time
	CodeAttempts     int32
	CodesSent        int32
	CodesWindowStart *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Usable reports whether anything but an urgent alert may be sent to the
// point now: verified (or the school's own record), not opted out, not
// bouncing, and for SMS with the number's consent.
func (c *ContactPoint) Usable() bool {
	if c.OptedOutAt != nil || c.UndeliverableAt != nil {
		return false
	}
	if c.VerifiedAt == nil && c.Source != SourceRoster {
		return false
	}
	return c.Channel != ChannelSMS || c.ConsentAt != nil
}

// Outbound purposes.
const (
	PurposeVerify       = "VERIFY"
	PurposeOptIn        = "OPT_IN"
	PurposeHelp         = "HELP"
	PurposeNotification = "NOTIFICATION"
	PurposeUrgent       = "URGENT"
	PurposeDigest       = "DIGEST"
	PurposeInvitation   = "INVITATION"
	PurposeMessage      = "MESSAGE"
)

// Outbound statuses.
const (
	OutboundPending       = "PENDING"
	OutboundSending       = "SENDING"
	OutboundQueued        = "QUEUED"
	OutboundSent          = "SENT"
	OutboundDelivered     = "DELIVERED"
	OutboundFailed        = "FAILED"
	OutboundUndeliverable = "UNDELIVERABLE"
)

// OutboundMessage is one email or text, recorded before it is sent.
type OutboundMessage struct {
	ID             string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	BatchID        string  `gorm:"type:uuid"`
	SchoolID       *string `gorm:"type:uuid"`
	UserID         *string `gorm:"type:uuid"`
	ContactPointID *string `gorm:"type:uuid"`
	Channel        Channel
	Address        string
	Purpose        string
	NotificationID *string `gorm:"type:uuid"`
	ConversationID *string `gorm:"type:uuid"`
	DedupeKey      *string
	Subject        string
	Body           string
	HTML           string `gorm:"column:html"`
	Status         string `gorm:"default:PENDING"`
	ProviderID     *string
	ErrorCode      *string
	Segments       int32
	Attempts       int32
	NextAttemptAt  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// AddContactPointInput adds an email address or phone number.
type AddContactPointInput struct {
	Channel Channel
	Address string
}

// ContactPointIDInput names a contact point.
type ContactPointIDInput struct {
	ContactPointID string
}

// VerifyContactPointInput proves a contact point with its code.
type VerifyContactPointInput struct {
	ContactPointID string
	Code           string
}

// SetContactPointOptOutInput stops or restarts sends to a contact point.
type SetContactPointOptOutInput struct {
	ContactPointID string
	OptOut         bool
}

// UndeliverableContact is a family's point that stopped working, as a
// school's admins see it (without the address).
type UndeliverableContact struct {
	Guardian *User
	Channel  Channel
	Since    time.Time
}

// DigestSubscriber chose the daily digest instead of separate emails and
// texts.
type DigestSubscriber struct {
	UserID    string `gorm:"type:uuid;primaryKey"`
	CreatedAt time.Time
}

// SetSchoolChannelsInput sets the channels a school sends on.
type SetSchoolChannelsInput struct {
	SchoolID string
	Channels []Channel
}

// SetSchoolDigestTimeInput sets when a school's digest goes out.
type SetSchoolDigestTimeInput struct {
	SchoolID string
	Time     string
}

// Where a user's locale came from (users.locale_source).
const (
	LocaleFromRoster  = "ROSTER"
	LocaleFromDevice  = "DEVICE"
	LocaleFromProfile = "PROFILE"
)

// ClaimRosterRecordInput is the code of a roster invitation.
type ClaimRosterRecordInput struct {
	Code string
}
