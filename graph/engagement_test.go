package graph_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

// Engagement on a fixed data set in October (New York), against figures
// computed by hand:
//
//	a1 / teacherA: notes shared in range: POSITIVE (acked after 1 h),
//	  POSITIVE (acked after 3 h), CONCERN (not acked); outside the range or
//	  draft: left out. → 2 positive, 1 concern, 2/3 acknowledged, median
//	  7,200 s. Guardians: parentA with a device (restrictedA does not
//	  count) → 1 of 1. Parent runs answered after 3,600, 1,800 and 21,600
//	  s (a two-message run counts once, from its first) → median 3,600;
//	  one run unanswered. s1 booked with teacherA in range → 1 of 1.
//	a2 / teacherA2: 1 concern, not acknowledged → rate 0, no median;
//	  parentA2 has no device → 0 of 1; no messages; no booking → 0 of 1.
func TestEngagementFigures(t *testing.T) {
	f := newFixture(t)
	ny, _ := time.LoadLocation("America/New_York")
	at := func(day, h, m int) time.Time { return time.Date(2026, 10, day, h, m, 0, 0, ny) }
	exec := func(q string, args ...any) {
		t.Helper()
		if err := f.DB.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	school := f.students["s1"].SchoolID
	s1, s2 := f.students["s1"].ID, f.students["s2"].ID
	tA, tA2, pA := f.users["teacherA"].ID, f.users["teacherA2"].ID, f.users["parentA"].ID
	obs := func(author, student, kind, state string, shared time.Time, ackAfter time.Duration) {
		var id string
		f.DB.Raw(`INSERT INTO observations (school_id, student_id, author_id, group_id, kind, body, state, shared_at, feed_at, created_at, updated_at)
			VALUES (?, ?, ?, gen_random_uuid(), ?, 'A note.', ?, ?, ?, ?, ?) RETURNING id`, school, student, author, kind, state, shared, shared, shared, shared).Scan(&id)
		if ackAfter > 0 {
			exec(`INSERT INTO acknowledgements (observation_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)`, id, pA, shared.Add(ackAfter), shared.Add(ackAfter))
		}
	}
	obs(tA, s1, "POSITIVE", "SHARED", at(5, 10, 0), time.Hour)
	obs(tA, s1, "POSITIVE", "SHARED", at(10, 10, 0), 3*time.Hour)
	obs(tA, s1, "CONCERN", "SHARED", at(12, 10, 0), 0)
	obs(tA, s1, "POSITIVE", "SHARED", time.Date(2026, 9, 20, 10, 0, 0, 0, ny), time.Hour) // before the range
	obs(tA, s1, "CONCERN", "DRAFT", at(14, 10, 0), 0)                                     // a draft
	obs(tA2, s2, "CONCERN", "SHARED", at(8, 9, 0), 0)
	exec(`INSERT INTO devices (user_id, token, platform) VALUES (?, 'parentA-phone', 'IOS')`, pA)

	var conv string
	f.DB.Raw(`INSERT INTO conversations (school_id, student_id, subject, created_by_id, last_seq) VALUES (?, ?, 'Mornings', ?, 8) RETURNING id`, school, s1, pA).Scan(&conv)
	exec(`INSERT INTO conversation_participants (conversation_id, user_id) VALUES (?, ?), (?, ?)`, conv, pA, conv, tA)
	for i, m := range []struct {
		from string
		at   time.Time
	}{
		{pA, at(6, 9, 0)}, {pA, at(6, 9, 10)}, {tA, at(6, 10, 0)}, // 3,600 s from the run's first
		{pA, at(7, 12, 0)}, {tA, at(7, 12, 30)}, // 1,800 s
		{pA, at(20, 8, 0)}, {tA, at(20, 14, 0)}, // 21,600 s
		{pA, at(30, 9, 0)}, // unanswered
	} {
		exec(`INSERT INTO messages (conversation_id, seq, sender_id, body, created_at) VALUES (?, ?, ?, 'Hi', ?)`, conv, i+1, m.from, m.at)
	}
	var round, slot string
	f.DB.Raw(`INSERT INTO conference_rounds (school_id, name, starts_on, ends_on, slot_minutes, mode, location, created_by_id)
		VALUES (?, 'Fall', '2026-10-14', '2026-10-16', 15, 'IN_PERSON', 'Room 1', ?) RETURNING id`, school, f.users["adminA"].ID).Scan(&round)
	f.DB.Raw(`INSERT INTO conference_slots (round_id, school_id, teacher_id, starts_at, ends_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		round, school, tA, at(15, 15, 0), at(15, 15, 15)).Scan(&slot)
	exec(`INSERT INTO conference_bookings (slot_id, round_id, school_id, student_id, booked_by_id) VALUES (?, ?, ?, ?, ?)`, slot, round, school, s1, pA)

	type row struct {
		Classroom                                                   struct{ Name string }
		Teacher                                                     struct{ DisplayName string }
		PositiveNotes, ConcernNotes, SharedNotes, AcknowledgedNotes int
		AcknowledgementRate, MedianSecondsToAcknowledge             *float64
		Guardians, GuardiansWithDevice                              int
		GuardiansReached, MedianSecondsToFirstResponse              *float64
		UnansweredParentMessages, Students, StudentsWithConference  int
		ConferenceBookingRate                                       *float64
	}
	var out struct{ Engagement struct{ Rows []row } }
	q := `query($s: ID!) { engagement(schoolId: $s, from: "2026-10-01", to: "2026-10-31") { rows {
		classroom { name } teacher { displayName } positiveNotes concernNotes sharedNotes acknowledgedNotes acknowledgementRate
		medianSecondsToAcknowledge guardians guardiansWithDevice guardiansReached medianSecondsToFirstResponse unansweredParentMessages
		students studentsWithConference conferenceBookingRate } } }`
	f.Do(f.token("adminA"), q, map[string]any{"s": school}).Decode(t, &out)
	rows := out.Engagement.Rows
	if len(rows) != 2 || rows[0].Classroom.Name != "a1" || rows[1].Teacher.DisplayName != "teacherA2" {
		t.Fatalf("rows: %+v", rows)
	}
	eq := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got < want-1e-9 || *got > want+1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	a1, a2 := rows[0], rows[1]
	if a1.PositiveNotes != 2 || a1.ConcernNotes != 1 || a1.SharedNotes != 3 || a1.AcknowledgedNotes != 2 || a1.Guardians != 1 ||
		a1.GuardiansWithDevice != 1 || a1.UnansweredParentMessages != 1 || a1.Students != 1 || a1.StudentsWithConference != 1 {
		t.Errorf("a1 counts: %+v", a1)
	}
	eq("a1 acknowledgement rate", a1.AcknowledgementRate, 2.0/3)
	eq("a1 median to acknowledge", a1.MedianSecondsToAcknowledge, 7200)
	eq("a1 guardians reached", a1.GuardiansReached, 1)
	eq("a1 median first response", a1.MedianSecondsToFirstResponse, 3600)
	eq("a1 booking rate", a1.ConferenceBookingRate, 1)
	if a2.ConcernNotes != 1 || a2.PositiveNotes != 0 || a2.MedianSecondsToAcknowledge != nil || a2.MedianSecondsToFirstResponse != nil || a2.UnansweredParentMessages != 0 {
		t.Errorf("a2: %+v", a2)
	}
	eq("a2 acknowledgement rate", a2.AcknowledgementRate, 0)
	eq("a2 guardians reached", a2.GuardiansReached, 0)
	eq("a2 booking rate", a2.ConferenceBookingRate, 0)

	// The CSV carries the same figures; only admins get it.
	get := func(token string) (int, [][]string) {
		status, body := f.Get("/engagement.csv?schoolId="+school+"&from=2026-10-01&to=2026-10-31", token)
		if status != 200 {
			return status, nil
		}
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return status, records
	}
	status, records := get(f.token("adminA"))
	if len(records) != 3 || records[1][0] != "a1" || records[1][6] != "0.6666666666666666" || records[1][7] != "7200" || records[1][11] != "3600" || records[2][7] != "" {
		t.Fatalf("csv (%d): %v", status, records)
	}
	if status, own := get(f.token("teacherA")); status != 200 || len(own) != 2 || own[1][0] != "a1" {
		t.Fatalf("a teacher's own figures as CSV (%d): %v", status, own)
	}
	for who, status := range map[string]int{"parentA": 403, "adminB": 404, "": 401} {
		token := ""
		if who != "" {
			token = f.token(who)
		}
		if got, _ := get(token); got != status {
			t.Errorf("csv as %q: %d, want %d", who, got, status)
		}
	}
	// A teacher sees their own figures and no one else's.
	var own struct {
		Engagement struct {
			Rows []struct{ Teacher struct{ ID string } }
		}
	}
	f.Do(f.token("teacherA"), `query($s: ID!) { engagement(schoolId: $s, from: "2026-10-01", to: "2026-10-31") { rows { teacher { id } } } }`,
		map[string]any{"s": school}).Decode(t, &own)
	if len(own.Engagement.Rows) != 1 || own.Engagement.Rows[0].Teacher.ID != f.users["teacherA"].ID {
		t.Fatalf("teacherA's engagement: %+v", own.Engagement.Rows)
	}
	for who, code := range map[string]string{"parentA": "FORBIDDEN", "adminB": "NOT_FOUND"} {
		if res := f.Do(f.token(who), q, map[string]any{"s": school}); res.Code() != code {
			t.Errorf("%s: %s", who, res.Body)
		}
	}
	if res := f.Do(f.token("adminA"), `query($s: ID!) { engagement(schoolId: $s, from: "2026-10-31", to: "2026-10-01") { from } }`, map[string]any{"s": school}); res.Code() != "BAD_USER_INPUT" {
		t.Errorf("reversed range: %s", res.Body)
	}
}
