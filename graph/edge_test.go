package graph_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/auth"
)

func TestTokensRefused(t *testing.T) {
	f := newFixture(t)
	uid := f.users["adminA"].FirebaseUID
	expired, _ := f.SignerAt(time.Now().Add(-13*time.Hour)).Sign(uid, 12*time.Hour)
	notYet, _ := f.SignerAt(time.Now().Add(time.Hour)).Sign(uid, 12*time.Hour)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	forged, _ := auth.NewDemoSigner(otherKey, nil).Sign(uid, time.Hour)
	good := f.token("adminA")
	parts := strings.Split(good, ".")
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"sameside-demo","sub":"fx-adminB","aud":["sameside"],"exp":9999999999}`)) + "." + parts[2]

	for name, header := range map[string]string{
		"garbage":         "Bearer abc",
		"not bearer":      "Basic " + good,
		"empty bearer":    "Bearer ",
		"expired":         "Bearer " + expired,
		"not yet valid":   "Bearer " + notYet,
		"forged key":      "Bearer " + forged,
		"alg none":        "Bearer " + unsigned,
		"tampered claims": "Bearer " + tampered,
		"huge":            "Bearer " + strings.Repeat("a", 9000),
	} {
		t.Run(name, func(t *testing.T) {
			before := f.Snapshot()
			res := f.DoHeader(header, qViewer)
			if res.Status != 401 || res.Code() != "UNAUTHENTICATED" {
				t.Fatalf("status %d code %q: %s", res.Status, res.Code(), res.Body)
			}
			apptest.SameCounts(t, before, f.Snapshot())
		})
	}
	if res := f.DoHeader("Bearer "+good, qViewer); res.Code() != "" {
		t.Fatalf("the good token was refused: %s", res.Body)
	}
}

func TestMalformedRequests(t *testing.T) {
	f := newFixture(t)
	tok := f.token("adminA")
	cases := []struct {
		name, contentType, body string
		status                  int
		reason                  string
	}{
		{"broken JSON", "application/json", `{"query": "{ viewer { id } }"`, 400, ""},
		{"not JSON", "application/json", `query { viewer { id } }`, 400, ""},
		{"GraphQL syntax", "application/json", `{"query": "{ viewer { id "}`, 422, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", "application/json", `{"query": "{ viewer { password } }"}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		{"wrong variable type", "application/json", `{"query": "query($id: ID!) { student(id: $id) { id } }", "variables": {"id": {"x": 1}}}`, 422, ""},
		{"body too large", "application/json", `{"query": "` + strings.Repeat(" ", 1<<20) + `{ viewer { id } }"}`, 413, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.Snapshot()
			res := f.Post(tok, tc.contentType, []byte(tc.body))
			if res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("code %q: %s", res.Code(), res.Body)
			}
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.reason != "" && res.Errors[0].Extensions["reason"] != tc.reason {
				t.Fatalf("reason %v, want %s", res.Errors[0].Extensions["reason"], tc.reason)
			}
			apptest.SameCounts(t, before, f.Snapshot())
		})
	}
}

func TestUpdateProfile(t *testing.T) {
	f := newFixture(t)
	tok := f.token("parentA")
	var out struct {
		UpdateProfile struct{ DisplayName, Locale, TimeZone string }
	}
	f.Do(tok, `mutation { updateProfile(input: {displayName: "  Ana María  ", locale: "es-mx", timeZone: "America/Mexico_City"}) { displayName locale timeZone } }`, nil).Decode(t, &out)
	if out.UpdateProfile != (struct{ DisplayName, Locale, TimeZone string }{"Ana María", "es-MX", "America/Mexico_City"}) {
		t.Fatalf("got %+v", out.UpdateProfile)
	}
	for _, tc := range []struct{ name, input, field string }{
		{"over-long name", `{displayName: "` + strings.Repeat("é", 101) + `"}`, "displayName"},
		{"empty name", `{displayName: "   "}`, "displayName"},
		{"control characters", `{displayName: "a\u0007b"}`, "displayName"},
		{"unknown locale", `{locale: "xx-!!"}`, "locale"},
		{"unknown time zone", `{timeZone: "Mars/Olympus_Mons"}`, "timeZone"},
		{"server-local zone", `{timeZone: "Local"}`, "timeZone"},
		{"good name, bad zone", `{displayName: "New Name", timeZone: "Nowhere"}`, "timeZone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.Do(tok, `mutation { updateProfile(input: `+tc.input+`) { displayName } }`, nil)
			if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != tc.field {
				t.Fatalf("got %s", res.Body)
			}
			var u models.User
			f.DB.Take(&u, "id = ?", f.users["parentA"].ID)
			if u.DisplayName != "Ana María" || u.TimeZone != "America/Mexico_City" {
				t.Fatalf("profile changed by a refused update: %+v", u)
			}
		})
	}
}

