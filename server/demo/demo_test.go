package demo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/demo"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// openDB opens a fresh, migrated test database, closed with the test.
func openDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), dbtest.URL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

func TestSeedBuildsTheDemoSchool(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	// The seed's clock, not the wall clock: what is upcoming is upcoming as
	// of the seed, whenever the test runs.
	seedAt := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	seeded, err := demo.Seed(ctx, db, seedAt)
	if err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, c := range []struct {
		what string
		got  int64
		want int64
	}{
		{"schools", count("SELECT count(*) FROM schools"), 1},
		{"admins", count("SELECT count(*) FROM memberships WHERE role = 'ADMIN'"), 1},
		{"teachers", count("SELECT count(*) FROM memberships WHERE role = 'TEACHER'"), 4},
		{"classrooms", count("SELECT count(*) FROM classrooms"), 4},
		{"students", count("SELECT count(*) FROM students"), 80},
		{"parents", count("SELECT count(*) FROM memberships WHERE role = 'PARENT'"), 120},
		{"classrooms with 20 students", count("SELECT count(*) FROM (SELECT classroom_id FROM enrollments GROUP BY 1 HAVING count(*) = 20) x"), 4},
		{"every classroom staffed", count("SELECT count(DISTINCT classroom_id) FROM classroom_staff"), 4},
		{"students without guardians", count("SELECT count(*) FROM students s WHERE NOT EXISTS (SELECT 1 FROM guardianships g WHERE g.student_id = s.id)"), 0},
		{"parents with two children", count("SELECT count(*) FROM (SELECT user_id FROM guardianships GROUP BY 1 HAVING count(*) = 2) x"), 40},
		{"restricted guardians", count("SELECT count(DISTINCT user_id) FROM guardianships WHERE restricted"), 1},
		{"students with no notes (the nudge has something to show)", count("SELECT count(*) FROM students s WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.student_id = s.id)"), 8},
		{"a concern waiting for review", count("SELECT count(*) FROM observations WHERE state = 'IN_REVIEW'"), 1},
		{"notes by someone other than the student's teacher", count(`SELECT count(*) FROM observations o WHERE NOT EXISTS (SELECT 1 FROM enrollments e
			JOIN classroom_staff cs ON cs.classroom_id = e.classroom_id WHERE e.student_id = o.student_id AND cs.user_id = o.author_id)`), 0},
		// Something in every community tab, and slots to book.
		{"announcements", count("SELECT count(*) FROM announcements"), 1},
		{"events", count("SELECT count(*) FROM school_events WHERE starts_at > ?", seedAt), 1},
		{"resources", count("SELECT count(*) FROM resources"), 2},
		{"open conference slots", count("SELECT count(*) FROM conference_slots WHERE starts_at > ? AND cancelled_at IS NULL", seedAt), 8},
		// Two households: the child's guardians do not share a last name,
		// nor a household.
		{"children with two households", count(`SELECT count(DISTINCT g1.student_id) FROM guardianships g1 JOIN guardianships g2 ON g1.student_id = g2.student_id AND g1.user_id < g2.user_id
			JOIN users u1 ON u1.id = g1.user_id JOIN users u2 ON u2.id = g2.user_id
			WHERE split_part(u1.display_name, ' ', 2) <> split_part(u2.display_name, ' ', 2) AND g1.household <> g2.household`), 12},
		{"guardianships without a household", count("SELECT count(*) FROM guardianships WHERE household IS NULL"), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}

	// Seeding again does nothing.
	if again, err := demo.Seed(ctx, db, time.Now()); err != nil || again {
		t.Fatalf("second seed: %v %v", again, err)
	}
	// demo-token's lookups: the first of each role, or by email; never the
	// restricted guardian.
	for who, want := range map[string]string{"admin": "admin@", "teacher": "teacher1@", "parent": "parent1@", "PARENT2@" + demo.EmailDomain: "parent2@"} {
		u, err := demo.FindUser(ctx, db, who)
		if err != nil || u.Email == nil || (*u.Email)[:len(want)] != want {
			t.Fatalf("FindUser(%s) = %v, %v", who, u, err)
		}
	}
	if _, err := demo.FindUser(ctx, db, "nobody@nowhere.example"); err == nil {
		t.Fatal("unknown email found a user")
	}
	var restricted models.Guardianship
	db.Take(&restricted, "restricted")
	var u models.User
	db.Take(&u, "id = ?", restricted.UserID)
	if u.Email == nil {
		t.Fatal("restricted guardian has no email")
	}
}

// A newcomer asks for demo tokens by role, short name or email; an empty
// database says how to load the demo school.
func TestFindUserNames(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := demo.FindUser(ctx, db, "teacher3"); err == nil || !strings.Contains(err.Error(), "go run ./server seed") {
		t.Fatalf("empty database: %v", err)
	}
	if _, err := demo.Seed(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	for who, email := range map[string]string{"teacher3": "teacher3@" + demo.EmailDomain, "Parent12": "parent12@" + demo.EmailDomain,
		"admin": "admin@" + demo.EmailDomain, "teacher": "teacher1@" + demo.EmailDomain} {
		u, err := demo.FindUser(ctx, db, who)
		if err != nil || u.Email == nil || *u.Email != email {
			t.Errorf("%s: %v %v", who, u, err)
		}
	}
	if _, err := demo.FindUser(ctx, db, "teacher99"); !errors.Is(err, demo.ErrNoSuchUser) || strings.Contains(err.Error(), "seed") {
		t.Errorf("unknown user: %v", err)
	}
}
