package models

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"
)

// ObservationKind says what an observation is.
type ObservationKind string

// Kinds. POSITIVE is a positive note, the habit the product builds.
const (
	KindPositive    ObservationKind = "POSITIVE"
	KindObservation ObservationKind = "OBSERVATION"
	KindConcern     ObservationKind = "CONCERN"
)

// Valid reports whether k is a known kind.
func (k ObservationKind) Valid() bool {
	return k == KindPositive || k == KindObservation || k == KindConcern
}

// MarshalGQL implements graphql.Marshaler.
func (k ObservationKind) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *ObservationKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, ObservationKind.Valid, "ObservationKind")
}

// Category is the notification category of sharing this kind.
func (k ObservationKind) Category() NotificationCategory {
	if k == KindPositive {
		return CategoryPositiveNote
	}
	return CategoryObservation
}

// ObservationState is where an observation is in its life.
type ObservationState string

// States. Parents see only SHARED.
const (
	StateDraft     ObservationState = "DRAFT"
	StateInReview  ObservationState = "IN_REVIEW"
	StateShared    ObservationState = "SHARED"
	StateStaffOnly ObservationState = "STAFF_ONLY"
)

// Valid reports whether s is a known state.
func (s ObservationState) Valid() bool {
	return s == StateDraft || s == StateInReview || s == StateShared || s == StateStaffOnly
}

// MarshalGQL implements graphql.Marshaler.
func (s ObservationState) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *ObservationState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, ObservationState.Valid, "ObservationState")
}

// Skill is one of the social-emotional skills a note can name.
type Skill string

// skillList converts stored skill names to the enum.
func skillList(names []string) []Skill {
	out := make([]Skill, len(names))
	for i, n := range names {
		out[i] = Skill(n)
	}
	return out
}

// SkillList is the observation's skills as the GraphQL enum (a plain
// method: the field resolves inline, without a resolver's goroutine).
func (o *Observation) SkillList() []Skill { return skillList(o.Skills) }

// SkillList is the insight's skills as the GraphQL enum.
func (h *HomeInsight) SkillList() []Skill { return skillList(h.Skills) }

// The fixed list of skills.
const (
	SkillCooperation         Skill = "COOPERATION"
	SkillFollowingDirections Skill = "FOLLOWING_DIRECTIONS"
	SkillTakingTurns         Skill = "TAKING_TURNS"
	SkillOvercomingSetbacks  Skill = "OVERCOMING_SETBACKS"
	SkillSelfReliance        Skill = "SELF_RELIANCE"
	SkillResilience          Skill = "RESILIENCE"
	SkillCommunication       Skill = "COMMUNICATION"
	SkillKindness            Skill = "KINDNESS"
	SkillFocus               Skill = "FOCUS"
	SkillCuriosity           Skill = "CURIOSITY"
	SkillLeadership          Skill = "LEADERSHIP"
	SkillCreativity          Skill = "CREATIVITY"
)

// Skills lists every skill.
func Skills() []Skill {
	return []Skill{SkillCooperation, SkillFollowingDirections, SkillTakingTurns, SkillOvercomingSetbacks,
		SkillSelfReliance, SkillResilience, SkillCommunication, SkillKindness, SkillFocus, SkillCuriosity,
		SkillLeadership, SkillCreativity}
}

// Valid reports whether s is a known skill.
func (s Skill) Valid() bool {
	for _, k := range Skills() {
		if s == k {
			return true
		}
	}
	return false
}

// MarshalGQL implements graphql.Marshaler.
func (s Skill) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *Skill) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, Skill.Valid, "Skill") }

// Reaction is a parent's optional reaction when acknowledging.
type Reaction string

// Reactions.
const (
	ReactionHeart     Reaction = "HEART"
	ReactionThanks    Reaction = "THANKS"
	ReactionCelebrate Reaction = "CELEBRATE"
	ReactionSmile     Reaction = "SMILE"
)

// Valid reports whether r is a known reaction.
func (r Reaction) Valid() bool {
	return r == ReactionHeart || r == ReactionThanks || r == ReactionCelebrate || r == ReactionSmile
}

// MarshalGQL implements graphql.Marshaler.
func (r Reaction) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *Reaction) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, Reaction.Valid, "Reaction") }

