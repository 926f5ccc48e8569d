// Package apptest runs the real SameSide server for tests: a fresh migrated
// database per test (dbtest), the real app wiring, an httptest server, and a
// client that speaks GraphQL over HTTP and graphql-transport-ws the way the
// mobile app does.
package apptest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/api"
	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/auth"
	"github.com/sameside/sameside/server/config"
	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/demo"
	"github.com/sameside/sameside/server/push/fakefcm"
)

// Env is one running server on its own database.
type Env struct {
	t      testing.TB
	App    *app.App
	DB     *gorm.DB
	Server *httptest.Server
	// FCM is the fake FCM the app's pushes go to.
	FCM *fakefcm.Server
	// statements counts, per request id, the SQL statements the app's
	// database handle ran for that request (see DoCounting).
	statements sync.Map
	requests   atomic.Int64
}

// Options change how New builds the server.
type Options struct {
	// Seed loads the demo school.
	Seed bool
	// FirebaseProjectID switches from demo sign-in to Firebase.
	FirebaseProjectID string
	// Production runs in production mode. Without Google credentials here,
	// its tokens are verified by Verifier.
	Production bool
	// Verifier replaces token verification.
	Verifier auth.Verifier
	// NoWorkers leaves the push workers stopped (the test starts them).
	NoWorkers bool
	// Env sets more configuration variables (SAMESIDE_RATE_LIMIT, …).
	Env map[string]string
	// Tracing receives the server's OpenTelemetry spans.
	Tracing trace.TracerProvider
	// LogTo receives everything the server logs, at debug level (else
	// warnings and errors go to stderr).
	LogTo io.Writer
}

// New starts a server for the test on a fresh database.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	fcm := fakefcm.Start(fakefcm.Options{})
	t.Cleanup(fcm.Close)
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "SAMESIDE_SEED": "false", "LOG_LEVEL": "warn",
		"SAMESIDE_FCM_ENDPOINT": fcm.Endpoint(), "SAMESIDE_PUSH_POLL": "50ms",
		"SAMESIDE_FILES_URL": "file://" + t.TempDir(),
		// A test's server needs few connections, and packages run their
		// tests side by side on one PostgreSQL (100 connections in all):
		// idle connections are kept (idle = open), so keep the pool small.
		"SAMESIDE_DB_MAX_CONNS": "6"}
	if o.FirebaseProjectID != "" {
		env["FIREBASE_PROJECT_ID"] = o.FirebaseProjectID
	}
	if o.Production {
		env["SAMESIDE_ENV"] = "production"
	}
	for k, v := range o.Env {
		env[k] = v
	}
	logTo, level := io.Writer(os.Stderr), slog.LevelWarn
	if o.LogTo != nil {
		logTo, level = o.LogTo, slog.LevelDebug
		env["LOG_LEVEL"] = "debug"
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("apptest: config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level}))
	var opts []app.Option
	if o.Verifier != nil {
		opts = append(opts, app.WithVerifier(o.Verifier))
	}
	a, err := app.Open(context.Background(), cfg, log, opts...)
	if err != nil {
		t.Fatalf("apptest: open: %v", err)
	}
	e := &Env{t: t, App: a, DB: a.DB, FCM: fcm}
	countStatements(a.DB, &e.statements)
	if o.Seed {
		if _, err := a.Seed(context.Background()); err != nil {
			t.Fatalf("apptest: seed: %v", err)
		}
	}
	eventsCtx, stopEvents := context.WithCancel(context.Background())
	if err := a.StartEvents(eventsCtx); err != nil {
		t.Fatalf("apptest: events: %v", err)
	}
	t.Cleanup(stopEvents)
	if o.Tracing != nil {
		a.Tracing = o.Tracing
	}
	e.Server = httptest.NewServer(a.Handler())
	if !o.NoWorkers {
		if err := a.StartWorkers(context.Background()); err != nil {
			t.Fatalf("apptest: workers: %v", err)
		}
	}
	t.Cleanup(func() {
		e.Server.CloseClientConnections()
		e.Server.Close()
		_ = a.StopWorkers(10 * time.Second)
		// Every push a test made the server send matches its schema in
		// mobile-contracts/push/.
		for _, m := range fcm.Messages() {
			if err := contracts.ValidatePush(m.Raw); err != nil {
				t.Errorf("push payload does not match its schema: %v\n%s", err, m.Raw)
			}
		}
		_ = a.Close()
	})
	return e
}

// Sibling starts a second server instance on the same database (another
// process behind the load balancer, for cross-instance tests). Demo tokens
// work on both: the signing key is in the database.
func (e *Env) Sibling(t testing.TB) *Env {
	t.Helper()
	cfg := e.App.Config
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("apptest: sibling: %v", err)
	}
	s := &Env{t: t, App: a, DB: a.DB, FCM: e.FCM}
	ctx, stop := context.WithCancel(context.Background())
	if err := a.StartEvents(ctx); err != nil {
		t.Fatalf("apptest: sibling events: %v", err)
	}
	s.Server = httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		s.Server.CloseClientConnections()
		s.Server.Close()
		stop()
		_ = a.Close()
	})
	return s
}

