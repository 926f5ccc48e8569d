// Package auth signs users in at the edge: it verifies the bearer token of an
// HTTP request or of a websocket's connection_init payload, maps it to the
// viewer (user and memberships) and stores the viewer in the request context.
// Verification sits behind the Verifier interface: Firebase ID tokens in
// production, the server's own short-lived tokens in demo mode.
//
// It must not decide what a viewer may see: that is package policy's job.
package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
)

// Verifier checks a bearer token and says whose it is.
type Verifier interface {
	// Verify returns the identity in a valid token, or an error (the caller
	// answers UNAUTHENTICATED whatever it is).
	Verify(ctx context.Context, token string) (domain.Identity, error)
}

// Users maps a verified identity to the viewer; *domain.Service implements it.
type Users interface {
	ViewerForIdentity(ctx context.Context, id domain.Identity) (*models.Viewer, error)
}

// ErrInvalidToken is returned for tokens that are malformed, expired, forged,
// revoked or belong to a disabled account. Details go to the log only.
var ErrInvalidToken = errors.New("invalid or expired sign-in token")

// WithViewer returns ctx carrying the viewer (models.WithViewer).
func WithViewer(ctx context.Context, v *models.Viewer) context.Context {
	return models.WithViewer(ctx, v)
}

// Authenticator turns tokens into viewers.
type Authenticator struct {
	Verifier Verifier
	Users    Users

	// verified remembers, by the token's SHA-256, identities whose token
	// verified and has not expired: a phone sends the same token with
	// every request for an hour, and checking its signature each time is
	// wasted work. Only the verification is reused: the user and their
	// memberships are read on every request, so a change of roles counts
	// at once.
	once     sync.Once
	verified *lru.Cache[[32]byte, domain.Identity]
}

// verifiedTokens is how many verified tokens an instance remembers.
const verifiedTokens = 10_000

type expiryKey struct{}

// TokenExpiry returns when the sign-in of the viewer in ctx ends (zero: not
// known, or anonymous).
func TokenExpiry(ctx context.Context) time.Time {
	t, _ := ctx.Value(expiryKey{}).(time.Time)
	return t
}

// Viewer verifies token and loads its viewer. A token that does not verify
// gives an UNAUTHENTICATED *models.Error.
func (a *Authenticator) Viewer(ctx context.Context, token string) (*models.Viewer, error) {
	v, _, err := a.viewerAndExpiry(ctx, token)
	return v, err
}

func (a *Authenticator) viewerAndExpiry(ctx context.Context, token string) (*models.Viewer, time.Time, error) {
	a.once.Do(func() { a.verified, _ = lru.New[[32]byte, domain.Identity](verifiedTokens) })
	key := sha256.Sum256([]byte(token))
	id, ok := a.verified.Get(key)
	if ok && !time.Now().Before(id.Expires) {
		a.verified.Remove(key)
		ok = false
	}
	if !ok {
		var err error
		if id, err = a.Verifier.Verify(ctx, token); err != nil {
			return nil, time.Time{}, &models.Error{Code: models.CodeUnauthenticated, Message: ErrInvalidToken.Error(), Err: err}
		}
		if !id.Expires.IsZero() {
			a.verified.Add(key, id)
		}
	}
	if id.UID == "" {
		return nil, time.Time{}, &models.Error{Code: models.CodeUnauthenticated, Message: ErrInvalidToken.Error()}
	}
	v, err := a.Users.ViewerForIdentity(ctx, id)
	return v, id.Expires, err
}
