package models

import "time"

// PostObservationInput writes one note about one or more students.
type PostObservationInput struct {
	ClientMutationID string
	StudentIDs       []string
	Kind             ObservationKind
	Body             string
	Skills           []Skill
	// State is DRAFT (default), SHARED or STAFF_ONLY.
	State *ObservationState
	// AttachmentIDs are completed uploads of the viewer's (at most 6).
	AttachmentIDs []string
	// TryAtHome is one concrete thing the family can try, optional.
	TryAtHome *string
}

// PostObservationPayload returns one observation per student.
type PostObservationPayload struct {
	ClientMutationID string
	Observations     []*Observation
}

// UpdateObservationInput edits an observation; nil fields stay.
type UpdateObservationInput struct {
	ClientMutationID string
	ID               string
	Body             *string
	Skills           []Skill
	Kind             *ObservationKind
	// TryAtHome replaces the suggestion ("" removes it).
	TryAtHome *string
}

// ObservationIDInput names an observation for share, delete and review requests.
type ObservationIDInput struct {
	ClientMutationID string
	ID               string
}

// ObservationPayload returns one observation.
type ObservationPayload struct {
	ClientMutationID string
	Observation      *Observation
}

// DeleteObservationPayload says what was deleted.
type DeleteObservationPayload struct {
	ClientMutationID string
	DeletedID        string
}

// ReviewDecision is a reviewer's answer.
type ReviewDecision string

// Decisions.
const (
	DecisionApprove ReviewDecision = "APPROVE"
	DecisionReturn  ReviewDecision = "RETURN"
)

// ReviewObservationInput approves or returns a concern in review.
type ReviewObservationInput struct {
	ClientMutationID string
	ID               string
	Decision         ReviewDecision
	Comment          *string
}

// AcknowledgeObservationInput marks a shared observation seen.
type AcknowledgeObservationInput struct {
	ID       string
	Reaction *Reaction
}

// RespondToObservationInput is a parent's reply.
type RespondToObservationInput struct {
	ClientMutationID string
	ID               string
	Body             string
}

// RespondToObservationPayload returns the reply.
type RespondToObservationPayload struct {
	ClientMutationID string
	Response         *ObservationResponse
}

// ShareHomeInsightInput is what a parent sees at home.
type ShareHomeInsightInput struct {
	ClientMutationID string
	StudentID        string
	Body             string
	Skills           []Skill
	AttachmentIDs    []string
	Kind             *InsightKind
}

// ShareHomeInsightPayload returns the insight.
type ShareHomeInsightPayload struct {
	ClientMutationID string
	HomeInsight      *HomeInsight
}

// FeedArgs select a page of observations.
type FeedArgs struct {
	StudentIDs []string
	Kinds      []ObservationKind
	First      *int
	After      *string
	// WithAttachments reads each item's attachments in the page's own
	// statement (ObservationPage.Attachments).
	WithAttachments bool
}

// ObservationExtras is what a feed row carries about the viewer.
type ObservationExtras struct {
	Acknowledged   bool
	Reaction       *Reaction
	AcknowledgedAt *time.Time
	ResponseCount  int
}

// ObservationPage is one page of a feed.
type ObservationPage struct {
	Items   []*Observation
	Extras  map[string]ObservationExtras
	Cursors map[string]string
	// Authors and Students of the items, read with them.
	Authors  map[string]*User
	Students map[string]*Student
	HasNext  bool
	// Attachments by "OBSERVATION_GROUP:group id", when asked for
	// (FeedArgs.WithAttachments); nil otherwise.
	Attachments map[string][]*Upload
}

// StudentBalance is a student's recent picture.
type StudentBalance struct {
	Since            time.Time
	Positive         int
	Observation      int
	Concern          int
	LastPositiveNote *Observation
}

// DraftHint is advice on a draft; Start and End (characters) locate the
// words it is about, when it is about words.
type DraftHint struct {
	Code    string
	Message string
	Excerpt string
	Start   int
	End     int
}

// ObservationConnection is a Relay connection of observations.
type ObservationConnection = Connection[Observation]

// ObservationEdge is one observation and its cursor.
type ObservationEdge = Edge[Observation]

// AcknowledgedAt is when the acknowledgement was made.
func (a *Acknowledgement) AcknowledgedAt() time.Time { return a.CreatedAt }

// IsTimelineItem marks Observation as a TimelineItem (GraphQL union).
func (Observation) IsTimelineItem() {}

// IsTimelineItem marks HomeInsight as a TimelineItem (GraphQL union).
func (HomeInsight) IsTimelineItem() {}

// TimelineEntry is one entry of a student's timeline: exactly one of
// its items is set.
type TimelineEntry struct {
	Cursor             string
	Observation        *Observation
	HomeInsight        *HomeInsight
	ConferenceSummary  *ConferenceSummary
	ConferenceFollowUp *ConferenceFollowUp
}

// TimelineConnection is a page of a student's timeline.
type TimelineConnection = Connection[TimelineEntry]

// TimelineEdge is one timeline entry and its cursor.
type TimelineEdge = Edge[TimelineEntry]
