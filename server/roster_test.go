package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/demo"
)

// demoSet is the demo school as a OneRoster set (server/demo's testdata).
const demoSet = "demo/testdata/oneroster"

// schoolFacts describes a school by what people see, not by ids: staff,
// parents, students with their class, classes, who teaches which, and who
// is whose guardian.
func schoolFacts(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"staff": `SELECT u.email || ' ' || u.display_name || ' ' || m.role FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.role <> 'PARENT'`,
		"parents": `SELECT u.email || ' ' || u.display_name FROM users u JOIN memberships m ON m.user_id = u.id
			WHERE m.role = 'PARENT'`,
		"students": `SELECT st.first_name || ' ' || st.last_name || ' ' || st.grade || ' ' || c.name FROM students st
			JOIN enrollments e ON e.student_id = st.id JOIN classrooms c ON c.id = e.classroom_id`,
		"classes":  `SELECT name || ' ' || grade || ' ' || school_year FROM classrooms`,
		"teaching": `SELECT c.name || ' ' || u.email FROM classroom_staff cs JOIN classrooms c ON c.id = cs.classroom_id JOIN users u ON u.id = cs.user_id`,
		"guardians": `SELECT u.email || ' ' || st.first_name || ' ' || st.last_name || ' ' || st.grade || ' ' || coalesce(g.household, '-') FROM guardianships g
			JOIN users u ON u.id = g.user_id JOIN students st ON st.id = g.student_id WHERE g.ended_at IS NULL`,
	}
	out := map[string][]string{}
	for what, q := range queries {
		var rows []string
		if err := db.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		slices.Sort(rows)
		out[what] = rows
	}
	return out
}

// TestRosterImportCommand: `server roster import` loads the demo school's
// OneRoster set into an empty database and gets the seeded school's people,
// classes and guardianships; importing it again changes nothing; a dry run
// of a broken copy lists every problem by file:line and writes nothing.
func TestRosterImportCommand(t *testing.T) {
	seeded := openApp(t, dbtest.URL(t))
	if _, err := demo.Seed(context.Background(), seeded.DB, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := schoolFacts(t, seeded.DB)

	dbURL := dbtest.URL(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("SAMESIDE_SEED", "false")
	out, err := captureStdout(t, func() error {
		return run([]string{"roster", "import", "--time-zone", "America/Los_Angeles", demoSet})
	})
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, line := range []string{"schools        1", "students      80", "staff          5", "guardians    120", "guardianships  160", "enrollments   84", "classes        4"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(line), " ")) {
			t.Errorf("first import's summary lacks %q:\n%s", line, out)
		}
	}
	imported := openApp(t, dbURL)
	got := schoolFacts(t, imported.DB)
	for what := range want {
		if !slices.Equal(got[what], want[what]) {
			t.Errorf("%s differ: imported %d, seeded %d; first difference %s", what, len(got[what]), len(want[what]), firstDiff(got[what], want[what]))
		}
	}

	out, err = captureStdout(t, func() error { return run([]string{"roster", "import", demoSet}) })
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	for _, l := range strings.Split(out, "\n")[2:] {
		f := strings.Fields(l)
		if len(f) == 5 && (f[1] != "0" || f[2] != "0" || f[3] != "0") {
			t.Errorf("re-import changed something: %q\n%s", l, out)
		}
	}

	// A broken copy: a student in a school that does not exist, a class
	// whose teacher is gone, a bad date.
	broken := t.TempDir()
	for _, name := range []string{"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"} {
		b, err := os.ReadFile(filepath.Join(demoSet, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		switch name {
		case "users.csv":
			s = strings.Replace(s, "student-001,,,true,school-wce,", "student-001,,,true,school-nowhere,", 1)
		case "enrollments.csv":
			s = strings.Replace(s, "enr-teacher2-class-1,,,class-1,school-wce,teacher2,teacher,true,,\n", "", 1)
		case "academicSessions.csv":
			s = strings.Replace(s, "-08-17", "-08-32", 1)
		}
		if err := os.WriteFile(filepath.Join(broken, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var before int64
	imported.DB.Raw("SELECT count(*) FROM roster_ids").Scan(&before)
	out, err = captureStdout(t, func() error { return run([]string{"roster", "import", "--dry-run", broken}) })
	if err == nil {
		t.Fatalf("a broken set imported:\n%s", out)
	}
	for _, p := range []string{
		`academicSessions.csv:2: startDate "2026-08-32" is not a date (YYYY-MM-DD)`,
		`users.csv:7: orgSourcedIds "school-nowhere": no such row in orgs.csv`,
		`classes.csv:2: class "class-1" has no teacher in enrollments.csv`,
	} {
		if !strings.Contains(out, p) {
			t.Errorf("dry run does not report %s:\n%s", p, out)
		}
	}
	var after int64
	imported.DB.Raw("SELECT count(*) FROM roster_ids").Scan(&after)
	if after != before {
		t.Errorf("a refused dry run wrote roster ids: %d → %d", before, after)
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " ≠ " + b[i]
		}
	}
	return "(one is a prefix of the other)"
}
