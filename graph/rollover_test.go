package graph_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
)

// TestSchoolYearRollover: the next year's bulk set (a new school year, new
// classes, students moved up with new teachers, the same families)
// archives last year's classes: they leave the teachers' current classes
// and the students' classes and give last year's teacher no access to a
// student they no longer teach, while the history stays readable to the
// school's admins; families keep their children.
func TestSchoolYearRollover(t *testing.T) {
	env, _ := rosterEnv(t)
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	teacher1 := env.TokenFor(userByEmail(t, env, "teacher1@sameside-demo.example"))
	var before struct {
		Viewer struct {
			Classrooms []struct{ ID, Name string }
		}
	}
	env.Do(teacher1, `{ viewer { classrooms { id name } } }`, nil).Decode(t, &before)
	if len(before.Viewer.Classrooms) != 1 {
		t.Fatalf("teacher1 teaches %+v", before.Viewer.Classrooms)
	}
	oldRoom := before.Viewer.Classrooms[0].ID
	var room struct {
		Classroom struct{ Students []struct{ ID string } }
	}
	env.Do(teacher1, `query($id: ID!) { classroom(id: $id) { students { id } } }`, map[string]any{"id": oldRoom}).Decode(t, &room)
	if len(room.Classroom.Students) == 0 {
		t.Fatal("teacher1's class has no students")
	}
	pupil := room.Classroom.Students[0].ID
	// A note from last year, about that student.
	if r := env.Do(teacher1, `mutation($s: ID!) { postObservation(input: {clientMutationId: "last-year", studentIds: [$s], kind: POSITIVE,
		body: "Read a whole chapter aloud.", state: SHARED}) { observations { id } } }`, map[string]any{"s": pupil}); r.Code() != "" {
		t.Fatal(r.Body)
	}

	// Next year: every class gets a new sourcedId and year; each teacher
	// moves to the next class (teacher1 leaves class-4 for class-1).
	next := map[string]string{}
	for _, name := range []string{"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"} {
		b, err := os.ReadFile(demoRosterDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		s = strings.NewReplacer("year-2027", "year-2028", "2026-2027", "2027-2028", "2026-08-17", "2027-08-16", "2027-06-11", "2028-06-09",
			"class-", "next-class-").Replace(s)
		if name == "enrollments.csv" {
			var lines []string
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, ",teacher,") {
					// enr-teacherN-next-class-K,,,next-class-K,… → the next class
					for k := 1; k <= 4; k++ {
						if strings.Contains(l, fmt.Sprintf(",next-class-%d,", k)) {
							l = strings.ReplaceAll(l, fmt.Sprintf("next-class-%d", k), fmt.Sprintf("next-class-%d", k%4+1))
							break
						}
					}
				}
				lines = append(lines, l)
			}
			s = strings.Join(lines, "\n")
		}
		next[name] = s
	}
	fsys := fstest.MapFS{}
	for n, s := range next {
		fsys[n] = &fstest.MapFile{Data: []byte(s)}
	}
	res := applyRoster(t, env, fsys, domain.RosterImportOptions{})
	for _, c := range res.Changes {
		if c.Kind == "classes" && (c.Created != 4 || c.Withdrawn != 4) {
			t.Errorf("classes: %+v", c)
		}
		if (c.Kind == "students" || c.Kind == "guardians" || c.Kind == "guardianships") && (c.Withdrawn != 0 || c.Created != 0) {
			t.Errorf("families changed: %+v", c)
		}
	}

	var after struct {
		Viewer struct {
			Classrooms []struct{ ID, SchoolYear string }
		}
	}
	env.Do(teacher1, `{ viewer { classrooms { id schoolYear } } }`, nil).Decode(t, &after)
	if len(after.Viewer.Classrooms) != 1 || after.Viewer.Classrooms[0].ID == oldRoom || after.Viewer.Classrooms[0].SchoolYear != "2027-2028" {
		t.Fatalf("teacher1's classes next year: %+v", after.Viewer.Classrooms)
	}
	// Last year's class is history: admins read it, with its students.
	var hist struct {
		Classroom struct {
			ArchivedAt *time.Time
			SchoolYear string
			Students   []struct{ ID string }
		}
	}
	env.Do(admin, `query($id: ID!) { classroom(id: $id) { archivedAt schoolYear students { id } } }`, map[string]any{"id": oldRoom}).Decode(t, &hist)
	if hist.Classroom.ArchivedAt == nil || hist.Classroom.SchoolYear != "2026-2027" || len(hist.Classroom.Students) != len(room.Classroom.Students) {
		t.Fatalf("last year's class for the admin: %+v", hist.Classroom)
	}
	// teacher1 no longer teaches the pupil (now in another teacher's class).
	if r := env.Do(teacher1, `query($id: ID!) { student(id: $id) { id } }`, map[string]any{"id": pupil}); r.Code() != "NOT_FOUND" {
		t.Fatalf("last year's teacher still reaches the student: %s", r.Body)
	}
	// The family keeps the child, whose classes are this year's only, and
	// last year's note.
	var kid struct {
		Student struct {
			Classrooms []struct{ SchoolYear string }
		}
	}
	env.Do(admin, `query($id: ID!) { student(id: $id) { classrooms { schoolYear } } }`, map[string]any{"id": pupil}).Decode(t, &kid)
	if len(kid.Student.Classrooms) != 1 || kid.Student.Classrooms[0].SchoolYear != "2027-2028" {
		t.Fatalf("the student's classes: %+v", kid.Student.Classrooms)
	}
	var guardians struct {
		Student struct {
			Guardians []struct{ User struct{ ID string } }
		}
	}
	env.Do(admin, `query($id: ID!) { student(id: $id) { guardians { user { id } } } }`, map[string]any{"id": pupil}).Decode(t, &guardians)
	var g models.User
	if err := env.DB.Take(&g, "id = ?", guardians.Student.Guardians[0].User.ID).Error; err != nil {
		t.Fatal(err)
	}
	var feed struct {
		Feed struct {
			Edges []struct{ Node struct{ Body string } }
		}
	}
	env.Do(env.TokenFor(&g), `{ feed(first: 50) { edges { node { body } } } }`, nil).Decode(t, &feed)
	found := false
	for _, e := range feed.Feed.Edges {
		found = found || e.Node.Body == "Read a whole chapter aloud."
	}
	if !found {
		t.Fatalf("the family lost last year's note: %+v", feed.Feed.Edges)
	}
	// Last year's class itself is gone from the family's app: not among
	// their classes, not openable, its feed unreachable.
	var mine struct {
		Viewer struct {
			Classrooms []struct{ ID, SchoolYear string }
		}
	}
	env.Do(env.TokenFor(&g), `{ viewer { classrooms { id schoolYear } } }`, nil).Decode(t, &mine)
	for _, c := range mine.Viewer.Classrooms {
		if c.ID == oldRoom || c.SchoolYear != "2027-2028" {
			t.Errorf("the family still has last year's class: %+v", mine.Viewer.Classrooms)
		}
	}
	if r := env.Do(env.TokenFor(&g), `query($id: ID!) { classroom(id: $id) { id feed(first: 5) { edges { node { id } } } } }`,
		map[string]any{"id": oldRoom}); r.Code() != "NOT_FOUND" {
		t.Errorf("the family opens last year's class: %s", r.Body)
	}
}
