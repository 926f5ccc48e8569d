package contracts_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// rosterContracts runs the district operations as the app sends them, in a
// small district loaded as IT's first import would: upload the set's zip,
// dry-run it, read and follow the import; then what admins do by hand
// (guardians, staff, classes, monitors, retention).
func rosterContracts(t *testing.T, env *apptest.Env, ops map[string]string, covered map[string]bool) {
	district, set := rosterDistrict(t, env)
	sum := sha256.Sum256(set)
	var created struct {
		CreateUpload struct {
			Upload    struct{ ID string }
			UploadURL string
		}
	}
	env.Do(district, ops["CreateUpload"], map[string]any{"input": map[string]any{"contentType": "application/zip", "size": len(set), "sha256": hex.EncodeToString(sum[:])}}).Decode(t, &created)
	req, _ := http.NewRequest(http.MethodPut, env.Server.URL+created.CreateUpload.UploadURL, bytes.NewReader(set))
	req.Header.Set("Content-Type", "application/zip")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("PUT: %v %v", err, res)
	}
	if res := env.Do(district, ops["CompleteUpload"], map[string]any{"input": map[string]any{"id": created.CreateUpload.Upload.ID}}); len(res.Errors) > 0 {
		t.Fatal(res.Body)
	}
	var started struct{ ImportRoster struct{ ID, State string } }
	env.Do(district, ops["ImportRoster"], map[string]any{"input": map[string]any{"uploadId": created.CreateUpload.Upload.ID}}).Decode(t, &started)
	if started.ImportRoster.State != "QUEUED" {
		t.Fatalf("import: %+v", started)
	}
	env.WaitJobsSettled()
	res := env.Do(district, ops["RosterImport"], map[string]any{"id": started.ImportRoster.ID})
	if len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"state":"SUCCEEDED"`) || !strings.Contains(string(res.Data), `"kind":"students","created":0,"updated":0,"withdrawn":0,"unchanged":1`) {
		t.Fatalf("a dry run of the same set: %s", res.Body)
	}
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws, err := env.DialWS(ctx, map[string]any{"Authorization": "Bearer " + district})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.Subscribe(ctx, "r", ops["RosterImportUpdated"], map[string]any{"id": started.ImportRoster.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := ws.Next(ctx, "r")
	if err != nil || got == nil || !strings.Contains(string(got.Data), `"SUCCEEDED"`) {
		t.Fatalf("rosterImportUpdated: %v %+v", err, got)
	}
	covered["ImportRoster"], covered["RosterImport"], covered["RosterImportUpdated"] = true, true, true

	// The district admin restricts the parent's guardianship, clears it,
	// and removes it.
	var kid struct{ ID string }
	env.DB.Raw("SELECT id FROM students WHERE first_name = 'Lena'").Scan(&kid)
	var st struct {
		Student struct{ Guardians []struct{ ID string } }
	}
	env.Do(district, ops["Student"], map[string]any{"id": kid.ID}).Decode(t, &st)
	if len(st.Student.Guardians) != 1 {
		t.Fatalf("guardians: %+v", st)
	}
	g := st.Student.Guardians[0].ID
	for _, step := range []struct {
		op, want string
		in       map[string]any
	}{
		{"SetGuardianRestricted", `"restrictedReason":"Court order"`, map[string]any{"guardianId": g, "restricted": true, "reason": "Court order"}},
		{"SetGuardianRestricted", `"restricted":false`, map[string]any{"guardianId": g, "restricted": false}},
		{"SetGuardianHousehold", `"household":"mum's"`, map[string]any{"guardianId": g, "household": "mum's"}},
		{"RemoveGuardian", `"endedAt":"`, map[string]any{"guardianId": g}},
	} {
		res := env.Do(district, ops[step.op], map[string]any{"input": step.in})
		if len(res.Errors) > 0 || !strings.Contains(string(res.Data), step.want) {
			t.Fatalf("%s: %s", step.op, res.Body)
		}
		covered[step.op] = true
	}

	// The district admin appoints the teacher as message monitor, who
	// then exports the school's conversations (none yet).
	var school, omar string
	env.DB.Raw("SELECT id FROM schools WHERE name = 'Lakeside Elementary'").Scan(&school)
	env.DB.Raw("SELECT id FROM users WHERE email = 'omar@lakeside.example'").Scan(&omar)
	if res := env.Do(district, ops["SetMessageMonitor"], map[string]any{"input": map[string]any{"schoolId": school, "userId": omar, "monitor": true}}); len(res.Errors) > 0 || !strings.Contains(string(res.Data), "true") {
		t.Fatalf("SetMessageMonitor: %s", res.Body)
	}
	var o models.User
	env.DB.Take(&o, "id = ?", omar)
	res = env.Do(env.TokenFor(&o), ops["ConversationExport"], map[string]any{"schoolId": school,
		"from": time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339), "to": time.Now().UTC().Format(time.RFC3339)})
	if len(res.Errors) > 0 || string(res.Data) != `{"conversationExport":[]}` {
		t.Fatalf("ConversationExport: %s", res.Body)
	}
	covered["SetMessageMonitor"], covered["ConversationExport"] = true, true
	var districtID string
	env.DB.Raw("SELECT id FROM districts WHERE name = 'Lakeside District'").Scan(&districtID)
	if res := env.Do(district, ops["SetDistrictMessageMonitor"], map[string]any{"input": map[string]any{"districtId": districtID, "userId": omar, "monitor": true}}); len(res.Errors) > 0 || !strings.Contains(string(res.Data), "true") {
		t.Fatalf("SetDistrictMessageMonitor: %s", res.Body)
	}
	covered["SetDistrictMessageMonitor"] = true

	// People and classes by hand: a new class with a new teacher, the
	// student moved there, a grandparent added, the old class archived,
	// the monitor removed.
	var room struct{ CreateClassroom struct{ ID string } }
	env.Do(district, ops["CreateClassroom"], map[string]any{"input": map[string]any{"schoolId": school, "name": "Room 3C", "grade": "3", "schoolYear": "2026-2027"}}).Decode(t, &room)
	var oldRoom string
	env.DB.Raw("SELECT id FROM classrooms WHERE name = 'Room 3B'").Scan(&oldRoom)
	for _, step := range []struct {
		op, want string
		in       map[string]any
	}{
		{"AddStaff", `"displayName":"Ines Ruiz"`, map[string]any{"schoolId": school, "email": "ines@lakeside.example", "displayName": "Ines Ruiz", "role": "TEACHER", "classroomIds": []string{room.CreateClassroom.ID}}},
		{"TransferStudent", `"name":"Room 3C"`, map[string]any{"studentId": kid.ID, "classroomId": room.CreateClassroom.ID}},
		{"AddGuardian", `"relationship":"GRANDPARENT"`, map[string]any{"studentId": kid.ID, "email": "grandma@home.example", "displayName": "Rosa Park", "relationship": "GRANDPARENT"}},
		{"ArchiveClassroom", `"archivedAt":"`, map[string]any{"classroomId": oldRoom}},
		{"RemoveStaff", `"removeStaff":true`, map[string]any{"schoolId": school, "userId": omar}},
	} {
		res := env.Do(district, ops[step.op], map[string]any{"input": step.in})
		if len(res.Errors) > 0 || !strings.Contains(string(res.Data), step.want) {
			t.Fatalf("%s: %s", step.op, res.Body)
		}
		covered[step.op] = true
	}
	covered["CreateClassroom"] = true

	// The grandparent turns out to hold a second account: merged into it.
	var grandma, jin string
	env.DB.Raw("SELECT id FROM users WHERE email = 'grandma@home.example'").Scan(&grandma)
	env.DB.Raw("SELECT id FROM users WHERE email = 'jin@home.example'").Scan(&jin)
	if res := env.Do(district, ops["MergeAccounts"], map[string]any{"input": map[string]any{"fromUserId": grandma, "intoUserId": jin}}); len(res.Errors) > 0 || !strings.Contains(string(res.Data), jin) {
		t.Fatalf("MergeAccounts: %s", res.Body)
	}
	covered["MergeAccounts"] = true

	// Retention: seven years, the student held, then withdrawn.
	for _, step := range []struct {
		op, want string
		in       map[string]any
	}{
		{"SetRetention", `"retentionYears":7`, map[string]any{"schoolId": school, "years": 7, "legalHold": false}},
		{"SetStudentLegalHold", `"legalHold":true`, map[string]any{"studentId": kid.ID, "hold": true}},
		{"WithdrawStudent", `"withdrawnAt":"`, map[string]any{"studentId": kid.ID}},
	} {
		res := env.Do(district, ops[step.op], map[string]any{"input": step.in})
		if len(res.Errors) > 0 || !strings.Contains(string(res.Data), step.want) {
			t.Fatalf("%s: %s", step.op, res.Body)
		}
		covered[step.op] = true
	}
}
