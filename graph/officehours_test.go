package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
)

const (
	qSetHours = `mutation($h: [OfficeHoursInput!]!) { setOfficeHours(input: {hours: $h}) { weekday start end } }`
	qSendTime = `mutation($c: ID!, $m: String!, $b: String!, $u: Boolean) { sendMessage(input: {conversationId: $c, clientMutationId: $m, body: $b, urgent: $u}) { message { id } expectedReplyAfter } }`
)

type replyAfter struct {
	SendMessage struct{ ExpectedReplyAfter *time.Time }
}

// A teacher keeps office hours Monday to Friday, 08:00–16:00 New York time.
// A parent writing on Saturday is told to expect an answer Monday at 08:00,
// and the teacher's pushes wait until then, except an admin's urgent message;
// in office hours the answer is "soon" and the push goes at once.
func TestOfficeHours(t *testing.T) {
	f := newFixture(t)
	ny, _ := time.LoadLocation("America/New_York")
	// River schedules deferred pushes in real time, so the week is next
	// year's: a Saturday in January (EST, UTC-5).
	sat := time.Date(time.Now().Year()+1, 1, 10, 12, 0, 0, 0, ny)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	monday8 := time.Date(sat.Year(), sat.Month(), sat.Day()+2, 8, 0, 0, 0, ny)
	clock := sat
	f.Clock.Set(clock)

	teacher := f.token("teacherA")
	if res := f.Do(teacher, `mutation { updateProfile(input: {timeZone: "America/New_York"}) { timeZone } }`, nil); res.Code() != "" {
		t.Fatal(res.Body)
	}
	week := []map[string]any{}
	for _, d := range []string{"FRIDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY"} {
		week = append(week, map[string]any{"weekday": d, "start": "08:00", "end": "16:00"})
	}
	var set struct {
		SetOfficeHours []struct{ Weekday, Start, End string }
	}
	f.Do(teacher, qSetHours, map[string]any{"h": week}).Decode(t, &set)
	if len(set.SetOfficeHours) != 5 || set.SetOfficeHours[0].Weekday != "MONDAY" || set.SetOfficeHours[4].Weekday != "FRIDAY" || set.SetOfficeHours[0].End != "16:00" {
		t.Fatalf("office hours: %+v", set)
	}

	// Refused: a parent; bad windows. Nothing changes.
	for name, tc := range map[string]struct {
		who   string
		hours []map[string]any
		code  string
		field string
	}{
		"parent":      {"parentA", week, "FORBIDDEN", ""},
		"end first":   {"teacherA", []map[string]any{{"weekday": "MONDAY", "start": "16:00", "end": "08:00"}}, "BAD_USER_INPUT", "hours.0.end"},
		"not a time":  {"teacherA", []map[string]any{{"weekday": "MONDAY", "start": "8am", "end": "16:00"}}, "BAD_USER_INPUT", "hours.0.start"},
		"overlap":     {"teacherA", []map[string]any{{"weekday": "MONDAY", "start": "08:00", "end": "12:00"}, {"weekday": "MONDAY", "start": "11:00", "end": "13:00"}}, "BAD_USER_INPUT", "hours"},
		"unknown day": {"teacherA", []map[string]any{{"weekday": "FUNDAY", "start": "08:00", "end": "12:00"}}, "BAD_USER_INPUT", ""},
		"anonymous":   {"", week, "UNAUTHENTICATED", ""},
	} {
		token := ""
		if tc.who != "" {
			token = f.token(tc.who)
		}
		res := f.Do(token, qSetHours, map[string]any{"h": tc.hours})
		if res.Code() != tc.code || (tc.field != "" && !strings.Contains(res.Body, `"field":"`+tc.field+`"`)) {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
	if n := f.Count("office_hours"); n != 5 {
		t.Fatalf("refusals changed office hours: %d rows", n)
	}

	// Saturday noon: the parent writes; the answer comes Monday at 08:00.
	f.RegisterDevice(teacher, "teacher-tablet")
	var started struct {
		StartConversation struct {
			ExpectedReplyAfter *time.Time
			Conversation       struct {
				ID           string
				Participants []struct {
					DisplayName, TimeZone string
					OfficeHours           []struct{ Weekday, Start, End string }
				}
			}
		}
	}
	f.Do(f.token("parentA"), `mutation($in: StartConversationInput!) { startConversation(input: $in) { expectedReplyAfter
		conversation { id participants { displayName timeZone officeHours { weekday start end } } } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "oh-1", "studentId": f.students["s1"].ID,
			"participantIds": []string{f.users["teacherA"].ID}, "subject": "Weekend question", "body": "Is the library open Monday?"}}).Decode(t, &started)
	sc := started.StartConversation
	if sc.ExpectedReplyAfter == nil || !sc.ExpectedReplyAfter.Equal(monday8) {
		t.Fatalf("expected reply after %v, want %v", sc.ExpectedReplyAfter, monday8)
	}
	var teacherSeen bool
	for _, p := range sc.Conversation.Participants {
		if p.DisplayName == "teacherA" {
			teacherSeen = p.TimeZone == "America/New_York" && len(p.OfficeHours) == 5 && p.OfficeHours[0].Start == "08:00"
		}
	}
	if !teacherSeen {
		t.Fatalf("the parent does not see the teacher's office hours: %+v", sc.Conversation.Participants)
	}
	c := sc.Conversation.ID
	var again replyAfter
	f.Do(f.token("parentA"), qSendTime, map[string]any{"c": c, "m": "oh-2", "b": "And one more thing."}).Decode(t, &again)
	if again.SendMessage.ExpectedReplyAfter == nil || !again.SendMessage.ExpectedReplyAfter.Equal(monday8) {
		t.Fatalf("sendMessage: expected reply after %v", again.SendMessage.ExpectedReplyAfter)
	}
	f.WaitPushesIdle()
	if n := f.FCM.CountByToken()["teacher-tablet"]; n != 0 {
		t.Fatalf("teacher pushed %d times on Saturday", n)
	}
	var deferred []time.Time
	f.DB.Raw(`SELECT r.deferred_until FROM notification_recipients r WHERE r.user_id = ? AND r.state = ?`,
		f.users["teacherA"].ID, models.RecipientDeferred).Scan(&deferred)
	if len(deferred) != 2 || !deferred[0].Equal(monday8) || !deferred[1].Equal(monday8) {
		t.Fatalf("deferred until %v, want both %v", deferred, monday8)
	}

	// An admin's urgent message reaches the teacher now.
	var general struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	f.Do(f.token("adminA"), qStart, map[string]any{"in": map[string]any{"clientMutationId": "oh-admin", "schoolId": f.students["s1"].SchoolID,
		"participantIds": []string{f.users["teacherA"].ID}, "subject": "Fire drill", "body": "Monday's plan attached."}}).Decode(t, &general)
	if res := f.Do(f.token("adminA"), qSendTime, map[string]any{"c": general.StartConversation.Conversation.ID, "m": "oh-urgent", "b": "The school is closed Monday.", "u": true}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	f.WaitPushesIdle()
	if n := f.FCM.CountByToken()["teacher-tablet"]; n != 1 {
		t.Fatalf("teacher got %d pushes on Saturday, want the urgent one", n)
	}

	// Monday 08:00:01: the waiting pushes go (the parent's two, the admin's
	// first message).
	clock = monday8.Add(time.Second)
	f.Clock.Set(clock)
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled' AND scheduled_at <= ?`, clock)
	f.WaitForPushes(4)
	f.WaitPushesIdle()
	if n := f.FCM.CountByToken()["teacher-tablet"]; n != 4 {
		t.Fatalf("teacher got %d pushes by Monday 08:00, want 4", n)
	}
	// In office hours: an answer is to be expected soon, and the push goes now.
	clock = monday8.Add(time.Hour)
	f.Clock.Set(clock)
	var now replyAfter
	f.Do(f.token("parentA"), qSendTime, map[string]any{"c": c, "m": "oh-3", "b": "Thanks!"}).Decode(t, &now)
	if now.SendMessage.ExpectedReplyAfter != nil {
		t.Fatalf("in office hours: expected reply after %v", now.SendMessage.ExpectedReplyAfter)
	}
	f.WaitForPushes(5)
	// Cleared hours: always reachable.
	f.Do(teacher, qSetHours, map[string]any{"h": []any{}}).Decode(t, &set)
	if len(set.SetOfficeHours) != 0 || f.Count("office_hours") != 0 {
		t.Fatal("office hours not cleared")
	}
}
