package models

import "time"

// Upload is a file a user is uploading or has uploaded.
type Upload struct {
	ID          string     `gorm:"type:uuid;primaryKey;default:gen_random_uuid()" json:"id"`
	UserID      string     `gorm:"type:uuid" json:"user_id"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	Sha256      string     `gorm:"column:sha256" json:"sha256"`
	State       string     `json:"state"`
	Width       *int32     `json:"width"`
	Height      *int32     `json:"height"`
	AttachedAt  *time.Time `json:"attached_at"`
	// The item it is attached to (see the Item* constants) and its place
	// among the item's attachments.
	ItemType  *string   `json:"item_type"`
	ItemID    *string   `gorm:"type:uuid" json:"item_id"`
	Position  *int16    `json:"position"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

// What an upload can be attached to.
const (
	ItemObservationGroup = "OBSERVATION_GROUP"
	ItemHomeInsight      = "HOME_INSIGHT"
	ItemMessage          = "MESSAGE"
	ItemAnnouncement     = "ANNOUNCEMENT"
	MaxAttachments       = 6
)

// Upload states.
const (
	UploadPending = "PENDING"
	UploadReady   = "READY"
)

// ServerSecret is a secret every server process shares.
type ServerSecret struct {
	Name      string `gorm:"primaryKey"`
	Value     []byte
	CreatedAt time.Time
}

// Upload limits and accepted types.
const (
	MaxImageBytes = 15 << 20
	MaxPDFBytes   = 25 << 20
	// MaxRosterZipBytes bounds a OneRoster set's zip (a district of 50,000
	// students compresses to a few MB).
	MaxRosterZipBytes = 100 << 20
	// UploadTTL is how long an upload may stay unattached.
	UploadTTL = 24 * time.Hour
	// UploadURLTTL is how long a signed upload URL works.
	UploadURLTTL = 15 * time.Minute
	// ThumbnailSize is the longer side of a thumbnail, in pixels.
	ThumbnailSize = 320
	// MaxImagePixels bounds an image's width × height, read from its header
	// before anything is decoded: a 40-megapixel image takes 160 MB once
	// decoded, while a few hundred KB of PNG can claim far more.
	MaxImagePixels = 40_000_000
)

// UnsupportedImageType reports image types phones produce that the server
// does not take (the app converts them to JPEG first; see
// ReasonUnsupportedImageFormat).
func UnsupportedImageType(contentType string) bool {
	switch contentType {
	case "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/webp", "image/avif":
		return true
	}
	return false
}

// MaxUploadBytes is the limit for a content type, 0 for types not accepted.
func MaxUploadBytes(contentType string) int64 {
	switch contentType {
	case "image/jpeg", "image/png":
		return MaxImageBytes
	case "application/pdf":
		return MaxPDFBytes
	case "application/zip":
		return MaxRosterZipBytes
	}
	return 0
}

// CreateUploadInput asks for an upload.
type CreateUploadInput struct {
	ContentType string
	Size        int
	// Sha256 is the hex SHA-256 of the bytes.
	Sha256 string
}

// CreateUploadPayload carries where to PUT the bytes.
type CreateUploadPayload struct {
	Upload *Upload
	// UploadURL takes one PUT of the bytes with the Content-Type given,
	// until UploadURLExpiresAt. A path starts with / (join it to the API's
	// address); a cloud store gives a full URL.
	UploadURL          string
	UploadURLExpiresAt time.Time
}

// UploadIDInput names an upload.
type UploadIDInput struct {
	ID string
}
