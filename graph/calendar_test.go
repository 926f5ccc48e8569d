package graph_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// The private calendar feed parses with the iCalendar library and holds
// the viewer's live conferences; a new URL replaces the old; a revoked or
// unknown one is 404; a cancelled conference leaves the feed.
func TestCalendarFeed(t *testing.T) {
	f := newFixture(t)
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(ny).AddDate(0, 0, 5)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, ny)
	start := day.Add(16 * time.Hour)
	_, slots := f.round(t, day, 20, [2]time.Time{start, start.Add(40 * time.Minute)})
	var booked struct {
		BookConferenceSlot struct{ Booking struct{ ID string } }
	}
	f.Do(f.token("parentA"), qBook, map[string]any{"in": map[string]any{"clientMutationId": "cal", "slotId": slots[1].ID, "studentId": f.students["s1"].ID}}).Decode(t, &booked)
	booking := booked.BookConferenceSlot.Booking.ID

	feed := func(who string) string {
		var out struct{ ResetCalendarFeed struct{ Path string } }
		f.Do(f.token(who), `mutation { resetCalendarFeed { path } }`, nil).Decode(t, &out)
		return out.ResetCalendarFeed.Path
	}
	get := func(path string) (int, *ics.Calendar) {
		res, err := http.Get(f.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			return res.StatusCode, nil
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Fatalf("content type %q", ct)
		}
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		// RFC 5545 §3.1: every content line ends in CRLF, and is folded at
		// 75 octets.
		if lf, crlf := bytes.Count(raw, []byte("\n")), bytes.Count(raw, []byte("\r\n")); lf == 0 || lf != crlf {
			t.Fatalf("%d line ends, %d of them CRLF", lf, crlf)
		}
		for _, line := range bytes.Split(raw, []byte("\r\n")) {
			if len(line) > 75 {
				t.Fatalf("a line of %d octets: %q", len(line), line)
			}
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("the feed does not parse: %v", err)
		}
		return 200, cal
	}
	for _, who := range []string{"parentA", "teacherA"} {
		code, cal := get(feed(who))
		if code != 200 || len(cal.Events()) != 1 {
			t.Fatalf("%s: %d, %d events", who, code, len(cal.Events()))
		}
		ev := cal.Events()[0]
		at, err := ev.GetStartAt()
		if err != nil || !at.Equal(slots[1].StartsAt) {
			t.Fatalf("%s: event starts %v (%v), want %v", who, at, err, slots[1].StartsAt)
		}
		end, _ := ev.GetEndAt()
		if end.Sub(at) != 20*time.Minute || !strings.Contains(ev.GetProperty(ics.ComponentPropertySummary).Value, "s1 with teacherA") ||
			ev.GetProperty(ics.ComponentPropertyLocation).Value != "Room 12" || ev.Id() != "conference-"+booking+"@sameside" {
			t.Fatalf("%s: event %s", who, ev.Serialize(nil))
		}
	}
	// Someone else's feed does not show it.
	if _, cal := get(feed("parentA2")); len(cal.Events()) != 0 {
		t.Fatal("another parent's feed shows the conference")
	}
	// A new URL replaces the old; revoking ends it; junk is 404.
	old := feed("parentA")
	fresh := feed("parentA")
	if code, _ := get(old); code != 404 {
		t.Fatalf("replaced feed: %d", code)
	}
	if code, _ := get(fresh); code != 200 {
		t.Fatalf("new feed: %d", code)
	}
	f.Do(f.token("parentA"), qCancelBook, map[string]any{"b": booking})
	if _, cal := get(fresh); len(cal.Events()) != 0 {
		t.Fatal("a cancelled conference stays in the feed")
	}
	var revoked struct{ RevokeCalendarFeed bool }
	f.Do(f.token("parentA"), `mutation { revokeCalendarFeed }`, nil).Decode(t, &revoked)
	for _, p := range []string{fresh, "/calendar/nope.ics", "/calendar/" + strings.Repeat("a", 43) + ".ics", "/calendar/x"} {
		if code, _ := get(p); code != 404 {
			t.Fatalf("%s: %d", p, code)
		}
	}
	if !revoked.RevokeCalendarFeed {
		t.Fatal("revoke said there was no feed")
	}
}
