package database_test

import (
	"database/sql"
	"testing"

	"github.com/sameside/sameside/server/database/dbtest"
)

// A user's access version (migration 00035) grows with every change to
// what a sign-in reads for them, in the changing transaction, and not with
// changes that are someone else's: an instance that kept their viewer may
// trust it while the version stands (package auth, graph.Confirming).
func TestAccessVersionGrowsWithWhatSignInReads(t *testing.T) {
	db := dbtest.New(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := db.QueryRow(q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	school := id(`INSERT INTO schools (name, time_zone) VALUES ('Lakeside', 'UTC') RETURNING id`)
	other := id(`INSERT INTO schools (name, time_zone) VALUES ('Hillside', 'UTC') RETURNING id`)
	district := id(`INSERT INTO districts (name, time_zone) VALUES ('North', 'UTC') RETURNING id`)
	jin := id(`INSERT INTO users (firebase_uid, email, phone) VALUES ('fb-jin', 'jin@home.example', '+15550001') RETURNING id`)
	mia := id(`INSERT INTO users (firebase_uid, email) VALUES ('fb-mia', 'mia@home.example') RETURNING id`)
	version := func(u string) int64 {
		t.Helper()
		var v int64
		if err := db.QueryRow(`SELECT access_version FROM users WHERE id = $1`, u).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		name   string
		sql    string
		args   []any
		grows  bool // Jin's version
		miaToo bool // Mia's grows as well
		tx     bool // run twice in one transaction: still grows
	}{
		{name: "a membership given", sql: `INSERT INTO memberships (user_id, school_id, role) VALUES ($1, $2, 'PARENT')`, args: []any{jin, school}, grows: true},
		{name: "a role changed", sql: `UPDATE memberships SET role = 'TEACHER' WHERE user_id = $1`, args: []any{jin}, grows: true},
		{name: "someone else's membership", sql: `INSERT INTO memberships (user_id, school_id, role) VALUES ($1, $2, 'PARENT')`, args: []any{mia, school}, miaToo: true},
		{name: "a membership moved to someone else", sql: `UPDATE memberships SET user_id = $2 WHERE user_id = $1`, args: []any{jin, mia}, grows: true, miaToo: true},
		{name: "a membership taken away", sql: `DELETE FROM memberships WHERE user_id = $1 AND role = 'TEACHER'`, args: []any{mia}, miaToo: true},
		{name: "made a district admin", sql: `INSERT INTO district_admins (district_id, user_id) VALUES ($1, $2)`, args: []any{district, jin}, grows: true},
		{name: "a school joins the district", sql: `UPDATE schools SET district_id = $1 WHERE id = $2`, args: []any{district, other}, grows: true},
		{name: "a new school in the district", sql: `INSERT INTO schools (name, time_zone, district_id) VALUES ('Brookside', 'UTC', $1)`, args: []any{district}, grows: true},
		{name: "a school leaves the district", sql: `UPDATE schools SET district_id = NULL WHERE id = $1`, args: []any{other}, grows: true},
		{name: "a school of another district", sql: `INSERT INTO schools (name, time_zone) VALUES ('Elsewhere', 'UTC')`},
		{name: "no longer a district admin", sql: `DELETE FROM district_admins WHERE user_id = $1`, args: []any{jin}, grows: true},
		{name: "made a district monitor", sql: `INSERT INTO district_monitors (district_id, user_id) VALUES ($1, $2)`, args: []any{district, jin}, grows: true},
		{name: "no longer a district monitor", sql: `DELETE FROM district_monitors WHERE user_id = $1`, args: []any{jin}, grows: true},
		{name: "another sign-in leads to them", sql: `INSERT INTO user_aliases (firebase_uid, user_id) VALUES ('fb-jin-old', $1)`, args: []any{jin}, grows: true},
		{name: "an alias naming their own uid", sql: `INSERT INTO user_aliases (firebase_uid, user_id) VALUES ('fb-jin', $1)`, args: []any{mia}, grows: true, miaToo: true},
		{name: "the aliases gone", sql: `DELETE FROM user_aliases`, grows: true, miaToo: true},
		{name: "their profile", sql: `UPDATE users SET locale = 'es-MX' WHERE id = $1`, args: []any{jin}, grows: true, tx: true},
		{name: "a roster record with their email", sql: `INSERT INTO users (firebase_uid, email) VALUES ('unclaimed:1', 'JIN@home.example')`, grows: true},
		{name: "a roster record with their phone", sql: `INSERT INTO users (firebase_uid, phone) VALUES ('unclaimed:2', '+15550001')`, grows: true},
		{name: "a roster record given her email", sql: `UPDATE users SET email = 'mia@home.example' WHERE firebase_uid = 'unclaimed:2'`, grows: true, miaToo: true},
		{name: "a roster record of someone else", sql: `INSERT INTO users (firebase_uid, email) VALUES ('unclaimed:3', 'lena@home.example')`},
		{name: "a roster record's membership", sql: `INSERT INTO memberships (user_id, school_id, role) SELECT id, $1, 'PARENT' FROM users WHERE firebase_uid = 'unclaimed:3'`, args: []any{school}},
	}
	for _, s := range steps {
		jinBefore, miaBefore := version(jin), version(mia)
		if s.tx {
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := tx.Exec(s.sql, s.args...); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			exec(s.sql, s.args...)
		}
		jinAfter, miaAfter := version(jin), version(mia)
		if s.grows && jinAfter <= jinBefore || !s.grows && jinAfter != jinBefore {
			t.Errorf("%s: Jin's access version %d → %d, want it to grow: %v", s.name, jinBefore, jinAfter, s.grows)
		}
		if s.miaToo && miaAfter <= miaBefore || !s.miaToo && miaAfter != miaBefore {
			t.Errorf("%s: Mia's access version %d → %d, want it to grow: %v", s.name, miaBefore, miaAfter, s.miaToo)
		}
	}
	// A deleted user has no version: the check fails for them.
	exec(`DELETE FROM users WHERE id = $1`, jin)
	var v sql.NullInt64
	if err := db.QueryRow(`SELECT (SELECT access_version FROM users WHERE id = $1)`, jin).Scan(&v); err != nil || v.Valid {
		t.Fatalf("a deleted user's version: %v %v", v, err)
	}
}
