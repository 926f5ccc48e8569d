package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
)

type countingVerifier struct {
	calls   int
	expires time.Time
	fail    bool
}

func (c *countingVerifier) Verify(_ context.Context, token string) (domain.Identity, error) {
	c.calls++
	if c.fail {
		return domain.Identity{}, errors.New("bad signature")
	}
	return domain.Identity{UID: "uid-" + token, Expires: c.expires}, nil
}

type echoUsers struct{}

func (echoUsers) ViewerForIdentity(_ context.Context, id domain.Identity) (*models.Viewer, error) {
	return &models.Viewer{User: models.User{FirebaseUID: id.UID}}, nil
}

// TestVerifiedTokenCache: a token's verification is reused until it
// expires; tokens whose verification says not to (zero Expires) and tokens
// that fail are verified every time; different tokens never share an entry.
func TestVerifiedTokenCache(t *testing.T) {
	ctx := context.Background()
	v := &countingVerifier{expires: time.Now().Add(time.Hour)}
	a := &Authenticator{Verifier: v, Users: echoUsers{}}
	for range 3 {
		if viewer, err := a.Viewer(ctx, "t1"); err != nil || viewer.FirebaseUID != "uid-t1" {
			t.Fatalf("t1: %v %v", viewer, err)
		}
	}
	if viewer, _ := a.Viewer(ctx, "t2"); viewer.FirebaseUID != "uid-t2" {
		t.Fatalf("t2 got %s", viewer.FirebaseUID)
	}
	if v.calls != 2 {
		t.Fatalf("%d verifications for 2 tokens, want 2", v.calls)
	}
	// An entry past its expiry is verified again (and here refused).
	v.expires = time.Now().Add(-time.Second)
	b := &Authenticator{Verifier: v, Users: echoUsers{}}
	_, _ = b.Viewer(ctx, "t3")
	v.fail = true
	if _, err := b.Viewer(ctx, "t3"); err == nil {
		t.Fatal("an expired cached token was accepted")
	}
	// Failures are not remembered; zero Expires is never cached.
	v.fail, v.calls, v.expires = false, 0, time.Time{}
	c := &Authenticator{Verifier: v, Users: echoUsers{}}
	for range 3 {
		_, _ = c.Viewer(ctx, "t4")
	}
	if v.calls != 3 {
		t.Fatalf("zero Expires: %d verifications for 3 requests, want 3", v.calls)
	}
}

// A viewer is kept only when the database's lower() and Go agree on its
// email: ASCII addresses, case aside.
func TestKeptOnlyForASCIIEmails(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"jin@home.example", "JIN@Home.Example", true},
		{"jin@home.example", "mia@home.example", false},
		{"jürgen@home.example", "jürgen@home.example", false},
		{"kim@home.example", "\u212aim@home.example", false}, // the Kelvin sign folds to k in Go, not in lower()
	} {
		if got := sameEmail(c.a, c.b); got != c.same {
			t.Errorf("sameEmail(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
