package graph_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sameside/sameside/models/domain"
)

// TestTransferBetweenSchools: a district admin moves a child to a class of
// another school of the district. The child continues there with their
// guardians as they stood (a restriction and its reason, households); the
// family sees the child at the new school; the old school keeps its
// history (withdrawn) and its admins cannot follow the child; each school
// audits its side. A school's own admin cannot reach the other school's
// class. A roster that moves a student does the same.
func TestTransferBetweenSchools(t *testing.T) {
	env, districtID := rosterEnv(t)
	apply := func(files map[string]string) *domain.RosterResult {
		t.Helper()
		return applyRoster(t, env, mapFS(files), domain.RosterImportOptions{DistrictID: districtID})
	}
	const mod = "active,2026-11-30T08:00:00Z"
	// A second school, with one class and its teacher.
	apply(map[string]string{
		"manifest.csv": deltaManifest("orgs", "classes", "users", "enrollments"),
		"orgs.csv":     "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nschool-hill," + mod + ",Hillside Elementary,school,HE,district-demo\n",
		"classes.csv": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n" +
			"hill-1," + mod + ",Hillside Grade 1,01,course-grade-01,H1,homeroom,,school-hill,year-2027,,,\n",
		"users.csv": usersHeader + "hillteacher," + mod + ",true,school-hill,teacher,hillteacher,,Mara,Hill,,,mara@hillside.example,,,,,\n",
		"enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
			"enr-hill-t," + mod + ",hill-1,school-hill,hillteacher,teacher,true,,\n",
	})
	var hillRoom, hillSchool string
	env.DB.Raw("SELECT id, school_id FROM classrooms WHERE name = 'Hillside Grade 1'").Row().Scan(&hillRoom, &hillSchool)
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	super := env.TokenFor(userByEmail(t, env, "super@district.example"))
	parent1, parent2 := userByEmail(t, env, "parent1@sameside-demo.example"), userByEmail(t, env, "parent2@sameside-demo.example")
	var arjun string
	env.DB.Raw("SELECT id FROM students WHERE first_name = 'Arjun' AND last_name = 'Rossi'").Scan(&arjun)

	// parent2 is restricted (custody) before the move.
	var g2 string
	env.DB.Raw("SELECT id FROM guardianships WHERE student_id = ? AND user_id = ?", arjun, parent2.ID).Scan(&g2)
	if r := env.Do(admin, qRestrict, map[string]any{"in": map[string]any{"guardianId": g2, "restricted": true, "reason": "Court order 12"}}); r.Code() != "" {
		t.Fatal(r.Body)
	}

	const qTransfer = `mutation($in: TransferStudentInput!) { transferStudent(input: $in) { id school { id } classrooms { id }
		guardians { restricted restrictedReason household user { id } } } }`
	in := map[string]any{"in": map[string]any{"studentId": arjun, "classroomId": hillRoom}}
	if r := env.Do(admin, qTransfer, in); r.Code() != "NOT_FOUND" {
		t.Fatalf("the school's admin reaches the other school's class: %s", r.Body)
	}
	var moved struct {
		TransferStudent struct {
			ID         string
			School     struct{ ID string }
			Classrooms []struct{ ID string }
			Guardians  []struct {
				Restricted       bool
				RestrictedReason *string
				Household        string
				User             struct{ ID string }
			}
		}
	}
	env.Do(super, qTransfer, in).Decode(t, &moved)
	m := moved.TransferStudent
	if m.ID == arjun || m.School.ID != hillSchool || len(m.Classrooms) != 1 || m.Classrooms[0].ID != hillRoom || len(m.Guardians) != 2 {
		t.Fatalf("moved: %+v", m)
	}
	for _, g := range m.Guardians {
		switch g.User.ID {
		case parent1.ID:
			if g.Restricted || g.Household != "household-1a" {
				t.Errorf("parent1 at the new school: %+v", g)
			}
		case parent2.ID:
			if !g.Restricted || g.RestrictedReason == nil || *g.RestrictedReason != "Court order 12" || g.Household != "household-1b" {
				t.Errorf("parent2's restriction did not follow the child: %+v", g)
			}
		}
	}
	children := func(u string) []string {
		var v struct {
			Viewer struct{ Children []struct{ ID string } }
		}
		env.Do(env.TokenFor(userByEmail(t, env, u)), `{ viewer { children { id } } }`, nil).Decode(t, &v)
		var ids []string
		for _, c := range v.Viewer.Children {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if kids := children("parent1@sameside-demo.example"); !slices.Contains(kids, m.ID) || slices.Contains(kids, arjun) {
		t.Fatalf("parent1's children: %v (moved %s, old %s)", kids, m.ID, arjun)
	}
	if kids := children("parent2@sameside-demo.example"); slices.Contains(kids, m.ID) || slices.Contains(kids, arjun) {
		t.Fatalf("restricted parent2 sees the child: %v", kids)
	}
	// The old school keeps its history; it cannot follow the child.
	var old struct {
		Student struct{ WithdrawnAt *time.Time }
	}
	env.Do(admin, `query($id: ID!) { student(id: $id) { withdrawnAt } }`, map[string]any{"id": arjun}).Decode(t, &old)
	if old.Student.WithdrawnAt == nil {
		t.Fatalf("the old school's record is not withdrawn: %+v", old)
	}
	if r := env.Do(admin, `query($id: ID!) { student(id: $id) { id } }`, map[string]any{"id": m.ID}); r.Code() != "NOT_FOUND" {
		t.Fatalf("the old school's admin follows the child: %s", r.Body)
	}
	var audit []string
	env.DB.Raw("SELECT s.name || ' ' || a.operation FROM audit_events a JOIN schools s ON s.id = a.school_id WHERE a.operation LIKE 'student.transfer%' ORDER BY a.operation").Scan(&audit)
	if !slices.Equal(audit, []string{"Hillside Elementary student.transfer", "Willow Creek Elementary (demo) student.transfer.out"}) {
		t.Fatalf("audit: %v", audit)
	}

	// The roster moves Arjun's sister the same way.
	res := apply(map[string]string{
		"manifest.csv": deltaManifest("users", "enrollments"),
		"users.csv":    usersHeader + "student-059," + mod + ",true,school-hill,student,student-059,,Priya,Rossi,,,,,,\"parent1,parent2\",01,\n",
		"enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
			"enr-student-059,tobedeleted,2026-11-30T08:00:00Z,class-1,school-wce,student-059,student,false,,\n" +
			"enr-hill-059," + mod + ",hill-1,school-hill,student-059,student,false,,\n",
	})
	for _, c := range res.Changes {
		if c.Kind == "students" && (c.Updated != 1 || c.Created != 0) {
			t.Errorf("students: %+v", c)
		}
	}
	var priya []struct{ SchoolID string }
	env.DB.Raw(`SELECT st.school_id FROM students st JOIN guardianships g ON g.student_id = st.id
		WHERE st.first_name = 'Priya' AND st.last_name = 'Rossi' AND g.user_id = ? AND g.grants_access`, parent1.ID).Scan(&priya)
	if len(priya) != 1 || priya[0].SchoolID != hillSchool {
		t.Fatalf("Priya after the roster's move: %+v", priya)
	}
	var enrolled int64
	env.DB.Raw(`SELECT count(*) FROM enrollments e JOIN students st ON st.id = e.student_id WHERE st.first_name = 'Priya' AND st.last_name = 'Rossi'
		AND e.classroom_id = ? AND st.school_id = ?`, hillRoom, hillSchool).Scan(&enrolled)
	if enrolled != 1 {
		t.Fatalf("Priya is not in the Hillside class (%d)", enrolled)
	}
	if kids := children("parent1@sameside-demo.example"); len(kids) != 2 {
		t.Fatalf("parent1's children after both moves: %v", kids)
	}
}
