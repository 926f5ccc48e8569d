package domain

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/database/dbtest"
)

// bindNamed writes the policy's named parameters as pgx's positional ones,
// each value once, lists as one array each (an array that is a parameter
// of its own, models.Array, as it is), quoted text untouched.
func TestBindNamed(t *testing.T) {
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	var none []string
	ids := models.Array[string]{"k1"}
	p := map[string]any{"uid": "u1", "admin": []string{"s1", "s2"}, "none": none, "at": at, "kinds": []string{"POSITIVE"}, "ids": ids}
	got, args, err := bindNamed(`SELECT x FROM t WHERE (t.a = @uid OR t.s IN @admin OR t.s in  @admin) AND t.b = '@uid' AND t.c @> '{}'
		AND t.k IN @kinds AND t.n IN @none AND t.at < @at AND "@odd" = @uid AND t.id = ANY(CAST(@ids AS uuid[]))`, p, []any{"first"})
	if err != nil {
		t.Fatal(err)
	}
	want := `SELECT x FROM t WHERE (t.a = $2 OR t.s = ANY($3) OR t.s = ANY($3)) AND t.b = '@uid' AND t.c @> '{}'
		AND t.k = ANY($4) AND t.n = ANY($5) AND t.at < $6 AND "@odd" = $2 AND t.id = ANY(CAST($7 AS uuid[]))`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	wantArgs := []any{"first", "u1", models.Array[string]{"s1", "s2"}, models.Array[string]{"POSITIVE"}, models.Array[string]{}, at, ids}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args %#v, want %#v", args, wantArgs)
	}
	if args[4].(models.Array[string]) == nil {
		t.Error("a nil list went as NULL, not as an empty array")
	}
	for query, wantErr := range map[string]string{
		`t.a = @missing`:           "no value for @missing",
		`t.s NOT IN @admin`:        "NOT IN @admin",
		`t.s = @admin`:             "not the right of an IN",
		`t.s = ANY(@admin)`:        "not the right of an IN",
		`t.WIN @admin`:             "not the right of an IN",
		`t.a = 'unterminated @uid`: "unterminated",
	} {
		if _, _, err := bindNamed(query, p, nil); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: %v; want an error with %q", query, err, wantErr)
		}
	}
}

// runNative plans a statement's scans once per connection, and plans them
// again for other destination types.
func TestScanPlansKeptPerConnection(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1) // every run on the same connection
	const query = `SELECT n, 'row ' || n FROM generate_series(1, 3) n`
	plans := func(dsts ...any) []pgtype.ScanPlan {
		t.Helper()
		var got []string
		if err := runNative(ctx, db, query, nil, dsts, func() error {
			got = append(got, fmt.Sprint(reflect.ValueOf(dsts[0]).Elem(), reflect.ValueOf(dsts[1]).Elem()))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != "1 row 1,2 row 2,3 row 3" {
			t.Fatalf("rows %q", got)
		}
		var kept []pgtype.ScanPlan
		if err := withPgx(ctx, sqlDB, func(conn *pgx.Conn) error {
			kept = conn.PgConn().CustomData()[scanPlansKey].(map[string]*scanPlans)[query].plans
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return kept
	}
	var n int32
	var s string
	first := plans(&n, &s)
	if again := plans(&n, &s); &again[0] != &first[0] {
		t.Error("the same statement and destinations were planned again")
	}
	var n64 int64
	if other := plans(&n64, &s); &other[0] == &first[0] {
		t.Error("other destinations reused the plans of the first")
	}
}

// A foreign key broken by a concurrent deletion is NOT_FOUND whether GORM
// or pgx itself (runNative) reported it.
func TestInternalForeignKeyViolation(t *testing.T) {
	for _, err := range []error{gorm.ErrForeignKeyViolated, fmt.Errorf("send: %w", &pgconn.PgError{Code: "23503"})} {
		var me *models.Error
		if !errors.As(internal(err), &me) || me.Code != models.CodeNotFound {
			t.Errorf("%v: %v, want NOT_FOUND", err, internal(err))
		}
	}
	var me *models.Error
	if !errors.As(internal(&pgconn.PgError{Code: "23505"}), &me) || me.Code != models.CodeInternal {
		t.Errorf("a unique violation: %v, want INTERNAL", internal(&pgconn.PgError{Code: "23505"}))
	}
}
