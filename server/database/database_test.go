package database_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestEmbeddedServer starts the embedded PostgreSQL the way `go run ./server`
// does when no other server answers (as root here, through the shim), applies
// the migrations, stops it, and starts it again on the same data.
func TestEmbeddedServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sameside-embedded-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	_ = os.Chmod(dir, 0o755)
	port := freePort(t)
	opts := database.Options{
		LocalAddr: "", // never the local server: this test is about the embedded path
		Log:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Embedded:  database.EmbeddedOptions{Dir: filepath.Join(dir, "pg"), Port: port},
	}

	srv, err := database.Find(ctx, opts)
	if err != nil {
		t.Fatalf("start embedded: %v", err)
	}
	if srv.Source != database.SourceEmbedded {
		t.Fatalf("source = %s, want embedded", srv.Source)
	}
	db, err := database.Open(ctx, srv.URL, opts.Log)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	if err := database.Migrate(ctx, sqlDB, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := db.Create(&models.School{Name: "Embedded Elementary", TimeZone: "UTC"}).Error; err != nil {
		t.Fatalf("insert: %v", err)
	}

	// A second process finds the running server instead of starting another.
	again, err := database.Find(ctx, opts)
	if err != nil || again.Source != database.SourceEmbedded {
		t.Fatalf("second Find: %v %v", again, err)
	}
	sqlDB.Close()
	if err := srv.Close(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	// Restarted on the same directory, the data is still there.
	srv, err = database.Find(ctx, opts)
	if err != nil {
		t.Fatalf("restart embedded: %v", err)
	}
	defer srv.Close()
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schools WHERE name = 'Embedded Elementary'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after restart: count=%d err=%v", n, err)
	}
}

// TestLocalServerCreatesDatabase uses the local server when it answers and
// creates the application database on it when missing.
func TestLocalServerCreatesDatabase(t *testing.T) {
	addr := dbtest.LocalAddr()
	srv := dbtest.Server(t)
	if srv.Source != database.SourceLocal {
		t.Skipf("no local PostgreSQL at %q; the embedded path is tested instead", addr)
	}
	ctx := context.Background()
	name := "sameside_find_test"
	admin, err := pgx.Connect(ctx, srv.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the database is dropped, then the
	// connection closed (a deferred Close ran before any cleanup, and the
	// drop then failed on a closed connection, leaving the database).
	t.Cleanup(func() { admin.Close(ctx) })
	_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
	t.Cleanup(func() { _, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name) })

	got, err := database.Find(ctx, database.Options{LocalAddr: addr, DatabaseName: name})
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != database.SourceLocal {
		t.Fatalf("source = %s, want local", got.Source)
	}
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || !exists {
		t.Fatalf("database %s not created: %v", name, err)
	}
}

// TestDatabaseURLWins: with DATABASE_URL set nothing else is probed.
func TestDatabaseURLWins(t *testing.T) {
	got, err := database.Find(context.Background(), database.Options{URL: "postgres://x@db.invalid/y", LocalAddr: dbtest.LocalAddr()})
	if err != nil || got.Source != database.SourceURL || got.URL != "postgres://x@db.invalid/y" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func freePort(t *testing.T) uint32 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint32(l.Addr().(*net.TCPAddr).Port)
}

