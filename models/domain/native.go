package domain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// queryNative runs the query q builds (GORM renders it, scopes, subqueries
// and all, without running it) through pgx itself on one of q's
// connections, scanning each row into dsts and then calling row. It is for
// the hottest reads: pgx scans a row straight into typed destinations,
// where database/sql first turns every column into a driver value and then
// converts it (a sixth of a feed page's CPU went to that). What it sends is
// what q.Rows() would send, and GORM's logger still times it.
func queryNative(ctx context.Context, q *gorm.DB, dsts []any, row func() error) error {
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(&[]map[string]any{})
	if stmt.Error != nil {
		return stmt.Error
	}
	return runNative(ctx, q, stmt.Statement.SQL.String(), stmt.Statement.Vars, dsts, row)
}

// runNative runs query ($1, $2 … for args) as queryNative does, on one of
// db's connections.
func runNative(ctx context.Context, db *gorm.DB, query string, vars []any, dsts []any, row func() error) error {
	pool, ok := db.Statement.ConnPool.(*sql.DB)
	if !ok {
		return fmt.Errorf("native query: connections are a %T, not a *sql.DB", db.Statement.ConnPool)
	}
	begin, n := time.Now(), int64(0)
	err := withPgx(ctx, pool, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, query, vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(dsts...); err != nil {
				return err
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
