package models

import (
	"testing"
	"time"
)

func TestNextOfficeHours(t *testing.T) {
	// Monday to Friday 08:00–16:00, and Wednesday evenings 18:00–19:30.
	var in []*OfficeHoursInput
	for _, d := range []Weekday{Monday, Tuesday, Wednesday, Thursday, Friday} {
		in = append(in, &OfficeHoursInput{Weekday: d, Start: "08:00", End: "16:00"})
	}
	in = append(in, &OfficeHoursInput{Weekday: Wednesday, Start: "18:00", End: "19:30"})
	hours, err := ParseOfficeHours(in)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		now, next string // next "" means open now
	}{
		{"2026-11-23 09:00", ""},                 // Monday morning
		{"2026-11-23 16:00", "2026-11-24 08:00"}, // Monday, the minute it ends
		{"2026-11-23 07:59", "2026-11-23 08:00"},
		{"2026-11-25 17:00", "2026-11-25 18:00"}, // Wednesday, between windows
		{"2026-11-25 19:29", ""},
		{"2026-11-27 20:00", "2026-11-30 08:00"}, // Friday night: Monday
		{"2026-11-28 12:00", "2026-11-30 08:00"}, // Saturday
		// Spring forward (Sunday 2026-03-08): Monday 08:00 is EDT, UTC-4.
		{"2026-03-07 12:00", "2026-03-09 08:00"},
	} {
		open, next := NextOfficeHours(hours, "America/New_York", at(tc.now))
		if tc.next == "" {
			if !open {
				t.Errorf("%s: closed, next %s; want open", tc.now, next.In(ny))
			}
			continue
		}
		if open || !next.Equal(at(tc.next)) {
			t.Errorf("%s: open=%v next=%s, want %s", tc.now, open, next.In(ny), tc.next)
		}
	}
	if _, off := at("2026-03-09 08:00").Zone(); off != -4*3600 {
		t.Fatalf("the DST case does not cross a change (offset %d)", off)
	}
	if open, _ := NextOfficeHours(nil, "America/New_York", time.Now()); !open {
		t.Error("no office hours must mean always reachable")
	}
}

func TestParseOfficeHoursRefuses(t *testing.T) {
	for name, in := range map[string][]*OfficeHoursInput{
		"unknown day":   {{Weekday: "FUNDAY", Start: "08:00", End: "09:00"}},
		"end first":     {{Weekday: Monday, Start: "09:00", End: "08:00"}},
		"empty window":  {{Weekday: Monday, Start: "09:00", End: "09:00"}},
		"bad clock":     {{Weekday: Monday, Start: "9am", End: "10:00"}},
		"overlap":       {{Weekday: Monday, Start: "08:00", End: "12:00"}, {Weekday: Monday, Start: "11:00", End: "13:00"}},
		"four in a day": {{Weekday: Monday, Start: "08:00", End: "09:00"}, {Weekday: Monday, Start: "10:00", End: "11:00"}, {Weekday: Monday, Start: "12:00", End: "13:00"}, {Weekday: Monday, Start: "14:00", End: "15:00"}},
	} {
		if _, err := ParseOfficeHours(in); ErrorCode(err) != CodeBadUserInput {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Touching windows are fine.
	if _, err := ParseOfficeHours([]*OfficeHoursInput{{Weekday: Monday, Start: "08:00", End: "12:00"}, {Weekday: Monday, Start: "12:00", End: "13:00"}}); err != nil {
		t.Error(err)
	}
}
