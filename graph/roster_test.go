package graph_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/roster/oneroster"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qImportRoster = `mutation($in: ImportRosterInput!) { importRoster(input: $in) { id state dryRun } }`
	qRosterImport = `query($id: ID!) { rosterImport(id: $id) { id state dryRun progress problems finishedAt
		changes { kind created updated withdrawn unchanged } } }`
)

// The demo school's OneRoster set, as the district's first import.
const demoRosterDir = "../server/demo/testdata/oneroster"

func deltaManifest(files ...string) string {
	m := "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
	for _, f := range files {
		m += "file." + f + ",delta\n"
	}
	return m
}

const usersHeader = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"

// rosterEnv is a server whose district was loaded from the demo set (as
// IT's command line does), with a district admin added by a delta.
func rosterEnv(t *testing.T) (*apptest.Env, string) {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	apply := func(fsys fstest.MapFS, o domain.RosterImportOptions) *domain.RosterResult {
		return applyRoster(t, env, fsys, o)
	}
	demoSet := fstest.MapFS{}
	entries, err := os.ReadDir(demoRosterDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(demoRosterDir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		demoSet[e.Name()] = &fstest.MapFile{Data: b}
	}
	// Everyone the import created is to be invited (the admin, 4 teachers,
	// 120 parents; not the students).
	if res := apply(demoSet, domain.RosterImportOptions{TimeZone: "America/Los_Angeles"}); len(res.Invitees) != 125 {
		t.Fatalf("%d people to invite, want 125", len(res.Invitees))
	}
	var districtID string
	env.DB.Raw("SELECT id FROM districts").Scan(&districtID)
	apply(fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("users"))},
		"users.csv": {Data: []byte(usersHeader +
			"super,active,2026-11-30T08:00:00Z,true,district-demo,administrator,super,,Ruth,Alvarez,,,super@district.example,,,,,\n")},
	}, domain.RosterImportOptions{DistrictID: districtID})
	return env, districtID
}

// applyRoster applies a set as IT's command line does, and fails the test
// on any error or problem.
func applyRoster(t *testing.T, env *apptest.Env, fsys fstest.MapFS, o domain.RosterImportOptions) *domain.RosterResult {
	t.Helper()
	set, err := oneroster.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Domain.ApplyRoster(context.Background(), set, o)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("apply: %v %v", err, res.Problems)
	}
	return res
}

// mapFS is files (name → content) as a set to read.
func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for n, b := range files {
		fsys[n] = &fstest.MapFile{Data: []byte(b)}
	}
	return fsys
}

func userByEmail(t *testing.T, env *apptest.Env, email string) *models.User {
	t.Helper()
	var u models.User
	if err := env.DB.Take(&u, "email = ?", email).Error; err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	return &u
}

