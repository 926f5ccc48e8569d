package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models/domain"
)

// A scheduled announcement is edited (title, time, a PDF attached) and its
// push moves with it; another is cancelled and never reaches families;
// one gone out can no longer change. Only its author or an admin changes
// one (injected clock; River runs the push job when it is due).
func TestAnnouncementChanges(t *testing.T) {
	f := newFixture(t)
	f.RegisterDevice(f.token("parentA"), "parent-phone")
	clock := f.Clock
	clock.Set(time.Now().UTC().AddDate(1, 0, 0)) // ahead of River's real clock
	school := f.students["s1"].SchoolID
	post := func(cmid, title string, at time.Time) string {
		t.Helper()
		var p struct {
			PostAnnouncement struct{ Announcement struct{ ID string } }
		}
		f.Do(f.token("adminA"), qPostAnn, map[string]any{"in": map[string]any{"clientMutationId": cmid, "schoolId": school,
			"audience": "SCHOOL", "title": title, "body": "Details inside.", "publishAt": at}}).Decode(t, &p)
		return p.PostAnnouncement.Announcement.ID
	}
	edited := post("a-1", "Picture dya", clock.Now().Add(48*time.Hour))
	cancelled := post("a-2", "Field trip", clock.Now().Add(48*time.Hour))

	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	upload, status := f.upload(t, "adminA", "application/pdf", pdf, pdf)
	if status/100 != 2 {
		t.Fatalf("upload: %d", status)
	}
	f.complete(t, "adminA", upload)
	const qUpdate = `mutation($in: UpdateAnnouncementInput!) { updateAnnouncement(input: $in) { id title publishAt editedAt attachments { id contentType } } }`
	later := clock.Now().Add(72 * time.Hour).Truncate(time.Microsecond)
	for who, want := range map[string]string{"teacherA": "NOT_FOUND", "parentA": "NOT_FOUND", "adminB": "NOT_FOUND"} {
		if res := f.Do(f.token(who), qUpdate, map[string]any{"in": map[string]any{"id": edited, "title": "Hijacked"}}); res.Code() != want {
			t.Errorf("%s edits: %s", who, res.Body)
		}
	}
	var title struct{ Announcement struct{ Title string } }
	f.Do(f.token("adminA"), `query($id: ID!) { announcement(id: $id) { title } }`, map[string]any{"id": edited}).Decode(t, &title)
	if title.Announcement.Title != "Picture dya" {
		t.Fatalf("a refused edit changed the title: %q", title.Announcement.Title)
	}
	var u struct {
		UpdateAnnouncement struct {
			Title       string
			PublishAt   time.Time
			EditedAt    *time.Time
			Attachments []struct{ ID, ContentType string }
		}
	}
	f.Do(f.token("adminA"), qUpdate, map[string]any{"in": map[string]any{"id": edited, "title": "Picture day", "publishAt": later,
		"attachmentIds": []string{upload}}}).Decode(t, &u)
	if a := u.UpdateAnnouncement; a.Title != "Picture day" || !a.PublishAt.Equal(later) || a.EditedAt == nil || len(a.Attachments) != 1 || a.Attachments[0].ID != upload {
		t.Fatalf("edited: %+v", a)
	}
	const qCancel = `mutation($id: ID!) { cancelAnnouncement(input: {id: $id}) { id cancelledAt } }`
	if res := f.Do(f.token("teacherA"), qCancel, map[string]any{"id": cancelled}); res.Code() != "NOT_FOUND" {
		t.Fatalf("a teacher cancels the school's: %s", res.Body)
	}
	if res := f.Do(f.token("adminA"), qCancel, map[string]any{"id": cancelled}); res.Code() != "" || !strings.Contains(res.Body, `"cancelledAt":"`) {
		t.Fatalf("cancel: %s", res.Body)
	}
	if res := f.Do(f.token("adminA"), qCancel, map[string]any{"id": cancelled}); res.Code() != "CONFLICT" {
		t.Fatalf("cancel again: %s", res.Body)
	}

	// The old time comes: nothing goes out (the edit moved it, the other
	// was cancelled).
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled' AND scheduled_at <= ?`, clock.Add(48*time.Hour+time.Second))
	f.WaitPushesIdle()
	if n := f.FCM.Count(); n != 0 {
		t.Fatalf("%d pushes at the old time", n)
	}
	// The new time: one push, with the new title; families see it with its
	// attachment, and never the cancelled one.
	clock.Set(later.Add(time.Second))
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled'`)
	msgs := f.WaitForPushes(1)
	f.WaitPushesIdle()
	if f.FCM.Count() != 1 || msgs[0].Data["announcementId"] != edited || !strings.Contains(string(msgs[0].Raw), "Picture day") {
		t.Fatalf("at the new time: %d pushes, %s", f.FCM.Count(), msgs[0].Raw)
	}
	if got := f.titles(t, "parentA"); got != "Picture day" {
		t.Fatalf("the parent sees %q", got)
	}
	var seen struct {
		Announcement struct{ Attachments []struct{ ID string } }
	}
	f.Do(f.token("parentA"), `query($id: ID!) { announcement(id: $id) { attachments { id } } }`, map[string]any{"id": edited}).Decode(t, &seen)
	if len(seen.Announcement.Attachments) != 1 {
		t.Fatalf("the parent's attachments: %+v", seen)
	}
	if res := f.Do(f.token("parentA"), `query($id: ID!) { announcement(id: $id) { id } }`, map[string]any{"id": cancelled}); res.Code() != "NOT_FOUND" {
		t.Fatalf("the parent reads the cancelled one: %s", res.Body)
	}
	// Gone out: no more changes.
	if res := f.Do(f.token("adminA"), qUpdate, map[string]any{"in": map[string]any{"id": edited, "title": "Too late"}}); res.Code() != "CONFLICT" {
		t.Fatalf("editing what went out: %s", res.Body)
	}
}

