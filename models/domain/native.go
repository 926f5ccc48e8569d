package domain

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// dryRun is the statement q builds (GORM renders it, scopes, subqueries and
// all, without running it), for runNative: its SQL ($1, $2 … for vars)
// and vars.
func dryRun(q *gorm.DB) (query string, vars []any, err error) {
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(&[]map[string]any{})
	return stmt.Statement.SQL.String(), stmt.Statement.Vars, stmt.Error
}

// bindNamed writes query's named parameters (@name: the syntax GORM reads,
// in which the policy's SQL is written) as pgx's positional $n, appending
// each name's value from p to args once, numbered after what args holds
// (a statement begun by dryRun). The hottest statements are built this
// way, by one pass over their text: GORM's rendering of the feed page took
// an eighth of the server's CPU a page. A slice is passed whole, as one
// array, so "IN @name" becomes "= ANY($n)" (one statement whatever the
// list's length); a slice anywhere else, "NOT IN @name" and a name p lacks
// are errors. Quoted text ('…', "…") is copied as it is.
func bindNamed(query string, p map[string]any, args []any) (string, []any, error) {
	out := make([]byte, 0, len(query)+32)
	numbers := map[string]int{}
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c == '\'' || c == '"' {
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				return "", nil, fmt.Errorf("bindNamed: unterminated %c", c)
			}
			out = append(out, query[i:i+end+2]...)
			i += end + 1
			continue
		}
		if c != '@' || i+1 == len(query) || !isNameByte(query[i+1]) {
			out = append(out, c)
			continue
		}
		j := i + 1
		for j < len(query) && isNameByte(query[j]) {
			j++
		}
		name := query[i+1 : j]
		i = j - 1
		value, ok := p[name]
		if !ok {
			return "", nil, fmt.Errorf("bindNamed: no value for @%s", name)
		}
		// A list for IN (= ANY), unless the value is a parameter of its
		// own (an array a statement casts, models.Array).
		list := reflect.ValueOf(value)
		_, valuer := value.(driver.Valuer)
		isList := list.Kind() == reflect.Slice && list.Type().Elem().Kind() != reflect.Uint8 && !valuer
		n, seen := numbers[name]
		if !seen {
			if isList && list.IsNil() { // an empty array, not NULL
				value = reflect.MakeSlice(list.Type(), 0, 0).Interface()
			}
			if ids, ok := value.([]string); ok {
				// Encoded natively as the parameter's uuid[] or text[]
				// (server/database); pgx fails a plain []string as uuid[]
				// in binary, then builds an error, then sends text.
				value = models.Array[string](ids)
			}
			args = append(args, value)
			n = len(args)
			numbers[name] = n
		}
		if !isList {
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(n), 10)
			continue
		}
		before := bytes.TrimRight(out, " \t\n")
		word := len(before) - 2
		if word < 0 || !strings.EqualFold(string(before[word:]), "IN") || (word > 0 && isNameByte(before[word-1])) {
			return "", nil, fmt.Errorf("bindNamed: the list @%s is not the right of an IN", name)
		}
		if prev := bytes.TrimRight(before[:word], " \t\n"); len(prev) >= 3 && strings.EqualFold(string(prev[len(prev)-3:]), "NOT") {
			return "", nil, fmt.Errorf("bindNamed: NOT IN @%s", name)
		}
		out = append(before[:word], "= ANY($"...)
		out = strconv.AppendInt(out, int64(n), 10)
		out = append(out, ')')
	}
	return string(out), args, nil
}

