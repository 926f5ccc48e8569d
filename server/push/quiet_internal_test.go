package push

import (
	"testing"
	"time"

	"github.com/sameside/sameside/models"
)

func userWithQuiet(tz string, start, end int16) *models.User {
	return &models.User{TimeZone: tz, QuietHoursStart: &start, QuietHoursEnd: &end}
}

func TestQuietUntil(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name    string
		user    *models.User
		now     string
		quiet   bool
		endsUTC string
	}{
		{"LA evening, window wraps midnight", userWithQuiet("America/Los_Angeles", 21*60, 7*60), "2026-11-24T06:00:00Z", true, "2026-11-24T15:00:00Z"},
		{"LA after midnight", userWithQuiet("America/Los_Angeles", 21*60, 7*60), "2026-11-24T12:00:00Z", true, "2026-11-24T15:00:00Z"},
		{"LA daytime", userWithQuiet("America/Los_Angeles", 21*60, 7*60), "2026-11-24T20:00:00Z", false, ""},
		{"LA at the end minute is awake", userWithQuiet("America/Los_Angeles", 21*60, 7*60), "2026-11-24T15:00:00Z", false, ""},
		// DST ends in LA at 02:00 on 1 Nov 2026: 23:00 PDT → 07:00 PST is nine hours.
		{"across the end of DST", userWithQuiet("America/Los_Angeles", 21*60, 7*60), "2026-11-01T06:00:00Z", true, "2026-11-01T15:00:00Z"},
		// DST starts at 02:00 on 14 Mar 2027: 22:00 PST → 07:00 PDT is eight hours.
		{"across the start of DST", userWithQuiet("America/Los_Angeles", 21*60, 7*60), "2027-03-14T06:00:00Z", true, "2027-03-14T14:00:00Z"},
		{"Tokyo afternoon window", userWithQuiet("Asia/Tokyo", 14*60, 16*60), "2026-11-24T06:00:00Z", true, "2026-11-24T07:00:00Z"},
		{"Tokyo outside a night window", userWithQuiet("Asia/Tokyo", 22*60, 6*60+30), "2026-11-24T06:00:00Z", false, ""},
		{"no quiet hours", &models.User{TimeZone: "UTC"}, "2026-11-24T06:00:00Z", false, ""},
		{"start equals end is no window", userWithQuiet("UTC", 60, 60), "2026-11-24T01:00:00Z", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			end, quiet := QuietUntil(c.user, utc(c.now))
			if quiet != c.quiet {
				t.Fatalf("quiet = %v, want %v", quiet, c.quiet)
			}
			if quiet && !end.Equal(utc(c.endsUTC)) {
				t.Fatalf("ends %s, want %s", end.Format(time.RFC3339), c.endsUTC)
			}
		})
	}
}

// TestQuietUntilAllocatesNothing: a school-wide push plans every family,
// most with quiet hours: their time zone is not read from disk (8.7 KB,
// 15 allocations) per family.
func TestQuietUntilAllocatesNothing(t *testing.T) {
	u := userWithQuiet("America/Chicago", 21*60, 7*60)
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC) // 22:00 in Chicago
	if _, quiet := QuietUntil(u, now); !quiet {
		t.Fatal("22:00 in Chicago is inside 21:00–07:00")
	}
	if n := testing.AllocsPerRun(50, func() { QuietUntil(u, now) }); n > 0 {
		t.Errorf("QuietUntil: %.0f allocations, want 0", n)
	}
}
