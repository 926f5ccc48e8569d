package push

import (
	"time"

	"github.com/sameside/sameside/models"
)

// QuietUntil reports whether now falls in the user's quiet hours and, if so,
// when they end, in the user's time zone (DST-aware: the end is a wall-clock
// time on the right day). A window whose start equals its end is no window.
func QuietUntil(u *models.User, now time.Time) (time.Time, bool) {
	q, ok := u.QuietHours()
	if !ok || q.StartMinute == q.EndMinute {
		return time.Time{}, false
	}
	loc, err := models.LoadZone(u.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	in := false
	if q.StartMinute < q.EndMinute {
		in = m >= q.StartMinute && m < q.EndMinute
	} else { // wraps midnight, e.g. 21:00–07:00
		in = m >= q.StartMinute || m < q.EndMinute
	}
	if !in {
		return time.Time{}, false
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), q.EndMinute/60, q.EndMinute%60, 0, 0, loc)
	if !end.After(local) {
		end = time.Date(local.Year(), local.Month(), local.Day()+1, q.EndMinute/60, q.EndMinute%60, 0, 0, loc)
	}
	return end.UTC(), true
}
