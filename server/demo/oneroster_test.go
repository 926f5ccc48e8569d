package demo_test

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/server/demo"
)

var update = flag.Bool("update", false, "rewrite testdata/oneroster from the demo seed")

// demoSetDir holds the demo school as a OneRoster 1.1 CSV set, written from
// the standard's columns (bulk mode: status and dateLastModified empty):
// the roster import's tests load it and compare with the seeded school.
const demoSetDir = "testdata/oneroster"

// TestDemoOneRosterSetIsCurrent regenerates the set from the seed (with
// -update, it rewrites it) and fails if the checked-in files differ.
func TestDemoOneRosterSetIsCurrent(t *testing.T) {
	db := openDB(t)
	if _, err := demo.Seed(context.Background(), db, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	files := demoSet(t, db)
	for name, rows := range files {
		var b strings.Builder
		w := csv.NewWriter(&b)
		_ = w.WriteAll(rows)
		path := filepath.Join(demoSetDir, name)
		if *update {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != b.String() {
			t.Errorf("%s is not what the seed gives (run go test ./server/demo -run TestDemoOneRosterSetIsCurrent -update): %v", path, err)
		}
	}
}

// demoSet writes the seeded demo school as OneRoster rows. Students are
// numbered in a stable order (names, grade, class, guardians), people keep
// their email's local part as their sourcedId.
func demoSet(t *testing.T, db *gorm.DB) map[string][][]string {
	t.Helper()
	scan := func(dst any, q string) {
		t.Helper()
		if err := db.Raw(q).Scan(dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	var school struct{ Name string }
	scan(&school, "SELECT name FROM schools")
	var rooms []struct{ ID, Name, Grade, SchoolYear string }
	scan(&rooms, "SELECT id, name, grade, school_year FROM classrooms ORDER BY name")
	year := rooms[0].SchoolYear
	end := year[strings.Index(year, "-")+1:]
	code := func(g string) string {
		if g == "K" {
			return "KG"
		}
		return fmt.Sprintf("%02s", g)
	}
	local := func(email string) string { return email[:strings.Index(email, "@")] }
	split := func(name string) (string, string) {
		i := strings.Index(name, " ")
		return name[:i], name[i+1:]
	}

	out := map[string][][]string{
		"manifest.csv": {{"propertyName", "value"}, {"manifest.version", "1.0"}, {"oneroster.version", "1.1"},
			{"file.academicSessions", "bulk"}, {"file.categories", "absent"}, {"file.classes", "bulk"}, {"file.classResources", "absent"},
			{"file.courses", "bulk"}, {"file.courseResources", "absent"}, {"file.demographics", "absent"}, {"file.enrollments", "bulk"},
			{"file.lineItems", "absent"}, {"file.orgs", "bulk"}, {"file.resources", "absent"}, {"file.results", "absent"}, {"file.users", "bulk"},
			{"source.systemName", "SameSide demo"}},
		"orgs.csv": {{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
			{"district-demo", "", "", "Willow Creek District (demo)", "district", "WCD", ""},
			{"school-wce", "", "", school.Name, "school", "WCE", "district-demo"}},
		"academicSessions.csv": {{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
			{"year-" + end, "", "", year, "schoolYear", year[:4] + "-08-17", end + "-06-11", "", end}},
		"courses.csv":     {{"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"}},
		"classes.csv":     {{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"}},
		"users.csv":       {{"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "metadata.household"}},
		"enrollments.csv": {{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"}},
	}
	roomID := map[string]string{}
	for i, r := range rooms {
		c := fmt.Sprintf("class-%d", i+1)
		roomID[r.ID] = c
		course := "course-grade-" + code(r.Grade)
		out["courses.csv"] = append(out["courses.csv"], []string{course, "", "", "year-" + end, "Grade " + r.Grade, "G" + code(r.Grade), code(r.Grade), "school-wce", "", ""})
		out["classes.csv"] = append(out["classes.csv"], []string{c, "", "", r.Name, code(r.Grade), course, fmt.Sprintf("HR%d", i+1), "homeroom", "", "school-wce", "year-" + end, "", "", ""})
	}
	var staff []struct{ Email, DisplayName, Role string }
	scan(&staff, `SELECT u.email, u.display_name, m.role FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.role IN ('ADMIN', 'TEACHER') ORDER BY length(u.email), u.email`)
	for _, s := range staff {
		given, family := split(s.DisplayName)
		role := "teacher"
		if s.Role == "ADMIN" {
			role = "administrator"
		}
		out["users.csv"] = append(out["users.csv"], []string{local(s.Email), "", "", "true", "school-wce", role, local(s.Email), "", given, family, "", "", s.Email, "", "", "", "", "", ""})
	}
	var students []struct {
		ID, FirstName, LastName, Grade, Room, Guardians string
	}
	scan(&students, `SELECT st.id, st.first_name, st.last_name, st.grade, e.classroom_id AS room,
		(SELECT string_agg(u.email, ',' ORDER BY length(u.email), u.email) FROM guardianships g JOIN users u ON u.id = g.user_id WHERE g.student_id = st.id) AS guardians
		FROM students st JOIN enrollments e ON e.student_id = st.id`)
	for i := range students {
		students[i].Room = roomID[students[i].Room]
	}
	sort.Slice(students, func(i, j int) bool {
		a, b := students[i], students[j]
		return a.LastName+"\x00"+a.FirstName+"\x00"+a.Grade+"\x00"+a.Room+"\x00"+a.Guardians < b.LastName+"\x00"+b.FirstName+"\x00"+b.Grade+"\x00"+b.Room+"\x00"+b.Guardians
	})
	children := map[string][]string{}
	for i, s := range students {
		sid := fmt.Sprintf("student-%03d", i+1)
		var agents []string
		for _, e := range strings.Split(s.Guardians, ",") {
			agents = append(agents, local(e))
			children[local(e)] = append(children[local(e)], sid)
		}
		out["users.csv"] = append(out["users.csv"], []string{sid, "", "", "true", "school-wce", "student", sid, "", s.FirstName, s.LastName, "", "", "", "", "", strings.Join(agents, ","), code(s.Grade), "", ""})
		out["enrollments.csv"] = append(out["enrollments.csv"], []string{"enr-" + sid, "", "", s.Room, "school-wce", sid, "student", "false", "", ""})
	}
	var parents []struct{ Email, DisplayName, Household string }
	scan(&parents, `SELECT u.email, u.display_name, (SELECT min(g.household) FROM guardianships g WHERE g.user_id = u.id) AS household
		FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.role = 'PARENT' ORDER BY length(u.email), u.email`)
	for _, p := range parents {
		given, family := split(p.DisplayName)
		out["users.csv"] = append(out["users.csv"], []string{local(p.Email), "", "", "true", "school-wce", "parent", local(p.Email), "", given, family, "", "", p.Email, "", "", strings.Join(children[local(p.Email)], ","), "", "", p.Household})
	}
	var teaching []struct{ Email, Room string }
	scan(&teaching, `SELECT u.email, cs.classroom_id AS room FROM classroom_staff cs JOIN users u ON u.id = cs.user_id ORDER BY u.email`)
	for _, x := range teaching {
		out["enrollments.csv"] = append(out["enrollments.csv"], []string{"enr-" + local(x.Email) + "-" + roomID[x.Room], "", "", roomID[x.Room], "school-wce", local(x.Email), "teacher", "true", "", ""})
	}
	return out
}