// SettleEvents waits until the live events this instance published so far
// have reached its subscribers, so that a subscription opened next sees
// only what comes after.
func (e *Env) SettleEvents() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.App.Events.Sync(ctx); err != nil {
		e.t.Fatalf("apptest: events did not settle: %v", err)
	}
}

// WaitSubscribers waits until n live subscriptions listen on this instance
// (a subscription starts asynchronously after the client's subscribe).
func (e *Env) WaitSubscribers(n int) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.App.Events.Subscribers() < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%d live subscriptions after 10s, want %d", e.App.Events.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitPushesIdle waits until no push job is due or running: every push the
// test caused so far has been sent (or given up).
func (e *Env) WaitPushesIdle() {
	e.t.Helper()
	e.waitNone("push jobs still due", `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'pending')
			OR (state IN ('scheduled', 'retryable') AND scheduled_at <= now())`)
}

// WaitJobsSettled waits until no background job is waiting to run or
// running (jobs scheduled for later, such as a push held for quiet hours,
// may remain): everything the test set in motion so far has done what it
// would do. A test proving that something did not happen waits for this
// first, rather than sleeping.
func (e *Env) WaitJobsSettled() {
	e.t.Helper()
	e.waitNone("jobs still waiting or running", `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'pending')`)
}

// waitNone waits up to 20 s until count, a SELECT count(*), is 0.
func (e *Env) waitNone(what, count string) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int64
		if err := e.DB.Raw(count).Scan(&n).Error; err != nil {
			e.t.Fatalf("apptest: %s: %v", what, err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d %s after 20s", n, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitForPushes waits until the fake FCM has accepted n messages, or fails.
func (e *Env) WaitForPushes(n int) []fakefcm.Message {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if e.FCM.Count() >= n {
			return e.FCM.Messages()
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("fake FCM has %d messages after 20s, want %d", e.FCM.Count(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RegisterDevice registers a push token for the holder of userToken.
func (e *Env) RegisterDevice(userToken, pushToken string) {
	e.t.Helper()
	res := e.Do(userToken, `mutation($t: String!) { registerDevice(input: {token: $t, platform: ANDROID, appVersion: "1.0.0"}) { id } }`, map[string]any{"t": pushToken})
	if res.Code() != "" {
		e.t.Fatalf("registerDevice: %s", res.Body)
	}
}

// countStatements counts each statement under the id of the request whose
// context it ran in; statements of anything else the server does meanwhile
// (push workers, cleanup jobs, other requests) are not counted.
func countStatements(db *gorm.DB, perRequest *sync.Map) {
	inc := func(tx *gorm.DB) {
		if tx.Statement.Context == nil {
			return
		}
		if id := api.RequestID(tx.Statement.Context); id != "" {
			if n, ok := perRequest.Load(id); ok {
				n.(*atomic.Int64).Add(1)
			}
		}
	}
	_ = db.Callback().Query().Before("gorm:query").Register("apptest:count", inc)
	_ = db.Callback().Row().Before("gorm:row").Register("apptest:count", inc)
	_ = db.Callback().Raw().Before("gorm:raw").Register("apptest:count", inc)
	_ = db.Callback().Create().Before("gorm:create").Register("apptest:count", inc)
	_ = db.Callback().Update().Before("gorm:update").Register("apptest:count", inc)
	_ = db.Callback().Delete().Before("gorm:delete").Register("apptest:count", inc)
}

// Token signs a demo token for a user given by role ("admin", "teacher",
// "parent") or email.
func (e *Env) Token(who string) string {
	e.t.Helper()
	tok, err := e.App.DemoToken(context.Background(), who)
	if err != nil {
		e.t.Fatalf("apptest: token for %s: %v", who, err)
	}
	return tok
}

// TokenFor signs a demo token for a user.
func (e *Env) TokenFor(u *models.User) string {
	e.t.Helper()
	tok, err := e.App.Demo.Sign(u.FirebaseUID, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// SignerAt returns a demo signer with the server's key and a fixed clock,
// for tokens that are expired or not yet valid.
func (e *Env) SignerAt(now time.Time) *auth.DemoSigner {
	e.t.Helper()
	var k models.DemoSigningKey
	if err := e.DB.Take(&k, "id = 1").Error; err != nil {
		e.t.Fatal(err)
	}
	return auth.NewDemoSigner(ed25519.NewKeyFromSeed(k.PrivateKey), func() time.Time { return now })
}

// User returns the demo user with the email or role.
func (e *Env) User(who string) *models.User {
	e.t.Helper()
	u, err := demo.FindUser(context.Background(), e.DB, who)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a GraphQL response with its HTTP status.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Body   string
}

// Code returns the first error's extensions.code, or "" without errors.
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into dst, failing the test on errors.
func (r *Response) Decode(t testing.TB, dst any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Body)
	}
	if err := json.Unmarshal(r.Data, dst); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// Do POSTs a GraphQL operation with a bearer token ("" for none).
func (e *Env) Do(token, query string, vars map[string]any) *Response {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.Post(token, "application/json", body)
}

// DoCounting is Do, and also returns how many SQL statements the server
// ran for this request alone.
func (e *Env) DoCounting(token, query string, vars map[string]any) (*Response, int64) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	id := fmt.Sprintf("counted-%d", e.requests.Add(1))
	n := new(atomic.Int64)
	e.statements.Store(id, n)
	defer e.statements.Delete(id)
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", id)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res := e.send(req)
	return res, n.Load()
}

// Post sends a raw body to /graphql.
func (e *Env) Post(token, contentType string, body []byte) *Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req)
}

// DoHeader POSTs a query with a raw Authorization header.
func (e *Env) DoHeader(authorization, query string) *Response {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authorization)
	return e.send(req)
}

// Get fetches a path other than /graphql (a download, /metrics) with a
// bearer token ("" for none) and returns the status and body.
func (e *Env) Get(path, token string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.Server.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, string(raw)
}

func (e *Env) send(req *http.Request) *Response {
	e.t.Helper()
	res, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &Response{Status: res.StatusCode, Body: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return out
}

// Count returns the number of rows in table, for "nothing was written" checks.
func (e *Env) Count(table string) int64 {
	e.t.Helper()
	var n int64
	if err := e.DB.Table(table).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// Snapshot counts the rows of every table that a write could touch.
func (e *Env) Snapshot() map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	for _, tbl := range []string{"schools", "users", "memberships", "classrooms", "students", "enrollments", "classroom_staff", "guardianships", "invitations",
		"observations", "acknowledgements", "observation_responses", "home_insights", "observation_reviews", "client_mutations", "notifications",
		"conversations", "conversation_participants", "messages", "office_hours",
		"conference_rounds", "conference_slots", "conference_bookings", "calendar_feeds", "conference_requests", "conference_request_options",
		"announcements", "announcement_reads", "school_events", "event_rsvps", "resources"} {
		out[tbl] = e.Count(tbl)
	}
	// Read positions and mutes change rows without adding any.
	var state struct{ Read, Muted int64 }
	if err := e.DB.Raw(`SELECT coalesce(sum(last_read_seq), 0) AS read, count(*) FILTER (WHERE muted) AS muted FROM conversation_participants`).Scan(&state).Error; err != nil {
		e.t.Fatalf("apptest: snapshot: %v", err)
	}
	out["read positions"], out["mutes"] = state.Read, state.Muted
	var conf struct{ CancelledSlots, CancelledBookings, Notes int64 }
	if err := e.DB.Raw(`SELECT (SELECT count(*) FROM conference_slots WHERE cancelled_at IS NOT NULL) AS cancelled_slots,
		(SELECT count(*) FROM conference_bookings WHERE cancelled_at IS NOT NULL) AS cancelled_bookings,
		(SELECT coalesce(sum(length(notes)), 0) FROM conference_bookings) AS notes`).Scan(&conf).Error; err != nil {
		e.t.Fatalf("apptest: snapshot: %v", err)
	}
	out["cancelled slots"], out["cancelled bookings"], out["conference notes"] = conf.CancelledSlots, conf.CancelledBookings, conf.Notes
	return out
}

// SameCounts fails unless two snapshots match.
func SameCounts(t testing.TB, before, after map[string]int64) {
	t.Helper()
	var diff []string
	for k, v := range before {
		if after[k] != v {
			diff = append(diff, fmt.Sprintf("%s %d→%d", k, v, after[k]))
		}
	}
	if len(diff) > 0 {
		t.Fatalf("rows were written: %s", strings.Join(diff, ", "))
	}
}

// AddFamilies adds n families to the (one) school in db, for scale: a
// parent account (firebase uid prefix-family-i) guarding one child
// (first name prefix i), with devices phones each; then ANALYZE.
func AddFamilies(db *gorm.DB, prefix string, n, devices int) error {
	p := prefix + "-family-"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (firebase_uid, display_name, locale, time_zone)
		 SELECT ? || g, 'Family ' || g, 'en-US', 'America/New_York' FROM generate_series(1, ?) g`, []any{p, n}},
		{`INSERT INTO memberships (user_id, school_id, role) SELECT u.id, (SELECT id FROM schools), 'PARENT' FROM users u WHERE u.firebase_uid LIKE ? || '%'`, []any{p}},
		{`INSERT INTO students (school_id, first_name, last_name, grade)
		 SELECT (SELECT id FROM schools), ? || g, 'Child', '3' FROM generate_series(1, ?) g`, []any{prefix, n}},
		{`INSERT INTO guardianships (school_id, student_id, user_id, relationship, is_primary)
		 SELECT s.school_id, s.id, u.id, 'PARENT', true
		 FROM (SELECT id, school_id, row_number() OVER (ORDER BY id) rn FROM students WHERE first_name ~ ('^' || ? || '[0-9]+$')) s
		 JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM users WHERE firebase_uid LIKE ? || '%') u ON u.rn = s.rn`, []any{prefix, p}},
		{`INSERT INTO devices (user_id, token, platform, locale)
		 SELECT u.id, ? || u.id || '-' || d, 'ANDROID', 'en-US' FROM users u, generate_series(1, ?) d WHERE u.firebase_uid LIKE ? || '%'`, []any{prefix + "-device-", devices, p}},
		{`ANALYZE`, nil},
	} {
		if err := db.Exec(q.sql, q.args...).Error; err != nil {
			return err
		}
	}
	return nil
}
