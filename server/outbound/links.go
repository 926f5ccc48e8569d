package outbound

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"

	"gorm.io/gorm"

	"github.com/sameside/sameside/server/database"
)

// Links signs the links a message carries (one-click unsubscribe), so a
// link works without signing in and cannot be made for someone else's
// address.
type Links struct {
	// BaseURL is the server's public https URL.
	BaseURL string
	key     []byte
}

// LoadLinks returns Links with the instances' shared key, made on first
// use and kept in the database.
func LoadLinks(ctx context.Context, db *gorm.DB, baseURL string) (*Links, error) {
	key, err := database.SharedSecret(ctx, db, "links-hmac")
	if err != nil {
		return nil, err
	}
	return &Links{BaseURL: baseURL, key: key}, nil
}

func (l *Links) sign(purpose, id string) string {
	h := hmac.New(sha256.New, l.key)
	h.Write([]byte(purpose + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// Unsubscribe is the one-click unsubscribe URL of a contact point.
func (l *Links) Unsubscribe(contactPointID string) string {
	return l.BaseURL + UnsubscribePath + "?" + url.Values{"c": {contactPointID}, "s": {l.sign("unsubscribe", contactPointID)}}.Encode()
}

// Valid reports whether sig is the unsubscribe signature of the contact point.
func (l *Links) Valid(contactPointID, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(l.sign("unsubscribe", contactPointID)))
}

// UnsubscribePath is where unsubscribe links point.
const UnsubscribePath = "/unsubscribe"
