package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/database/dbtest"
)

func openSQL(t testing.TB) *sql.DB {
	t.Helper()
	sqlDB, err := dbtest.Open(t).DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB
}

// TestPQArraysEncodeNatively proves the arrays River's database/sql driver
// wraps for lib/pq reach PostgreSQL as the values they hold, NULL as NULL,
// and are encoded from the slices, not written out as text and parsed back.
func TestPQArraysEncodeNatively(t *testing.T) {
	sqlDB := openSQL(t)
	at := time.Date(2026, 12, 1, 20, 45, 1, 123456000, time.UTC)
	arriveNatively(t, sqlDB, `SELECT $1::text[] = ARRAY['a', 'b,c', 'd"e', '']
		AND $2::bigint[] = ARRAY[1, -2]::bigint[]
		AND $3::timestamptz[] = ARRAY['2026-12-01 20:45:01.123456+00']::timestamptz[]
		AND $4::smallint[] = ARRAY[1, 4]::smallint[]
		AND $5::bytea[] = ARRAY['\x0001'::bytea, NULL]
		AND $6::int[] = ARRAY[7]
		AND $7::jsonb[] = ARRAY['{"a": [1, "x"]}'::jsonb]
		AND $8::text[] IS NULL AND $9::timestamptz[] IS NULL`,
		pq.Array([]string{"a", "b,c", `d"e`, ""}), pq.Array([]int64{1, -2}), pq.Array([]time.Time{at}),
		pq.Array([]int16{1, 4}), pq.Array([][]byte{{0, 1}, nil}), pq.Array([]int32{7}),
		pq.Array([]string{`{"a": [1, "x"]}`}), pq.Array([]string(nil)), pq.GenericArray{A: nil},
	)
	plannedNatively(t, sqlDB, map[uint32]any{pgtype.TextArrayOID: &pq.StringArray{}, pgtype.Int8ArrayOID: &pq.Int64Array{},
		pgtype.TimestamptzArrayOID: pq.GenericArray{A: []time.Time{}}, pgtype.ByteaArrayOID: &pq.ByteaArray{}})
}

// TestModelArraysEncodeNatively: the domain's own arrays (models.Array)
// reach PostgreSQL as the values they hold, NULL as NULL, as text[],
// uuid[] and bigint[], encoded from the slices like lib/pq's.
func TestModelArraysEncodeNatively(t *testing.T) {
	sqlDB := openSQL(t)
	arriveNatively(t, sqlDB, `SELECT $1::text[] = ARRAY['a', 'b,c', 'd"e', '', 'NULL']
		AND $2::uuid[] = ARRAY['6f1c1b1e-0d3a-4c55-9a38-2f3a3c1f0b7e']::uuid[]
		AND $3::bigint[] = ARRAY[1, -2]::bigint[]
		AND $4::text[] IS NULL AND $5::uuid[] = '{}'`,
		models.Array[string]{"a", "b,c", `d"e`, "", "NULL"}, models.Array[string]{"6f1c1b1e-0d3a-4c55-9a38-2f3a3c1f0b7e"},
		models.Array[int64]{1, -2}, models.Array[string](nil), models.Array[string]{},
	)
	plannedNatively(t, sqlDB, map[uint32]any{pgtype.TextArrayOID: models.Array[string]{}, pgtype.UUIDArrayOID: models.Array[string]{},
		pgtype.Int8ArrayOID: models.Array[int64]{}})
}

