package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
)

const (
	qPostAnn = `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id audience publishAt } } }`
	qAnns    = `{ announcements { edges { node { id title read audienceCount readCount } } } }`
)

type annList struct {
	Announcements struct {
		Edges []struct {
			Node struct {
				ID, Title                string
				Read                     bool
				AudienceCount, ReadCount *int
			}
		}
	}
}

func (f *fixture) titles(t *testing.T, who string) string {
	t.Helper()
	var out annList
	f.Do(f.token(who), qAnns, nil).Decode(t, &out)
	var ts []string
	for _, e := range out.Announcements.Edges {
		ts = append(ts, e.Node.Title)
	}
	return strings.Join(ts, ",")
}

// Who may post to which audience, and who sees what: a teacher cannot post
// school-wide; a parent sees only their children's audiences; a refusal
// writes nothing; each guardian in the audience gets one push.
func TestAnnouncementsAudiencesAndAuthorization(t *testing.T) {
	f := newFixture(t)
	schoolA := f.students["s1"].SchoolID
	for _, who := range []string{"parentA", "parentA2", "restrictedA", "parentB"} {
		f.RegisterDevice(f.token(who), who+"-phone")
	}
	post := func(who, title string, in map[string]any) *apptest.Response {
		in["clientMutationId"], in["title"], in["body"] = "ann-"+strings.ReplaceAll(title, " ", "-"), title, "Details inside."
		if _, ok := in["schoolId"]; !ok {
			in["schoolId"] = schoolA
		}
		return f.Do(f.token(who), qPostAnn, map[string]any{"in": in})
	}
	for name, tc := range map[string]struct {
		who  string
		in   map[string]any
		code string
	}{
		"teacher school-wide":      {"teacherA", map[string]any{"audience": "SCHOOL"}, "FORBIDDEN"},
		"teacher to a grade":       {"teacherA", map[string]any{"audience": "GRADE", "grade": "2"}, "FORBIDDEN"},
		"teacher to another class": {"teacherA", map[string]any{"audience": "CLASSROOM", "classroomId": f.classrooms["a2"].ID}, "NOT_FOUND"},
		"teacher urgent":           {"teacherA", map[string]any{"audience": "CLASSROOM", "classroomId": f.classrooms["a1"].ID, "urgent": true}, "FORBIDDEN"},
		"parent to a class":        {"parentA", map[string]any{"audience": "CLASSROOM", "classroomId": f.classrooms["a1"].ID}, "FORBIDDEN"},
		"admin of another school":  {"adminB", map[string]any{"audience": "SCHOOL"}, "NOT_FOUND"},
		"class of another school":  {"adminA", map[string]any{"audience": "CLASSROOM", "classroomId": f.classrooms["b1"].ID}, "NOT_FOUND"},
		"grade without a grade":    {"adminA", map[string]any{"audience": "GRADE"}, "BAD_USER_INPUT"},
		"scheduled in the past":    {"adminA", map[string]any{"audience": "SCHOOL", "publishAt": time.Now().Add(-time.Hour)}, "BAD_USER_INPUT"},
		"scheduled too far":        {"adminA", map[string]any{"audience": "SCHOOL", "publishAt": time.Now().AddDate(0, 6, 0)}, "BAD_USER_INPUT"},
	} {
		before := f.Snapshot()
		if res := post(tc.who, name, tc.in); res.Code() != tc.code {
			t.Errorf("%s: want %s, got %s", name, tc.code, res.Body)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
	if res := f.Do("", qPostAnn, map[string]any{"in": map[string]any{"clientMutationId": "x", "schoolId": schoolA, "audience": "SCHOOL", "title": "x", "body": "x"}}); res.Code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %s", res.Body)
	}

	// Allowed posts: school-wide (admin), grade 2 (admin), a1 (its teacher),
	// a2 (admin), grade 5 (admin: nobody's child).
	for _, p := range []struct {
		who, title string
		in         map[string]any
	}{
		{"adminA", "School news", map[string]any{"audience": "SCHOOL"}},
		{"adminA", "Grade 2 trip", map[string]any{"audience": "GRADE", "grade": "2"}},
		{"teacherA", "Class a1 bake sale", map[string]any{"audience": "CLASSROOM", "classroomId": f.classrooms["a1"].ID}},
		{"adminA", "Class a2 reading", map[string]any{"audience": "CLASSROOM", "classroomId": f.classrooms["a2"].ID}},
		{"adminA", "Grade 5 camp", map[string]any{"audience": "GRADE", "grade": "5"}},
	} {
		if res := post(p.who, p.title, p.in); res.Code() != "" {
			t.Fatalf("%s: %s", p.title, res.Body)
		}
	}
	f.WaitPushesIdle()
	// parentA (s1 in a1), parentA2 (s2 in a2): school, grade 2 and their class.
	c := f.FCM.CountByToken()
	if c["parentA-phone"] != 3 || c["parentA2-phone"] != 3 || c["restrictedA-phone"] != 0 || c["parentB-phone"] != 0 {
		t.Fatalf("pushes per family: %v", c)
	}
	for who, want := range map[string]string{
		"parentA":     "Class a1 bake sale,Grade 2 trip,School news",
		"parentA2":    "Class a2 reading,Grade 2 trip,School news",
		"restrictedA": "",
		"parentB":     "",
		"teacherB":    "",
	} {
		if got := f.titles(t, who); got != want {
			t.Errorf("%s sees %q, want %q", who, got, want)
		}
	}
	if got := f.titles(t, "teacherA2"); !strings.Contains(got, "Grade 5 camp") || strings.Count(got, ",") != 4 {
		t.Errorf("staff see the school's five: %q", got)
	}

	// Read receipts: parentA reads the school news; staff see 1 of 2.
	var list annList
	f.Do(f.token("parentA"), qAnns, nil).Decode(t, &list)
	var school string
	for _, e := range list.Announcements.Edges {
		if e.Node.Title == "School news" {
			school = e.Node.ID
		}
		if e.Node.AudienceCount != nil || e.Node.ReadCount != nil {
			t.Fatal("a parent sees read receipts")
		}
	}
	for i := 0; i < 2; i++ {
		if res := f.Do(f.token("parentA"), `mutation($id: ID!) { acknowledgeAnnouncement(input: {id: $id}) { read } }`, map[string]any{"id": school}); !strings.Contains(res.Body, `"read":true`) {
			t.Fatal(res.Body)
		}
	}
	var a2 string
	var all annList
	f.Do(f.token("adminA"), qAnns, nil).Decode(t, &all)
	for _, e := range all.Announcements.Edges {
		if e.Node.Title == "Class a2 reading" {
			a2 = e.Node.ID
		}
	}
	if res := f.Do(f.token("parentA"), `query($id: ID!) { announcement(id: $id) { id } }`, map[string]any{"id": a2}); res.Code() != "NOT_FOUND" {
		t.Fatalf("parentA reading class a2's announcement: %s", res.Body)
	}
	if res := f.Do(f.token("parentB"), `mutation($id: ID!) { acknowledgeAnnouncement(input: {id: $id}) { read } }`, map[string]any{"id": school}); res.Code() != "NOT_FOUND" {
		t.Fatalf("another school's parent: %s", res.Body)
	}
	f.Do(f.token("adminA"), qAnns, nil).Decode(t, &list)
	for _, e := range list.Announcements.Edges {
		if e.Node.Title == "School news" && (e.Node.AudienceCount == nil || *e.Node.AudienceCount != 2 || *e.Node.ReadCount != 1) {
			t.Fatalf("school news reach: %v of %v", e.Node.ReadCount, e.Node.AudienceCount)
		}
	}
}

// A scheduled announcement stays hidden from families and unpushed until
// its time (injected clock; River runs the push job when it is due).
func TestScheduledAnnouncement(t *testing.T) {
	f := newFixture(t)
	f.RegisterDevice(f.token("parentA"), "parent-phone")
	clock := time.Now().UTC().AddDate(1, 0, 0) // ahead of River's real clock
	f.Clock.Set(clock)
	at := clock.Add(48 * time.Hour)
	res := f.Do(f.token("adminA"), qPostAnn, map[string]any{"in": map[string]any{"clientMutationId": "later", "schoolId": f.students["s1"].SchoolID,
		"audience": "SCHOOL", "title": "Picture day", "body": "Smile!", "publishAt": at}})
	if res.Code() != "" {
		t.Fatal(res.Body)
	}
	f.WaitPushesIdle()
	if f.titles(t, "parentA") != "" || f.FCM.Count() != 0 {
		t.Fatalf("before its time: %q seen, %d pushes", f.titles(t, "parentA"), f.FCM.Count())
	}
	if f.titles(t, "adminA") != "Picture day" {
		t.Fatal("admins see what is scheduled")
	}
	clock = at.Add(time.Second)
	f.Clock.Set(clock)
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled'`)
	msgs := f.WaitForPushes(1)
	if msgs[0].Token != "parent-phone" || msgs[0].Data["type"] != "ANNOUNCEMENT" || f.titles(t, "parentA") != "Picture day" {
		t.Fatalf("at its time: %s, sees %q", msgs[0].Raw, f.titles(t, "parentA"))
	}
}

// An announcement's audience stays in the database: its recipients are
// written from the audience in the statement that writes the notification,
// so a school of 2,000 families does not send 2,000 ids to the server and
// back while the admin waits. None of postAnnouncement's statements
// carries a guardian's id, and each guardian in the audience is a
// recipient (the restricted one is not); an audience of nobody writes no
// notification and no job.
func TestAnnouncementAudienceStaysInTheDatabase(t *testing.T) {
	f := newFixture(t)
	post := func(id string, in map[string]any) []apptest.Statement {
		t.Helper()
		in["clientMutationId"], in["schoolId"], in["title"], in["body"] = id, f.students["s1"].SchoolID, "Bus times", "New times from Monday."
		res, sent := f.DoRecording(f.token("adminA"), qPostAnn, map[string]any{"in": in})
		if res.Code() != "" {
			t.Fatal(res.Body)
		}
		return sent
	}
	sent := post("school", map[string]any{"audience": "SCHOOL"})
	for _, s := range sent {
		for _, v := range s.Vars {
			for _, who := range []string{"parentA", "parentA2", "restrictedA"} {
				if strings.Contains(fmt.Sprint(v), f.users[who].ID) {
					t.Errorf("%s's id sent with %.90q", who, strings.Join(strings.Fields(s.SQL), " "))
				}
			}
		}
	}
	var got []string
	if err := f.DB.Raw(`SELECT u.display_name FROM notification_recipients r JOIN users u ON u.id = r.user_id
		JOIN notifications n ON n.id = r.notification_id WHERE n.type = 'ANNOUNCEMENT' ORDER BY 1`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "parentA,parentA2" {
		t.Fatalf("recipients: %v", got)
	}
	f.WaitPushesIdle()
	count := func() (n int64) {
		t.Helper()
		if err := f.DB.Raw(`SELECT (SELECT count(*) FROM notifications) + (SELECT count(*) FROM river_job WHERE kind = 'push_fan_out')`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	post("nobody", map[string]any{"audience": "GRADE", "grade": "5"})
	if after := count(); after != before {
		t.Fatalf("an audience of nobody: %d notifications and fan-out jobs, %d before", after, before)
	}
}
