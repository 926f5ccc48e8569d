package graph_test

import (
	"context"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// fixture is two schools built for authorization tests:
//
//	school A: adminA; teacherA teaches classroom a1 (student s1);
//	          teacherA2 teaches a2 (student s2); parentA guards s1,
//	          parentA2 guards s2; restrictedA is s1's restricted guardian.
//	school B: adminB; teacherB teaches b1 (student sB); parentB guards sB.
type fixture struct {
	*apptest.Env
	users      map[string]*models.User
	students   map[string]*models.Student
	classrooms map[string]*models.Classroom
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, apptest.Options{})
}

// newFixtureWith builds the fixture on a server started with o. The test
// runs in parallel with the package's other fixture tests (each has its
// own database and server; the time they spend waiting on PostgreSQL and
// the network overlaps).
func newFixtureWith(t *testing.T, o apptest.Options) *fixture {
	t.Helper()
	t.Parallel()
	return fixtureOn(t, o)
}

// newSerialFixture is newFixture for a test that measures the whole
// process (its allocations): it runs alone, before the parallel tests.
func newSerialFixture(t *testing.T) *fixture {
	t.Helper()
	return fixtureOn(t, apptest.Options{})
}

func fixtureOn(t *testing.T, o apptest.Options) *fixture {
	t.Helper()
	f := &fixture{
		Env:        apptest.New(t, o),
		users:      map[string]*models.User{},
		students:   map[string]*models.Student{},
		classrooms: map[string]*models.Classroom{},
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// One transaction: one commit to wait for, not one a row.
	db := f.DB.Begin()
	must(db.Error)
	schools := map[string]*models.School{"A": {Name: "School A", TimeZone: "America/New_York"}, "B": {Name: "School B", TimeZone: "Europe/Madrid"}}
	for _, s := range schools {
		must(db.Create(s).Error)
	}
	roles := map[string]struct {
		school string
		role   models.Role
	}{
		"adminA": {"A", models.RoleAdmin}, "teacherA": {"A", models.RoleTeacher}, "teacherA2": {"A", models.RoleTeacher},
		"parentA": {"A", models.RoleParent}, "parentA2": {"A", models.RoleParent}, "restrictedA": {"A", models.RoleParent},
		"adminB": {"B", models.RoleAdmin}, "teacherB": {"B", models.RoleTeacher}, "parentB": {"B", models.RoleParent},
	}
	for name, r := range roles {
		email := name + "@fixture.example"
		u := &models.User{FirebaseUID: "fx-" + name, Email: &email, DisplayName: name, Locale: "en-US", TimeZone: "UTC"}
		must(db.Create(u).Error)
		must(db.Create(&models.Membership{UserID: u.ID, SchoolID: schools[r.school].ID, Role: r.role}).Error)
		f.users[name] = u
	}
	rooms := map[string]struct{ school, teacher string }{"a1": {"A", "teacherA"}, "a2": {"A", "teacherA2"}, "b1": {"B", "teacherB"}}
	for name, r := range rooms {
		c := &models.Classroom{SchoolID: schools[r.school].ID, Name: name, Grade: "2", SchoolYear: "2026-2027"}
		must(db.Create(c).Error)
		must(db.Create(&models.ClassroomStaff{ClassroomID: c.ID, UserID: f.users[r.teacher].ID, SchoolID: c.SchoolID}).Error)
		f.classrooms[name] = c
	}
	kids := map[string]struct {
		room     string
		guardian string
	}{"s1": {"a1", "parentA"}, "s2": {"a2", "parentA2"}, "sB": {"b1", "parentB"}}
	for name, k := range kids {
		c := f.classrooms[k.room]
		s := &models.Student{SchoolID: c.SchoolID, FirstName: name, LastName: "Kid", Grade: "2"}
		must(db.Create(s).Error)
		must(db.Create(&models.Enrollment{ClassroomID: c.ID, StudentID: s.ID, SchoolID: c.SchoolID}).Error)
		must(db.Create(&models.Guardianship{SchoolID: c.SchoolID, StudentID: s.ID, UserID: f.users[k.guardian].ID, Relationship: models.RelationshipMother, IsPrimary: true}).Error)
		f.students[name] = s
	}
	must(db.Create(&models.Guardianship{SchoolID: f.students["s1"].SchoolID, StudentID: f.students["s1"].ID, UserID: f.users["restrictedA"].ID, Relationship: models.RelationshipFather, Restricted: true}).Error)
	must(db.Commit().Error)
	return f
}

func (f *fixture) token(name string) string { return f.TokenFor(f.users[name]) }

// live opens a websocket signed in as a fixture user, closed when the test
// ends, once the events of what the test did before have been delivered
// (so that its subscriptions see only what comes next).
func (f *fixture) live(t *testing.T, ctx context.Context, who string) *apptest.WS {
	t.Helper()
	f.SettleEvents()
	ws, err := f.DialWS(ctx, map[string]any{"Authorization": "Bearer " + f.token(who)})
	if err != nil {
		t.Fatalf("websocket as %s: %v", who, err)
	}
	t.Cleanup(ws.Close)
	return ws
}

// subscribe starts subscription id on ws (a websocket to f's server) and
// returns once it listens: the server starts a subscription after reading
// the client's subscribe message, in its own time, and an event published
// before that is not for it. Every event published after subscribe
// returns reaches it.
func (f *fixture) subscribe(t *testing.T, ctx context.Context, ws *apptest.WS, id, query string, vars map[string]any) {
	t.Helper()
	before := f.App.Events.Subscribers()
	sendSubscribe(t, ctx, ws, id, query, vars)
	f.WaitSubscribers(before + 1)
}

// sendSubscribe sends a subscribe message for id on ws, or fails the test;
// for a subscription the server refuses (it never listens).
func sendSubscribe(t *testing.T, ctx context.Context, ws *apptest.WS, id, query string, vars map[string]any) {
	t.Helper()
	if err := ws.Subscribe(ctx, id, query, vars); err != nil {
		t.Fatalf("subscribe %s: %v", id, err)
	}
}
