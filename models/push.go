package models

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Platform is the kind of device a push token belongs to.
type Platform string

// Platforms FCM delivers to.
const (
	PlatformIOS     Platform = "IOS"
	PlatformAndroid Platform = "ANDROID"
	PlatformWeb     Platform = "WEB"
)

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool { return p == PlatformIOS || p == PlatformAndroid || p == PlatformWeb }

// MarshalGQL implements graphql.Marshaler.
func (p Platform) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(p))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (p *Platform) UnmarshalGQL(v any) error { return unmarshalEnum(v, p, Platform.Valid, "Platform") }

// NotificationCategory groups notifications for preferences.
type NotificationCategory string

// Categories a user can turn on and off. CategorySystem (test pushes) is not
// one of them: it always goes out.
const (
	CategoryNewMessage   NotificationCategory = "NEW_MESSAGE"
	CategoryPositiveNote NotificationCategory = "POSITIVE_NOTE"
	CategoryObservation  NotificationCategory = "OBSERVATION"
	CategoryConference   NotificationCategory = "CONFERENCE"
	CategoryAnnouncement NotificationCategory = "ANNOUNCEMENT"
	CategoryEvent        NotificationCategory = "EVENT"
	CategoryCoaching     NotificationCategory = "COACHING"
	// CategoryWeeklyReminder is a teacher's Monday reminder of the students
	// still waiting for a positive note (off to opt out).
	CategoryWeeklyReminder NotificationCategory = "WEEKLY_REMINDER"
	CategorySystem         NotificationCategory = "SYSTEM"
)

// Categories lists the categories users have preferences for, in order.
func Categories() []NotificationCategory {
	return []NotificationCategory{CategoryNewMessage, CategoryPositiveNote, CategoryObservation,
		CategoryConference, CategoryAnnouncement, CategoryEvent, CategoryCoaching, CategoryWeeklyReminder}
}

// Valid reports whether c is a category users have a preference for.
func (c NotificationCategory) Valid() bool {
	for _, k := range Categories() {
		if c == k {
			return true
		}
	}
	return false
}

// MarshalGQL implements graphql.Marshaler.
func (c NotificationCategory) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(c)))
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (c *NotificationCategory) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, c, NotificationCategory.Valid, "NotificationCategory")
}