// The weekly reminder: on Monday from 08:00 school time each teacher hears
// which of their students had no positive note in seven days; a teacher
// who turned WEEKLY_REMINDER off hears nothing; it goes once a week, and
// not before 08:00.
func TestWeeklyReminder(t *testing.T) {
	f := newFixture(t)
	f.RegisterDevice(f.token("teacherA"), "teacher-a")
	f.RegisterDevice(f.token("teacherA2"), "teacher-a2")
	f.RegisterDevice(f.token("teacherB"), "teacher-b")
	// Both schools in one zone, so 08:00 comes to both at once.
	if err := f.DB.Exec(`UPDATE schools SET time_zone = 'America/Chicago'`).Error; err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	// A Monday ahead of the wall clock, at 07:59 school time.
	monday := time.Now().In(loc).AddDate(1, 0, 0)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, 1)
	}
	clock := f.Clock
	clock.Set(time.Date(monday.Year(), monday.Month(), monday.Day(), 7, 59, 0, 0, loc))
	// s2 (teacherA2's) got a positive note on Sunday; s1 (teacherA's) none.
	clock.Add(-20 * time.Hour)
	if res := f.Do(f.token("teacherA2"), `mutation($s: ID!) { postObservation(input: {clientMutationId: "sun", studentIds: [$s], kind: POSITIVE,
		state: SHARED, body: "Finished the puzzle alone."}) { observations { id } } }`, map[string]any{"s": f.students["s2"].ID}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	clock.Add(20 * time.Hour)
	// teacherB opts out.
	if res := f.Do(f.token("teacherB"), `mutation { updateNotificationPreferences(input: {categories: [{category: WEEKLY_REMINDER, push: false}]}) { categories { category push } } }`, nil); res.Code() != "" {
		t.Fatal(res.Body)
	}
	f.WaitPushesIdle()
	f.FCM.Reset()
	run := func() int {
		t.Helper()
		n, err := f.App.Domain.SendWeeklyReminders(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		f.WaitPushesIdle()
		return n
	}
	if n := run(); n != 0 || f.FCM.Count() != 0 {
		t.Fatalf("at 07:59: %d teachers told, %d pushes", n, f.FCM.Count())
	}
	clock.Add(2 * time.Minute)
	if n := run(); n != 2 { // teacherA and teacherB (who opted out); teacherA2's students all had one
		t.Fatalf("at 08:01: %d teachers told, want 2", n)
	}
	got := map[string]string{}
	for _, m := range f.FCM.Messages() {
		if m.Data["type"] == domain.NoticeWeeklyReminder {
			got[m.Token] = string(m.Raw)
		}
	}
	if len(got) != 1 || !strings.Contains(got["teacher-a"], f.students["s1"].FirstName) || !strings.Contains(got["teacher-a"], `"count":"1"`) {
		t.Fatalf("reminders: %v (only teacherA: teacherB opted out, teacherA2's student had a positive note)", got)
	}
	// The same students, on the teacher's classroom this week.
	needing := func(who, room string, days int) ([]string, string) {
		t.Helper()
		var c struct {
			Classroom struct{ StudentsNeedingPositiveNote []struct{ ID string } }
		}
		res := f.Do(f.token(who), `query($id: ID!, $d: Int) { classroom(id: $id) { studentsNeedingPositiveNote(days: $d) { id } } }`,
			map[string]any{"id": f.classrooms[room].ID, "d": days})
		if res.Code() != "" {
			return nil, res.Code()
		}
		res.Decode(t, &c)
		var ids []string
		for _, st := range c.Classroom.StudentsNeedingPositiveNote {
			ids = append(ids, st.ID)
		}
		return ids, ""
	}
	if ids, _ := needing("teacherA", "a1", 7); len(ids) != 1 || ids[0] != f.students["s1"].ID {
		t.Fatalf("a1 this week: %v", ids)
	}
	if ids, _ := needing("teacherA2", "a2", 7); len(ids) != 0 {
		t.Fatalf("a2 this week: %v", ids)
	}
	if _, code := needing("teacherA", "a1", 0); code != "BAD_USER_INPUT" {
		t.Fatalf("days 0: %s", code)
	}
	// Once a week.
	clock.Add(3 * time.Hour)
	if n := run(); n != 0 {
		t.Fatalf("again on Monday: %d", n)
	}
	clock.Add(7 * 24 * time.Hour)
	if n := run(); n != 3 {
		t.Fatalf("the next Monday: %d teachers told, want 3", n)
	}
}