// Every pool the app opens encodes arrays natively, not only the API's:
// the fan-out's outcome writes (models.Array of device ids, statuses and
// message names, on the jobs' pool) spent 4% of an urgent announcement's
// CPU turning them into text and parsing it back.
func TestEveryPoolEncodesArraysNatively(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	db, err := database.Open(ctx, url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	values := map[uint32]any{pgtype.UUIDArrayOID: models.Array[string]{}, pgtype.TextArrayOID: &pq.StringArray{}}
	for name, open := range map[string]func() (*sql.DB, error){
		"Pool":         func() (*sql.DB, error) { _, p, err := database.Pool(db, url, 1); return p, err },
		"GenericPlans": func() (*sql.DB, error) { _, p, err := database.GenericPlans(db, url, 1); return p, err },
	} {
		pool, err := open()
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { plannedNatively(t, pool, values) })
		pool.Close()
	}
	pgx, err := database.PgxPool(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pgx.Close()
	conn, err := pgx.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for oid, v := range values {
		if plan := fmt.Sprintf("%T", conn.Conn().TypeMap().PlanEncode(oid, pgtype.BinaryFormatCode, v)); plan != "*database.unwrappedArray" {
			t.Errorf("PgxPool: %T as type %d is encoded by %s", v, oid, plan)
		}
	}
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// arriveNatively fails t unless query, given args on the app's
// connections (sqlDB), answers true.
func arriveNatively(t *testing.T, sqlDB *sql.DB, query string, args ...any) {
	t.Helper()
	var ok bool
	if err := sqlDB.QueryRowContext(context.Background(), query, args...).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Error("the arrays did not arrive as sent")
	}
}

// plannedNatively fails t unless each value is encoded as its parameter
// type (the key) by the unwrapping plan, on the app's connections (sqlDB).
func plannedNatively(t *testing.T, sqlDB *sql.DB, values map[uint32]any) {
	t.Helper()
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		m := dc.(*stdlib.Conn).Conn().TypeMap()
		for oid, v := range values {
			if plan := fmt.Sprintf("%T", m.PlanEncode(oid, pgtype.BinaryFormatCode, v)); plan != "*database.unwrappedArray" {
				t.Errorf("%T as type %d is encoded by %s", v, oid, plan)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPQGenericArrayOfAnotherType: pgx keeps one plan per parameter type
// and Go type, and a pq.GenericArray may wrap any slice: one of another
// type than the planned one must be sent right (pgx then tries the other
// format, planned afresh) or refused, never handed to the plan of another
// type (which would panic).
func TestPQGenericArrayOfAnotherType(t *testing.T) {
	sqlDB := openSQL(t)
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, a := range []any{[]int16{1}, []int64{1}, []int32{1}, []int{1}} {
		var ok bool
		err := conn.QueryRowContext(context.Background(), `SELECT $1::smallint[] = ARRAY[1]::smallint[]`, pq.GenericArray{A: a}).Scan(&ok)
		switch {
		case err != nil && !strings.Contains(err.Error(), "planned"):
			t.Errorf("%T: %v", a, err)
		case err == nil && !ok:
			t.Errorf("%T: sent as another value", a)
		}
	}
}

// processCPU is the user and system CPU this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type benchArgs struct {
	NotificationID string `json:"notification_id"`
}

func (benchArgs) Kind() string { return "bench_job" }

// BenchmarkRiverInsertTx: River's job insert in a transaction through
// database/sql, as sendMessage makes it, on connections with lib/pq's
// arrays in their text form (pgx's default) and encoded natively.
func BenchmarkRiverInsertTx(b *testing.B) {
	url := dbtest.URL(b)
	for _, c := range []struct {
		name string
		open func() *sql.DB
	}{
		{"pq-text", func() *sql.DB {
			cfg, err := pgx.ParseConfig(url)
			if err != nil {
				b.Fatal(err)
			}
			return stdlib.OpenDB(*cfg)
		}},
		{"native", func() *sql.DB { return openSQL(b) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := c.open()
			defer db.Close()
			db.SetMaxOpenConns(1)
			client, err := river.NewClient(riverdatabasesql.New(db), &river.Config{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := client.InsertTx(ctx, tx, benchArgs{NotificationID: "0b0c6a55-4a49-4a51-9b2f-8d8e1c7f2a10"}, nil); err != nil {
					b.Fatal(err)
				}
				if err := tx.Rollback(); err != nil {
					b.Fatal(err)
				}
			}
			// The client's own CPU (the benchmark's process, not PostgreSQL's).
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "client-cpu-ns/op")
		})
	}
}
