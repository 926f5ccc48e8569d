package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qPostTry = `mutation($s: ID!, $cmid: String!, $try: String) { postObservation(input: {clientMutationId: $cmid, studentIds: [$s], kind: POSITIVE,
		state: SHARED, body: "Helped a friend tie his shoes.", tryAtHome: $try}) { observations { id tryAtHome } } }`
	qTried = `mutation($o: ID!, $b: String) { answerTryAtHome(input: {observationId: $o, body: $b}) { body author { id } observation { id } } }`
)

// "Try at home" round trip: a teacher's note suggests one thing to try;
// the parent reads it and answers "we tried it" with a word on how it
// went; the teacher is told and reads the answer; the engagement figures
// count how often suggestions are tried, per teacher and for the school,
// and a teacher sees only their own figures.
func TestTryAtHome(t *testing.T) {
	f := newFixture(t)
	f.RegisterDevice(f.token("teacherA"), "teacher-tablet")
	s1 := f.students["s1"].ID
	post := func(cmid string, try any) string {
		t.Helper()
		var p struct {
			PostObservation struct {
				Observations []struct {
					ID        string
					TryAtHome *string
				}
			}
		}
		f.Do(f.token("teacherA"), qPostTry, map[string]any{"s": s1, "cmid": cmid, "try": try}).Decode(t, &p)
		return p.PostObservation.Observations[0].ID
	}
	tried := post("try-1", "Ask him to show you how he ties a bow.")
	post("try-2", "Let him pour his own drink at dinner.") // suggested, never tried
	plain := post("try-3", nil)

	var feed struct {
		Feed struct {
			Edges []struct {
				Node struct {
					ID        string
					TryAtHome *string
				}
			}
		}
	}
	f.Do(f.token("parentA"), `{ feed(first: 10) { edges { node { id tryAtHome } } } }`, nil).Decode(t, &feed)
	suggestions := map[string]string{}
	for _, e := range feed.Feed.Edges {
		if e.Node.TryAtHome != nil {
			suggestions[e.Node.ID] = *e.Node.TryAtHome
		}
	}
	if len(suggestions) != 2 || suggestions[tried] != "Ask him to show you how he ties a bow." {
		t.Fatalf("the parent's feed: %+v", feed.Feed.Edges)
	}

	// Refusals write nothing.
	for who, want := range map[string]string{"parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND", "parentB": "NOT_FOUND", "teacherA": "FORBIDDEN", "": "UNAUTHENTICATED"} {
		token := ""
		if who != "" {
			token = f.token(who)
		}
		before := f.Snapshot()
		if res := f.Do(token, qTried, map[string]any{"o": tried, "b": "x"}); res.Code() != want {
			t.Errorf("%s: %s", who, res.Body)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
	if res := f.Do(f.token("parentA"), qTried, map[string]any{"o": plain}); res.Code() != "CONFLICT" {
		t.Fatalf("a note with no suggestion: %s", res.Body)
	}
	if res := f.Do(f.token("parentA"), qTried, map[string]any{"o": tried, "b": longText(1001)}); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("too long: %s", res.Body)
	}

	// The family tried it; a second answer replaces the first.
	f.Do(f.token("parentA"), qTried, map[string]any{"o": tried, "b": "He did it twice!"})
	var a struct {
		AnswerTryAtHome struct {
			Body   string
			Author struct{ ID string }
		}
	}
	f.Do(f.token("parentA"), qTried, map[string]any{"o": tried, "b": "He did it twice, then taught his sister."}).Decode(t, &a)
	if a.AnswerTryAtHome.Body != "He did it twice, then taught his sister." || a.AnswerTryAtHome.Author.ID != f.users["parentA"].ID {
		t.Fatalf("answer: %+v", a)
	}
	f.WaitPushesIdle()
	pushes := 0
	for _, m := range f.FCM.Messages() {
		if m.Data["type"] == models.NoticeTriedAtHome && m.Token == "teacher-tablet" && m.Data["observationId"] == tried {
			pushes++
		}
	}
	if pushes != 2 {
		t.Fatalf("the teacher got %d TRIED_AT_HOME pushes, want 2", pushes)
	}
	var seen struct {
		Observation struct {
			TriedAtHome []struct {
				Body   string
				Author struct{ ID string }
			}
		}
	}
	f.Do(f.token("teacherA"), `query($id: ID!) { observation(id: $id) { triedAtHome { body author { id } } } }`, map[string]any{"id": tried}).Decode(t, &seen)
	if len(seen.Observation.TriedAtHome) != 1 || seen.Observation.TriedAtHome[0].Body != "He did it twice, then taught his sister." {
		t.Fatalf("the teacher reads: %+v", seen.Observation.TriedAtHome)
	}
	// The family's export has the suggestion and their answer.
	var ex struct{ StudentExport struct{ JSON string } }
	f.Do(f.token("parentA"), `query($id: ID!) { studentExport(studentId: $id) { json } }`, map[string]any{"id": s1}).Decode(t, &ex)
	if !strings.Contains(ex.StudentExport.JSON, `"tryAtHome": "Ask him to show you how he ties a bow."`) ||
		!strings.Contains(ex.StudentExport.JSON, "then taught his sister.") {
		t.Fatalf("the export misses try-at-home: %.2000s", ex.StudentExport.JSON)
	}

	// The tried-rate: 2 suggestions, 1 tried, for teacherA's row and the school.
	today := time.Now().UTC()
	q := `query($s: ID!, $from: String!, $to: String!) { engagement(schoolId: $s, from: $from, to: $to) {
		rows { teacher { id } tryAtHome { suggestions tried rate } } tryAtHome { suggestions tried rate } } }`
	vars := map[string]any{"s": f.students["s1"].SchoolID, "from": today.AddDate(0, 0, -1).Format(time.DateOnly), "to": today.AddDate(0, 0, 1).Format(time.DateOnly)}
	type figures struct {
		Suggestions, Tried int
		Rate               *float64
	}
	var eng struct {
		Engagement struct {
			Rows []struct {
				Teacher   struct{ ID string }
				TryAtHome figures
			}
			TryAtHome figures
		}
	}
	for _, who := range []string{"adminA", "teacherA"} {
		f.Do(f.token(who), q, vars).Decode(t, &eng)
		school := eng.Engagement.TryAtHome
		if school.Suggestions != 2 || school.Tried != 1 || school.Rate == nil || *school.Rate != 0.5 {
			t.Fatalf("%s: the school's tried-rate: %+v", who, school)
		}
		found := false
		for _, r := range eng.Engagement.Rows {
			if who == "teacherA" && r.Teacher.ID != f.users["teacherA"].ID {
				t.Fatalf("teacherA sees another teacher's figures: %+v", eng.Engagement.Rows)
			}
			if r.Teacher.ID == f.users["teacherA"].ID {
				found = true
				if r.TryAtHome.Suggestions != 2 || r.TryAtHome.Tried != 1 || *r.TryAtHome.Rate != 0.5 {
					t.Fatalf("%s: teacherA's row: %+v", who, r.TryAtHome)
				}
			}
		}
		if !found {
			t.Fatalf("%s: no row for teacherA: %+v", who, eng.Engagement.Rows)
		}
	}
	// teacherA2 wrote no suggestion: their own figures are empty.
	f.Do(f.token("teacherA2"), q, vars).Decode(t, &eng)
	if s := eng.Engagement.TryAtHome; s.Suggestions != 0 || s.Rate != nil {
		t.Fatalf("teacherA2's tried-rate: %+v", s)
	}
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

// "About my child": each household keeps its own profile; this year's
// teacher and the admins read both, a parent their own, other families
// nothing. After the school-year rollover (last year's class archived, the
// child in a new class with a new teacher) the new teacher reads it and
// finds the child first in "getting to know"; last year's teacher no
// longer does. Home insights carry their kind.
func TestAboutMyChild(t *testing.T) {
	f := newFixture(t)
	f.otherHousehold(t)
	s1 := f.students["s1"].ID
	update := func(who string, in map[string]any) {
		t.Helper()
		in["studentId"] = s1
		if res := f.Do(f.token(who), `mutation($in: UpdateChildProfileInput!) { updateChildProfile(input: $in) { strengths } }`, map[string]any{"in": in}); res.Code() != "" {
			t.Fatalf("%s: %s", who, res.Body)
		}
	}
	update("parentA", map[string]any{"strengths": "Kind to younger children.", "whatWorks": "A heads-up before changes.", "worries": "Loud rooms."})
	update("parentA", map[string]any{"goals": "Reading on his own."}) // the rest stays
	update("dadA", map[string]any{"strengths": "Builds things for hours."})
	for who, want := range map[string]string{"teacherA": "FORBIDDEN", "parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND", "parentB": "NOT_FOUND"} {
		before := f.Snapshot()
		if res := f.Do(f.token(who), `mutation($s: ID!) { updateChildProfile(input: {studentId: $s, worries: "x"}) { strengths } }`, map[string]any{"s": s1}); res.Code() != want {
			t.Errorf("%s updates: %s", who, res.Body)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
	if res := f.Do(f.token("parentA"), `mutation($s: ID!, $w: String!) { updateChildProfile(input: {studentId: $s, worries: $w}) { worries } }`,
		map[string]any{"s": s1, "w": longText(2001)}); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("too long: %s", res.Body)
	}

	type profile struct{ Strengths, WhatWorks, Worries, Goals string }
	about := func(who string) ([]profile, string) {
		t.Helper()
		var st struct {
			Student *struct{ AboutMe []profile }
		}
		res := f.Do(f.token(who), `query($id: ID!) { student(id: $id) { aboutMe { strengths whatWorks worries goals } } }`, map[string]any{"id": s1})
		if res.Code() != "" {
			return nil, res.Code()
		}
		res.Decode(t, &st)
		return st.Student.AboutMe, ""
	}
	for who, n := range map[string]int{"teacherA": 2, "adminA": 2, "parentA": 1, "dadA": 1} {
		got, code := about(who)
		if code != "" || len(got) != n {
			t.Fatalf("%s reads %+v (%s), want %d profiles", who, got, code, n)
		}
	}
	if got, _ := about("parentA"); got[0] != (profile{"Kind to younger children.", "A heads-up before changes.", "Loud rooms.", "Reading on his own."}) {
		t.Fatalf("mom's profile: %+v", got[0])
	}
	if got, _ := about("dadA"); got[0].Strengths != "Builds things for hours." || got[0].Worries != "" {
		t.Fatalf("dad's profile: %+v", got[0])
	}
	// Each household's export has its own profile, not the other's.
	export := func(who string) string {
		var ex struct{ StudentExport struct{ JSON string } }
		f.Do(f.token(who), `query($id: ID!) { studentExport(studentId: $id) { json } }`, map[string]any{"id": s1}).Decode(t, &ex)
		return ex.StudentExport.JSON
	}
	if mom, dad := export("parentA"), export("dadA"); !strings.Contains(mom, "Kind to younger children.") || strings.Contains(mom, "Builds things") ||
		!strings.Contains(dad, "Builds things for hours.") || strings.Contains(dad, "Kind to younger") {
		t.Fatalf("the exports' profiles:\n%.1500s\n%.1500s", mom, dad)
	}
	for _, who := range []string{"parentA2", "restrictedA", "teacherA2", "parentB", "teacherB"} {
		if _, code := about(who); code != "NOT_FOUND" {
			t.Errorf("%s reads s1's profile: %s", who, code)
		}
	}

	// A home insight with its kind.
	var hi struct {
		ShareHomeInsight struct{ HomeInsight struct{ Kind string } }
	}
	f.Do(f.token("parentA"), `mutation($s: ID!) { shareHomeInsight(input: {clientMutationId: "hi-1", studentId: $s, kind: WHAT_WORKS,
		body: "A timer helps him finish homework."}) { homeInsight { kind } } }`, map[string]any{"s": s1}).Decode(t, &hi)
	if hi.ShareHomeInsight.HomeInsight.Kind != "WHAT_WORKS" {
		t.Fatalf("insight kind: %+v", hi)
	}
	var ins struct {
		Student struct{ HomeInsights []struct{ Kind *string } }
	}
	f.Do(f.token("teacherA"), `query($id: ID!) { student(id: $id) { homeInsights { kind } } }`, map[string]any{"id": s1}).Decode(t, &ins)
	if len(ins.Student.HomeInsights) != 1 || ins.Student.HomeInsights[0].Kind == nil || *ins.Student.HomeInsights[0].Kind != "WHAT_WORKS" {
		t.Fatalf("the teacher reads: %+v", ins.Student.HomeInsights)
	}

	// The rollover: a1 (teacherA's) is archived; s1 moves to a new class
	// of teacherA2's, alongside s2 whose family wrote nothing.
	if res := f.Do(f.token("adminA"), `mutation($c: ID!) { archiveClassroom(input: {classroomId: $c}) { archivedAt } }`, map[string]any{"c": f.classrooms["a1"].ID}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	school := f.students["s1"].SchoolID
	next := &models.Classroom{SchoolID: school, Name: "Grade 3 (next year)", Grade: "3", SchoolYear: "2027-2028"}
	if err := f.DB.Create(next).Error; err != nil {
		t.Fatal(err)
	}
	for _, row := range []any{
		&models.ClassroomStaff{ClassroomID: next.ID, UserID: f.users["teacherA2"].ID, SchoolID: school},
		&models.Enrollment{ClassroomID: next.ID, StudentID: s1, SchoolID: school},
	} {
		if err := f.DB.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	if got, code := about("teacherA2"); code != "" || len(got) != 2 {
		t.Fatalf("next year's teacher reads %+v (%s)", got, code)
	}
	if _, code := about("teacherA"); code != "NOT_FOUND" {
		t.Fatalf("last year's teacher still reads the profile: %s", code)
	}
	var gtk struct {
		GettingToKnow []struct {
			Student  struct{ ID string }
			Profiles []profile
		}
	}
	f.Do(f.token("teacherA2"), `{ gettingToKnow { student { id } profiles { strengths whatWorks worries goals } } }`, nil).Decode(t, &gtk)
	if len(gtk.GettingToKnow) < 1 || gtk.GettingToKnow[0].Student.ID != s1 || len(gtk.GettingToKnow[0].Profiles) != 2 {
		t.Fatalf("teacherA2's getting-to-know: %+v", gtk.GettingToKnow)
	}
	f.Do(f.token("teacherA"), `{ gettingToKnow { student { id } } }`, nil).Decode(t, &gtk)
	if len(gtk.GettingToKnow) != 0 {
		t.Fatalf("last year's teacher's getting-to-know: %+v", gtk.GettingToKnow)
	}
}