// Device is a phone, tablet or browser that receives pushes.
type Device struct {
	ID         string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	UserID     string `gorm:"type:uuid"`
	Token      string
	Platform   Platform
	AppVersion string
	Locale     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TokenSuffix is the end of the token, enough for a person to tell devices apart.
func (d *Device) TokenSuffix() string {
	if len(d.Token) <= 6 {
		return d.Token
	}
	return d.Token[len(d.Token)-6:]
}

// NotificationPreference turns one category's pushes on or off for a user.
type NotificationPreference struct {
	UserID    string               `gorm:"type:uuid;primaryKey"`
	Category  NotificationCategory `gorm:"primaryKey"`
	Push      bool
	Email     bool
	SMS       bool `gorm:"column:sms"`
	UpdatedAt time.Time
}

// Notification is one thing to tell one or more users.
type Notification struct {
	ID          string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID    *string `gorm:"type:uuid"`
	Type        string
	Category    NotificationCategory
	Urgent      bool
	Params      map[string]string `gorm:"serializer:json"`
	Data        map[string]string `gorm:"serializer:json"`
	DeepLink    string
	CollapseKey string
	ThreadID    string
	// CancelKey lets a scheduled notification be called off (CancelTx).
	CancelKey *string
	CreatedAt time.Time
}

// Recipient states.
const (
	RecipientPending  = "PENDING"
	RecipientDeferred = "DEFERRED"
	RecipientSkipped  = "SKIPPED"
	RecipientPlanned  = "PLANNED"
)

// NotificationRecipient is one user a notification is for.
type NotificationRecipient struct {
	NotificationID string `gorm:"type:uuid;primaryKey"`
	UserID         string `gorm:"type:uuid;primaryKey"`
	State          string
	DeferredUntil  *time.Time
	ReadAt         *time.Time
	CreatedAt      time.Time
}

// Delivery statuses.
const (
	DeliveryPending = "PENDING"
	DeliverySending = "SENDING"
	DeliverySent    = "SENT"
	DeliveryFailed  = "FAILED"
)

// NotificationDelivery is one push to one device.
type NotificationDelivery struct {
	NotificationID string `gorm:"type:uuid;primaryKey"`
	DeviceID       string `gorm:"type:uuid;primaryKey"`
	UserID         string `gorm:"type:uuid"`
	Status         string
	ClaimedBy      *int64
	NextAttemptAt  time.Time
	ErrorCode      *string
	MessageID      *string
	Attempts       int32
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Notice is what a domain write asks to be told: who, what kind, and what
// the app should open. The push pipeline localizes it per recipient.
type Notice struct {
	// Type names the payload (and its schema in mobile-contracts/push/).
	Type     string
	Category NotificationCategory
	SchoolID *string
	// Recipients are user ids; restricted guardians must already be left out.
	Recipients []string
	// RecipientsSQL, instead of Recipients, is a subquery of the user ids
	// (one column) with its named arguments, evaluated in the
	// statement that writes the notice: a large audience (an announcement
	// to a school) stays in the database rather than travelling to the
	// server and back.
	RecipientsSQL  string
	RecipientsArgs map[string]any
	// Urgent notices ignore quiet hours.
	Urgent bool
	// Params fill the localized title and body.
	Params map[string]string
	// Data goes into the push's data map (ids the app needs).
	Data map[string]string
	// DeepLink is what the app opens, e.g. sameside://observations/ID.
	DeepLink string
	// CollapseKey groups pushes that replace each other (default: Type);
	// ThreadID groups them on iOS (default: CollapseKey).
	CollapseKey string
	ThreadID    string
	// SendAt schedules the notice for later (a reminder); nil sends now.
	SendAt *time.Time
	// CancelKey names the notice for Notifier.CancelTx, until it is sent.
	CancelKey string
}

// QuietHours is a daily window, in the user's time zone, without pushes.
// It may wrap midnight (21:00–07:00).
type QuietHours struct {
	StartMinute int // minutes after midnight
	EndMinute   int
}

// Start formats the start as HH:MM.
func (q QuietHours) Start() string { return FormatClock(q.StartMinute) }

// End formats the end as HH:MM.
func (q QuietHours) End() string { return FormatClock(q.EndMinute) }

// Notice types: each names a push payload, whose JSON schema and example are
// in mobile-contracts/push/<type>.schema.json.
const (
	NoticeTest = "TEST"
)

// Limits on devices and test pushes.
const (
	MaxDevicesPerUser     = 20
	MaxTokenLength        = 4096
	MaxTestPushesPer10Min = 5
)

// CategoryPreference is one category's setting.
type CategoryPreference struct {
	Category NotificationCategory
	Push     bool
	Email    bool
	Sms      bool
}

// NotificationPreferences is everything a user chose about pushes.
type NotificationPreferences struct {
	Categories []*CategoryPreference
	QuietHours *QuietHours
	// TimeZone is the zone quiet hours are in (the user's).
	TimeZone string
	// Digest: one email (or text) a day instead of separate ones.
	Digest bool
}

// RegisterDeviceInput registers a push token for the viewer.
type RegisterDeviceInput struct {
	Token      string
	Platform   Platform
	AppVersion string
	Locale     *string
}

// UnregisterDeviceInput removes one of the viewer's tokens.
type UnregisterDeviceInput struct {
	Token string
}

// UnregisterDevicePayload says whether a device was removed.
type UnregisterDevicePayload struct {
	Removed bool
}

// CategoryPreferenceInput sets one category.
type CategoryPreferenceInput struct {
	Category NotificationCategory
	Push     bool
	// Email and Sms: nil leaves the channel as it is.
	Email *bool
	Sms   *bool
}

// QuietHoursInput sets quiet hours as HH:MM times.
type QuietHoursInput struct {
	Start string
	End   string
}

// UpdateNotificationPreferencesInput changes what is given.
type UpdateNotificationPreferencesInput struct {
	Categories      []*CategoryPreferenceInput
	QuietHours      *QuietHoursInput
	ClearQuietHours *bool
	Digest          *bool
}

// SendTestNotificationPayload says how many devices the test goes to.
type SendTestNotificationPayload struct {
	DeviceCount int
}

// FormatClock formats minutes after midnight as HH:MM.
func FormatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// ParseClock parses HH:MM (24-hour) into minutes after midnight.
func ParseClock(field, s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, InvalidField(field, "%s must be a time like 21:30", field)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, InvalidField(field, "%s must be a time like 21:30", field)
	}
	return h*60 + m, nil
}
