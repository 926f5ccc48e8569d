package apptest

import (
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// Count returns the number of rows in table, for "nothing was written" checks.
func (e *Env) Count(table string) int64 {
	e.t.Helper()
	var n int64
	if err := e.DB.Table(table).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// Snapshot counts the rows of every table that a write could touch.
func (e *Env) Snapshot() map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	for _, tbl := range []string{"schools", "users", "memberships", "classrooms", "students", "enrollments", "classroom_staff", "guardianships", "invitations",
		"observations", "acknowledgements", "observation_responses", "home_insights", "observation_reviews", "client_mutations", "notifications",
		"conversations", "conversation_participants", "messages", "office_hours",
		"conference_rounds", "conference_slots", "conference_bookings", "calendar_feeds", "conference_requests", "conference_request_options",
		"announcements", "announcement_reads", "school_events", "event_rsvps", "resources",
		"conference_summaries", "conference_next_steps", "conference_follow_ups"} {
		out[tbl] = e.Count(tbl)
	}
	// Read positions and mutes change rows without adding any.
	var state struct{ Read, Muted int64 }
	if err := e.DB.Raw(`SELECT coalesce(sum(last_read_seq), 0) AS read, count(*) FILTER (WHERE muted) AS muted FROM conversation_participants`).Scan(&state).Error; err != nil {
		e.t.Fatalf("apptest: snapshot: %v", err)
	}
	out["read positions"], out["mutes"] = state.Read, state.Muted
	var conf struct{ CancelledSlots, CancelledBookings, Notes, Acknowledged, Done int64 }
	if err := e.DB.Raw(`SELECT (SELECT count(*) FROM conference_slots WHERE cancelled_at IS NOT NULL) AS cancelled_slots,
		(SELECT count(*) FROM conference_bookings WHERE cancelled_at IS NOT NULL) AS cancelled_bookings,
		(SELECT coalesce(sum(length(notes)), 0) FROM conference_bookings) AS notes,
		(SELECT count(*) FROM conference_summaries WHERE acknowledged_at IS NOT NULL) AS acknowledged,
		(SELECT count(*) FROM conference_next_steps WHERE done_at IS NOT NULL) AS done`).Scan(&conf).Error; err != nil {
		e.t.Fatalf("apptest: snapshot: %v", err)
	}
	out["cancelled slots"], out["cancelled bookings"], out["conference notes"] = conf.CancelledSlots, conf.CancelledBookings, conf.Notes
	out["acknowledged summaries"], out["steps done"] = conf.Acknowledged, conf.Done
	return out
}

// SameCounts fails unless two snapshots match.
func SameCounts(t testing.TB, before, after map[string]int64) {
	t.Helper()
	var diff []string
	for k, v := range before {
		if after[k] != v {
			diff = append(diff, fmt.Sprintf("%s %d→%d", k, v, after[k]))
		}
	}
	if len(diff) > 0 {
		t.Fatalf("rows were written: %s", strings.Join(diff, ", "))
	}
}

// AddFamilies adds n families to the (one) school in db, for scale: a
// parent account (firebase uid prefix-family-i) guarding one child
// (first name prefix i), with devices phones each; then ANALYZE.
func AddFamilies(db *gorm.DB, prefix string, n, devices int) error {
	p := prefix + "-family-"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (firebase_uid, display_name, locale, time_zone)
		 SELECT ? || g, 'Family ' || g, 'en-US', 'America/New_York' FROM generate_series(1, ?) g`, []any{p, n}},
		{`INSERT INTO memberships (user_id, school_id, role) SELECT u.id, (SELECT id FROM schools), 'PARENT' FROM users u WHERE u.firebase_uid LIKE ? || '%'`, []any{p}},
		{`INSERT INTO students (school_id, first_name, last_name, grade)
		 SELECT (SELECT id FROM schools), ? || g, 'Child', '3' FROM generate_series(1, ?) g`, []any{prefix, n}},
		{`INSERT INTO guardianships (school_id, student_id, user_id, relationship, is_primary)
		 SELECT s.school_id, s.id, u.id, 'PARENT', true
		 FROM (SELECT id, school_id, row_number() OVER (ORDER BY id) rn FROM students WHERE first_name ~ ('^' || ? || '[0-9]+$')) s
		 JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM users WHERE firebase_uid LIKE ? || '%') u ON u.rn = s.rn`, []any{prefix, p}},
		{`INSERT INTO devices (user_id, token, platform, locale)
		 SELECT u.id, ? || u.id || '-' || d, 'ANDROID', 'en-US' FROM users u, generate_series(1, ?) d WHERE u.firebase_uid LIKE ? || '%'`, []any{prefix + "-device-", devices, p}},
		{`ANALYZE`, nil},
	} {
		if err := db.Exec(q.sql, q.args...).Error; err != nil {
			return err
		}
	}
	return nil
}
