package models

import (
	"io"
	"strconv"
	"time"
)

// ConferenceMode is how a conference is held.
type ConferenceMode string

// Conference modes.
const (
	ConferenceInPerson ConferenceMode = "IN_PERSON"
	ConferenceVideo    ConferenceMode = "VIDEO"
)

// Valid reports whether m is a known mode.
func (m ConferenceMode) Valid() bool { return m == ConferenceInPerson || m == ConferenceVideo }

// MarshalGQL implements graphql.Marshaler.
func (m ConferenceMode) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(m))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (m *ConferenceMode) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, m, ConferenceMode.Valid, "ConferenceMode")
}

// ConferenceRound is a school's (or one grade's) conference period.
type ConferenceRound struct {
	ID          string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID    string `gorm:"type:uuid"`
	Name        string
	Grade       *string   // nil: the whole school
	StartsOn    time.Time `gorm:"type:date"`
	EndsOn      time.Time `gorm:"type:date"`
	SlotMinutes int32
	Mode        ConferenceMode
	Location    string
	VideoURL    string `gorm:"column:video_url"`
	CreatedByID string `gorm:"type:uuid"`
	CreatedAt   time.Time
}

// ConferenceSlot is one bookable time with a teacher.
type ConferenceSlot struct {
	ID          string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	RoundID     string `gorm:"type:uuid"`
	SchoolID    string `gorm:"type:uuid"`
	TeacherID   string `gorm:"type:uuid"`
	StartsAt    time.Time
	EndsAt      time.Time
	CancelledAt *time.Time
	CreatedAt   time.Time
}

// ConferenceBooking is a parent's booking of a slot for one child.
type ConferenceBooking struct {
	ID         string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SlotID     string `gorm:"type:uuid"`
	RoundID    string `gorm:"type:uuid"`
	SchoolID   string `gorm:"type:uuid"`
	StudentID  string `gorm:"type:uuid"`
	BookedByID string `gorm:"type:uuid"`
	// Household is the booker's household key ('' when not said): only
	// that household's guardians see the booking.
	Household string
	// Questions and AtHome are the family's words before the meeting: what
	// they want to talk about, what they see at home.
	Questions     string
	AtHome        string
	Notes         string
	CreatedAt     time.Time
	CancelledAt   *time.Time
	CancelledByID *string `gorm:"type:uuid"`
}

// Conference limits.
const (
	MaxConferenceRoundDays = 62
	MaxConferenceNotes     = 2000
	MaxSlotsPerPublish     = 200
	NoticeConference       = "CONFERENCE"
)

// CreateConferenceRoundInput opens a round. Dates are YYYY-MM-DD in the
// school's time zone.
type CreateConferenceRoundInput struct {
	SchoolID    string
	Name        string
	Grade       *string
	StartsOn    string
	EndsOn      string
	SlotMinutes int32
	Mode        ConferenceMode
	Location    *string
	VideoURL    *string
}

// AvailabilityWindowInput is a time a teacher is available.
type AvailabilityWindowInput struct {
	StartsAt time.Time
	EndsAt   time.Time
}

// PublishConferenceAvailabilityInput adds the viewer's windows to a round;
// each is cut into slots of the round's length.
type PublishConferenceAvailabilityInput struct {
	RoundID string
	Windows []*AvailabilityWindowInput
}

// BookConferenceSlotInput books a slot for a child.
type BookConferenceSlotInput struct {
	ClientMutationID string
	SlotID           string
	StudentID        string
	Questions        *string
	AtHome           *string
}

// RescheduleConferenceBookingInput moves a booking to another slot.
type RescheduleConferenceBookingInput struct {
	ClientMutationID string
	BookingID        string
	SlotID           string
}

// ConferenceBookingPayload returns the booking.
type ConferenceBookingPayload struct {
	ClientMutationID string
	Booking          *ConferenceBooking
}

// CancelConferenceBookingInput cancels a booking.
type CancelConferenceBookingInput struct {
	BookingID string
}

// CancelConferenceSlotInput withdraws a slot (its booking is cancelled).
type CancelConferenceSlotInput struct {
	SlotID string
}

// SetConferenceNotesInput sets the teacher's notes to prepare.
type SetConferenceNotesInput struct {
	BookingID string
	Notes     string
}

// ConferenceSlotView is a slot as one viewer sees it.
type ConferenceSlotView struct {
	ConferenceSlot
	// Available: not booked, not withdrawn, still ahead.
	Available bool
	// AdjacentToMyBooking: it starts when one of the viewer's children's
	// bookings in the round ends, or ends when one starts.
	AdjacentToMyBooking bool
}

// ConferenceRequestState is where a meeting request stands.
type ConferenceRequestState string

// Request states.
const (
	RequestOpen      ConferenceRequestState = "OPEN"
	RequestScheduled ConferenceRequestState = "SCHEDULED"
	RequestCancelled ConferenceRequestState = "CANCELLED"
)

// Valid reports whether s is a known state.
func (s ConferenceRequestState) Valid() bool {
	return s == RequestOpen || s == RequestScheduled || s == RequestCancelled
}

// MarshalGQL implements graphql.Marshaler.
func (s ConferenceRequestState) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(s)))
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *ConferenceRequestState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, ConferenceRequestState.Valid, "ConferenceRequestState")
}

// ConferenceRequest is a family's request for a meeting with the child's
// teacher and the school's admins.
type ConferenceRequest struct {
	ID            string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID      string `gorm:"type:uuid"`
	StudentID     string `gorm:"type:uuid"`
	TeacherID     string `gorm:"type:uuid"`
	RequestedByID string `gorm:"type:uuid"`
	// Household is the requester's household key, as on a booking.
	Household        string
	Topic            string
	AtHome           string
	State            ConferenceRequestState
	AcceptedOptionID *string `gorm:"type:uuid"`
	CreatedAt        time.Time
}

// ConferenceRequestOption is a time staff proposed for a request.
type ConferenceRequestOption struct {
	ID           string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	RequestID    string `gorm:"type:uuid"`
	ProposedByID string `gorm:"type:uuid"`
	StartsAt     time.Time
	EndsAt       time.Time
	CreatedAt    time.Time
}

// Request limits.
const (
	MaxTopic                = 1000
	MaxProposedTimes        = 5
	MaxMeetingLength        = 3 * time.Hour
	NoticeConferenceRequest = "CONFERENCE_REQUEST"
)

// RequestConferenceMeetingInput asks for a meeting about a child.
type RequestConferenceMeetingInput struct {
	ClientMutationID string
	StudentID        string
	TeacherID        string
	Topic            string
	AtHome           *string
}

// ConferenceRequestPayload returns the request.
type ConferenceRequestPayload struct {
	ClientMutationID string
	Request          *ConferenceRequest
}

// ProposeConferenceTimesInput offers times for a request.
type ProposeConferenceTimesInput struct {
	RequestID string
	Times     []*AvailabilityWindowInput
}

// AcceptConferenceTimeInput accepts one proposed time.
type AcceptConferenceTimeInput struct {
	RequestID string
	OptionID  string
}

// CancelConferenceRequestInput withdraws a request or its meeting.
type CancelConferenceRequestInput struct {
	RequestID string
}
