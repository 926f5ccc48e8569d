package models

import "time"

// CalendarFeed is a user's private iCalendar feed; the secret itself is
// never stored.
type CalendarFeed struct {
	UserID     string `gorm:"type:uuid;primaryKey"`
	SecretHash []byte
	CreatedAt  time.Time
}

// CalendarFeedPayload carries a new feed's path, shown once.
type CalendarFeedPayload struct {
	// Path is /calendar/{secret}.ics, to join to the server's address.
	Path string
}

// CalendarEvent is one event of a calendar feed.
type CalendarEvent struct {
	UID         string
	Summary     string
	Description string
	Location    string
	URL         string
	StartsAt    time.Time
	EndsAt      time.Time
	UpdatedAt   time.Time
}
