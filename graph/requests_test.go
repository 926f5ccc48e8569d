package graph_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/sameside/sameside/server/apptest"
)

// A family asks to meet with the school: the teacher and the admins are
// told, an admin proposes two times, the parent accepts one (staff told,
// reminders scheduled, it is in the teacher's calendar feed); a second
// acceptance is CONFLICT; outsiders cannot act; cancelling calls the
// reminders off and tells the family.
func TestConferenceMeetingRequest(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"parentA", "teacherA", "adminA"} {
		f.RegisterDevice(f.token(who), who+"-device")
	}
	var req struct {
		RequestConferenceMeeting struct{ Request struct{ ID, State string } }
	}
	f.Do(f.token("parentA"), `mutation($in: RequestConferenceMeetingInput!) { requestConferenceMeeting(input: $in) { request { id state } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "meet-1", "studentId": f.students["s1"].ID, "teacherId": f.users["teacherA"].ID,
			"topic": "We'd like to talk about how she settles in the mornings."}}).Decode(t, &req)
	id := req.RequestConferenceMeeting.Request.ID
	if id == "" || req.RequestConferenceMeeting.Request.State != "OPEN" {
		t.Fatalf("request: %+v", req)
	}
	f.WaitPushesIdle()
	if c := f.FCM.CountByToken(); c["teacherA-device"] != 1 || c["adminA-device"] != 1 || c["parentA-device"] != 0 {
		t.Fatalf("request pushes: %v", c)
	}
	qPropose := `mutation($in: ProposeConferenceTimesInput!) { proposeConferenceTimes(input: $in) { state options { id startsAt } } }`
	at := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	times := map[string]any{"in": map[string]any{"requestId": id, "times": []any{
		map[string]any{"startsAt": at, "endsAt": at.Add(30 * time.Minute)},
		map[string]any{"startsAt": at.Add(24 * time.Hour), "endsAt": at.Add(24*time.Hour + 30*time.Minute)}}}}
	for who, code := range map[string]string{"parentA": "FORBIDDEN", "teacherA2": "NOT_FOUND", "parentA2": "NOT_FOUND", "adminB": "NOT_FOUND", "restrictedA": "NOT_FOUND"} {
		before := f.Snapshot()
		if res := f.Do(f.token(who), qPropose, times); res.Code() != code {
			t.Errorf("%s proposing: %s", who, res.Body)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
	var proposed struct {
		ProposeConferenceTimes struct {
			Options []struct {
				ID       string
				StartsAt time.Time
			}
		}
	}
	f.Do(f.token("adminA"), qPropose, times).Decode(t, &proposed)
	opts := proposed.ProposeConferenceTimes.Options
	if len(opts) != 2 || !opts[0].StartsAt.Equal(at) {
		t.Fatalf("options: %+v", opts)
	}
	qAccept := `mutation($r: ID!, $o: ID!) { acceptConferenceTime(input: {requestId: $r, optionId: $o}) { state acceptedOption { id } } }`
	for who, code := range map[string]string{"teacherA": "FORBIDDEN", "parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND"} {
		if res := f.Do(f.token(who), qAccept, map[string]any{"r": id, "o": opts[1].ID}); res.Code() != code {
			t.Errorf("%s accepting: %s", who, res.Body)
		}
	}
	for i := 0; i < 2; i++ { // accepting again is harmless
		if res := f.Do(f.token("parentA"), qAccept, map[string]any{"r": id, "o": opts[1].ID}); res.Code() != "" || !strings.Contains(res.Body, `"SCHEDULED"`) {
			t.Fatalf("accept: %s", res.Body)
		}
	}
	if res := f.Do(f.token("parentA"), qAccept, map[string]any{"r": id, "o": opts[0].ID}); res.Code() != "CONFLICT" {
		t.Fatalf("a second time: %s", res.Body)
	}
	pending := func() int64 {
		var n int64
		f.DB.Raw(`SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE n.cancel_key = ? AND r.state = 'PENDING'`, "conference-request:"+id).Scan(&n)
		return n
	}
	if pending() != 2 {
		t.Fatalf("%d reminders scheduled, want 2", pending())
	}
	var feed struct{ ResetCalendarFeed struct{ Path string } }
	f.Do(f.token("teacherA"), `mutation { resetCalendarFeed { path } }`, nil).Decode(t, &feed)
	res, err := http.Get(f.Server.URL + feed.ResetCalendarFeed.Path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(res.Body)
	res.Body.Close()
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("teacher's feed: %v", err)
	}
	if start, _ := cal.Events()[0].GetStartAt(); !start.Equal(opts[1].StartsAt) {
		t.Fatalf("feed event at %v, want %v", start, opts[1].StartsAt)
	}
	// The teacher cancels: no reminders left, the family is told.
	f.WaitPushesIdle()
	before := f.FCM.CountByToken()["parentA-device"]
	if res := f.Do(f.token("teacherA"), `mutation($r: ID!) { cancelConferenceRequest(input: {requestId: $r}) { state } }`, map[string]any{"r": id}); !strings.Contains(res.Body, "CANCELLED") {
		t.Fatal(res.Body)
	}
	f.WaitPushesIdle()
	if pending() != 0 || f.FCM.CountByToken()["parentA-device"] != before+1 {
		t.Fatalf("after cancelling: %d reminders pending, parent pushes %d → %d", pending(), before, f.FCM.CountByToken()["parentA-device"])
	}
	var lists struct{ ConferenceRequests []struct{ ID string } }
	for who, n := range map[string]int{"parentA": 1, "teacherA": 1, "adminA": 1, "teacherA2": 0, "parentA2": 0, "adminB": 0} {
		f.Do(f.token(who), `{ conferenceRequests { id } }`, nil).Decode(t, &lists)
		if len(lists.ConferenceRequests) != n {
			t.Errorf("%s sees %d requests, want %d", who, len(lists.ConferenceRequests), n)
		}
	}
	// Bad input.
	for name, in := range map[string]map[string]any{
		"empty topic":     {"clientMutationId": "bad-1", "studentId": f.students["s1"].ID, "teacherId": f.users["teacherA"].ID, "topic": "  "},
		"another teacher": {"clientMutationId": "bad-2", "studentId": f.students["s1"].ID, "teacherId": f.users["teacherA2"].ID, "topic": "Hello"},
	} {
		if res := f.Do(f.token("parentA"), `mutation($in: RequestConferenceMeetingInput!) { requestConferenceMeeting(input: $in) { request { id } } }`, map[string]any{"in": in}); res.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
}
