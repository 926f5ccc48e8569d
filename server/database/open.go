package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// SessionParams are set on every connection the app opens (Open, Pool,
// GenericPlans, PgxPool). PostgreSQL's
// default random_page_cost (4) models spinning disks; on SSDs and cached
// data 1.1 is the usual setting, and it lets the planner look up a page of
// 20 rows by index instead of hashing whole tables. JIT compilation is
// off: the app's statements each read a few rows, and a statement the
// planner costs high without it being slow pays the compilation on every
// run (the translation drain's claim, thirteen kinds' reads in one
// statement: 600 ms of JIT for 2 ms of work).
var SessionParams = map[string]string{"random_page_cost": "1.1", "jit": "off"}

// Option adjusts the settings of the connections Open and GenericPlans
// make.
type Option func(*pgx.ConnConfig)

// WithTracer has t see every statement the connections send, however it
// was made (GORM, database/sql or pgx itself): tests count a request's
// statements with it.
func WithTracer(t pgx.QueryTracer) Option {
	return func(c *pgx.ConnConfig) { c.Tracer = t }
}

// Open connects GORM to url with pool limits suited to a small instance.
func Open(ctx context.Context, url string, log *slog.Logger, opts ...Option) (*gorm.DB, error) {
	cfg, err := connConfig(url, opts)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(unrendered{postgres.New(postgres.Config{Conn: openDB(cfg)}).(*postgres.Dialector)}, &gorm.Config{
		Logger:                 slogGormLogger(log),
		TranslateError:         true,
		SkipDefaultTransaction: true, // our domain functions open transactions where they need them
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.ClauseBuilders["LIMIT"] = literalLimit
	if err := db.Callback().Row().After("gorm:row").Register("sameside:translate_error", translateRowError); err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20) // = open: see app.open
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return db, nil
}

// translateRowError translates the error of a statement run for its rows
// (Raw(…).Scan, Rows, Row) as GORM translates every other error when
// TranslateError is on: its row callback sets the error without
// translating it, so a broken foreign key in a Raw statement came back as
// PostgreSQL's bare error rather than gorm.ErrForeignKeyViolated.
func translateRowError(db *gorm.DB) {
	if db.Error == nil || !db.Config.TranslateError {
		return
	}
	if t, ok := db.Dialector.(gorm.ErrorTranslator); ok {
		db.Error = t.Translate(db.Error)
	}
}

// GenericPlans returns a handle on db's database (url) whose connections,
// at most maxConns, keep one generic plan per prepared statement
// (plan_cache_mode=force_generic_plan), with db's callbacks and settings;
// close the returned pool when done.
//
// It is for statements whose best plan does not depend on their values:
// an observation page walks the feed index child by child whatever the
// ids. PostgreSQL's default re-plans such a statement on every run when it
// costs the generic plan above the custom ones, which on a school with a
// million notes it does: planning then took about 0.6 ms of a 2.3 ms feed
// page, the whole difference from a school with ten thousand
// (BenchmarkFeedHistory, both sides at 1.76 ms with generic plans).
// Everything else keeps PostgreSQL's choice.
func GenericPlans(db *gorm.DB, url string, maxConns int, opts ...Option) (*gorm.DB, *sql.DB, error) {
	return Pool(db, url, maxConns, append(slices.Clone(opts), func(cfg *pgx.ConnConfig) { cfg.RuntimeParams["plan_cache_mode"] = "force_generic_plan" })...)
}

// CustomPlans returns db on a pool of its own of maxConns connections to
// url (as Pool) whose connections plan every statement for its values and
// the tables' current sizes (plan_cache_mode=force_custom_plan): for work
// whose tables grow faster than their statistics are refreshed, where a
// generic plan made while a table was small would keep scanning it whole
// (the background jobs). Planning costs each statement a little CPU.
func CustomPlans(db *gorm.DB, url string, maxConns int, opts ...Option) (*gorm.DB, *sql.DB, error) {
	return Pool(db, url, maxConns, append(slices.Clone(opts), func(cfg *pgx.ConnConfig) { cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan" })...)
}

// Pool returns db (its callbacks and settings) on a pool of its own of
// maxConns connections to url, with opts; close the returned pool when
// done. Work that must not wait behind other work for a connection gets
// one: the observation pages (GenericPlans), the background jobs (the API's
// requests never wait behind a fan-out).
func Pool(db *gorm.DB, url string, maxConns int, opts ...Option) (*gorm.DB, *sql.DB, error) {
	cfg, err := connConfig(url, opts)
	if err != nil {
		return nil, nil, err
	}
	pool := openDB(cfg)
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	// A Session with a Context has a Statement of its own (without one it
	// would share db's, and the pool would become db's too).
	tx := db.Session(&gorm.Session{NewDB: true, Context: context.Background()})
	if tx.Statement == db.Statement {
		return nil, nil, errors.New("database pool: GORM shared the statement")
	}
	tx.Statement.ConnPool = pool
	return tx, pool, nil
}

// PgxPool is a pgx pool on url with SessionParams and native arrays, for
// what speaks pgx itself (River's workers, the live events' LISTEN and
// NOTIFY).
func PgxPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	withSessionParams(cfg.ConnConfig)
	cfg.AfterConnect = nativeArrays
	return pgxpool.NewWithConfig(ctx, cfg)
}

// unrendered is PostgreSQL's GORM dialector but for Explain, which renders
// a statement's values into it for the logger. Ours logs statements
// without their values (children's data), yet GORM rendered every
// db.Raw(…).Scan statement (regular expressions over the whole of it,
// whether or not anything was logged: 2% of the servers' CPU in
// benchlive), and turned "$1" into "$1$" on the way. The rest of the
// dialector (its error translation, savepoints, migrator) is the
// embedded one's.
type unrendered struct{ *postgres.Dialector }

// Explain returns the statement as it is sent.
func (unrendered) Explain(sql string, _ ...any) string { return sql }

// openDB is a database/sql pool on cfg whose connections encode arrays
// natively (nativeArrays), as every pool of the app's must.
func openDB(cfg *pgx.ConnConfig) *sql.DB {
	return stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(nativeArrays))
}

// connConfig is url's connection settings with SessionParams (those url
// sets itself win) and opts.
func connConfig(url string, opts []Option) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	withSessionParams(cfg)
	for _, o := range opts {
		o(cfg)
	}
	return cfg, nil
}

// withSessionParams sets SessionParams on cfg but those its URL set.
func withSessionParams(cfg *pgx.ConnConfig) {
	for k, v := range SessionParams {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
}

func init() {
	// db.Raw(...).Scan logs through GORM's recorder, whose params filter is
	// a global that keeps values by default; ours never logs them.
	logger.RecorderParamsFilter = func(_ context.Context, sql string, _ ...any) (string, []any) { return sql, nil }
}

func slogGormLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		log = slog.Default()
	}
	return quietCancel{Interface: logger.NewSlogLogger(log, logger.Config{
		SlowThreshold:             slowQuery,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true, // never log values: they are children's data
	}), level: logger.Warn}
}

