package models

import (
	"io"
	"strconv"
	"time"
)

// EventTopic is what a parent-education event is about.
type EventTopic string

// Topics schools run workshops on.
const (
	TopicCommunication     EventTopic = "COMMUNICATION"
	TopicSettingLimits     EventTopic = "SETTING_LIMITS"
	TopicSelfReliance      EventTopic = "SELF_RELIANCE"
	TopicResilience        EventTopic = "RESILIENCE"
	TopicSocialDevelopment EventTopic = "SOCIAL_DEVELOPMENT"
	TopicLearningAtHome    EventTopic = "LEARNING_AT_HOME"
	TopicWellbeing         EventTopic = "WELLBEING"
	TopicOther             EventTopic = "OTHER"
)

// Valid reports whether t is a known topic.
func (t EventTopic) Valid() bool {
	switch t {
	case TopicCommunication, TopicSettingLimits, TopicSelfReliance, TopicResilience,
		TopicSocialDevelopment, TopicLearningAtHome, TopicWellbeing, TopicOther:
		return true
	}
	return false
}

// MarshalGQL implements graphql.Marshaler.
func (t EventTopic) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(t))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (t *EventTopic) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, t, EventTopic.Valid, "EventTopic")
}

// RSVPState is where a family stands for an event.
type RSVPState string

// RSVP states.
const (
	RSVPGoing      RSVPState = "GOING"
	RSVPWaitlisted RSVPState = "WAITLISTED"
	RSVPCancelled  RSVPState = "CANCELLED"
)

// Valid reports whether s is a known state.
func (s RSVPState) Valid() bool { return s == RSVPGoing || s == RSVPWaitlisted || s == RSVPCancelled }

// MarshalGQL implements graphql.Marshaler.
func (s RSVPState) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *RSVPState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, RSVPState.Valid, "RSVPState")
}

// SchoolEvent is a parent-education event or workshop.
type SchoolEvent struct {
	ID          string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID    string `gorm:"type:uuid"`
	Title       string
	Topic       EventTopic
	Description string
	StartsAt    time.Time
	EndsAt      time.Time
	Location    string
	VideoURL    string `gorm:"column:video_url"`
	Capacity    int32
	CreatedByID string `gorm:"type:uuid"`
	CreatedAt   time.Time
}

// EventRSVP is a family's answer to an event.
type EventRSVP struct {
	EventID   string `gorm:"type:uuid;primaryKey"`
	UserID    string `gorm:"type:uuid;primaryKey"`
	HeadCount int32
	State     RSVPState
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the GORM table.
func (EventRSVP) TableName() string { return "event_rsvps" }

// Event limits.
const (
	MaxHeadCount = 10
	NoticeEvent  = "EVENT"
)

// CreateSchoolEventInput creates an event.
type CreateSchoolEventInput struct {
	SchoolID    string
	Title       string
	Topic       EventTopic
	Description *string
	StartsAt    time.Time
	EndsAt      time.Time
	Location    *string
	VideoURL    *string
	Capacity    int32
}

// RsvpSchoolEventInput answers an event for the viewer's family.
type RsvpSchoolEventInput struct {
	EventID   string
	HeadCount int32
}

// EventIDInput names an event.
type EventIDInput struct {
	EventID string
}