func TestWebsocketSignIn(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := apptest.WithTimeout()
	defer cancel()

	for _, payload := range []map[string]any{
		{"Authorization": "Bearer " + f.token("teacherA")},
		{"authorization": "Bearer " + f.token("teacherA")},
		{"token": f.token("teacherA")},
	} {
		ws, err := f.DialWS(ctx, payload)
		if err != nil {
			t.Fatalf("dial with %v: %v", payload, err)
		}
		res, err := ws.Execute(ctx, "1", qViewer, nil)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Viewer struct{ ID string } }
		res.Decode(t, &v)
		if v.Viewer.ID != f.users["teacherA"].ID {
			t.Fatalf("viewer over websocket: %+v", v)
		}
		// Authorization applies over the socket as over HTTP.
		res, err = ws.Execute(ctx, "2", qStudent, map[string]any{"id": f.students["s2"].ID})
		if err != nil || res.Code() != "NOT_FOUND" {
			t.Fatalf("other student over websocket: %v %+v", err, res)
		}
		ws.Close()
	}

	for name, payload := range map[string]map[string]any{
		"no token":      {},
		"invalid token": {"Authorization": "Bearer nope"},
		"expired token": {"Authorization": "Bearer " + mustSign(t, f.SignerAt(time.Now().Add(-24*time.Hour)), f.users["teacherA"].FirebaseUID)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.DialWS(ctx, payload)
			var ce *apptest.CloseError
			if !errors.As(err, &ce) || ce.Code != auth.WebsocketCloseUnauthenticated || !strings.HasPrefix(ce.Reason, "UNAUTHENTICATED") {
				t.Fatalf("want close 4403 UNAUTHENTICATED, got %v", err)
			}
		})
	}
}

func mustSign(t *testing.T, s *auth.DemoSigner, uid string) string {
	t.Helper()
	tok, err := s.Sign(uid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Related records load through dataloaders: the statements a deep query
// costs do not grow with the rows it returns.
func TestQueriesAreNotNPlusOne(t *testing.T) {
	env := apptest.New(t, apptest.Options{Seed: true})
	admin, teacher := env.Token("admin"), env.Token("teacher")
	deep := `{ viewer { memberships { school { name } } classrooms { name school { name } teachers { displayName }
		students { displayName school { name } classrooms { name } guardians { relationship user { displayName } } } } } }`
	count := func(tok string) (int64, int) {
		var v struct {
			Viewer struct {
				Classrooms []struct {
					Students []struct{ Guardians []struct{} }
				}
			}
		}
		res, n := env.DoCounting(tok, deep, nil)
		res.Decode(t, &v)
		rows := 0
		for _, c := range v.Viewer.Classrooms {
			for _, s := range c.Students {
				rows += 1 + len(s.Guardians)
			}
		}
		return n, rows
	}
	adminStmts, adminRows := count(admin)       // 4 classrooms, 80 students, their guardians
	teacherStmts, teacherRows := count(teacher) // 1 classroom, 20 students
	t.Logf("admin: %d statements for %d rows; teacher: %d statements for %d rows", adminStmts, adminRows, teacherStmts, teacherRows)
	if adminRows < 3*teacherRows {
		t.Fatalf("fixture too small to tell: %d vs %d rows", adminRows, teacherRows)
	}
	// Nine statements suffice (two of them sign-in). Loaders batch by time
	// (2 ms), so a busy machine splits batches: 27 for the admin in a clean
	// clone's race pass, the machine saturated by the tests beside it. N+1
	// would cost a statement per row for each list (the admin's 80 students'
	// guardians alone 80, the teacher's 20 students' guardians, classrooms
	// and schools 60): 40 tells the two apart.
	if adminStmts > 40 || teacherStmts > 40 {
		t.Fatalf("statements grow with rows: admin %d for %d rows, teacher %d for %d rows", adminStmts, adminRows, teacherStmts, teacherRows)
	}
}
