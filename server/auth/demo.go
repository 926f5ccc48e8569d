package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
)

// Demo tokens: EdDSA JWTs the server signs for its demo users, so a newcomer
// can try the API from the playground without a Firebase project. Demo mode
// refuses to start in production (see server/config).
const (
	demoIssuer   = "sameside-demo"
	demoAudience = "sameside"
	// DemoTokenTTL is how long a demo token lives.
	DemoTokenTTL = 12 * time.Hour
)

// DemoSigner signs and verifies demo tokens with one Ed25519 key.
type DemoSigner struct {
	key ed25519.PrivateKey
	now func() time.Time
}

// NewDemoSigner returns a signer for key. now may be nil (wall clock).
func NewDemoSigner(key ed25519.PrivateKey, now func() time.Time) *DemoSigner {
	if now == nil {
		now = time.Now
	}
	return &DemoSigner{key: key, now: now}
}

// LoadDemoSigner loads the demo key from the database, generating and
// storing it on first use, so every process on the database shares it.
func LoadDemoSigner(ctx context.Context, db *gorm.DB) (*DemoSigner, error) {
	_, fresh, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	row := models.DemoSigningKey{ID: 1, PrivateKey: fresh.Seed(), CreatedAt: time.Now().UTC()}
	db = db.WithContext(ctx)
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("store demo key: %w", err)
	}
	if err := db.Take(&row, "id = 1").Error; err != nil {
		return nil, fmt.Errorf("load demo key: %w", err)
	}
	if len(row.PrivateKey) != ed25519.SeedSize {
		return nil, errors.New("demo key: bad length")
	}
	return NewDemoSigner(ed25519.NewKeyFromSeed(row.PrivateKey), nil), nil
}

// Sign returns a token for the user with the given UID, valid for ttl.
func (d *DemoSigner) Sign(uid string, ttl time.Duration) (string, error) {
	now := d.now()
	claims := jwt.RegisteredClaims{
		Issuer:    demoIssuer,
		Subject:   uid,
		Audience:  jwt.ClaimStrings{demoAudience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims).SignedString(d.key)
}

// Verify implements Verifier.
func (d *DemoSigner) Verify(_ context.Context, token string) (domain.Identity, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &claims,
		func(*jwt.Token) (any, error) { return d.key.Public(), nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(demoIssuer),
		jwt.WithAudience(demoAudience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(d.now),
	)
	if err != nil {
		return domain.Identity{}, err
	}
	return domain.Identity{UID: claims.Subject, Expires: claims.ExpiresAt.Time}, nil
}
