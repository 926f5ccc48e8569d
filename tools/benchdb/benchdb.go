// Package benchdb gives the benchmark commands their own databases.
package benchdb

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Create creates a fresh database next to adminURL's (dropping a
// leftover of a killed run) and returns its URL and a function that drops it.
func Create(ctx context.Context, adminURL, name string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w", adminURL, err)
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
		conn.Close(context.Background())
	}
	return u.String(), drop, nil
}

// ScaleSchool grows the demo school (just seeded) to 1,000 students with perStudent
// observations each (a third acknowledged by the parent, a seventh
// answered), and with translations every text into Spanish.
func ScaleSchool(db *gorm.DB, perStudent int, translations bool) error {
	scale := []string{
		// 920 more students, spread over the four classrooms.
		`INSERT INTO students (school_id, first_name, last_name, grade)
		 SELECT (SELECT id FROM schools), 'Bench' || g, 'Student', '3' FROM generate_series(1, 920) g`,
		`INSERT INTO enrollments (classroom_id, student_id, school_id)
		 SELECT c.id, s.id, s.school_id FROM (SELECT id, school_id, row_number() OVER (ORDER BY id) rn FROM students WHERE first_name LIKE 'Bench%') s
		 JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM classrooms) c ON c.k = s.rn % 4`,
		// perStudent observations a student (100,000 at 100), nine in ten
		// of each student's shared, a minute apart. Observation g is the
		// student g % 1000's number g / 1000: the draft is picked by the
		// latter (by g % 10 it was the student's every observation or
		// none, so one child in ten had only drafts and a short feed).
		`INSERT INTO observations (school_id, student_id, author_id, group_id, kind, body, skills, state, shared_at, feed_at, created_at, updated_at)
		 SELECT s.school_id, s.id, (SELECT user_id FROM memberships WHERE role = 'TEACHER' LIMIT 1), gen_random_uuid(),
		   (ARRAY['POSITIVE','OBSERVATION','CONCERN'])[1 + g % 3], 'Observation number ' || g || ' about focus and kindness in class.',
		   ARRAY['FOCUS','KINDNESS'], CASE WHEN (g / 1000) % 10 = 0 THEN 'DRAFT' ELSE 'SHARED' END,
		   now() - g * interval '1 minute', now() - g * interval '1 minute', now() - g * interval '1 minute', now() - g * interval '1 minute'
		 FROM generate_series(0, ?) g JOIN (SELECT id, school_id, row_number() OVER (ORDER BY id) - 1 AS rn FROM students) s ON s.rn = g % 1000`,
		// The parent has acknowledged a third of their children's notes and replied to some.
		`INSERT INTO acknowledgements (observation_id, user_id, reaction)
		 SELECT o.id, g.user_id, 'HEART' FROM observations o JOIN guardianships g ON g.student_id = o.student_id
		 WHERE o.state = 'SHARED' AND abs(hashtext(o.id::text)) % 3 = 0`,
		`INSERT INTO observation_responses (observation_id, author_id, body)
		 SELECT o.id, g.user_id, 'Thank you!' FROM observations o JOIN guardianships g ON g.student_id = o.student_id
		 WHERE o.state = 'SHARED' AND abs(hashtext(o.id::text)) % 7 = 0`,
		// Every text translated into Spanish, as the jobs leave it (the
		// original's row says its language): the translated case reads them.
		`-- translations
		INSERT INTO translations (hash, target, text, source, chars)
		 SELECT sha256(convert_to(t.body, 'UTF8')), l.target, CASE WHEN l.target = 'en' THEN t.body ELSE 'Traducido: ' || t.body END, 'en', 0
		 FROM (SELECT DISTINCT body FROM observations UNION SELECT DISTINCT body FROM observation_responses) t, (VALUES ('en'), ('es')) AS l(target)`,
		`ANALYZE`,
	}
	for _, q := range scale {
		if strings.HasPrefix(strings.TrimSpace(q), "-- translations") && !translations {
			continue
		}
		var args []any
		if strings.Contains(q, "generate_series(0, ?)") { // the observations
			args = append(args, perStudent*1000-1)
		}
		if err := db.Exec(q, args...).Error; err != nil {
			return err
		}
	}
	return nil
}
