package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/auth"
)

// Bearer tokens come from anyone: verifying never panics, and nothing but a
// token this signer made (for its user, unexpired) verifies.
func FuzzDemoTokenVerify(f *testing.F) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	s := auth.NewDemoSigner(key, time.Now)
	good, err := s.Sign("demo-parent1", time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("a.b.c")
	f.Add(strings.Repeat("e", 9000))
	f.Add(good[:len(good)-3] + "AAA")
	f.Fuzz(func(t *testing.T, token string) {
		id, err := s.Verify(context.Background(), token)
		if err == nil && id.UID != "demo-parent1" {
			t.Fatalf("a token verified for %q", id.UID)
		}
	})
}
