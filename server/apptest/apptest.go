// Package apptest runs the real SameSide server for tests: a fresh migrated
// database per test (dbtest), the real app wiring, an httptest server, and a
// client that speaks GraphQL over HTTP and graphql-transport-ws the way the
// mobile app does.
package apptest

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
	"github.com/sameside/sameside/server/jobs"
	"github.com/sameside/sameside/server/outbound/fakesmtp"
	"github.com/sameside/sameside/server/outbound/faketwilio"
	"github.com/sameside/sameside/server/push/fakefcm"
	"github.com/sameside/sameside/server/translation/faketranslate"
)

// Env is one running server on its own database.
type Env struct {
	t      testing.TB
	App    *app.App
	DB     *gorm.DB
	Server *httptest.Server
	// FCM is the fake FCM the app's pushes go to.
	FCM *fakefcm.Server
	// SMTP keeps the email the app sends; Twilio is the fake its texts go to.
	SMTP   *fakesmtp.Server
	Twilio *faketwilio.Server
	// Translate is the fake Google Cloud Translation (Options.Translate).
	Translate *faketranslate.Server
	// Clock is what the domain and the push pipeline take for now.
	Clock *Clock
	// statements counts, per request id, the SQL statements the app's
	// database handle ran for that request (see DoCounting).
	statements sync.Map
	// jobStatements records, per job kind, the statements of that kind's
	// jobs (RecordJobs).
	jobStatements sync.Map
}

// requestIDs numbers the requests whose statements a test counts, across
// every server of the test binary: the parallel tests' servers record by
// request id, and two servers' "counted-1" were taken for one request.
var requestIDs atomic.Int64

// The fake Twilio account of every test server, and its sending number.
const (
	TwilioAccountSID = "AC00000000000000000000000000000001"
	TwilioAuthToken  = "0123456789abcdef0123456789abcdef"
	SMSFrom          = "+15005550006"
)

// Options change how New builds the server.
type Options struct {
	// Seed loads the demo school.
	Seed bool
	// FirebaseProjectID switches from demo sign-in to Firebase.
	FirebaseProjectID string
	// Translate translates what people write through a fake Google Cloud
	// Translation (Env.Translate); off otherwise.
	Translate bool
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
	// Email goes to a real SMTP server that keeps it, SMS through the real
	// Twilio client to a fake that speaks Twilio's API; the server listens
	// where its public URL says, so Twilio's signed callbacks check out.
	smtpServer, err := fakesmtp.Start()
	if err != nil {
		t.Fatalf("apptest: smtp: %v", err)
	}
	t.Cleanup(smtpServer.Close)
	tw := faketwilio.Start(faketwilio.Options{AccountSID: TwilioAccountSID, AuthToken: TwilioAuthToken})
	t.Cleanup(tw.Close)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("apptest: listen: %v", err)
	}
	publicURL := "http://" + listener.Addr().String()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "SAMESIDE_SEED": "false", "LOG_LEVEL": "warn",
		"SAMESIDE_PUBLIC_URL": publicURL, "SAMESIDE_SMTP_URL": smtpServer.URL(), "SAMESIDE_MAIL_FROM": "SameSide <no-reply@sameside.test>",
		"TWILIO_ACCOUNT_SID": TwilioAccountSID, "TWILIO_AUTH_TOKEN": TwilioAuthToken, "SAMESIDE_SMS_FROM": SMSFrom,
		"SAMESIDE_TWILIO_API_URL": tw.URL(),
		"SAMESIDE_FCM_ENDPOINT":   fcm.Endpoint(), "SAMESIDE_PUSH_POLL": "50ms",
		"SAMESIDE_FILES_URL": "file://" + t.TempDir(),
		// A test's server needs few connections, and packages run their
		// tests side by side on one PostgreSQL (100 connections in all):
		// idle connections are kept (idle = open), so keep the pool small.
		"SAMESIDE_DB_MAX_CONNS": "6", "SAMESIDE_JOB_DB_CONNS": "4"}
	if o.FirebaseProjectID != "" {
		env["FIREBASE_PROJECT_ID"] = o.FirebaseProjectID
	}
	// Translation through the real Google client to a fake that speaks
	// its API, for the tests that ask for it; off for the others (whose
	// bodies would otherwise read translated for some demo families).
	var tr *faketranslate.Server
	if o.Translate {
		tr = faketranslate.Start()
		t.Cleanup(tr.Close)
		env["SAMESIDE_TRANSLATE_PROJECT"], env["SAMESIDE_TRANSLATE_URL"] = faketranslate.Project, tr.Endpoint()
	} else {
		env["SAMESIDE_TRANSLATE"] = "off"
	}
	if o.Production {
		env["SAMESIDE_ENV"] = "production"
	}
	// The weekly reminder's chore would run on the wall clock (and again
	// whenever a test makes every scheduled job due): tests send it by
	// hand (Domain.SendWeeklyReminders) on their own clock.
	env["SAMESIDE_WEEKLY_REMINDER"] = "off"
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
	e := &Env{t: t, FCM: fcm, SMTP: smtpServer, Twilio: tw, Translate: tr}
	opts := []app.Option{app.WithQueryTracer(statementCounter{perRequest: &e.statements, perJobKind: &e.jobStatements})}
	if o.Verifier != nil {
		opts = append(opts, app.WithVerifier(o.Verifier))
	}
	a, err := app.Open(context.Background(), cfg, log, opts...)
	if err != nil {
		t.Fatalf("apptest: open: %v", err)
	}
	e.App, e.DB = a, a.DB
	// The clock goes in before anything runs that reads it.
	e.Clock = &Clock{}
	e.Clock.drive(a)
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
	e.Server = httptest.NewUnstartedServer(a.Handler())
	_ = e.Server.Listener.Close()
	e.Server.Listener = listener
	e.Server.Start()
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
	s := &Env{t: t, App: a, DB: a.DB, FCM: e.FCM, Clock: e.Clock}
	e.Clock.drive(a) // one world, one time
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

