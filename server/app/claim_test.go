package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	fbauth "firebase.google.com/go/v4/auth"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/roster/oneroster"
	"github.com/sameside/sameside/server/apptest"
)

// signIn signs an emulator user in again with the password, for a fresh
// ID token (carrying what changed on the account since).
func signIn(t *testing.T, host, email string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"email": email, "password": "correct horse battery", "returnSecureToken": true})
	res, err := http.Post(fmt.Sprintf("http://%s/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=demo-api-key", host), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		IDToken string `json:"idToken"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.IDToken == "" {
		t.Fatalf("sign-in in the emulator: status %d, %v", res.StatusCode, err)
	}
	return out.IDToken
}

// TestRosterRecordClaimedByVerifiedEmail: a parent the roster holds signs
// in with Firebase. While their email is unverified nothing links (anyone
// can type an address); once Firebase has verified it, the next sign-in
// makes the roster's record theirs: their child and school, with no code.
// Someone else's unverified claim to another guardian's address never links.
func TestRosterRecordClaimedByVerifiedEmail(t *testing.T) {
	host := emulatorHost(t)
	env := apptest.New(t, apptest.Options{FirebaseProjectID: emulatorProject})
	stamp := time.Now().UnixNano()
	mine := fmt.Sprintf("jin-%d@home.example", stamp)
	other := fmt.Sprintf("mia-%d@home.example", stamp)
	users := "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
		"u1,,,true,s1,student,u1,,Lena,Park,,,,,,\"p1,p2\",03,\n" +
		"p1,,,true,s1,parent,p1,,Jin,Park,,," + mine + ",,,u1,,\n" +
		"p2,,,true,s1,parent,p2,,Mia,Park,,," + other + ",,,u1,,\n"
	set, err := oneroster.Read(fstest.MapFS{
		"manifest.csv": {Data: []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\nfile.users,bulk\n")},
		"orgs.csv":     {Data: []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd1,,,Lakeside District,district,,\ns1,,,Lakeside Elementary,school,,d1\n")},
		"users.csv":    {Data: []byte(users)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := env.App.Domain.ApplyRoster(context.Background(), set, domain.RosterImportOptions{TimeZone: "America/Chicago"}); err != nil || len(res.Problems) > 0 {
		t.Fatalf("roster: %v %v", err, res.Problems)
	}
	const q = `{ viewer { id memberships { role } children { firstName } } }`
	type viewer struct {
		Viewer struct {
			ID          string
			Memberships []struct{ Role string }
			Children    []struct{ FirstName string }
		}
	}

	token, uid := signUp(t, host, mine)
	var before viewer
	env.Do(token, q, nil).Decode(t, &before)
	if len(before.Viewer.Children) != 0 || len(before.Viewer.Memberships) != 0 {
		t.Fatalf("an unverified email claimed the roster record: %+v", before.Viewer)
	}
	// Someone signs up with the other guardian's address, unverified.
	squatter, _ := signUp(t, host, other)
	var sq viewer
	env.Do(squatter, q, nil).Decode(t, &sq)
	if len(sq.Viewer.Children) != 0 {
		t.Fatalf("an unverified sign-up reached a child: %+v", sq.Viewer)
	}

	if _, err := adminAuth(t).UpdateUser(context.Background(), uid, (&fbauth.UserToUpdate{}).EmailVerified(true)); err != nil {
		t.Fatal(err)
	}
	var after viewer
	env.Do(signIn(t, host, mine), q, nil).Decode(t, &after)
	if after.Viewer.ID != before.Viewer.ID || len(after.Viewer.Children) != 1 || after.Viewer.Children[0].FirstName != "Lena" ||
		len(after.Viewer.Memberships) != 1 || after.Viewer.Memberships[0].Role != "PARENT" {
		t.Fatalf("after verifying the email: %+v (before %+v)", after.Viewer, before.Viewer)
	}
	if n := env.Count("users"); n != 3 { // the claimed placeholder is gone: Jin, Mia's placeholder, the squatter
		t.Fatalf("%d users after the claim, want 3", n)
	}
	env.Do(squatter, q, nil).Decode(t, &sq)
	if len(sq.Viewer.Children) != 0 {
		t.Fatalf("the squatter reached a child: %+v", sq.Viewer)
	}
}

// A parent this instance signed in before, reading their feed (whose page
// checks their kept viewer in its own statement), still claims at once a
// roster record that appears with their verified email: the record's
// child's notes are in the next page.
func TestRosterRecordClaimedWhileSignedIn(t *testing.T) {
	host := emulatorHost(t)
	env := apptest.New(t, apptest.Options{FirebaseProjectID: emulatorProject})
	mine := fmt.Sprintf("ana-%d@home.example", time.Now().UnixNano())
	_, uid := signUp(t, host, mine)
	if _, err := adminAuth(t).UpdateUser(context.Background(), uid, (&fbauth.UserToUpdate{}).EmailVerified(true)); err != nil {
		t.Fatal(err)
	}
	school := &models.School{Name: "Lakeside", TimeZone: "UTC"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(env.DB.Create(school).Error)
	teacher := &models.User{FirebaseUID: "fb-teacher", DisplayName: "Teacher", Locale: "en-US", TimeZone: "UTC"}
	must(env.DB.Create(teacher).Error)
	// A roster record (a placeholder) with the parent's email, guardian of
	// a child with a note shared with the family.
	record := func(child string) {
		t.Helper()
		email := strings.ToUpper(mine)
		p := &models.User{FirebaseUID: models.UnclaimedUIDPrefix + child, Email: &email, DisplayName: "Ana", Locale: "en-US", TimeZone: "UTC"}
		must(env.DB.Create(p).Error)
		must(env.DB.Create(&models.Membership{UserID: p.ID, SchoolID: school.ID, Role: models.RoleParent}).Error)
		st := &models.Student{SchoolID: school.ID, FirstName: child, LastName: "Park", Grade: "2"}
		must(env.DB.Create(st).Error)
		must(env.DB.Create(&models.Guardianship{SchoolID: school.ID, StudentID: st.ID, UserID: p.ID, Relationship: models.RelationshipMother}).Error)
		at := time.Now()
		must(env.DB.Create(&models.Observation{SchoolID: school.ID, StudentID: st.ID, AuthorID: teacher.ID, GroupID: "00000000-0000-4000-8000-000000000001",
			Kind: models.KindPositive, Body: child + " helped a friend", Skills: []string{"KINDNESS"}, State: models.StateShared, SharedAt: &at, FeedAt: at}).Error)
	}
	const q = `query { feed(first: 20) { edges { node { body } } } }`
	feed := func(token string) []string {
		t.Helper()
		var p struct {
			Feed struct {
				Edges []struct{ Node struct{ Body string } }
			}
		}
		env.Do(token, q, nil).Decode(t, &p)
		var bodies []string
		for _, e := range p.Feed.Edges {
			bodies = append(bodies, e.Node.Body)
		}
		return bodies
	}
	record("Lena")
	token := signIn(t, host, mine) // a token that says the email is verified
	if got := feed(token); len(got) != 1 {
		t.Fatalf("signed in, Lena's record claimed: %q", got)
	}
	if got := feed(token); len(got) != 1 { // the viewer kept: the page checks it
		t.Fatalf("signed in before: %q", got)
	}
	record("Theo")
	if got := feed(token); len(got) != 2 {
		t.Fatalf("a second record with the parent's email: the feed shows %q, want both children's notes", got)
	}
}