// adminSchool is the school the user is an admin of (taken from their
// membership, as the app takes it from viewer.memberships: which row
// "SELECT id FROM schools LIMIT 1" returns is heap order once a test has
// made a second school).
func adminSchool(t testing.TB, env *apptest.Env, admin *models.User) string {
	t.Helper()
	var school string
	if err := env.DB.Raw(`SELECT school_id FROM memberships WHERE user_id = ? AND role = ? ORDER BY school_id LIMIT 1`, admin.ID, models.RoleAdmin).
		Scan(&school).Error; err != nil || school == "" {
		t.Fatalf("%s admins no school (%v)", admin.DisplayName, err)
	}
	return school
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadZip uploads a zip as the holder of token and completes it.
func uploadZip(t *testing.T, env *apptest.Env, token string, data []byte) string {
	t.Helper()
	var out struct {
		CreateUpload struct {
			Upload    struct{ ID string }
			UploadURL string
		}
	}
	env.Do(token, qCreateUpload, map[string]any{"t": "application/zip", "n": len(data), "s": sum(data)}).Decode(t, &out)
	req, _ := http.NewRequest(http.MethodPut, env.Server.URL+out.CreateUpload.UploadURL, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/zip")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode >= 300 {
		t.Fatalf("PUT: %v %v", err, res)
	}
	res.Body.Close()
	if r := env.Do(token, qCompleteUpload, map[string]any{"id": out.CreateUpload.Upload.ID}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	return out.CreateUpload.Upload.ID
}

type rosterImport struct {
	ID, State  string
	DryRun     bool
	Progress   int
	Problems   []string
	FinishedAt *time.Time
	Changes    []models.RosterChange
}

// runImport asks for an import through the API, waits for its job and
// returns how it ended.
func runImport(t *testing.T, env *apptest.Env, token, upload string, dryRun bool) rosterImport {
	t.Helper()
	var started struct{ ImportRoster rosterImport }
	env.Do(token, qImportRoster, map[string]any{"in": map[string]any{"uploadId": upload, "dryRun": dryRun}}).Decode(t, &started)
	if started.ImportRoster.State != "QUEUED" || started.ImportRoster.DryRun != dryRun {
		t.Fatalf("import queued as %+v", started.ImportRoster)
	}
	env.WaitJobsSettled()
	var done struct{ RosterImport rosterImport }
	env.Do(token, qRosterImport, map[string]any{"id": started.ImportRoster.ID}).Decode(t, &done)
	return done.RosterImport
}

func changesOf(im rosterImport, kind string) models.RosterChange {
	for _, c := range im.Changes {
		if c.Kind == kind {
			return c
		}
	}
	return models.RosterChange{}
}

// TestRosterDeltaThroughTheAPI: a district admin uploads a delta that
// withdraws a student. The dry run reports it and changes nothing; the
// import ends the guardians' access at once, closing a guardian's live
// socket; a planted problem comes back as file:line and writes nothing.
// Teachers, school admins and parents cannot import.
func TestRosterDeltaThroughTheAPI(t *testing.T) {
	env, _ := rosterEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	super := env.TokenFor(userByEmail(t, env, "super@district.example"))
	parent := env.TokenFor(userByEmail(t, env, "parent43@sameside-demo.example")) // a guardian of student-001
	children := func() int {
		var v struct {
			Viewer struct{ Children []struct{ ID string } }
		}
		env.Do(parent, `{ viewer { children { id } } }`, nil).Decode(t, &v)
		return len(v.Viewer.Children)
	}
	before := children()
	if before == 0 {
		t.Fatal("the imported guardian sees no child")
	}

	withdraw := zipOf(t, map[string]string{
		"manifest.csv": deltaManifest("users"),
		"users.csv": usersHeader +
			"student-001,tobedeleted,2026-11-30T09:00:00Z,true,school-wce,student,student-001,,Maya,Brown,,,,,,,01,\n",
	})
	upload := uploadZip(t, env, super, withdraw)

	dry := runImport(t, env, super, upload, true)
	if dry.State != "SUCCEEDED" || len(dry.Problems) > 0 || changesOf(dry, "students").Withdrawn != 1 || dry.FinishedAt == nil {
		t.Fatalf("dry run: %+v", dry)
	}
	if children() != before {
		t.Fatal("a dry run changed what the guardian sees")
	}

	for who, tok := range map[string]string{
		"school admin": env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example")),
		"teacher":      env.TokenFor(userByEmail(t, env, "teacher1@sameside-demo.example")),
		"parent":       parent,
	} {
		up := uploadZip(t, env, tok, withdraw)
		if r := env.Do(tok, qImportRoster, map[string]any{"in": map[string]any{"uploadId": up}}); r.Code() == "" {
			t.Errorf("a %s started an import: %s", who, r.Body)
		}
		if r := env.Do(tok, qRosterImport, map[string]any{"id": dry.ID}); r.Code() != "NOT_FOUND" {
			t.Errorf("a %s read the district's import: %s", who, r.Body)
		}
	}
	if r := env.Do(super, qImportRoster, map[string]any{"in": map[string]any{"uploadId": upload, "districtId": "00000000-0000-4000-8000-000000000000"}}); r.Code() != "NOT_FOUND" {
		t.Errorf("another district: %s", r.Body)
	}

	ws := listening(t, ctx, env, parent)

	done := runImport(t, env, super, upload, false)
	if done.State != "SUCCEEDED" || changesOf(done, "students").Withdrawn != 1 || done.Progress != 100 {
		t.Fatalf("import: %+v", done)
	}
	_, err := ws.Next(ctx, "v")
	var ce *apptest.CloseError
	if !errors.As(err, &ce) || ce.Code != 4401 {
		t.Fatalf("the guardian's socket after the withdrawal: %v", err)
	}
	if got := children(); got != before-1 {
		t.Fatalf("after the withdrawal the guardian sees %d children, want %d", got, before-1)
	}

	// A planted problem: nothing is written.
	bad := uploadZip(t, env, super, zipOf(t, map[string]string{
		"manifest.csv": deltaManifest("users"),
		"users.csv": usersHeader +
			"new-kid,active,2026-11-30T09:00:00Z,true,school-elsewhere,student,new-kid,,Ana,Lopez,,,,,,,02,\n",
	}))
	var students int64
	env.DB.Raw("SELECT count(*) FROM students").Scan(&students)
	refused := runImport(t, env, super, bad, false)
	if refused.State != "SUCCEEDED" || len(refused.Problems) != 1 || refused.Problems[0] != `users.csv:2: orgSourcedIds "school-elsewhere": no such row in orgs.csv` {
		t.Fatalf("a set with a problem: %+v", refused)
	}
	var after int64
	env.DB.Raw("SELECT count(*) FROM students").Scan(&after)
	if after != students {
		t.Fatalf("a refused import wrote students: %d → %d", students, after)
	}
	if !strings.Contains(strings.Join(refused.Problems, ""), "users.csv:2") {
		t.Fatal("no location")
	}
}

// TestDistrictAdminAdministersItsSchools: a district admin is an ADMIN of
// every school of the district (here the demo school), and of no other.
func TestDistrictAdminAdministersItsSchools(t *testing.T) {
	env, _ := rosterEnv(t)
	other := &models.School{Name: "Elsewhere Elementary", TimeZone: "UTC"}
	if err := env.DB.Create(other).Error; err != nil {
		t.Fatal(err)
	}
	super := env.TokenFor(userByEmail(t, env, "super@district.example"))
	var v struct {
		Viewer struct {
			Memberships []struct {
				Role   string
				School struct{ Name string }
			}
			Classrooms []struct{ ID string }
		}
	}
	env.Do(super, `{ viewer { memberships { role school { name } } classrooms { id } } }`, nil).Decode(t, &v)
	if len(v.Viewer.Memberships) != 1 || v.Viewer.Memberships[0].Role != "ADMIN" || v.Viewer.Memberships[0].School.Name != "Willow Creek Elementary (demo)" {
		t.Fatalf("district admin's memberships: %+v", v.Viewer.Memberships)
	}
	if len(v.Viewer.Classrooms) != 4 {
		t.Fatalf("district admin sees %d classrooms, want the school's 4", len(v.Viewer.Classrooms))
	}
}

// listening opens a websocket as the holder of token with viewerEvents
// subscribed, and returns once the server holds the subscription.
func listening(t *testing.T, ctx context.Context, env *apptest.Env, token string) *apptest.WS {
	t.Helper()
	ws, err := env.DialWS(ctx, map[string]any{"Authorization": "Bearer " + token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Close)
	if err := ws.Subscribe(ctx, "v", `subscription { viewerEvents { type } }`, nil); err != nil {
		t.Fatal(err)
	}
	env.WaitSubscribers(1)
	return ws
}
