package graph_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qCreateRound = `mutation($in: CreateConferenceRoundInput!) { createConferenceRound(input: $in) { id name startsOn endsOn slotMinutes } }`
	qPublish     = `mutation($in: PublishConferenceAvailabilityInput!) { publishConferenceAvailability(input: $in) { id startsAt endsAt available } }`
	qBook        = `mutation($in: BookConferenceSlotInput!) { bookConferenceSlot(input: $in) { booking { id slot { id startsAt } student { id } } } }`
	qReschedule  = `mutation($in: RescheduleConferenceBookingInput!) { rescheduleConferenceBooking(input: $in) { booking { id slot { id } } } }`
	qCancelBook  = `mutation($b: ID!) { cancelConferenceBooking(input: {bookingId: $b}) { id cancelled } }`
)

type slotRef struct {
	ID       string
	StartsAt time.Time
}

// round opens a round at school A (as adminA) from day to day+2 and has
// teacherA publish windows; it returns the round and the slots.
func (f *fixture) round(t *testing.T, day time.Time, minutes int, windows ...[2]time.Time) (string, []slotRef) {
	t.Helper()
	var r struct {
		CreateConferenceRound struct{ ID string }
	}
	f.Do(f.token("adminA"), qCreateRound, map[string]any{"in": map[string]any{"schoolId": f.students["s1"].SchoolID, "name": "Spring conferences",
		"startsOn": day.Format(time.DateOnly), "endsOn": day.AddDate(0, 0, 2).Format(time.DateOnly), "slotMinutes": minutes,
		"mode": "IN_PERSON", "location": "Room 12"}}).Decode(t, &r)
	return r.CreateConferenceRound.ID, f.publish(t, "teacherA", r.CreateConferenceRound.ID, windows...)
}

func (f *fixture) publish(t *testing.T, who, round string, windows ...[2]time.Time) []slotRef {
	t.Helper()
	ws := []map[string]any{}
	for _, w := range windows {
		ws = append(ws, map[string]any{"startsAt": w[0], "endsAt": w[1]})
	}
	var p struct{ PublishConferenceAvailability []slotRef }
	f.Do(f.token(who), qPublish, map[string]any{"in": map[string]any{"roundId": round, "windows": ws}}).Decode(t, &p)
	return p.PublishConferenceAvailability
}