// isNameByte reports whether c may be part of a parameter's name.
func isNameByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// runNative runs query ($1, $2 … for vars) through pgx itself on one of
// db's connections, scanning each row into dsts and then calling row. It
// is for the hottest reads: pgx scans a row straight into typed
// destinations, where database/sql first turns every column into a driver
// value and then converts it (a sixth of a feed page's CPU went to that).
// GORM's logger still times it. In a transaction (db's connection is
// not a pool's) it runs through database/sql on the transaction's.
func runNative(ctx context.Context, db *gorm.DB, query string, vars []any, dsts []any, row func() error) error {
	begin, n := time.Now(), int64(0)
	pool, ok := db.Statement.ConnPool.(*sql.DB)
	if !ok {
		err := scanRows(ctx, db.Statement.ConnPool, query, vars, dsts, func() error { n++; return row() })
		db.Logger.Trace(ctx, begin, func() (string, int64) { return query, n }, err)
		return err
	}
	err := withPgx(ctx, pool, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, query, vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var plans []pgtype.ScanPlan
		for rows.Next() {
			if plans == nil {
				if plans, err = scanPlansFor(conn, query, rows.FieldDescriptions(), dsts); err != nil {
					return err
				}
			}
			values, fields := rows.RawValues(), rows.FieldDescriptions()
			for i, plan := range plans {
				if err := plan.Scan(values[i], dsts[i]); err != nil {
					return pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: err}
				}
			}
			n++
			if err := row(); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	db.Logger.Trace(ctx, begin, func() (string, int64) { return query, n }, err)
	return err
}

// native is runNative for one of the hottest statements, named for
// ObserveStatement.
func (s *Service) native(ctx context.Context, statement string, db *gorm.DB, query string, vars []any, dsts []any, row func() error) error {
	begin := time.Now()
	err := runNative(ctx, db, query, vars, dsts, row)
	if s.ObserveStatement != nil {
		s.ObserveStatement(statement, time.Since(begin))
	}
	return err
}

// scanRows runs query on conn through database/sql, scanning each row
// into dsts and then calling row.
func scanRows(ctx context.Context, conn gorm.ConnPool, query string, vars []any, dsts []any, row func() error) error {
	rows, err := conn.QueryContext(ctx, query, vars...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dsts...); err != nil {
			return err
		}
		if err := row(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanPlans is how a statement's columns are scanned on one connection:
// the plans pgx made for them, and the column types and destination types
// they were made for.
type scanPlans struct {
	fields []pgconn.FieldDescription
	dsts   []reflect.Type
	plans  []pgtype.ScanPlan
}

// scanPlansKey is where a connection keeps its scanPlans by statement (in
// pgx's CustomData, which belongs to the connection and is touched only
// by whoever holds it).
const scanPlansKey = "sameside.scanPlans"

// scanPlansFor returns the plans that scan query's columns (fields) into
// dsts on conn, made by pgx once per connection and statement: pgx plans
// every column of every query again (PlanScan was 4% of the server's CPU a
// feed page), though the same statement on the same connection gets the
// same column types each time. A plan is reused only for the very column
// types and destination types it was made for.
func scanPlansFor(conn *pgx.Conn, query string, fields []pgconn.FieldDescription, dsts []any) ([]pgtype.ScanPlan, error) {
	if len(fields) != len(dsts) {
		return nil, fmt.Errorf("native query: %d columns, %d destinations", len(fields), len(dsts))
	}
	data := conn.PgConn().CustomData()
	cache, _ := data[scanPlansKey].(map[string]*scanPlans)
	if p, ok := cache[query]; ok && p.match(fields, dsts) {
		return p.plans, nil
	}
	p := &scanPlans{fields: slices.Clone(fields), dsts: make([]reflect.Type, len(dsts)), plans: make([]pgtype.ScanPlan, len(dsts))}
	for i, dst := range dsts {
		p.dsts[i] = reflect.TypeOf(dst)
		p.plans[i] = conn.TypeMap().PlanScan(fields[i].DataTypeOID, fields[i].Format, dst)
	}
	if cache == nil || len(cache) >= 64 { // a few statements are this hot; bound the rest
		cache = map[string]*scanPlans{}
		data[scanPlansKey] = cache
	}
	cache[query] = p
	return p.plans, nil
}

// match reports whether p was made for these columns and destinations.
func (p *scanPlans) match(fields []pgconn.FieldDescription, dsts []any) bool {
	if len(fields) != len(p.fields) || len(dsts) != len(p.dsts) {
		return false
	}
	for i := range fields {
		if fields[i].DataTypeOID != p.fields[i].DataTypeOID || fields[i].Format != p.fields[i].Format || reflect.TypeOf(dsts[i]) != p.dsts[i] {
			return false
		}
	}
	return true
}

// withPgx runs f on one of pool's connections, as pgx's own connection.
func withPgx(ctx context.Context, pool *sql.DB, f func(*pgx.Conn) error) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("native query: not a pgx connection")
		}
		return f(c.Conn())
	})
}
