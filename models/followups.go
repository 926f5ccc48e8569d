package models

import (
	"io"
	"strconv"
	"time"
)

// NextStepOwner is who carries a next step out.
type NextStepOwner string

// Owners.
const (
	OwnerHome   NextStepOwner = "HOME"
	OwnerSchool NextStepOwner = "SCHOOL"
)

// Valid reports whether o is a known owner.
func (o NextStepOwner) Valid() bool { return o == OwnerHome || o == OwnerSchool }

// MarshalGQL implements graphql.Marshaler.
func (o NextStepOwner) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (o *NextStepOwner) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, o, NextStepOwner.Valid, "NextStepOwner")
}

// NextStepProgress is how a next step goes, as one side answers a check-in.
type NextStepProgress string

// Progress. DONE marks the step done.
const (
	ProgressNotStarted NextStepProgress = "NOT_STARTED"
	ProgressGoingWell  NextStepProgress = "GOING_WELL"
	ProgressStuck      NextStepProgress = "STUCK"
	ProgressDone       NextStepProgress = "DONE"
)

// Valid reports whether p is a known progress.
func (p NextStepProgress) Valid() bool {
	return p == ProgressNotStarted || p == ProgressGoingWell || p == ProgressStuck || p == ProgressDone
}

// MarshalGQL implements graphql.Marshaler.
func (p NextStepProgress) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(p))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (p *NextStepProgress) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, p, NextStepProgress.Valid, "NextStepProgress")
}

// FollowUpKind is what a follow-up on a summary is.
type FollowUpKind string

// Follow-up kinds: the family's addition to the summary, or either side's
// answer to a check-in on one step.
const (
	FollowUpAddition FollowUpKind = "ADDITION"
	FollowUpCheckIn  FollowUpKind = "CHECK_IN"
)

// Valid reports whether k is a known kind.
func (k FollowUpKind) Valid() bool { return k == FollowUpAddition || k == FollowUpCheckIn }

// MarshalGQL implements graphql.Marshaler.
func (k FollowUpKind) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *FollowUpKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, FollowUpKind.Valid, "FollowUpKind")
}

// ConferenceSummary is what a teacher shares after a meeting (a round's
// booking or a scheduled request), with the next steps agreed, for the
// household that met.
type ConferenceSummary struct {
	ID               string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID         string  `gorm:"type:uuid"`
	StudentID        string  `gorm:"type:uuid"`
	BookingID        *string `gorm:"type:uuid"`
	RequestID        *string `gorm:"type:uuid"`
	Household        string
	AuthorID         string `gorm:"type:uuid"`
	Body             string
	CheckInDays      int32
	CheckInAt        time.Time
	AcknowledgedAt   *time.Time
	AcknowledgedByID *string `gorm:"type:uuid"`
	CreatedAt        time.Time
}

// ConferenceNextStep is one step agreed at a meeting.
type ConferenceNextStep struct {
	ID        string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SummaryID string `gorm:"type:uuid"`
	Position  int16
	Owner     NextStepOwner
	Body      string
	DueOn     *time.Time `gorm:"type:date"`
	DoneAt    *time.Time
	DoneByID  *string `gorm:"type:uuid"`
	CreatedAt time.Time
}

// ConferenceFollowUp is the family's addition to a summary, or either
// side's check-in answer on a step.
type ConferenceFollowUp struct {
	ID        string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SummaryID string  `gorm:"type:uuid"`
	StepID    *string `gorm:"type:uuid"`
	SchoolID  string  `gorm:"type:uuid"`
	StudentID string  `gorm:"type:uuid"`
	AuthorID  string  `gorm:"type:uuid"`
	Kind      FollowUpKind
	Progress  *NextStepProgress
	Body      string
	CreatedAt time.Time
}

// Follow-up limits.
const (
	MaxSummaryBody         = 5000
	MaxNextSteps           = 10
	MaxNextStepBody        = 500
	MaxFollowUpBody        = 2000
	MaxFamilyNotes         = 2000
	DefaultCheckInDays     = 30
	MaxCheckInDays         = 180
	NoticeConferenceFollow = "CONFERENCE_FOLLOW_UP"
)

// NextStepInput is one agreed step.
type NextStepInput struct {
	Owner NextStepOwner
	Body  string
	// DueOn is YYYY-MM-DD, optional.
	DueOn *string
}

// ShareConferenceSummaryInput shares a meeting's summary: exactly one of
// BookingID and RequestID.
type ShareConferenceSummaryInput struct {
	ClientMutationID string
	BookingID        *string
	RequestID        *string
	Body             string
	NextSteps        []*NextStepInput
	CheckInAfterDays *int32
}

// ConferenceSummaryPayload returns the summary.
type ConferenceSummaryPayload struct {
	ClientMutationID string
	Summary          *ConferenceSummary
}

// AcknowledgeConferenceSummaryInput is the family's acknowledgement, with
// an optional addition in their words.
type AcknowledgeConferenceSummaryInput struct {
	ClientMutationID string
	SummaryID        string
	Addition         *string
}

// AnswerNextStepCheckInInput is one side's word on how a step goes.
type AnswerNextStepCheckInInput struct {
	ClientMutationID string
	StepID           string
	Progress         NextStepProgress
	Body             *string
}

// ConferenceFollowUpPayload returns the follow-up written (nil for an
// acknowledgement without addition) and the summary.
type ConferenceFollowUpPayload struct {
	ClientMutationID string
	FollowUp         *ConferenceFollowUp
	Summary          *ConferenceSummary
}

// IsTimelineItem marks ConferenceSummary as a TimelineItem (GraphQL union).
func (ConferenceSummary) IsTimelineItem() {}

// IsTimelineItem marks ConferenceFollowUp as a TimelineItem (GraphQL union).
func (ConferenceFollowUp) IsTimelineItem() {}
