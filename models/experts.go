package models

import (
	"io"
	"strconv"
	"time"
)

// InsightKind is what a home insight is about.
type InsightKind string

// Insight kinds: the family as expert on their child.
const (
	InsightStrength  InsightKind = "STRENGTH"
	InsightWhatWorks InsightKind = "WHAT_WORKS"
	InsightWorry     InsightKind = "WORRY"
	InsightGoal      InsightKind = "GOAL"
)

// Valid reports whether k is a known kind.
func (k InsightKind) Valid() bool {
	return k == InsightStrength || k == InsightWhatWorks || k == InsightWorry || k == InsightGoal
}

// MarshalGQL implements graphql.Marshaler.
func (k InsightKind) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *InsightKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, InsightKind.Valid, "InsightKind")
}

// TryAtHomeAnswer is a guardian's "we tried it" on a note's suggestion,
// with a word on how it went.
type TryAtHomeAnswer struct {
	ObservationID string `gorm:"type:uuid;primaryKey"`
	UserID        string `gorm:"type:uuid;primaryKey"`
	SchoolID      string `gorm:"type:uuid"`
	StudentID     string `gorm:"type:uuid"`
	Body          string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ChildProfile is "About my child": what one household says of their
// child, in their words, for the child's teachers.
type ChildProfile struct {
	StudentID   string `gorm:"type:uuid;primaryKey"`
	SchoolID    string `gorm:"type:uuid"`
	Household   string `gorm:"primaryKey"`
	Strengths   string
	WhatWorks   string
	Worries     string
	Goals       string
	UpdatedByID *string `gorm:"type:uuid"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Limits of what families write about their child.
const (
	MaxTryAtHome       = 500
	MaxTryAtHomeAnswer = 1000
	MaxProfileField    = 2000
	NoticeTriedAtHome  = "TRIED_AT_HOME"
	// GettingToKnowDays is how long after a child joins a teacher's class
	// their family's profile leads the teacher's "getting to know" list.
	GettingToKnowDays = 42
)

// AnswerTryAtHomeInput is a guardian's "we tried it".
type AnswerTryAtHomeInput struct {
	ObservationID string
	Body          *string
}

// UpdateChildProfileInput sets the viewer's household's profile of a
// child; a nil field is left as it is, "" clears it.
type UpdateChildProfileInput struct {
	StudentID string
	Strengths *string
	WhatWorks *string
	Worries   *string
	Goals     *string
}

// GettingToKnowEntry is one of a teacher's new students with what their
// family said of them.
type GettingToKnowEntry struct {
	Student  *Student
	JoinedAt time.Time
	Profiles []*ChildProfile
}
