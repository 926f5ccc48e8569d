package graph_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
)

// TestDailyDigest: a parent who chose the digest gets no separate emails;
// at the school's digest time (18:00 in New York) one email lists the
// day's note, message and announcement, once; the next day's comes at
// 18:00 local again though the clocks went back an hour overnight (DST
// ended); one POST to its unsubscribe link stops it. The clock is the
// digest's own, set by the test.
func TestDailyDigest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	parent := f.token("parentA")
	school := f.students["s1"].SchoolID
	if r := f.Do(f.token("teacherA"), `mutation($in: SetSchoolDigestTimeInput!) { setSchoolDigestTime(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"schoolId": school, "time": "18:00"}}); r.Code() != "FORBIDDEN" {
		t.Fatalf("a teacher sets the digest time: %s", r.Body)
	}
	var set struct{ SetSchoolDigestTime struct{ DigestTime string } }
	f.Do(f.token("adminA"), `mutation($in: SetSchoolDigestTimeInput!) { setSchoolDigestTime(input: $in) { digestTime } }`,
		map[string]any{"in": map[string]any{"schoolId": school, "time": "18:00"}}).Decode(t, &set)
	if set.SetSchoolDigestTime.DigestTime != "18:00" {
		t.Fatalf("digest time: %+v", set)
	}
	var mail struct{ AddContactPoint contactPoint }
	f.Do(parent, qAddContact, map[string]any{"in": map[string]any{"channel": "EMAIL", "address": "ana@home.example"}}).Decode(t, &mail)
	code := sixDigits.FindString(f.SMTP.Await(1, 10*time.Second)[0].Body)
	f.Do(parent, qVerify, map[string]any{"in": map[string]any{"contactPointId": mail.AddContactPoint.ID, "code": code}})
	var prefs struct {
		UpdateNotificationPreferences struct{ Digest bool }
	}
	f.Do(parent, `mutation { updateNotificationPreferences(input: {digest: true, categories: [{category: NEW_MESSAGE, push: true, email: true}]}) { digest } }`, nil).Decode(t, &prefs)
	if !prefs.UpdateNotificationPreferences.Digest {
		t.Fatal("digest not on")
	}

	ny, _ := time.LoadLocation("America/New_York")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, ny) }
	// The day's items, placed in Saturday Oct 31's window.
	if r := f.Do(f.token("teacherA"), qPost, map[string]any{"in": map[string]any{"clientMutationId": "d1", "studentIds": []string{f.students["s1"].ID},
		"kind": "POSITIVE", "body": "Helped a friend tie her shoes.", "state": "SHARED"}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.start(t, "teacherA", "s1", "parentA")
	if r := f.Do(f.token("adminA"), `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id } } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "a1", "schoolId": school, "audience": "SCHOOL", "title": "Book fair", "body": "The book fair opens Monday."}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitJobsSettled()
	var separate int64
	f.DB.Raw("SELECT count(*) FROM outbound_messages WHERE user_id = ? AND purpose <> 'VERIFY'", f.users["parentA"].ID).Scan(&separate)
	if separate != 0 {
		t.Fatalf("%d separate emails to a digest subscriber", separate)
	}
	if err := f.DB.Exec("UPDATE notifications SET created_at = ?", at(2026, 10, 31, 12, 0)).Error; err != nil {
		t.Fatal(err)
	}
	digests := func(now time.Time) int {
		t.Helper()
		f.App.Planner.SetClock(now)
		n, err := f.App.Planner.SendDigests(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.WaitJobsSettled()
		return n
	}
	if n := digests(at(2026, 10, 31, 17, 59)); n != 0 {
		t.Fatalf("%d digests before 18:00", n)
	}
	if n := digests(at(2026, 10, 31, 18, 0)); n != 1 {
		t.Fatalf("%d digests at 18:00, want 1", n)
	}
	got := f.SMTP.Await(2, 10*time.Second)
	d := got[len(got)-1]
	if d.Header.Get("Subject") != "Today at School A: 3 updates" || !strings.Contains(d.Body, "Helped a friend tie her shoes.") ||
		!strings.Contains(d.Body, "Could we talk about reading?") || !strings.Contains(d.Body, "The book fair opens Monday.") {
		t.Fatalf("digest: %s\n%s", d.Header.Get("Subject"), d.Body)
	}
	if n := digests(at(2026, 10, 31, 23, 0)); n != 0 {
		t.Fatalf("a second digest the same day: %d", n)
	}

	// Sunday Nov 1: clocks went back at 2:00; 18:00 EST is 23:00 UTC.
	if err := f.DB.Exec("UPDATE notifications SET created_at = ? WHERE type = ?", at(2026, 11, 1, 10, 0), models.NoticeAnnouncement).Error; err != nil {
		t.Fatal(err)
	}
	if n := digests(time.Date(2026, 11, 1, 22, 30, 0, 0, time.UTC)); n != 0 {
		t.Fatalf("%d digests at 17:30 EST (18:30 by yesterday's offset)", n)
	}
	if n := digests(time.Date(2026, 11, 1, 23, 0, 0, 0, time.UTC)); n != 1 {
		t.Fatalf("%d digests at 18:00 EST, want 1", n)
	}

	// One request to the digest's unsubscribe link ends it.
	link := strings.Trim(d.Header.Get("List-Unsubscribe"), "<>")
	u, err := url.Parse(link)
	if err != nil || !strings.HasSuffix(d.Header.Get("List-Unsubscribe-Post"), "One-Click") {
		t.Fatalf("unsubscribe headers: %q %v", link, err)
	}
	if res, _ := f.Raw(http.MethodPost, u.RequestURI(), "", "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click")); res.StatusCode != http.StatusOK {
		t.Fatalf("unsubscribe: %d", res.StatusCode)
	}
	if err := f.DB.Exec("UPDATE notifications SET created_at = ?", at(2026, 11, 2, 9, 0)).Error; err != nil {
		t.Fatal(err)
	}
	if n := digests(at(2026, 11, 2, 18, 0)); n != 0 {
		t.Fatalf("%d digests after unsubscribing", n)
	}
}
