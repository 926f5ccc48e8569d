package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
)

// Every conference operation as each kind of person, on a round at school A
// where parentA booked teacherA's first slot for s1. A refusal writes
// nothing.
func TestConferenceAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(ny).AddDate(0, 0, 10)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, ny)
	start := day.Add(15 * time.Hour)
	round, slots := f.round(t, day, 15, [2]time.Time{start, start.Add(45 * time.Minute)})
	var b struct {
		BookConferenceSlot struct{ Booking struct{ ID string } }
	}
	f.Do(f.token("parentA"), qBook, map[string]any{"in": map[string]any{"clientMutationId": "authz", "slotId": slots[0].ID, "studentId": f.students["s1"].ID}}).Decode(t, &b)
	booking := b.BookConferenceSlot.Booking.ID
	var g struct {
		CreateConferenceRound struct{ ID string }
	}
	f.Do(f.token("adminA"), qCreateRound, map[string]any{"in": map[string]any{"schoolId": f.students["s1"].SchoolID, "name": "Grade 5 only", "grade": "5",
		"startsOn": day.Format(time.DateOnly), "endsOn": day.Format(time.DateOnly), "slotMinutes": 15, "mode": "VIDEO", "videoUrl": "https://meet.example/x"}}).Decode(t, &g)
	grade5 := g.CreateConferenceRound.ID
	schoolA := f.students["s1"].SchoolID

	n := 0
	window := func() map[string]any { // a fresh window each time, so allowed publishes do not overlap
		n++
		at := start.Add(time.Duration(n) * time.Hour)
		return map[string]any{"roundId": round, "windows": []any{map[string]any{"startsAt": at, "endsAt": at.Add(15 * time.Minute)}}}
	}
	type op struct {
		query string
		vars  func() map[string]any
	}
	ops := map[string]op{
		"createConferenceRound": {qCreateRound, func() map[string]any {
			return map[string]any{"in": map[string]any{"schoolId": schoolA, "name": "Extra", "startsOn": day.Format(time.DateOnly), "endsOn": day.Format(time.DateOnly),
				"slotMinutes": 10, "mode": "IN_PERSON", "location": "Library"}}
		}},
		"publishConferenceAvailability": {qPublish, func() map[string]any { return map[string]any{"in": window()} }},
		"conferenceRound":               {`query($id: ID!) { conferenceRound(id: $id) { id slots { id } } }`, func() map[string]any { return map[string]any{"id": round} }},
		"conferenceRound(grade 5)":      {`query($id: ID!) { conferenceRound(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": grade5} }},
		"bookConferenceSlot(s1)": {qBook, func() map[string]any {
			return map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("m%d", n), "slotId": slots[1].ID, "studentId": f.students["s1"].ID}}
		}},
		"conferenceBooking": {`query($id: ID!) { conferenceBooking(id: $id) { id notes } }`, func() map[string]any { return map[string]any{"id": booking} }},
		"rescheduleBooking": {qReschedule, func() map[string]any {
			return map[string]any{"in": map[string]any{"clientMutationId": "mv", "bookingId": booking, "slotId": slots[2].ID}}
		}},
		"cancelBooking":      {qCancelBook, func() map[string]any { return map[string]any{"b": booking} }},
		"cancelSlot":         {`mutation($s: ID!) { cancelConferenceSlot(input: {slotId: $s}) { id } }`, func() map[string]any { return map[string]any{"s": slots[0].ID} }},
		"setConferenceNotes": {`mutation($b: ID!) { setConferenceNotes(input: {bookingId: $b, notes: "Ask about reading."}) { id } }`, func() map[string]any { return map[string]any{"b": booking} }},
	}
	// "" allowed (only run where it changes nothing the later rows need).
	want := map[string]map[string]string{
		"createConferenceRound":         {"teacherA": "FORBIDDEN", "parentA": "FORBIDDEN", "adminB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "adminA": ""},
		"publishConferenceAvailability": {"parentA": "FORBIDDEN", "teacherB": "NOT_FOUND", "adminB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "teacherA": "", "teacherA2": ""},
		"conferenceRound":               {"parentB": "NOT_FOUND", "teacherB": "NOT_FOUND", "restrictedA": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "parentA": "", "parentA2": "", "teacherA2": ""},
		"conferenceRound(grade 5)":      {"parentA": "NOT_FOUND", "parentA2": "NOT_FOUND", "teacherA": "", "adminA": ""},
		"bookConferenceSlot(s1)":        {"parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND", "parentB": "NOT_FOUND", "teacherA": "FORBIDDEN", "adminA": "FORBIDDEN", "anonymous": "UNAUTHENTICATED"},
		"conferenceBooking":             {"parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "parentA": "", "teacherA": "", "adminA": ""},
		"rescheduleBooking":             {"parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND", "teacherA2": "NOT_FOUND", "teacherA": "FORBIDDEN", "adminB": "NOT_FOUND"},
		"cancelBooking":                 {"parentA2": "NOT_FOUND", "restrictedA": "NOT_FOUND", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "parentB": "NOT_FOUND"},
		"cancelSlot":                    {"parentA": "NOT_FOUND", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "teacherB": "NOT_FOUND"},
		"setConferenceNotes":            {"parentA": "FORBIDDEN", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "teacherA": ""},
	}
	cases := 0
	for name, o := range ops {
		for who, code := range want[name] {
			t.Run(name+"/"+who, func(t *testing.T) {
				token := ""
				if who != "anonymous" {
					token = f.token(who)
				}
				before := f.Snapshot()
				res := f.Do(token, o.query, o.vars())
				if res.Code() != code {
					t.Fatalf("want %q, got %s", code, res.Body)
				}
				if code != "" {
					apptest.SameCounts(t, before, f.Snapshot())
				}
			})
			cases++
		}
	}
	// What each sees of the booking: parents never the teacher's notes.
	var seen struct {
		ConferenceBooking struct{ Notes *string }
	}
	f.Do(f.token("parentA"), `query($id: ID!) { conferenceBooking(id: $id) { notes } }`, map[string]any{"id": booking}).Decode(t, &seen)
	if seen.ConferenceBooking.Notes != nil {
		t.Fatalf("a parent sees the notes: %q", *seen.ConferenceBooking.Notes)
	}
	for who, n := range map[string]int{"parentA": 1, "teacherA": 1, "parentA2": 0, "teacherA2": 0, "restrictedA": 0, "parentB": 0} {
		var mine struct{ MyConferences []struct{ ID string } }
		f.Do(f.token(who), `{ myConferences { id } }`, nil).Decode(t, &mine)
		if len(mine.MyConferences) != n {
			t.Errorf("%s sees %d conferences, want %d", who, len(mine.MyConferences), n)
		}
	}
	// Bad input.
	for name, in := range map[string]map[string]any{
		"end before start": {"startsOn": day.AddDate(0, 0, 2).Format(time.DateOnly), "endsOn": day.Format(time.DateOnly), "slotMinutes": 15, "mode": "IN_PERSON", "location": "x"},
		"not a date":       {"startsOn": "next monday", "endsOn": day.Format(time.DateOnly), "slotMinutes": 15, "mode": "IN_PERSON", "location": "x"},
		"slot too long":    {"startsOn": day.Format(time.DateOnly), "endsOn": day.Format(time.DateOnly), "slotMinutes": 240, "mode": "IN_PERSON", "location": "x"},
		"video, no link":   {"startsOn": day.Format(time.DateOnly), "endsOn": day.Format(time.DateOnly), "slotMinutes": 15, "mode": "VIDEO"},
		"http link":        {"startsOn": day.Format(time.DateOnly), "endsOn": day.Format(time.DateOnly), "slotMinutes": 15, "mode": "VIDEO", "videoUrl": "http://meet.example/x"},
	} {
		in["schoolId"], in["name"] = schoolA, "Bad"
		before := f.Snapshot()
		if res := f.Do(f.token("adminA"), qCreateRound, map[string]any{"in": in}); res.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: %s", name, res.Body)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
	outside := day.AddDate(0, 0, 5).Add(15 * time.Hour)
	for name, w := range map[string][2]time.Time{
		"outside the round": {outside, outside.Add(time.Hour)},
		"ends first":        {start.Add(20 * time.Hour), start.Add(19 * time.Hour)},
		"shorter than slot": {start.Add(21 * time.Hour), start.Add(21*time.Hour + 5*time.Minute)},
		"overlaps own":      {start, start.Add(15 * time.Minute)},
	} {
		res := f.Do(f.token("teacherA"), qPublish, map[string]any{"in": map[string]any{"roundId": round, "windows": []any{map[string]any{"startsAt": w[0], "endsAt": w[1]}}}})
		if wantCode := map[bool]string{true: "CONFLICT", false: "BAD_USER_INPUT"}[name == "overlaps own"]; res.Code() != wantCode {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
	// The slot of a teacher who does not teach the child.
	other := f.publish(t, "teacherA2", round, [2]time.Time{start.Add(30 * time.Hour), start.Add(30*time.Hour + 15*time.Minute)})
	if res := f.Do(f.token("parentA"), qBook, map[string]any{"in": map[string]any{"clientMutationId": "wrong-teacher", "slotId": other[0].ID, "studentId": f.students["s1"].ID}}); res.Code() != "BAD_USER_INPUT" || !strings.Contains(res.Body, "slotId") {
		t.Errorf("another class's teacher: %s", res.Body)
	}
	t.Logf("%d authorization cases", cases)
}
