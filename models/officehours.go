package models

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"
)

// Weekday is a day of the week, as the API names it.
type Weekday string

// Weekdays, Monday first as schools plan their week.
const (
	Monday    Weekday = "MONDAY"
	Tuesday   Weekday = "TUESDAY"
	Wednesday Weekday = "WEDNESDAY"
	Thursday  Weekday = "THURSDAY"
	Friday    Weekday = "FRIDAY"
	Saturday  Weekday = "SATURDAY"
	Sunday    Weekday = "SUNDAY"
)

var weekdays = map[Weekday]time.Weekday{Sunday: time.Sunday, Monday: time.Monday, Tuesday: time.Tuesday,
	Wednesday: time.Wednesday, Thursday: time.Thursday, Friday: time.Friday, Saturday: time.Saturday}

// Valid reports whether d is a known day.
func (d Weekday) Valid() bool { _, ok := weekdays[d]; return ok }

// Time returns the day as a time.Weekday.
func (d Weekday) Time() time.Weekday { return weekdays[d] }

// WeekdayOf names a time.Weekday.
func WeekdayOf(t time.Weekday) Weekday {
	for k, v := range weekdays {
		if v == t {
			return k
		}
	}
	return ""
}

// MarshalGQL implements graphql.Marshaler.
func (d Weekday) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (d *Weekday) UnmarshalGQL(v any) error { return unmarshalEnum(v, d, Weekday.Valid, "Weekday") }

// OfficeHours is one weekly window in which a staff member answers
// messages, as wall-clock times in their time zone. Windows do not cross
// midnight.
type OfficeHours struct {
	UserID      string `gorm:"type:uuid;primaryKey"`
	Day         int16  `gorm:"column:weekday;primaryKey"` // time.Weekday: 0 is Sunday
	StartMinute int16  `gorm:"primaryKey"`                // minutes after midnight
	EndMinute   int16
}

// TableName is the GORM table.
func (OfficeHours) TableName() string { return "office_hours" }

// OfficeHoursJSONSQL is a subquery giving the office hours of the user
// whose id the SQL expression user names, as JSON for ParseOfficeHoursJSON
// (NULL when they have none), for a statement that reads them beside
// other things.
func OfficeHoursJSONSQL(user string) string {
	return `(SELECT json_agg(json_build_array(oh.weekday, oh.start_minute, oh.end_minute)) FROM office_hours oh WHERE oh.user_id = ` + user + `)`
}

// ParseOfficeHoursJSON reads OfficeHoursJSONSQL's answer for user (nil or
// empty: none).
func ParseOfficeHoursJSON(user string, js *string) ([]OfficeHours, error) {
	if js == nil || *js == "" {
		return nil, nil
	}
	var windows [][3]int16
	if err := json.Unmarshal([]byte(*js), &windows); err != nil {
		return nil, err
	}
	hours := make([]OfficeHours, len(windows))
	for i, w := range windows {
		hours[i] = OfficeHours{UserID: user, Day: w[0], StartMinute: w[1], EndMinute: w[2]}
	}
	return hours, nil
}

// Weekday is the window's day.
func (h *OfficeHours) Weekday() Weekday { return WeekdayOf(time.Weekday(h.Day)) }

// Start formats the start as HH:MM.
func (h *OfficeHours) Start() string { return FormatClock(int(h.StartMinute)) }

// End formats the end as HH:MM.
func (h *OfficeHours) End() string { return FormatClock(int(h.EndMinute)) }

// Limits on office hours.
const MaxOfficeHoursPerDay = 3

// OfficeHoursInput is one window, HH:MM to HH:MM.
type OfficeHoursInput struct {
	Weekday Weekday
	Start   string
	End     string
}

// SetOfficeHoursInput replaces the viewer's office hours; an empty list
// clears them (messages reach them at any time).
type SetOfficeHoursInput struct {
	Hours []*OfficeHoursInput
}

// ParseOfficeHours validates windows: known days, start before end, at most
// MaxOfficeHoursPerDay a day, no overlaps. Errors name the input's index.
func ParseOfficeHours(in []*OfficeHoursInput) ([]OfficeHours, error) {
	out := make([]OfficeHours, 0, len(in))
	perDay := map[Weekday]int{}
	for i, h := range in {
		field := "hours." + strconv.Itoa(i)
		if h == nil || !h.Weekday.Valid() {
			return nil, InvalidField(field+".weekday", "unknown weekday")
		}
		start, err := ParseClock(field+".start", h.Start)
		if err != nil {
			return nil, err
		}
		end, err := ParseClock(field+".end", h.End)
		if err != nil {
			return nil, err
		}
		if end <= start {
			return nil, InvalidField(field+".end", "office hours must end after they start, on the same day")
		}
		if perDay[h.Weekday]++; perDay[h.Weekday] > MaxOfficeHoursPerDay {
			return nil, InvalidField(field, "at most %d windows a day", MaxOfficeHoursPerDay)
		}
		out = append(out, OfficeHours{Day: int16(h.Weekday.Time()), StartMinute: int16(start), EndMinute: int16(end)})
	}
	slices.SortFunc(out, func(a, b OfficeHours) int {
		if a.Day != b.Day {
			return int(a.Day - b.Day)
		}
		return int(a.StartMinute - b.StartMinute)
	})
	for i := 1; i < len(out); i++ {
		if out[i].Day == out[i-1].Day && out[i].StartMinute < out[i-1].EndMinute {
			return nil, InvalidField("hours", "office hours on %s overlap", out[i].Weekday())
		}
	}
	return out, nil
}

// NextOfficeHours says whether now falls in one of the windows of hours
// (wall-clock times in zone tz) and, if not, when the next one starts. With
// no hours at all the person is always reachable: open is true. An unknown
// zone counts as UTC.
func NextOfficeHours(hours []OfficeHours, tz string, now time.Time) (open bool, next time.Time) {
	if len(hours) == 0 {
		return true, time.Time{}
	}
	loc, err := LoadZone(tz)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	for d := 0; d <= 7; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, loc)
		for _, h := range hours {
			if time.Weekday(h.Day) != day.Weekday() {
				continue
			}
			// Wall-clock times on that date, so a DST change moves them
			// with the clock.
			start := time.Date(day.Year(), day.Month(), day.Day(), int(h.StartMinute)/60, int(h.StartMinute)%60, 0, 0, loc)
			end := time.Date(day.Year(), day.Month(), day.Day(), int(h.EndMinute)/60, int(h.EndMinute)%60, 0, 0, loc)
			if !now.Before(start) && now.Before(end) {
				return true, time.Time{}
			}
			if start.After(now) && (next.IsZero() || start.Before(next)) {
				next = start
			}
		}
		if !next.IsZero() {
			return false, next.UTC()
		}
	}
	return false, next
}