// slowQuery is when a statement is logged as slow.
const slowQuery = 500 * time.Millisecond

// quietCancel does not log statements cut short because their caller went
// away (a client hung up, a worker stopping at shutdown) or stopped by a
// unique index deciding a race: the caller sees and handles the error;
// logging each one as a failed query is noise.
//
// It also returns at once for a fast statement that succeeded below Info:
// GORM's slog logger would otherwise render the statement (fc) for every
// query only to drop it, a few percent of a busy server's CPU.
type quietCancel struct {
	logger.Interface
	level logger.LogLevel
}

func (q quietCancel) LogMode(l logger.LogLevel) logger.Interface {
	return quietCancel{Interface: q.Interface.LogMode(l), level: l}
}

func (q quietCancel) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if err == nil && q.level < logger.Info && time.Since(begin) <= slowQuery {
		return // nothing to log
	}
	if errors.Is(err, context.Canceled) || (err != nil && ctx.Err() != nil) {
		return // the statement's context ended: cancelled, not failed
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return // a unique index deciding a race: the caller answers CONFLICT
	}
	q.Interface.Trace(ctx, begin, func() (string, int64) {
		sql, rows := fc()
		return shortSQL(sql), rows
	}, err)
}

// loggedSQL is the most of a statement a log line carries: the
// translation drain's claim is 20,000 characters, and a slow database
// logged it whole on every drain.
const loggedSQL = 2000

// shortSQL is sql cut to loggedSQL bytes (on a character's boundary),
// saying how long it was.
func shortSQL(sql string) string {
	if len(sql) <= loggedSQL {
		return sql
	}
	cut := loggedSQL
	for cut > 0 && !utf8.RuneStart(sql[cut]) {
		cut--
	}
	return sql[:cut] + fmt.Sprintf(" … (%d bytes in all)", len(sql))
}

// Error renders GORM's printf-style messages ("failed to initialize
// database, got error %v") before logging them: GORM's slog logger would
// put the arguments, which can hold functions, in a JSON attribute that
// fails to encode and prints a garbled line instead of the error.
func (q quietCancel) Error(ctx context.Context, msg string, data ...any) {
	q.Interface.Error(ctx, fmt.Sprintf(msg, data...))
}

// ParamsFilter keeps statement values out of the log (ParameterizedQueries
// of the wrapped logger): they are children's data.
func (q quietCancel) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := q.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, nil
}

// literalLimit writes LIMIT and OFFSET as integer literals rather than bind
// parameters. They are always integers from our own code (page sizes), and
// PostgreSQL cannot cost a generic plan for "LIMIT $n": it assumes a large
// share of the rows, judges the generic plan dear and re-plans every
// execution of the prepared statement. With literals, a feed page's
// statement settles on a cached plan after five runs like any other.
func literalLimit(c clause.Clause, b clause.Builder) {
	l, ok := c.Expression.(clause.Limit)
	if !ok {
		c.Build(b)
		return
	}
	if l.Limit != nil && *l.Limit >= 0 {
		b.WriteString("LIMIT " + strconv.Itoa(*l.Limit))
	}
	if l.Offset > 0 {
		if l.Limit != nil && *l.Limit >= 0 {
			b.WriteByte(' ')
		}
		b.WriteString("OFFSET " + strconv.Itoa(l.Offset))
	}
}
