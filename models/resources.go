package models

import (
	"time"
)

// Resource is an article or link a school recommends to parents.
type Resource struct {
	ID          string `gorm:"type:uuid;primaryKey;default:gen_random_uuid()"`
	SchoolID    string `gorm:"type:uuid"`
	Title       string
	URL         string `gorm:"column:url"`
	Summary     string
	Topic       EventTopic
	Grades      Array[string] `gorm:"type:text[];default:'{}'"`
	CreatedByID string        `gorm:"type:uuid"`
	CreatedAt   time.Time
}

// CreateResourceInput adds a resource.
type CreateResourceInput struct {
	SchoolID string
	Title    string
	URL      string
	Summary  *string
	Topic    EventTopic
	// Grades limits it to these grades; empty: every family.
	Grades []string
}

// ResourceIDInput names a resource.
type ResourceIDInput struct {
	ID string
}
