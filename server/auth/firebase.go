package auth

import (
	"context"
	"fmt"
	"os"
	"time"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
	"google.golang.org/api/option"

	"github.com/sameside/sameside/models/domain"
)

// FirebaseVerifier verifies Firebase ID tokens with firebase-admin-go. With
// FIREBASE_AUTH_EMULATOR_HOST set the SDK accepts the Auth emulator's tokens
// and looks each user up there, so disabled users are refused.
type FirebaseVerifier struct {
	client *fbauth.Client
	// CheckRevoked also asks Firebase whether the token was revoked or the
	// account disabled: one call per request, so off by default.
	CheckRevoked bool
	// emulator says the SDK talks to the Auth emulator, where verifying a
	// token also looks its user up (a disabled user is refused).
	emulator bool
}

// NewFirebaseVerifier builds the verifier for a Firebase project.
func NewFirebaseVerifier(ctx context.Context, projectID string, opts ...option.ClientOption) (*FirebaseVerifier, error) {
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("firebase app: %w", err)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		return nil, fmt.Errorf("firebase auth: %w", err)
	}
	// The SDK decides from the process environment; so do we, to know
	// what its verification checks.
	return &FirebaseVerifier{client: client, emulator: os.Getenv("FIREBASE_AUTH_EMULATOR_HOST") != ""}, nil
}

// Verify implements Verifier.
func (f *FirebaseVerifier) Verify(ctx context.Context, token string) (domain.Identity, error) {
	verify := f.client.VerifyIDToken
	if f.CheckRevoked {
		verify = f.client.VerifyIDTokenAndCheckRevoked
	}
	t, err := verify(ctx, token)
	if err != nil {
		return domain.Identity{}, err
	}
	id := domain.Identity{UID: t.UID}
	id.Email, _ = t.Claims["email"].(string)
	id.EmailVerified, _ = t.Claims["email_verified"].(bool)
	id.Phone, _ = t.Claims["phone_number"].(string)
	id.DisplayName, _ = t.Claims["name"].(string)
	// A verification that only checks the signature and expiry holds until
	// the token expires and may be reused; one that asks about the account
	// (revocation checks, the emulator) must run on every request.
	if !f.CheckRevoked && !f.emulator {
		id.Expires = time.Unix(t.Expires, 0)
	}
	return id, nil
}