// loggingDB opens a test database whose log is the returned buffer.
func loggingDB(t *testing.T) (*gorm.DB, *bytes.Buffer) {
	t.Helper()
	buf := &bytes.Buffer{}
	db, err := database.Open(context.Background(), dbtest.URL(t), slog.New(slog.NewTextHandler(buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return db, buf
}

// A failed statement is logged without its values (they are children's
// data), and a cancelled one is not logged at all.
func TestLogsLeaveValuesOut(t *testing.T) {
	db, buf := loggingDB(t)
	var n int64
	db.Raw("SELECT count(*) FROM users WHERE display_name = ? AND no_such_column = 1", "Secret Child Name").Scan(&n)
	if !strings.Contains(buf.String(), "no_such_column") || strings.Contains(buf.String(), "Secret Child Name") {
		t.Fatalf("log: %s", buf.String())
	}
	buf.Reset()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	db.WithContext(ctx).Raw("SELECT pg_sleep(1)").Scan(&n)
	if buf.Len() != 0 {
		t.Fatalf("a cancelled statement was logged: %s", buf.String())
	}
}

// A long statement is logged cut short, saying how long it was.
func TestLogsCutLongStatements(t *testing.T) {
	db, buf := loggingDB(t)
	var n int64
	long := "SELECT 1 /* " + strings.Repeat("é", 3000) + " */ + no_such_column"
	db.Raw(long).Scan(&n)
	out := buf.String()
	if !strings.Contains(out, "no_such_column") || !strings.Contains(out, fmt.Sprintf("(%d bytes in all)", len(long))) ||
		len(out) > 3000 || !utf8.ValidString(out) {
		t.Fatalf("log (%d bytes): %.300s", len(out), out)
	}
}

// A database that cannot be reached is logged as a readable line naming
// the cause, not GORM's unrendered "got error %v" with a JSON failure.
func TestUnreachableDatabaseLogsItsCause(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(freePort(t))))
	if _, err := database.Open(context.Background(), "postgres://postgres@"+addr+"/x?connect_timeout=2", log); err == nil {
		t.Fatal("opened a database nobody serves")
	}
	if out := buf.String(); strings.Contains(out, "%v") || strings.Contains(out, "!ERROR") || !strings.Contains(out, "connection refused") {
		t.Fatalf("log: %s", out)
	}
}

// TestEmbeddedChild is the process TestKilledOwnersEmbeddedServerIsAdopted
// starts and kills: it starts an embedded PostgreSQL, says so, and waits.
func TestEmbeddedChild(t *testing.T) {
	dir, port := os.Getenv("SAMESIDE_TEST_EMBEDDED_DIR"), os.Getenv("SAMESIDE_TEST_EMBEDDED_PORT")
	if dir == "" {
		t.Skip("run by TestKilledOwnersEmbeddedServerIsAdopted")
	}
	p, _ := strconv.Atoi(port)
	if _, err := database.Find(context.Background(), database.Options{Log: slog.New(slog.DiscardHandler),
		Embedded: database.EmbeddedOptions{Dir: dir, Port: uint32(p)}}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("embedded-ready")
	select {} // until killed
}

// A server killed with SIGKILL leaves its embedded PostgreSQL running; the
// next server adopts it and stops it when it stops itself, so nothing is
// left behind; while its owner lives, a second process uses it and leaves
// it alone.
func TestKilledOwnersEmbeddedServerIsAdopted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	dir, err := os.MkdirTemp("", "sameside-adopt-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	_ = os.Chmod(dir, 0o755)
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port)))
	pgDir := filepath.Join(dir, "pg")
	opts := database.Options{Log: slog.New(slog.DiscardHandler), Embedded: database.EmbeddedOptions{Dir: pgDir, Port: port}}

	child := exec.Command(os.Args[0], "-test.run=^TestEmbeddedChild$", "-test.v")
	child.Env = append(os.Environ(), "SAMESIDE_TEST_EMBEDDED_DIR="+pgDir, "SAMESIDE_TEST_EMBEDDED_PORT="+strconv.Itoa(int(port)))
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	scanner := bufio.NewScanner(out)
	for scanner.Scan() && !strings.Contains(scanner.Text(), "embedded-ready") {
	}
	if !answering(addr) {
		t.Fatal("the child's embedded PostgreSQL does not answer")
	}
	// While the owner lives, another process uses it and leaves it be.
	borrower, err := database.Find(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := borrower.Close(); err != nil || !answering(addr) {
		t.Fatalf("a borrower stopped its owner's server: %v", err)
	}
	// The owner dies without stopping it.
	_ = child.Process.Signal(syscall.SIGKILL)
	_ = child.Wait()
	if !answering(addr) {
		t.Fatal("the embedded PostgreSQL died with its owner: nothing to adopt")
	}
	adopter, err := database.Find(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := adopter.Close(); err != nil {
		t.Fatalf("stopping the adopted server: %v", err)
	}
	if answering(addr) {
		t.Fatal("the adopted embedded PostgreSQL is still running after its adopter stopped")
	}
}

func answering(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// models.Array goes to PostgreSQL as one array parameter and comes back
// whole, commas, quotes, backslashes and empty strings included.
func TestArraysRoundTrip(t *testing.T) {
	db, err := database.Open(context.Background(), dbtest.URL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	texts := models.Array[string]{"a", "b,c", `d"e`, `f\g`, "", "NULL"}
	var gotTexts models.Array[string]
	if err := db.Raw(`SELECT ?::text[]`, texts).Row().Scan(&gotTexts); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotTexts, texts) {
		t.Fatalf("text[]: %q, want %q", gotTexts, texts)
	}
	var n int
	if err := db.Raw(`SELECT cardinality(?::bigint[])`, models.Array[int64]{1, -2, 1 << 40}).Row().Scan(&n); err != nil || n != 3 {
		t.Fatalf("bigint[]: %d %v", n, err)
	}
	var none models.Array[string]
	if err := db.Raw(`SELECT NULL::text[]`).Row().Scan(&none); err != nil || none != nil {
		t.Fatalf("NULL: %q %v", none, err)
	}
}

// A statement is logged as it was sent ($1 for its first value), and
// nothing renders values into statements to be dropped: GORM's Explain
// (regular expressions over the whole statement, run for every db.Raw(…).Scan
// whether or not anything is logged) took 2% of the servers' CPU in
// benchlive. The dialector's other parts stay, among them the translation
// of a unique violation into gorm.ErrDuplicatedKey.
func TestLoggedStatementIsTheStatementSent(t *testing.T) {
	db, buf := loggingDB(t)
	var n int64
	db.Raw("SELECT count(*) FROM users WHERE display_name = ? AND no_such_column = 1", "Secret Child Name").Scan(&n)
	if out := buf.String(); !strings.Contains(out, "display_name = $1 AND no_such_column = 1") {
		t.Fatalf("log: %s", out)
	}
	if got := db.Dialector.Explain("SELECT $1", "Secret Child Name"); got != "SELECT $1" {
		t.Fatalf("Explain rendered %q", got)
	}
	u := map[string]any{"firebase_uid": "dup", "display_name": "A"}
	if err := db.Table("users").Create(u).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Table("users").Create(map[string]any{"firebase_uid": "dup", "display_name": "B"}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("a duplicate key: %v, want gorm.ErrDuplicatedKey", err)
	}
}

// ClientConnections reads the limit as PostgreSQL sets it, and at least
// this test's own connection in use.
func TestClientConnections(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	c, err := database.ClientConnections(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var max, reserved int
	if err := db.Raw(`SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int`).Row().Scan(&max, &reserved); err != nil {
		t.Fatal(err)
	}
	if c.Limit != max-reserved || c.InUse < 1 || c.InUse > c.Limit+reserved || c.Room != c.Limit-c.InUse {
		t.Fatalf("%+v: want the limit %d - %d, this connection among those in use, and the room between", c, max, reserved)
	}
}
