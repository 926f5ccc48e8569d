package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// The project the emulator runs for (see the Makefile's test target).
const emulatorProject = "demo-sameside"

func emulatorHost(t *testing.T) string {
	t.Helper()
	host := os.Getenv("FIREBASE_AUTH_EMULATOR_HOST")
	if host == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("FIREBASE_AUTH_EMULATOR_HOST is not set: CI must run the tests through `make test`, which starts the emulator")
		}
		t.Skip("no Firebase Auth emulator: run `make test` to start one")
	}
	return host
}

// signUp creates a user in the emulator with its REST API, as the app's
// Firebase SDK would, and returns the ID token and the UID.
func signUp(t *testing.T, host, email string) (idToken, uid string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"email": email, "password": "correct horse battery", "returnSecureToken": true, "displayName": "Emu Parent"})
	res, err := http.Post(fmt.Sprintf("http://%s/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-api-key", host), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		IDToken string `json:"idToken"`
		LocalID string `json:"localId"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.IDToken == "" {
		t.Fatalf("sign-up in the emulator: status %d, %v", res.StatusCode, err)
	}
	return out.IDToken, out.LocalID
}

func TestFirebaseEmulatorSignIn(t *testing.T) {
	host := emulatorHost(t)
	env := apptest.New(t, apptest.Options{FirebaseProjectID: emulatorProject})
	email := fmt.Sprintf("emu-%d@sameside.example", time.Now().UnixNano())
	idToken, uid := signUp(t, host, email)

	// First sign-in creates the user, with no memberships.
	var v struct {
		Viewer struct {
			ID, Email, DisplayName string
			Memberships            []struct{ Role string }
		}
	}
	q := `{ viewer { id email displayName memberships { role } } }`
	env.Do(idToken, q, nil).Decode(t, &v)
	if v.Viewer.Email != email || len(v.Viewer.Memberships) != 0 {
		t.Fatalf("viewer: %+v", v.Viewer)
	}
	var u models.User
	if err := env.DB.Take(&u, "firebase_uid = ?", uid).Error; err != nil || u.ID != v.Viewer.ID {
		t.Fatalf("user row for %s: %+v %v", uid, u, err)
	}
	// Signing in again finds the same user.
	env.Do(idToken, q, nil).Decode(t, &v)
	if n := env.Count("users"); n != 1 {
		t.Fatalf("%d users after two sign-ins, want 1", n)
	}
	// The websocket accepts the same token.
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws, err := env.DialWS(ctx, map[string]any{"Authorization": "Bearer " + idToken})
	if err != nil {
		t.Fatalf("websocket with a Firebase token: %v", err)
	}
	ws.Close()

	// Disabled in Firebase: the same token is refused.
	if _, err := adminAuth(t).UpdateUser(context.Background(), uid, (&fbauth.UserToUpdate{}).Disabled(true)); err != nil {
		t.Fatalf("disable user: %v", err)
	}
	res := env.Do(idToken, q, nil)
	if res.Status != http.StatusUnauthorized || res.Code() != "UNAUTHENTICATED" {
		t.Fatalf("disabled user: status %d, %s", res.Status, res.Body)
	}

	// A demo token means nothing to a Firebase-mode server.
	res = env.Do("eyJhbGciOiJFZERTQSJ9.e30.c2ln", q, nil)
	if res.Code() != "UNAUTHENTICATED" {
		t.Fatalf("demo-style token in Firebase mode: %s", res.Body)
	}
}

// adminAuth is firebase-admin-go's Auth client on the emulator's project
// (FIREBASE_AUTH_EMULATOR_HOST points it at the emulator).
func adminAuth(t *testing.T) *fbauth.Client {
	t.Helper()
	app, err := firebase.NewApp(context.Background(), &firebase.Config{ProjectID: emulatorProject})
	if err != nil {
		t.Fatal(err)
	}
	client, err := app.Auth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return client
}
