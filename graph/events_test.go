package graph_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

const (
	qCreateEvent = `mutation($in: CreateSchoolEventInput!) { createSchoolEvent(input: $in) { id capacity seatsLeft } }`
	qRsvp        = `mutation($e: ID!, $n: Int!) { rsvpSchoolEvent(input: {eventId: $e, headCount: $n}) { state headCount waitlistPosition } }`
	qCancelRsvp  = `mutation($e: ID!) { cancelRsvp(input: {eventId: $e}) { state } }`
	qEvent       = `query($e: ID!) { schoolEvent(id: $e) { seatsTaken seatsLeft waitlisted myRsvp { state headCount waitlistPosition } } }`
)

type eventView struct {
	SchoolEvent struct {
		SeatsTaken, SeatsLeft, Waitlisted int
		MyRsvp                            *struct {
			State            string
			HeadCount        int
			WaitlistPosition *int
		}
	}
}

// 12 families RSVP at once for 5 seats: 5 go, 7 wait in line. When a
// family that is going cancels, the first in line is promoted and told.
func TestEventWaitlist(t *testing.T) {
	f := newFixture(t)
	start := time.Now().UTC().AddDate(0, 0, 10).Truncate(time.Hour)
	var ev struct {
		CreateSchoolEvent struct{ ID string }
	}
	f.Do(f.token("adminA"), qCreateEvent, map[string]any{"in": map[string]any{"schoolId": f.students["s1"].SchoolID, "title": "Setting limits with love",
		"topic": "SETTING_LIMITS", "startsAt": start, "endsAt": start.Add(90 * time.Minute), "location": "Library", "capacity": 5}}).Decode(t, &ev)
	id := ev.CreateSchoolEvent.ID
	if id == "" {
		t.Fatal("no event")
	}
	tokens, _ := f.parents(t, 12)
	for i, tok := range tokens {
		f.RegisterDevice(tok, fmt.Sprintf("family-%d", i))
	}
	states := make([]string, 12)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out struct{ RsvpSchoolEvent struct{ State string } }
			f.Do(tokens[i], qRsvp, map[string]any{"e": id, "n": 1}).Decode(t, &out)
			states[i] = out.RsvpSchoolEvent.State
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for _, s := range states {
		count[s]++
	}
	var view eventView
	f.Do(f.token("adminA"), qEvent, map[string]any{"e": id}).Decode(t, &view)
	if count["GOING"] != 5 || count["WAITLISTED"] != 7 || view.SchoolEvent.SeatsTaken != 5 || view.SchoolEvent.SeatsLeft != 0 || view.SchoolEvent.Waitlisted != 7 {
		t.Fatalf("at capacity: %v, event %+v", count, view.SchoolEvent)
	}
	// Who is first in line, by their own view.
	first, second := -1, -1
	for i, tok := range tokens {
		var mine eventView
		f.Do(tok, qEvent, map[string]any{"e": id}).Decode(t, &mine)
		if r := mine.SchoolEvent.MyRsvp; r != nil && r.WaitlistPosition != nil {
			switch *r.WaitlistPosition {
			case 1:
				first = i
			case 2:
				second = i
			}
		}
	}
	if first < 0 || second < 0 {
		t.Fatal("no waitlist positions 1 and 2")
	}
	// A going family asks for more seats than are left: CONFLICT, and it
	// keeps its one.
	var going int
	for i, s := range states {
		if s == "GOING" {
			going = i
		}
	}
	if res := f.Do(tokens[going], qRsvp, map[string]any{"e": id, "n": 3}); res.Code() != "CONFLICT" {
		t.Fatalf("more seats than left: %s", res.Body)
	}
	f.WaitPushesIdle()
	f.FCM.Reset()
	if res := f.Do(tokens[going], qCancelRsvp, map[string]any{"e": id}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	f.WaitPushesIdle()
	msgs := f.FCM.Messages()
	if len(msgs) != 1 || msgs[0].Token != fmt.Sprintf("family-%d", first) || msgs[0].Data["kind"] != "PROMOTED" {
		t.Fatalf("promotion pushes: %d, first in line was family-%d: %v", len(msgs), first, msgs)
	}
	var mine eventView
	f.Do(tokens[first], qEvent, map[string]any{"e": id}).Decode(t, &mine)
	if mine.SchoolEvent.MyRsvp == nil || mine.SchoolEvent.MyRsvp.State != "GOING" {
		t.Fatalf("first in line: %+v", mine.SchoolEvent.MyRsvp)
	}
	f.Do(tokens[second], qEvent, map[string]any{"e": id}).Decode(t, &mine)
	if p := mine.SchoolEvent.MyRsvp.WaitlistPosition; p == nil || *p != 1 {
		t.Fatalf("second in line is now %v", p)
	}
	// The promoted family's calendar feed has the event.
	var feed struct{ ResetCalendarFeed struct{ Path string } }
	f.Do(tokens[first], `mutation { resetCalendarFeed { path } }`, nil).Decode(t, &feed)
	res, err := http.Get(f.Server.URL + feed.ResetCalendarFeed.Path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(res.Body)
	res.Body.Close()
	if err != nil || len(cal.Events()) != 1 || cal.Events()[0].GetProperty(ics.ComponentPropertySummary).Value != "Setting limits with love" {
		t.Fatalf("calendar feed: %v %v", err, cal)
	}
	// Day-before reminders: one pending per family going, none for the
	// family that cancelled.
	var pendingGoing, pendingCancelled int64
	f.DB.Raw(`SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
		WHERE n.cancel_key LIKE ? AND r.state = 'PENDING'`, "event-rsvp:"+id+":%").Scan(&pendingGoing)
	f.DB.Raw(`SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
		JOIN users u ON u.id = r.user_id WHERE n.cancel_key LIKE ? AND r.state = 'PENDING' AND u.firebase_uid = ?`,
		"event-rsvp:"+id+":%", fmt.Sprintf("fx-racer-%d", going)).Scan(&pendingCancelled)
	if pendingGoing != 5 || pendingCancelled != 0 {
		t.Fatalf("reminders pending: %d for those going (want 5), %d for the one who cancelled", pendingGoing, pendingCancelled)
	}
	// Other schools do not see the event; RSVPs to withdraw must exist.
	var list struct{ SchoolEvents []struct{ ID string } }
	f.Do(f.token("parentB"), `{ schoolEvents { id } }`, nil).Decode(t, &list)
	if len(list.SchoolEvents) != 0 {
		t.Fatal("another school's parent sees the event")
	}
	for who, code := range map[string]string{"parentB": "NOT_FOUND", "parentA": "NOT_FOUND"} {
		if res := f.Do(f.token(who), qCancelRsvp, map[string]any{"e": id}); res.Code() != code {
			t.Errorf("%s withdrawing: %s", who, res.Body)
		}
	}
	if res := f.Do(f.token("parentB"), qEvent, map[string]any{"e": id}); res.Code() != "NOT_FOUND" {
		t.Errorf("another school's parent reading the event: %s", res.Body)
	}
	// Refusals.
	for who, code := range map[string]string{"teacherA": "FORBIDDEN", "parentB": "NOT_FOUND", "adminB": "NOT_FOUND"} {
		if res := f.Do(f.token(who), qRsvp, map[string]any{"e": id, "n": 1}); res.Code() != code {
			t.Errorf("%s: %s", who, res.Body)
		}
	}
	if res := f.Do(tokens[0], qRsvp, map[string]any{"e": id, "n": 11}); res.Code() != "BAD_USER_INPUT" {
		t.Errorf("11 people: %s", res.Body)
	}
	for who, code := range map[string]string{"teacherA": "FORBIDDEN", "parentA": "FORBIDDEN", "adminB": "NOT_FOUND"} {
		if res := f.Do(f.token(who), qCreateEvent, map[string]any{"in": map[string]any{"schoolId": f.students["s1"].SchoolID, "title": "x",
			"topic": "OTHER", "startsAt": start, "endsAt": start.Add(time.Hour), "location": "Gym", "capacity": 5}}); res.Code() != code {
			t.Errorf("%s creating: %s", who, res.Body)
		}
	}
}
