// Package dbtest gives each test a fresh, migrated PostgreSQL database of its
// own: a template is migrated once per schema version and cloned per test
// (peterldowns/pgtestdb), and dropped when the test passes.
//
// The server is the local PostgreSQL when it answers (SAMESIDE_LOCAL_PG,
// default 127.0.0.1:5432; "off" skips it), else an embedded PostgreSQL started
// once per test binary in a temporary directory. Packages using it call Main
// from TestMain so the embedded server is stopped at the end.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/peterldowns/pgtestdb"
	"gorm.io/gorm"

	"github.com/sameside/sameside/server/database"
)

var (
	once    sync.Once
	srv     *database.Server
	srvErr  error
	tempDir string
)

// Main runs the tests and stops the embedded server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if srv != nil {
		if err := srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest: stopping embedded PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

// LocalAddr is the local server the tests try first.
func LocalAddr() string {
	switch v := os.Getenv("SAMESIDE_LOCAL_PG"); v {
	case "":
		return "127.0.0.1:5432"
	case "off":
		return ""
	default:
		return v
	}
}

// Server returns the PostgreSQL server of this test binary, starting an
// embedded one on first use when no local server answers.
func Server(t testing.TB) *database.Server {
	t.Helper()
	once.Do(func() {
		port, err := freePort()
		if err != nil {
			srvErr = err
			return
		}
		tempDir, srvErr = os.MkdirTemp("", "sameside-test-pg-")
		if srvErr != nil {
			return
		}
		// The unprivileged user that runs PostgreSQL for root must reach it.
		_ = os.Chmod(tempDir, 0o755)
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		srv, srvErr = database.Find(context.Background(), database.Options{
			LocalAddr:    LocalAddr(),
			DatabaseName: "postgres",
			Log:          log,
			Embedded:     database.EmbeddedOptions{Dir: tempDir, Port: port, Ephemeral: true},
		})
	})
	if srvErr != nil {
		t.Fatalf("dbtest: no PostgreSQL: %v", srvErr)
	}
	return srv
}

// URL returns the connection URL of a new, migrated database for this test.
func URL(t testing.TB) string {
	t.Helper()
	conf := adminConfig(t)
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// Conn returns a pgx connection to a new, migrated database for this test,
// closed when it ends: for tests that prepare statements and read how
// PostgreSQL planned them.
func Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// Open returns the server's GORM handle (database.Open: its callbacks,
// its error translation, its native encodings) on a new, migrated database
// for this test, closed when it ends.
func Open(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), URL(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	return db
}

// New returns a *sql.DB on a new, migrated database for this test.
func New(t testing.TB) *sql.DB {
	t.Helper()
	return pgtestdb.New(t, adminConfig(t), migrator{})
}

func adminConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	s := Server(t)
	u, err := url.Parse(s.AdminURL)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	pw, _ := u.User.Password()
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		User:       u.User.Username(),
		Password:   pw,
		Host:       host,
		Port:       port,
		Database:   "postgres",
		Options:    "sslmode=disable",
		// A test's stray connection must not keep its database alive.
		ForceTerminateConnections: true,
	}
}

// migrator applies the application's own migrations, exactly as the server does.
type migrator struct{}

func (migrator) Hash() (string, error) { return database.MigrationsHash() }

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return database.Migrate(ctx, db, nil)
}

func freePort() (uint32, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint32(l.Addr().(*net.TCPAddr).Port), nil
}
