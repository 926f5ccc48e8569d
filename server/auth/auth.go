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
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// wasted work.
	once     sync.Once
	verified *lru.Cache[[32]byte, domain.Identity]
	// signedIn remembers, by Firebase UID, the viewer each user's last
	// sign-in read here, with its access version. A request may go on with
	// it unconfirmed (models.Unconfirmed): it is never used to answer
	// until a statement has checked that the version is unchanged, so a
	// change of roles still counts at once, on every instance.
	signedIn *lru.Cache[string, signedIn]
}

// signedIn is a viewer read by a sign-in, and the token's verified
// contacts it was read with.
type signedIn struct {
	v            *models.Viewer
	email, phone string
}

// verifiedTokens is how many verified tokens an instance remembers, and
// signedInUsers how many users' viewers.
const (
	verifiedTokens = 10_000
	signedInUsers  = 10_000
)

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
	id, err := a.identity(ctx, token)
	if err != nil {
		return nil, err
	}
	return a.signIn(ctx, id)
}

// identity verifies token (or finds it verified before).
func (a *Authenticator) identity(ctx context.Context, token string) (domain.Identity, error) {
	a.once.Do(func() {
		a.verified, _ = lru.New[[32]byte, domain.Identity](verifiedTokens)
		a.signedIn, _ = lru.New[string, signedIn](signedInUsers)
	})
	key := sha256.Sum256([]byte(token))
	id, ok := a.verified.Get(key)
	if ok && !time.Now().Before(id.Expires) {
		a.verified.Remove(key)
		ok = false
	}
	if !ok {
		var err error
		if id, err = a.Verifier.Verify(ctx, token); err != nil {
			return domain.Identity{}, &models.Error{Code: models.CodeUnauthenticated, Message: ErrInvalidToken.Error(), Err: err}
		}
		if !id.Expires.IsZero() {
			a.verified.Add(key, id)
		}
	}
	if id.UID == "" {
		return domain.Identity{}, &models.Error{Code: models.CodeUnauthenticated, Message: ErrInvalidToken.Error()}
	}
	return id, nil
}

// signIn reads the identity's viewer (the statement every request once
// ran) and remembers it.
func (a *Authenticator) signIn(ctx context.Context, id domain.Identity) (*models.Viewer, error) {
	v, err := a.Users.ViewerForIdentity(ctx, id)
	if err != nil {
		return nil, err
	}
	email, phone := id.VerifiedContacts()
	if holds(v.User.Email, email, sameEmail) && holds(v.User.Phone, phone, func(a, b string) bool { return a == b }) {
		// The triggers that bump a user's access version when a roster
		// record they could claim appears match the user's own email and
		// phone: a viewer is kept only when those are the token's.
		a.signedIn.Add(id.UID, signedIn{v: v.Copy(), email: email, phone: phone})
	} else {
		a.signedIn.Remove(id.UID)
	}
	return v, nil
}

// sameEmail reports whether two addresses are the same as PostgreSQL's
// lower() sees them: only ASCII ones are compared here (Unicode case
// folding and lower() may disagree outside it), so a viewer with another
// address is never kept.
func sameEmail(a, b string) bool {
	for _, s := range [...]string{a, b} {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return false
			}
		}
	}
	return strings.EqualFold(a, b)
}

// holds reports whether a contact the token proves (want; "" for none) is
// the user's own (have).
func holds(have *string, want string, same func(a, b string) bool) bool {
	return want == "" || have != nil && same(*have, want)
}

// unconfirmed returns the viewer this instance last signed in for id, if
// it has one read with the same contacts, to go on unconfirmed.
func (a *Authenticator) unconfirmed(id domain.Identity) *models.Unconfirmed {
	s, ok := a.signedIn.Get(id.UID)
	if !ok {
		return nil
	}
	if email, phone := id.VerifiedContacts(); email != s.email || phone != s.phone {
		return nil
	}
	return &models.Unconfirmed{Viewer: s.v.Copy(), Confirm: func(ctx context.Context) (*models.Viewer, error) {
		return a.signIn(ctx, id)
	}}
}