// parents adds n parents, each the guardian of a new child in teacherA's
// class a1, and returns their tokens and children.
func (f *fixture) parents(t *testing.T, n int) (tokens, kids []string) {
	t.Helper()
	room := f.classrooms["a1"]
	for i := range n {
		email := fmt.Sprintf("racer%d@fixture.example", i)
		u := &models.User{FirebaseUID: fmt.Sprintf("fx-racer-%d", i), Email: &email, DisplayName: fmt.Sprintf("Racer %d", i), Locale: "en-US", TimeZone: "UTC"}
		st := &models.Student{SchoolID: room.SchoolID, FirstName: fmt.Sprintf("Kid%d", i), LastName: "Racer", Grade: "2"}
		for _, row := range []any{u, st} {
			if err := f.DB.Create(row).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, row := range []any{
			&models.Membership{UserID: u.ID, SchoolID: room.SchoolID, Role: models.RoleParent},
			&models.Enrollment{ClassroomID: room.ID, StudentID: st.ID, SchoolID: room.SchoolID},
			&models.Guardianship{SchoolID: room.SchoolID, StudentID: st.ID, UserID: u.ID, Relationship: models.RelationshipMother, IsPrimary: true},
		} {
			if err := f.DB.Create(row).Error; err != nil {
				t.Fatal(err)
			}
		}
		tokens, kids = append(tokens, f.TokenFor(u)), append(kids, st.ID)
	}
	return tokens, kids
}

// 100 parents race for 10 slots through the API: exactly 10 bookings, one
// per slot, and 90 CONFLICTs. Then reschedules race bookings of the same
// free slot: never two bookings on it, never a parent with none or two.
func TestConferenceBookingRace(t *testing.T) {
	// 100 requests at once may wait for a place longer than the default
	// 2 s on a loaded machine and be shed (UNAVAILABLE, which the app
	// retries); this test is about the bookings, so they wait.
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"SAMESIDE_QUEUE_WAIT": "1m"}})
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(ny).AddDate(0, 0, 7)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, ny)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	round, slots := f.round(t, day, 15, [2]time.Time{at(15, 0), at(17, 30)})
	if len(slots) != 10 {
		t.Fatalf("a 2½-hour window of 15-minute slots gave %d slots", len(slots))
	}
	tokens, kids := f.parents(t, 100)
	var wg sync.WaitGroup
	codes := make([]string, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := f.Do(tokens[i], qBook, map[string]any{"in": map[string]any{"clientMutationId": "race", "slotId": slots[i%10].ID, "studentId": kids[i]}})
			codes[i] = res.Code()
		}()
	}
	wg.Wait()
	tally := map[string]int{}
	for _, c := range codes {
		tally[c]++
	}
	if tally[""] != 10 || tally["CONFLICT"] != 90 || len(tally) != 2 {
		t.Fatalf("outcomes %v, want 10 booked and 90 CONFLICT", tally)
	}
	var perSlot []int64
	f.DB.Raw(`SELECT count(*) FROM conference_bookings WHERE cancelled_at IS NULL GROUP BY slot_id`).Scan(&perSlot)
	if len(perSlot) != 10 {
		t.Fatalf("%d slots booked, want 10", len(perSlot))
	}
	for _, n := range perSlot {
		if n != 1 {
			t.Fatalf("a slot has %d bookings", n)
		}
	}

	// Rescheduling into a slot that someone else books at the same moment.
	var winners []int
	for i, c := range codes {
		if c == "" {
			winners = append(winners, i)
		}
	}
	var losers []int
	for i, c := range codes {
		if c == "CONFLICT" {
			losers = append(losers, i)
		}
	}
	for k := range 5 {
		free := f.publish(t, "teacherA", round, [2]time.Time{at(18, 15*k), at(18, 15*k+15)})[0]
		mover, booker := winners[k], losers[k]
		var mine struct {
			MyConferences []struct{ ID string }
		}
		f.Do(tokens[mover], `{ myConferences { id } }`, nil).Decode(t, &mine)
		if len(mine.MyConferences) != 1 {
			t.Fatalf("mover has %d bookings", len(mine.MyConferences))
		}
		var moved, booked string
		wg.Add(2)
		go func() {
			defer wg.Done()
			moved = f.Do(tokens[mover], qReschedule, map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("move-%d", k), "bookingId": mine.MyConferences[0].ID, "slotId": free.ID}}).Code()
		}()
		go func() {
			defer wg.Done()
			booked = f.Do(tokens[booker], qBook, map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("take-%d", k), "slotId": free.ID, "studentId": kids[booker]}}).Code()
		}()
		wg.Wait()
		if (moved == "") == (booked == "") || moved+booked != "CONFLICT" {
			t.Fatalf("round %d: reschedule %q, booking %q: want exactly one to win", k, moved, booked)
		}
		var onFree, moverLive int64
		f.DB.Raw(`SELECT count(*) FROM conference_bookings WHERE slot_id = ? AND cancelled_at IS NULL`, free.ID).Scan(&onFree)
		f.DB.Raw(`SELECT count(*) FROM conference_bookings WHERE student_id = ? AND cancelled_at IS NULL`, kids[mover]).Scan(&moverLive)
		if onFree != 1 || moverLive != 1 {
			t.Fatalf("round %d: %d bookings on the slot, the mover's child has %d", k, onFree, moverLive)
		}
	}
}

