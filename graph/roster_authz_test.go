package graph_test

import (
	"context"

	"testing"
	"testing/fstest"
	"time"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/roster/oneroster"
)

// TestRosterAuthorizationMatrix: every district and roster operation, as
// each role of the district and of another district: the district's admin
// and the school's admin may, the school's teachers and parents are
// FORBIDDEN (or NOT_FOUND where they may not see the thing at all), and
// the admin of another school of the same district, and everyone of another
// district, get NOT_FOUND.
func TestRosterAuthorizationMatrix(t *testing.T) {
	env, districtA := rosterEnv(t)
	// A second school in the district, with its own admin (a delta).
	setA2, err := oneroster.Read(fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("orgs", "users"))},
		"orgs.csv":     {Data: []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nschool-oak,active,2026-11-30T08:00:00Z,Oak Hill Elementary,school,OHE,district-demo\n")},
		"users.csv": {Data: []byte(usersHeader +
			"admin-oak,active,2026-11-30T08:00:00Z,true,school-oak,administrator,admin-oak,,Lee,Oak,,,admin@oak.example,,,,,\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := env.App.Domain.ApplyRoster(context.Background(), setA2, domain.RosterImportOptions{DistrictID: districtA}); err != nil || len(res.Problems) > 0 {
		t.Fatalf("second school: %v %v", err, res.Problems)
	}
	// Another district, with its own district admin and school admin.
	setB, err := oneroster.Read(fstest.MapFS{
		"manifest.csv": {Data: []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\nfile.users,bulk\n")},
		"orgs.csv":     {Data: []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ndB,,,Hill District,district,,\nsB,,,Hill School,school,,dB\n")},
		"users.csv": {Data: []byte(usersHeader +
			"superB,,,true,dB,administrator,superB,,Ana,Hill,,,superb@hill.example,,,,,\n" +
			"adminB,,,true,sB,administrator,adminB,,Ben,Hill,,,adminb@hill.example,,,,,\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := env.App.Domain.ApplyRoster(context.Background(), setB, domain.RosterImportOptions{TimeZone: "America/Denver"}); err != nil || len(res.Problems) > 0 {
		t.Fatalf("district B: %v %v", err, res.Problems)
	}
	tok := func(email string) string { return env.TokenFor(userByEmail(t, env, email)) }
	roles := map[string]string{
		"district admin": tok("super@district.example"),
		"school admin":   tok("admin@sameside-demo.example"),
		"teacher":        tok("teacher2@sameside-demo.example"), // teaches student-001
		"parent":         tok("parent43@sameside-demo.example"), // a guardian of student-001
		"same district":  tok("admin@oak.example"),
		"other district": tok("superb@hill.example"),
		"other school":   tok("adminb@hill.example"),
	}
	super := roles["district admin"]

	// What the operations act on, found as the app would.
	var home struct {
		Viewer struct {
			Memberships []struct{ School struct{ ID string } }
			Children    []struct {
				ID        string
				Guardians []struct {
					ID   string
					User struct{ ID string }
				}
				Classrooms []struct{ ID string }
			}
		}
	}
	env.Do(roles["parent"], `{ viewer { memberships { school { id } } children { id guardians { id user { id } } classrooms { id } } } }`, nil).Decode(t, &home)
	school, child := home.Viewer.Memberships[0].School.ID, home.Viewer.Children[0]
	var rooms struct {
		Viewer struct{ Classrooms []struct{ ID string } }
	}
	env.Do(super, `{ viewer { classrooms { id } } }`, nil).Decode(t, &rooms)
	other := ""
	for _, r := range rooms.Viewer.Classrooms {
		if r.ID != child.Classrooms[0].ID {
			other = r.ID
		}
	}
	teacher4 := userByEmail(t, env, "teacher4@sameside-demo.example").ID
	teacher3 := userByEmail(t, env, "teacher3@sameside-demo.example").ID
	upload := uploadZip(t, env, super, zipOf(t, map[string]string{"manifest.csv": deltaManifest("users"), "users.csv": usersHeader}))
	var started struct{ ImportRoster struct{ ID string } }
	env.Do(super, qImportRoster, map[string]any{"in": map[string]any{"uploadId": upload, "districtId": districtA}}).Decode(t, &started)
	env.WaitJobsSettled()
	now := time.Now().UTC()

	type op struct {
		name, query string
		vars        map[string]any
		// The code each role gets; the district and school admins may.
		teacher, parent string
	}
	guardian := child.Guardians[0].ID
	ops := []op{
		{"importRoster", qImportRoster, map[string]any{"in": map[string]any{"uploadId": upload, "districtId": districtA}}, "NOT_FOUND", "NOT_FOUND"},
		{"rosterImport", qRosterImport, map[string]any{"id": started.ImportRoster.ID}, "NOT_FOUND", "NOT_FOUND"},
		{"setGuardianRestricted", qRestrict, map[string]any{"in": map[string]any{"guardianId": guardian, "restricted": false}}, "FORBIDDEN", "FORBIDDEN"},
		{"setRetention", qRetention, map[string]any{"in": map[string]any{"schoolId": school, "years": 5, "legalHold": false}}, "FORBIDDEN", "FORBIDDEN"},
		{"setStudentLegalHold", qHold, map[string]any{"id": child.ID, "h": false}, "FORBIDDEN", "FORBIDDEN"},
		{"addGuardian", `mutation($in: AddGuardianInput!) { addGuardian(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"studentId": child.ID, "email": "grandma@home.example", "displayName": "Rosa Brown", "relationship": "GRANDPARENT"}}, "FORBIDDEN", "FORBIDDEN"},
		{"addStaff", `mutation($in: AddStaffInput!) { addStaff(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"schoolId": school, "email": "aide@school.example", "displayName": "Ines Aide", "role": "TEACHER", "classroomIds": []string{other}}}, "FORBIDDEN", "FORBIDDEN"},
		{"createClassroom", `mutation($in: CreateClassroomInput!) { createClassroom(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"schoolId": school, "name": "Room 9", "grade": "3", "schoolYear": "2026-2027"}}, "FORBIDDEN", "FORBIDDEN"},
		{"setMessageMonitor", `mutation($in: SetMessageMonitorInput!) { setMessageMonitor(input: $in) }`,
			map[string]any{"in": map[string]any{"schoolId": school, "userId": teacher3, "monitor": true}}, "FORBIDDEN", "FORBIDDEN"},
		{"conversationExport", qConversationExport, map[string]any{"s": school, "from": now.Add(-time.Hour).Format(time.RFC3339), "to": now.Format(time.RFC3339)}, "FORBIDDEN", "FORBIDDEN"},
		{"transferStudent", `mutation($in: TransferStudentInput!) { transferStudent(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"studentId": child.ID, "classroomId": other}}, "FORBIDDEN", "FORBIDDEN"},
		{"removeStaff", `mutation($in: RemoveStaffInput!) { removeStaff(input: $in) }`,
			map[string]any{"in": map[string]any{"schoolId": school, "userId": teacher4}}, "FORBIDDEN", "FORBIDDEN"},
		{"archiveClassroom", `mutation($in: ClassroomIdInput!) { archiveClassroom(input: $in) { id archivedAt } }`,
			map[string]any{"in": map[string]any{"classroomId": other}}, "NOT_FOUND", "NOT_FOUND"}, // a class they do not teach
		{"setGuardianHousehold", qHousehold, map[string]any{"in": map[string]any{"guardianId": guardian, "household": "home-2"}}, "FORBIDDEN", "FORBIDDEN"},
		{"setSchoolChannels", `mutation($in: SetSchoolChannelsInput!) { setSchoolChannels(input: $in) { channels } }`,
			map[string]any{"in": map[string]any{"schoolId": school, "channels": []string{"EMAIL", "SMS"}}}, "FORBIDDEN", "FORBIDDEN"},
		{"removeGuardian", qRemove, map[string]any{"id": guardian}, "FORBIDDEN", "FORBIDDEN"},
		{"withdrawStudent", qWithdraw, map[string]any{"id": child.ID}, "FORBIDDEN", "FORBIDDEN"},
	}
	for _, o := range ops {
		for role, want := range map[string]string{"teacher": o.teacher, "parent": o.parent, "same district": "NOT_FOUND",
			"other district": "NOT_FOUND", "other school": "NOT_FOUND"} {
			if r := env.Do(roles[role], o.query, o.vars); r.Code() != want {
				t.Errorf("%s as %s: want %s, got %s", o.name, role, want, r.Body)
			}
		}
	}
	// The district's admin may do each (the school's admin likewise: the
	// other tests act as one); in this order, the last ones end access.
	for i, o := range ops {
		who := "district admin"
		if i%2 == 1 && o.name != "importRoster" && o.name != "rosterImport" {
			who = "school admin"
		}
		if r := env.Do(roles[who], o.query, o.vars); r.Code() != "" {
			t.Errorf("%s as %s: %s", o.name, who, r.Body)
		}
	}
}