// requestStatements is what the server sent the database for one request.
type requestStatements struct {
	n  atomic.Int64
	mu sync.Mutex
	// sent are the statements as sent, with their arguments.
	sent []Statement
}

// Statement is one SQL statement the server ran, and its arguments.
type Statement struct {
	SQL  string
	Vars []any
}

// jobStatements is what the app sent the database for the jobs of one
// kind, by job.
type jobStatements struct {
	mu    sync.Mutex
	byJob map[int64][]Statement
}

// RecordJobs records, from now on, every statement the jobs of kind run
// (in their work, every run); statements returns them by job id.
func (e *Env) RecordJobs(kind string) (statements func() map[int64][]Statement) {
	r := &jobStatements{byJob: map[int64][]Statement{}}
	e.jobStatements.Store(kind, r)
	e.t.Cleanup(func() { e.jobStatements.Delete(kind) })
	return func() map[int64][]Statement {
		r.mu.Lock()
		defer r.mu.Unlock()
		out := make(map[int64][]Statement, len(r.byJob))
		for id, s := range r.byJob {
			out[id] = append([]Statement(nil), s...)
		}
		return out
	}
}

// statementCounter counts each statement the app's connections send under
// the id of the request whose context it ran in, and keeps it: whatever
// made it (GORM, database/sql, pgx itself), since it sees what pgx puts on
// the wire. Subqueries GORM renders inside another statement are not
// statements; transaction control (BEGIN, COMMIT) is. A job's work is
// counted under its kind when a test records that kind (RecordJobs).
// Statements of anything else the server does meanwhile (River's own
// fetching and completing, other requests) are not counted.
type statementCounter struct{ perRequest, perJobKind *sync.Map }

func (c statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if job := jobs.Running(ctx); job != nil {
		if r, ok := c.perJobKind.Load(job.Kind); ok {
			r := r.(*jobStatements)
			r.mu.Lock()
			r.byJob[job.ID] = append(r.byJob[job.ID], Statement{SQL: data.SQL, Vars: append([]any(nil), data.Args...)})
			r.mu.Unlock()
		}
		return ctx
	}
	if id := api.RequestID(ctx); id != "" {
		if r, ok := c.perRequest.Load(id); ok {
			r := r.(*requestStatements)
			r.n.Add(1)
			r.mu.Lock()
			r.sent = append(r.sent, Statement{SQL: data.SQL, Vars: append([]any(nil), data.Args...)})
			r.mu.Unlock()
		}
	}
	return ctx
}

func (statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

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