// Reminders 24 hours and 1 hour before, across the spring-forward change in
// the school's zone (New York, Sunday 14 March 2027 next year or later): a
// Sunday 10:00 EDT conference is reminded at 09:00 EST on Saturday, exactly
// 24 hours before, with the time written in the parent's own zone. A
// cancelled booking sends no reminder.
func TestConferenceRemindersAcrossDST(t *testing.T) {
	f := newFixture(t)
	ny, _ := time.LoadLocation("America/New_York")
	// The second Sunday of March, in a year ahead of the wall clock (River
	// schedules jobs in real time).
	y := time.Now().Year() + 1
	sunday := time.Date(y, 3, 8, 0, 0, 0, 0, ny)
	for sunday.Weekday() != time.Sunday {
		sunday = sunday.AddDate(0, 0, 1)
	}
	start := time.Date(y, 3, sunday.Day(), 10, 0, 0, 0, ny) // 10:00 EDT (the clocks went forward at 02:00)
	if _, off := start.Zone(); off != -4*3600 {
		t.Fatalf("%v is not EDT", start)
	}
	clock := sunday.AddDate(0, 0, -10)
	f.Clock.Set(clock)
	f.Do(f.token("parentA"), `mutation { updateProfile(input: {timeZone: "America/Chicago"}) { id } }`, nil)
	f.RegisterDevice(f.token("parentA"), "parent-phone")
	f.RegisterDevice(f.token("teacherA"), "teacher-tablet")

	_, slots := f.round(t, sunday.AddDate(0, 0, -1), 30, [2]time.Time{start, start.Add(time.Hour)})
	var booked struct {
		BookConferenceSlot struct{ Booking struct{ ID string } }
	}
	f.Do(f.token("parentA"), qBook, map[string]any{"in": map[string]any{"clientMutationId": "dst", "slotId": slots[0].ID, "studentId": f.students["s1"].ID}}).Decode(t, &booked)
	booking := booked.BookConferenceSlot.Booking.ID
	if booking == "" {
		t.Fatal("not booked")
	}
	// Teacher and parent hear of the booking now.
	f.WaitPushesIdle()
	if c := f.FCM.CountByToken(); c["teacher-tablet"] != 1 || c["parent-phone"] != 1 {
		t.Fatalf("booking pushes: %v", c)
	}
	var scheduled []time.Time
	f.DB.Raw(`SELECT scheduled_at FROM river_job WHERE kind = 'push_fan_out' AND state = 'scheduled' ORDER BY scheduled_at`).Scan(&scheduled)
	dayBefore, hourBefore := start.Add(-24*time.Hour), start.Add(-time.Hour)
	if len(scheduled) != 2 || !scheduled[0].Equal(dayBefore) || !scheduled[1].Equal(hourBefore) {
		t.Fatalf("reminders scheduled at %v, want %v and %v", scheduled, dayBefore, hourBefore)
	}
	if h, m, _ := dayBefore.In(ny).Clock(); h != 9 || m != 0 {
		t.Fatalf("24 hours before a 10:00 EDT start should read 09:00 EST, got %v", dayBefore.In(ny))
	}

	// Saturday 09:00:01 EST: the day-before reminder goes, in Chicago time.
	clock = dayBefore.Add(time.Second)
	f.Clock.Set(clock)
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled' AND scheduled_at <= ?`, clock)
	f.WaitPushesIdle()
	var reminder string
	for _, m := range f.FCM.Messages() {
		if m.Token == "parent-phone" && m.Data["kind"] == "REMINDER_DAY" {
			reminder = string(m.Raw)
		}
	}
	if !strings.Contains(reminder, "Sun, "+start.Format("Jan 2")+" at 9:00 AM CDT") {
		t.Fatalf("day-before reminder: %s", reminder)
	}
	// The parent cancels: the hour-before reminder is never sent.
	if res := f.Do(f.token("parentA"), qCancelBook, map[string]any{"b": booking}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	clock = hourBefore.Add(time.Second)
	f.Clock.Set(clock)
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled'`)
	f.WaitPushesIdle()
	for _, m := range f.FCM.Messages() {
		if m.Data["kind"] == "REMINDER_HOUR" {
			t.Fatalf("a cancelled booking was reminded: %s", m.Raw)
		}
	}
	if c := f.FCM.CountByToken(); c["teacher-tablet"] != 2 {
		t.Fatalf("the teacher should hear of the booking and the cancellation: %v", c)
	}
}

// A parent of two children in different classes books the siblings back to
// back: the other teacher's slots next to the first booking are marked.
// Moving a booking moves its reminders; a teacher withdrawing a booked slot
// cancels the booking and tells the family to choose another time.
func TestSiblingsBackToBackAndChanges(t *testing.T) {
	f := newFixture(t)
	// parentA is also s2's guardian (s2 is in teacherA2's class).
	if err := f.DB.Exec(`INSERT INTO guardianships (school_id, student_id, user_id, relationship, is_primary) VALUES (?, ?, ?, 'MOTHER', false)`,
		f.students["s2"].SchoolID, f.students["s2"].ID, f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(ny).AddDate(0, 0, 6)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, ny)
	start := day.Add(15 * time.Hour)
	round, slotsA := f.round(t, day, 15, [2]time.Time{start, start.Add(time.Hour)})
	f.publish(t, "teacherA2", round, [2]time.Time{start, start.Add(time.Hour)})
	f.RegisterDevice(f.token("parentA"), "parent-phone")

	var b struct {
		BookConferenceSlot struct{ Booking struct{ ID string } }
	}
	f.Do(f.token("parentA"), qBook, map[string]any{"in": map[string]any{"clientMutationId": "sib-1", "slotId": slotsA[1].ID, "studentId": f.students["s1"].ID}}).Decode(t, &b)
	first := b.BookConferenceSlot.Booking.ID
	var r struct {
		ConferenceRound struct {
			Slots []struct {
				StartsAt                       time.Time
				Available, AdjacentToMyBooking bool
			}
		}
	}
	f.Do(f.token("parentA"), `query($id: ID!, $t: ID) { conferenceRound(id: $id) { slots(teacherId: $t) { startsAt available adjacentToMyBooking } } }`,
		map[string]any{"id": round, "t": f.users["teacherA2"].ID}).Decode(t, &r)
	var adjacent []string
	for _, s := range r.ConferenceRound.Slots {
		if s.AdjacentToMyBooking {
			adjacent = append(adjacent, s.StartsAt.In(ny).Format("15:04"))
		}
	}
	if len(r.ConferenceRound.Slots) != 4 || strings.Join(adjacent, ",") != "15:00,15:30" {
		t.Fatalf("teacherA2's slots next to the 15:15 booking: %v of %d", adjacent, len(r.ConferenceRound.Slots))
	}
	// Another parent sees no adjacency (not their booking).
	f.Do(f.token("parentA2"), `query($id: ID!, $t: ID) { conferenceRound(id: $id) { slots(teacherId: $t) { startsAt available adjacentToMyBooking } } }`,
		map[string]any{"id": round, "t": f.users["teacherA2"].ID}).Decode(t, &r)
	for _, s := range r.ConferenceRound.Slots {
		if s.AdjacentToMyBooking {
			t.Fatal("adjacency shown for someone else's booking")
		}
	}

	// Moving the booking moves its reminders.
	var moved struct {
		RescheduleConferenceBooking struct{ Booking struct{ ID string } }
	}
	f.Do(f.token("parentA"), qReschedule, map[string]any{"in": map[string]any{"clientMutationId": "sib-2", "bookingId": first, "slotId": slotsA[2].ID}}).Decode(t, &moved)
	second := moved.RescheduleConferenceBooking.Booking.ID
	pending := func(booking string) int64 {
		var n int64
		f.DB.Raw(`SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id
			WHERE n.cancel_key = ? AND r.state = 'PENDING'`, "conference-booking:"+booking).Scan(&n)
		return n
	}
	if second == first || pending(first) != 0 || pending(second) != 2 {
		t.Fatalf("reminders: old booking %d pending, new %d (want 0 and 2)", pending(first), pending(second))
	}
	// The teacher withdraws the slot: the booking is cancelled, the parent
	// told to choose another time, and no reminder is left.
	if res := f.Do(f.token("teacherA"), `mutation($s: ID!) { cancelConferenceSlot(input: {slotId: $s}) { id } }`, map[string]any{"s": slotsA[2].ID}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	f.WaitPushesIdle()
	var told bool
	for _, m := range f.FCM.Messages() {
		if m.Token == "parent-phone" && m.Data["kind"] == "CANCELLED" && m.Data["bookingId"] == second && strings.Contains(string(m.Raw), "choose another time") {
			told = true
		}
	}
	var offered struct {
		ConferenceBooking struct {
			Cancelled    bool
			Alternatives []struct{ ID string }
		}
	}
	f.Do(f.token("parentA"), `query($id: ID!) { conferenceBooking(id: $id) { cancelled alternatives { id } } }`, map[string]any{"id": second}).Decode(t, &offered)
	// teacherA's four slots: 15:15 was freed by the move, 15:30 withdrawn.
	if got := offered.ConferenceBooking; !got.Cancelled || len(got.Alternatives) != 3 {
		t.Fatalf("after the slot was withdrawn the parent is offered %+v", got)
	}
	var mine struct{ MyConferences []struct{ ID string } }
	f.Do(f.token("parentA"), `{ myConferences { id } }`, nil).Decode(t, &mine)
	if !told || len(mine.MyConferences) != 0 || pending(second) != 0 {
		t.Fatalf("withdrawn slot: told=%v, %d bookings left, %d reminders pending", told, len(mine.MyConferences), pending(second))
	}
}