// Observation is what a staff member saw, about one student.
type Observation struct {
	ID                 string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID           string `gorm:"type:uuid"`
	StudentID          string `gorm:"type:uuid"`
	AuthorID           string `gorm:"type:uuid"`
	GroupID            string `gorm:"type:uuid"`
	Kind               ObservationKind
	Body               string
	Skills             Array[string] `gorm:"type:text[];default:'{}'"`
	State              ObservationState
	EditedAfterSharing bool
	// TryAtHome is one concrete thing the family can try ('' for none).
	TryAtHome string
	SharedAt  *time.Time
	FeedAt    time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Fields gives the fields that depend on who reads the observation
	// (the graph layer sets it on each list it returns; see
	// ObservationFields). Never stored.
	Fields ObservationFields `gorm:"-" json:"-"`
}

// ObservationFields computes an observation's fields that depend on the
// viewer: its author and student as the viewer may see them, the viewer's
// acknowledgement and response count, and the body in the viewer's
// language. One value serves a whole list (a feed page), reading each
// field for all of the list's observations the first time one asks.
type ObservationFields interface {
	Author(o *Observation) (*User, error)
	Student(o *Observation) (*Student, error)
	Acknowledgement(o *Observation) (*Acknowledgement, error)
	ResponseCount(o *Observation) (int, error)
	Body(o *Observation) (string, error)
	BodyOriginal(o *Observation) (*Original, error)
}

// errNoFields: an observation reached the API without its fields (a
// path the graph layer does not know).
var errNoFields = Internal(errors.New("observation fields not attached"))

// The GraphQL fields of ObservationFields, as methods without a context:
// gqlgen resolves them in the list's goroutine, not one per field and item.

func (o *Observation) AuthorField() (*User, error) {
	if o.Fields == nil {
		return nil, errNoFields
	}
	return o.Fields.Author(o)
}

func (o *Observation) StudentField() (*Student, error) {
	if o.Fields == nil {
		return nil, errNoFields
	}
	return o.Fields.Student(o)
}

func (o *Observation) AcknowledgementField() (*Acknowledgement, error) {
	if o.Fields == nil {
		return nil, errNoFields
	}
	return o.Fields.Acknowledgement(o)
}

func (o *Observation) ResponseCountField() (int, error) {
	if o.Fields == nil {
		return 0, errNoFields
	}
	return o.Fields.ResponseCount(o)
}

func (o *Observation) BodyField() (string, error) {
	if o.Fields == nil {
		return "", errNoFields
	}
	return o.Fields.Body(o)
}

func (o *Observation) BodyOriginalField() (*Original, error) {
	if o.Fields == nil {
		return nil, errNoFields
	}
	return o.Fields.BodyOriginal(o)
}

// ObservationReview is one step of coaching on a concern.
type ObservationReview struct {
	ID            string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	ObservationID string `gorm:"type:uuid"`
	ReviewerID    string `gorm:"type:uuid"`
	Decision      string
	Comment       string
	CreatedAt     time.Time
}

// Review decisions.
const (
	ReviewRequested = "REQUESTED"
	ReviewApproved  = "APPROVED"
	ReviewReturned  = "RETURNED"
)

// Acknowledgement is a parent having seen an observation.
type Acknowledgement struct {
	ObservationID string `gorm:"type:uuid;primaryKey"`
	UserID        string `gorm:"type:uuid;primaryKey"`
	Reaction      *Reaction
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ObservationResponse is a parent's reply to an observation.
type ObservationResponse struct {
	ID            string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	ObservationID string `gorm:"type:uuid"`
	AuthorID      string `gorm:"type:uuid"`
	Body          string
	CreatedAt     time.Time
}

// HomeInsight is what a parent sees at home, for the child's staff.
type HomeInsight struct {
	ID        string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID  string `gorm:"type:uuid"`
	StudentID string `gorm:"type:uuid"`
	AuthorID  string `gorm:"type:uuid"`
	// Kind is what the insight is about (nil: free text only).
	Kind      *InsightKind
	Body      string
	Skills    Array[string] `gorm:"type:text[];default:'{}'"`
	CreatedAt time.Time
}

// ClientMutation records the first result of a retried mutation.
type ClientMutation struct {
	UserID           string          `gorm:"type:uuid;primaryKey"`
	Operation        string          `gorm:"primaryKey"`
	ClientMutationID string          `gorm:"primaryKey"`
	Result           json.RawMessage `gorm:"serializer:json"`
	CreatedAt        time.Time
}

// Observation limits.
const (
	MaxObservationBody  = 5000
	MaxResponseBody     = 2000
	MaxReviewComment    = 2000
	MaxStudentsPerPost  = 40
	MaxClientMutationID = 64
	MaxPageSize         = 100
	DefaultPageSize     = 20
)
