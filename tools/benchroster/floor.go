package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// copyFloor COPYs the rows the import of the synthetic district writes
// into the same tables (ids made up front, as the import makes them) and
// returns how long the COPYs took, in one transaction like the import.
func copyFloor(ctx context.Context, dbURL string) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	now := time.Now().UTC()
	district := uuid.New()
	schoolIDs := ids(schools)
	roomIDs := ids(classes)
	studentIDs := ids(students)
	teacherIDs := ids(classes)
	guardianIDs := ids(guardians)
	school := func(class int) uuid.UUID { return schoolIDs[class%schools] }
	data := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"schools", []string{"id", "name", "time_zone", "district_id", "created_at", "updated_at"}, build(schools, func(i int) []any {
			return []any{schoolIDs[i], fmt.Sprintf("School %d", i+1), "America/Chicago", district, now, now}
		})},
		{"classrooms", []string{"id", "school_id", "name", "grade", "school_year", "created_at", "updated_at"}, build(classes, func(i int) []any {
			return []any{roomIDs[i], school(i), fmt.Sprintf("Room %d", i/schools+1), "3", "2026-2027", now, now}
		})},
		{"students", []string{"id", "school_id", "first_name", "last_name", "grade", "created_at", "updated_at"}, build(students, func(i int) []any {
			return []any{studentIDs[i], school(i % classes), "Avery", "Garcia", "3", now, now}
		})},
		{"users", []string{"id", "firebase_uid", "email", "phone", "display_name", "locale", "time_zone", "created_at", "updated_at"}, build(classes+guardians, func(i int) []any {
			id := append(teacherIDs, guardianIDs...)[i]
			return []any{id, "unclaimed:" + id.String(), fmt.Sprintf("person-%d@example.org", i), fmt.Sprintf("+1555%07d", i), "Casey Nguyen", "en-US", "America/Chicago", now, now}
		})},
		{"memberships", []string{"id", "user_id", "school_id", "role", "created_at"}, build(classes+guardians, func(i int) []any {
			if i < classes {
				return []any{uuid.New(), teacherIDs[i], school(i), "TEACHER", now}
			}
			g := i - classes
			return []any{uuid.New(), guardianIDs[g], school(g % students % classes), "PARENT", now}
		})},
		{"guardianships", []string{"id", "school_id", "student_id", "user_id", "relationship", "is_primary", "restricted", "created_at", "updated_at"}, build(guardians, func(g int) []any {
			st := g % students
			return []any{uuid.New(), school(st % classes), studentIDs[st], guardianIDs[g], "PARENT", false, false, now, now}
		})},
		{"enrollments", []string{"classroom_id", "student_id", "school_id", "created_at"}, build(students, func(i int) []any {
			return []any{roomIDs[i%classes], studentIDs[i], school(i % classes), now}
		})},
		{"classroom_staff", []string{"classroom_id", "user_id", "school_id", "created_at"}, build(classes, func(i int) []any {
			return []any{roomIDs[i], teacherIDs[i], school(i), now}
		})},
		// Each guardian's roster email and number.
		{"contact_points", []string{"id", "user_id", "channel", "address", "source", "created_at", "updated_at"}, build(2*guardians, func(i int) []any {
			g := i / 2
			if i%2 == 0 {
				return []any{uuid.New(), guardianIDs[g], "EMAIL", fmt.Sprintf("guardian-%d@home.example", g), "ROSTER", now, now}
			}
			return []any{uuid.New(), guardianIDs[g], "SMS", fmt.Sprintf("+1312%d%06d", 2+g/1000000, g%1000000), "ROSTER", now, now}
		})},
	}
	start := time.Now()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO districts (id, name, time_zone) VALUES ($1, 'Synthetic Unified School District', 'America/Chicago')`, district); err != nil {
		return 0, err
	}
	for _, d := range data {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{d.table}, d.cols, pgx.CopyFromRows(d.rows)); err != nil {
			return 0, fmt.Errorf("COPY %s: %w", d.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func ids(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.New()
	}
	return out
}

func build(n int, row func(int) []any) [][]any {
	out := make([][]any, n)
	for i := range out {
		out[i] = row(i)
	}
	return out
}

// countRows counts the rows of the tables both sides write.
func countRows(ctx context.Context, dbURL string) (int64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var parts []string
	for _, t := range tables {
		parts = append(parts, "(SELECT count(*) FROM "+t+")")
	}
	var n int64
	return n, conn.QueryRow(ctx, "SELECT "+strings.Join(parts, " + ")).Scan(&n)
}
