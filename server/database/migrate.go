// Package database finds or starts the PostgreSQL server SameSide runs on,
// opens GORM on it and applies the versioned migrations embedded in the
// binary. It must not hold domain logic.
package database

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}

// Migrate applies every pending migration. It is safe to run from several
// processes at once: goose takes a session lock.
func Migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db, Migrations(),
		goose.WithSessionLocker(mustLocker()))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
		}
	}
	// River's own tables (the job queue), at the version of the River we link.
	rm, err := riverMigrator(db, log)
	if err != nil {
		return err
	}
	res, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		if log != nil {
			log.Info("river migration applied", "version", v.Version, "name", v.Name)
		}
	}
	return tuneRiver(ctx, db)
}

// indexOption is a storage parameter of an index, as ALTER INDEX … SET
// takes it ("fastupdate=off").
type indexOption struct{ index, option string }

// riverTuning is what tuneRiver sets on River's schema, in the order it
// sets it (part of MigrationsHash).
var riverTuning = []indexOption{
	// River's GIN indexes on a job's args and metadata get an entry at
	// every insert and state change (none of them is a HOT update). With
	// PostgreSQL's default pending list the entries pile up and the write
	// that fills the list merges it: a job insert inside a sendMessage
	// took up to 241 ms (make bench-live). Written through, each entry
	// costs a little every time: a job's insert, fetch and completion ran
	// at 894 to 1,070 a second with 4 clients against 754 to 843 with the
	// pending list, and 986 to 1,069 with no GIN index at all (pgbench).
	// Nothing of ours searches these indexes; River's UI may.
	{"river_job_args_index", "fastupdate=off"},
	{"river_job_metadata_index", "fastupdate=off"},
}

// tuneRiver applies riverTuning where it is not in place yet (ALTER INDEX
// takes a lock the job queue would wait on, so it runs only once).
func tuneRiver(ctx context.Context, db *sql.DB) error {
	for _, t := range riverTuning {
		var opts string
		err := db.QueryRowContext(ctx, `SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = to_regclass($1)`, t.index).Scan(&opts)
		if errors.Is(err, sql.ErrNoRows) {
			continue // not in this version of River
		}
		if err != nil {
			return fmt.Errorf("river tuning: %w", err)
		}
		if slices.Contains(strings.Split(opts, ","), t.option) {
			continue
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("ALTER INDEX %s SET (%s)", t.index, t.option)); err != nil {
			return fmt.Errorf("river tuning: %w", err)
		}
	}
	return nil
}

func riverMigrator(db *sql.DB, log *slog.Logger) (*rivermigrate.Migrator[*sql.Tx], error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: log})
}

// MigrationsHash identifies the schema the migrations produce; tests use it to
// reuse one migrated template database.
func MigrationsHash() (string, error) {
	fsys := Migrations()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	h := sha256.New()
	rm, err := riverMigrator(nil, nil)
	if err != nil {
		return "", err
	}
	for _, v := range rm.AllVersions() {
		fmt.Fprintf(h, "river %d %s\x00", v.Version, v.Name)
		h.Write([]byte(v.SQLUp))
	}
	for _, t := range riverTuning {
		fmt.Fprintf(h, "river tuning %s:%s\x00", t.index, t.option)
	}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func mustLocker() lock.SessionLocker {
	l, err := lock.NewPostgresSessionLocker()
	if err != nil {
		panic(err)
	}
	return l
}
