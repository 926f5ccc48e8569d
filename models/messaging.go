package models

import "time"

// Conversation is a thread between some of a student's guardians and staff
// (or, with no student, between a family and the school office).
type Conversation struct {
	ID            string  `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID      string  `gorm:"type:uuid"`
	StudentID     *string `gorm:"type:uuid"`
	Subject       string
	CreatedByID   string `gorm:"type:uuid"`
	LastSeq       int64
	LastMessageAt time.Time
	CreatedAt     time.Time
}

// ConversationParticipant is one person in a conversation and what they
// have read.
type ConversationParticipant struct {
	ConversationID string `gorm:"type:uuid;primaryKey"`
	UserID         string `gorm:"type:uuid;primaryKey"`
	LastReadSeq    int64
	Muted          bool
	JoinedAt       time.Time
}

// Message is one message; Seq orders a conversation's messages.
type Message struct {
	ID             string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	ConversationID string `gorm:"type:uuid"`
	Seq            int64
	SenderID       string `gorm:"type:uuid"`
	Body           string
	Urgent         bool
	CreatedAt      time.Time
	// ReadIn and Translation are set by a read that brings the message's
	// stored translation into a language along with it (Service.MessageIn,
	// a live delivery): ReadIn that language, Translation nil while there
	// is none. Not columns.
	ReadIn      string       `gorm:"-"`
	Translation *Translation `gorm:"-"`
}

// Messaging limits.
const (
	MaxMessageBody   = 4000
	MaxSubject       = 200
	MaxParticipants  = 20
	NoticeNewMessage = "NEW_MESSAGE"
)

// StartConversationInput starts a conversation with its first message.
type StartConversationInput struct {
	ClientMutationID string
	// StudentID: the student it is about; nil for a general conversation
	// with the school (then SchoolID is required).
	StudentID *string
	SchoolID  *string
	// ParticipantIDs: the people the starter includes (the starter is added).
	ParticipantIDs []string
	Subject        string
	Body           string
}

// SendMessageInput adds a message to a conversation.
type SendMessageInput struct {
	ClientMutationID string
	ConversationID   string
	Body             string
	// Urgent: admins only; pushes ignore quiet hours.
	Urgent        *bool
	AttachmentIDs []string
}

// ConversationPayload returns a conversation.
type ConversationPayload struct {
	ClientMutationID string
	Conversation     *Conversation
	// ExpectedReplyAfter is set when every participant with office hours
	// is outside them: when the first of them is back.
	ExpectedReplyAfter *time.Time
}

// SendMessagePayload returns the message.
type SendMessagePayload struct {
	ClientMutationID string
	Message          *Message
	// ExpectedReplyAfter: as in ConversationPayload.
	ExpectedReplyAfter *time.Time
}

// ConversationIDInput names a conversation.
type ConversationIDInput struct {
	ConversationID string
}

// MuteConversationInput mutes or unmutes a conversation for the viewer.
type MuteConversationInput struct {
	ConversationID string
	Muted          bool
}

// ConversationConnection is a Relay connection of conversations.
type ConversationConnection = Connection[Conversation]

// ConversationEdge is one conversation and its cursor.
type ConversationEdge = Edge[Conversation]

// MessageConnection is a Relay connection of messages, newest first.
type MessageConnection = Connection[Message]

// MessageEdge is one message and its cursor.
type MessageEdge = Edge[Message]

// Event is a live event for subscribers. Topic is "conversation:<id>" or
// "user:<id>"; the rest names what happened, never its content (subscribers
// load that, checked against who they are).
type Event struct {
	Topic          string `json:"topic"`
	Type           string `json:"type"`
	ConversationID string `json:"conversationId,omitempty"`
	MessageID      string `json:"messageId,omitempty"`
	ObservationID  string `json:"observationId,omitempty"`
}

// Event types.
const (
	EventNewMessage        = "NEW_MESSAGE"
	EventUnreadChanged     = "UNREAD_COUNT_CHANGED"
	EventObservationShared = "OBSERVATION_SHARED"
	// EventAccessChanged goes to AccessTopic(user) when what a user may
	// see changed under their open sockets (their account or a membership
	// deleted): the sockets close, and the app signs in again.
	EventAccessChanged = "ACCESS_CHANGED"
)

// AccessTopic is the topic of a user's EventAccessChanged.
func AccessTopic(userID string) string { return "access:" + userID }

// ViewerEvent is what viewerEvents sends.
type ViewerEvent struct {
	Type           string
	ConversationID *string
	Message        *Message
	Observation    *Observation
	UnreadCount    int
}

// ConversationExportArgs choose the conversations to export.
type ConversationExportArgs struct {
	SchoolID  string
	StudentID *string
	From, To  time.Time
}

// ConversationTranscript is one exported conversation.
type ConversationTranscript struct {
	ID           string               `json:"id"`
	Subject      string               `json:"subject"`
	Student      *string              `json:"student"`
	StartedAt    time.Time            `json:"startedAt"`
	Participants []string             `json:"participants"`
	Messages     []*TranscriptMessage `json:"messages"`
}

// TranscriptMessage is one message of a transcript.
type TranscriptMessage struct {
	At     time.Time `json:"at"`
	Sender string    `json:"sender"`
	Body   string    `json:"body"`
	Urgent bool      `json:"urgent"`
}

// SetMessageMonitorInput grants or removes the MONITOR role.
type SetMessageMonitorInput struct {
	SchoolID string
	UserID   string
	Monitor  bool
}
