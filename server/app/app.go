// Package app assembles the SameSide server from its configuration: finds
// and migrates the database, seeds the demo school, sets up sign-in and
// serves HTTP until its context ends, then shuts down gracefully. `main` and
// the end-to-end tests both use it.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/api"
	"github.com/sameside/sameside/server/auth"
	"github.com/sameside/sameside/server/config"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/server/demo"
	"github.com/sameside/sameside/server/files"
	"github.com/sameside/sameside/server/jobs"
	"github.com/sameside/sameside/server/metrics"
	"github.com/sameside/sameside/server/outbound"
	"github.com/sameside/sameside/server/push"
	"github.com/sameside/sameside/server/push/fakefcm"
	"github.com/sameside/sameside/server/realtime"
	"github.com/sameside/sameside/server/retention"
	"github.com/sameside/sameside/server/roster"
	"github.com/sameside/sameside/server/translation"
)

// App is a configured server with its database open.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *gorm.DB
	Domain *domain.Service
	// Demo signs demo tokens; nil unless in demo mode.
	Demo     *auth.DemoSigner
	Verifier auth.Verifier
	// Push is the notification pipeline; Workers work its jobs once started.
	Push    *push.Pipeline
	Workers *river.Client[pgx.Tx]
	// FakeFCM is the in-process fake FCM of demo mode (nil otherwise).
	FakeFCM *fakefcm.Server
	// Events carries live events between instances (LISTEN/NOTIFY).
	Events *realtime.Broker
	// Limits makes the rate and socket limits hold across instances.
	Limits *api.SharedLimits
	// Files keeps uploads.
	Files *files.Store
	// Metrics are served at /metrics.
	Metrics *metrics.Metrics
	// Tracing provides OpenTelemetry tracers (nil: no tracing; set when
	// OTLP export is configured).
	Tracing trace.TracerProvider
	// Outbound sends email and SMS (nil: not configured, in production).
	Outbound *outbound.Service
	// Planner adds email and SMS to notifications (nil with Outbound).
	Planner *outbound.Planner
	// Links signs unsubscribe links.
	Links *outbound.Links
	// Translation translates what people write (nil: off).
	Translation *translation.Service
	// Pool is the pgx pool the workers use.
	Pool *pgxpool.Pool
	pg   *database.Server
	// pages is the pool of the domain's observation pages (Domain.Pages).
	pages *sql.DB
	// jobsDB is the background jobs' handle on the database, on a pool of
	// its own (jobsPool, Config.JobDBConns): push fan-outs, emails and
	// texts.
	jobsDB   *gorm.DB
	jobsPool *sql.DB
	// translatePool is translation's (Config.TranslateWorkers + 1): a
	// drain holds its connection while the provider answers.
	translatePool *sql.DB
	// stopEvents ends the listener and waits for it (set by StartEvents).
	stopEvents func()
	// tracerProvider exports spans when OTLP is configured.
	tracerProvider *sdktrace.TracerProvider
	// dbOptions adjust the API's database connections (WithQueryTracer).
	dbOptions []database.Option
}

// Option changes how Open builds the app.
type Option func(*App)

// WithVerifier makes the app verify tokens with v instead of Firebase or the
// demo signer (tests of production mode, which has no credentials here).
func WithVerifier(v auth.Verifier) Option { return func(a *App) { a.Verifier = v } }

// WithQueryTracer has t see every statement the app's API connections
// send (tests count a request's statements with it).
func WithQueryTracer(t pgx.QueryTracer) Option {
	return func(a *App) { a.dbOptions = append(a.dbOptions, database.WithTracer(t)) }
}

// Open finds the database, migrates it, and prepares sign-in. It does not
// seed or serve.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	pg, err := database.Find(ctx, database.Options{
		URL:       cfg.DatabaseURL,
		LocalAddr: cfg.LocalPostgres,
		Log:       log,
		Embedded:  database.EmbeddedOptions{Dir: cfg.EmbeddedDir, Port: cfg.EmbeddedPort},
	})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, pg: pg}
	for _, o := range opts {
		o(a)
	}
	if err := a.open(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

// checkConnections warns when this process's pools may need more
// connections than the database has left (those of pools already open
// counted as this process's own): under load, a connection refused is a
// request answered UNAVAILABLE.
func (a *App) checkConnections(ctx context.Context, pools ...*sql.DB) {
	c, err := database.ClientConnections(ctx, a.DB)
	if err != nil {
		a.Log.Warn("database: could not read max_connections", "err", err)
		return
	}
	own := 0
	for _, p := range pools {
		own += p.Stats().OpenConnections
	}
	if need := a.Config.DBConnections(); need > c.Room+own {
		a.Log.Warn("database: this process may need more connections than the database has left: lower SAMESIDE_DB_MAX_CONNS or raise max_connections",
			"need", need, "left", c.Room+own, "max_connections_for_clients", c.Limit, "in_use", c.InUse)
	}
}

func (a *App) open(ctx context.Context) error {
	db, err := database.Open(ctx, a.pg.URL, a.Log, a.dbOptions...)
	if err != nil {
		return err
	}
	a.DB = db
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	// The API's connections are DBMaxConns in all: a quarter of them read
	// observation pages (a.pages, below), the rest everything else.
	pageConns := max(1, a.Config.DBMaxConns/4)
	apiConns := max(1, a.Config.DBMaxConns-pageConns)
	sqlDB.SetMaxOpenConns(apiConns)
	// Idle = open: with fewer idle than open connections, any load above
	// the idle count closes and reopens PostgreSQL sessions continuously
	// (each a new backend process); idle ones still go after
	// ConnMaxIdleTime.
	sqlDB.SetMaxIdleConns(apiConns)
	if err := database.Migrate(ctx, sqlDB, a.Log); err != nil {
		return err
	}
	a.Domain = domain.New(db)
	// Observation pages on connections of their own with generic plans
	// (database.GenericPlans).
	if a.Domain.Pages, a.pages, err = database.GenericPlans(db, a.pg.URL, pageConns, a.dbOptions...); err != nil {
		return err
	}
	// The background jobs' work on connections of their own: a burst of
	// fan-outs (200 messages a second, each its own) held the API's
	// connections, and sendMessage waited for one (make bench-live: the
	// API pool waited 580 s in a 30 s run). Each of their statements is
	// planned for its values and the tables as they are: a fan-out's
	// tables grow by thousands of rows a minute, faster than autovacuum's
	// ANALYZE, and a plan cached while the deliveries were a few hundred
	// rows scanned them whole for every batch of outcomes
	// (TestOutcomeWriteReadsItsRowsOnly: 64,410 rows a write of 160).
	if a.jobsDB, a.jobsPool, err = database.CustomPlans(db, a.pg.URL, a.Config.JobDBConns, a.dbOptions...); err != nil {
		return err
	}
	a.checkConnections(ctx, sqlDB, a.pages, a.jobsPool)
	a.Limits = api.NewSharedLimits(db, a.Log, a.Config.LimitsSync)
	if err := a.openPush(ctx, sqlDB); err != nil {
		return err
	}
	ops, err := contracts.Operations()
	if err != nil {
		return err
	}
	if a.Config.OTLPEndpoint != "" {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return fmt.Errorf("tracing: %w", err)
		}
		a.tracerProvider = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
			sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "sameside"))))
		a.Tracing = a.tracerProvider
		a.Log.Info("tracing: exporting spans over OTLP/HTTP", "endpoint", a.Config.OTLPEndpoint)
	}
	mo := metrics.Options{DB: db, Push: a.Push.Metrics.Snapshot, Operations: slices.Collect(maps.Keys(ops)),
		Pools: map[string]*sql.DB{"api": sqlDB, "pages": a.pages, "jobs": a.jobsPool}}
	if a.translatePool != nil {
		mo.Pools["translate"] = a.translatePool
	}
	if a.Outbound != nil {
		mo.Collectors = a.Outbound.Metrics.Collectors()
	}
	if a.Translation != nil {
		mo.Collectors = append(mo.Collectors, a.Translation.Characters)
	}
	a.Metrics = metrics.New(mo)
	a.Domain.ObserveStatement = a.Metrics.ObserveStatement
	if a.Verifier != nil {
		return nil
	}
	if a.Config.DemoMode() {
		if a.Demo, err = auth.LoadDemoSigner(ctx, db); err != nil {
			return err
		}
		a.Verifier = a.Demo
		return nil
	}
	fv, err := auth.NewFirebaseVerifier(ctx, a.Config.FirebaseProjectID)
	if err != nil {
		return err
	}
	fv.CheckRevoked = a.Config.FirebaseCheckRevoked
	a.Verifier = fv
	return nil
}

// openPush builds the push pipeline: a River inserter on GORM's database/sql
// pool (jobs go in with the writes), a pgx pool for the workers, and the FCM
// client (an in-process fake in demo mode).
func (a *App) openPush(ctx context.Context, sqlDB *sql.DB) error {
	inserter, err := jobs.NewInserter(sqlDB, a.Log)
	if err != nil {
		return err
	}
	projectID, endpoint := a.Config.FirebaseProjectID, a.Config.FCMEndpoint
	if projectID == "" {
		projectID = "demo-sameside"
	}
	if endpoint == "" && a.Config.DemoMode() {
		a.FakeFCM = fakefcm.Start(fakefcm.Options{Log: a.Log})
		endpoint = a.FakeFCM.Endpoint()
		a.Log.Info("demo mode: pushes go to an in-process fake FCM and are logged", "endpoint", endpoint)
	}
	fcm, err := push.NewFCM(ctx, projectID, endpoint)
	if err != nil {
		return err
	}
	pcfg := push.DefaultConfig()
	pcfg.JobTimeout = a.Config.JobRescueAfter * 4 / 5
	pcfg.OutcomeWait = a.Config.PushOutcomeWait
	a.Push = push.New(a.jobsDB, inserter, fcm, pcfg, a.Log)
	a.Domain.Notify = a.Push
	a.Domain.Roster = roster.Queue{Inserter: inserter}
	if err := a.openOutbound(ctx, inserter); err != nil {
		return err
	}
	if err := a.openTranslation(ctx, inserter); err != nil {
		return err
	}
	if a.Pool, err = database.PgxPool(ctx, a.pg.URL); err != nil {
		return fmt.Errorf("worker pool: %w", err)
	}
	if a.Files, err = files.Open(ctx, a.DB, a.Config.FilesURL, a.Log); err != nil {
		return err
	}
	a.Domain.Files = a.Files
	if a.Workers, err = a.NewWorkers(); err != nil {
		return err
	}
	a.Events = realtime.New(a.Pool, a.Log)
	a.Domain.Events = a.Events
	return nil
}

// openOutbound builds email and SMS: SMTP and Twilio when configured, else
// in development a logger in their place (in production, nothing: what
// needs them answers UNAVAILABLE).
func (a *App) openOutbound(ctx context.Context, inserter *river.Client[*sql.Tx]) error {
	var mailer outbound.Mailer
	var texter outbound.Texter
	if a.Config.SMTPURL != "" {
		m, err := outbound.NewSMTP(a.Config.SMTPURL, a.Config.MailFrom)
		if err != nil {
			return err
		}
		mailer = m
	}
	if a.Config.TwilioAccountSID != "" {
		t, err := outbound.NewTwilio(a.Config.TwilioAccountSID, a.Config.TwilioAuthToken, a.Config.SMSFrom, a.Config.TwilioAPIURL,
			outbound.PublicURLOf(a.Config.PublicURL, outbound.TwilioStatusPath))
		if err != nil {
			return err
		}
		texter = t
	}
	if !a.Config.Production() {
		if mailer == nil {
			mailer = outbound.Log{L: a.Log}
		}
		if texter == nil {
			texter = outbound.Log{L: a.Log}
		}
	}
	links, err := outbound.LoadLinks(ctx, a.DB, a.Config.PublicURL)
	if err != nil {
		return err
	}
	a.Links = links
	if mailer == nil || texter == nil {
		a.Log.Warn("email and SMS are off: set SAMESIDE_SMTP_URL and TWILIO_ACCOUNT_SID (see the README)")
		return nil
	}
	a.Outbound = outbound.New(a.jobsDB, inserter, mailer, texter, outbound.DefaultConfig(), a.Log)
	a.Domain.Outbound = a.Outbound
	a.Domain.PublicURL = a.Config.PublicURL
	a.Planner = &outbound.Planner{S: a.Outbound, FallbackAfter: a.Config.FallbackAfter, AppLink: a.Config.PublicURL + "/join",
		PublicURL: a.Config.PublicURL}
	a.Push.Channels = a.Planner
	return nil
}

// openTranslation builds translation: Google Cloud Translation for a
// project, else in development the visible pseudo-translation (in
// production, none: everyone reads what was written as it was written).
func (a *App) openTranslation(ctx context.Context, inserter *river.Client[*sql.Tx]) error {
	var t translation.Translator
	switch {
	case a.Config.TranslateOff:
		return nil
	case a.Config.TranslateProject != "":
		g, err := translation.NewGoogle(ctx, a.Config.TranslateProject, a.Config.TranslateURL)
		if err != nil {
			return err
		}
		t = g
	case !a.Config.Production():
		t = translation.Pseudo{}
	default:
		a.Log.Warn("translation is off: set SAMESIDE_TRANSLATE_PROJECT (see the README)")
		return nil
	}
	// A drain keeps its transaction (its texts' locks: a burst of one
	// text is one call a language) while the provider answers, up to its
	// call timeout: on connections of its own, so that a slow provider
	// holds up translations and nothing else (on the jobs' pool, the
	// drains held every connection and the pushes waited).
	db, pool, err := database.Pool(a.DB, a.pg.URL, a.Config.TranslateWorkers+1, a.dbOptions...)
	if err != nil {
		return err
	}
	a.translatePool = pool
	a.Translation = translation.New(db, inserter, t, a.Log)
	a.Domain.Translate = a.Translation
	if a.Planner != nil {
		a.Planner.Translate = a.Translation // emails and texts in the reader's language
	}
	return nil
}

// StartEvents starts listening for live events until ctx ends or Close
// (with the shared limits and the translation queue's wake-ups beside it),
// and waits until the listener is in place.
func (a *App) StartEvents(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	limitsDone := make(chan struct{})
	go func() {
		defer close(done)
		a.Events.Run(ctx)
	}()
	go func() {
		defer close(limitsDone)
		a.Limits.Run(ctx)
	}()
	wakeDone := make(chan struct{})
	go func() {
		defer close(wakeDone)
		if a.Translation != nil {
			a.Translation.Run(ctx) // asks for drains as translations are queued
		}
	}()
	a.stopEvents = func() { cancel(); <-done; <-limitsDone; <-wakeDone }
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	return a.Events.WaitReady(wctx)
}

// NewWorkers returns another worker client for the same pipeline (a second
// process, in tests).
func (a *App) NewWorkers() (*river.Client[pgx.Tx], error) {
	return jobs.NewClient(a.Pool, a.Log, jobs.Options{
		PushWorkers: a.Config.PushWorkers, TranslateWorkers: a.Config.TranslateWorkers, PollInterval: a.Config.PushPollInterval, RescueAfter: a.Config.JobRescueAfter,
		Register: []func(*river.Workers) error{
			push.Register(a.Push, a.Config.JobRescueAfter),
			func(w *river.Workers) error {
				chores := map[string]func(context.Context) error{
					files.CleanupChore: files.Cleanup(a.Domain, a.Log),
					retention.Chore:    retention.Purge(a.Domain, a.Log),
					push.PurgeChore: counted(a.Log, "push deliveries purged", "rows", func(ctx context.Context) (int64, error) {
						return a.Push.PurgeDeliveries(ctx, a.Push.Now())
					}),
					domain.ForgetRetriesChore: counted(a.Log, "old retry records forgotten", "rows", func(ctx context.Context) (int64, error) {
						return a.Domain.ForgetOldRetries(ctx, a.Domain.Now())
					}),
					domain.ReminderChore: counted(a.Log, "weekly reminders sent", "teachers", a.Domain.SendWeeklyReminders),
				}
				if a.Planner != nil {
					chores[outbound.DigestChore] = counted(a.Log, "daily digests recorded", "count", a.Planner.SendDigests)
				}
				return river.AddWorkerSafely(w, &jobs.Chores{Run: chores})
			},
			func(w *river.Workers) error {
				if a.Outbound == nil {
					return nil
				}
				return outbound.Register(a.Outbound, a.Links, a.Planner)(w)
			},
			func(w *river.Workers) error {
				if a.Translation == nil {
					return nil
				}
				return translation.Register(a.Translation)(w)
			},
			func(w *river.Workers) error {
				return river.AddWorkerSafely(w, &roster.Worker{Domain: a.Domain, Log: a.Log, Limit: a.Config.JobRescueAfter * 4 / 5})
			},
		},
		Periodic: a.periodic(),
	})
}

// counted is a chore that runs run and logs what it did, with how many
// (under key), when it did anything or failed.
func counted[N int | int64](log *slog.Logger, what, key string, run func(context.Context) (N, error)) func(context.Context) error {
	return func(ctx context.Context) error {
		n, err := run(ctx)
		if n > 0 || err != nil {
			log.InfoContext(ctx, what, key, n, "err", err)
		}
		return err
	}
}

// periodic are the chores the workers' leader schedules.
func (a *App) periodic() []*river.PeriodicJob {
	p := []*river.PeriodicJob{jobs.Every(files.CleanupChore, files.CleanupEvery), jobs.Every(retention.Chore, retention.Every),
		jobs.Every(push.PurgeChore, push.PurgeEvery), jobs.Every(domain.ForgetRetriesChore, domain.ForgetRetriesEvery)}
	if !a.Config.WeeklyReminderOff {
		p = append(p, jobs.Every(domain.ReminderChore, domain.ReminderEvery))
	}
	if a.Planner != nil {
		p = append(p, jobs.Every(outbound.DigestChore, outbound.DigestEvery))
	}
	if a.Translation != nil {
		p = append(p, translation.Periodic())
	}
	return p
}

// StartWorkers starts working jobs until StopWorkers (or Serve's own stop),
// whatever becomes of ctx (jobs.Start); Serve does it for the server.
func (a *App) StartWorkers(ctx context.Context) error { return jobs.Start(ctx, a.Workers) }

// StopWorkers stops working jobs gracefully within timeout: fan-outs finish
// the batches they are sending and leave the rest for the next worker.
func (a *App) StopWorkers(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return jobs.Stop(ctx, a.Workers)
}

// FlushTraces exports the spans ended so far (when tracing is configured).
func (a *App) FlushTraces(ctx context.Context) error {
	if a.tracerProvider == nil {
		return nil
	}
	return a.tracerProvider.ForceFlush(ctx)
}

// Handler returns the HTTP handler.
func (a *App) Handler() http.Handler {
	return api.NewHandler(api.Deps{
		DB:         a.DB,
		Domain:     a.Domain,
		Auth:       &auth.Authenticator{Verifier: a.Verifier, Users: a.Domain},
		Events:     a.Events,
		Files:      a.Files.Handler(),
		Log:        a.Log,
		Production: a.Config.Production(),
		DemoMode:   a.Config.DemoMode(),
		RateLimit:  a.Config.RateLimit,

		MaxSocketsPerUser: a.Config.MaxSocketsPerUser,
		MaxInFlight:       a.Config.MaxInFlight,
		QueueWait:         a.Config.QueueWait,
		Shared:            a.Limits,
		CORSOrigins:       a.Config.CORSOrigins,
		Metrics:           a.Metrics,
		Tracing:           a.Tracing,
		CompiledOff:       a.Config.CompiledOff,
		Webhooks: &outbound.Webhooks{DB: a.DB, Domain: a.Domain, Links: a.Links, AuthToken: a.Config.TwilioAuthToken,
			PublicURL: a.Config.PublicURL, Log: a.Log},
		MetricsToken: a.Config.MetricsToken,
		AppLinks: api.AppLinks{AppleAppIDs: a.Config.AppleAppIDs, AndroidPackage: a.Config.AndroidPackage,
			AndroidCertSHA256: a.Config.AndroidCertSHA256},
	})
}

// Seed loads the demo school if the database is empty.
func (a *App) Seed(ctx context.Context) (bool, error) {
	return demo.Seed(ctx, a.DB, time.Now())
}

// DemoToken returns a bearer token for a demo user ("admin", "teacher",
// "parent" or an email).
func (a *App) DemoToken(ctx context.Context, who string) (string, error) {
	if a.Demo == nil {
		return "", errors.New("demo tokens exist only in demo mode (no FIREBASE_PROJECT_ID)")
	}
	u, err := demo.FindUser(ctx, a.DB, who)
	if err != nil {
		return "", err
	}
	return a.Demo.Sign(u.FirebaseUID, auth.DemoTokenTTL)
}

// Serve answers HTTP on l until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (within ShutdownTimeout) and
// returns.
func (a *App) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := a.StartWorkers(ctx); err != nil {
		return fmt.Errorf("push workers: %w", err)
	}
	// Live events go on while the requests drain (theirs must reach the
	// other instances' subscribers); Close stops them, sending what is
	// left.
	if err := a.StartEvents(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("live events: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		wctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
		defer cancel()
		if serr := jobs.Stop(wctx, a.Workers); serr != nil {
			a.Log.Error("stopping push workers", "err", serr)
		}
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if err := jobs.Stop(sctx, a.Workers); err != nil {
		a.Log.Error("stopping push workers", "err", err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database and stops an embedded PostgreSQL.
func (a *App) Close() error {
	var errs []error
	if a.stopEvents != nil {
		a.stopEvents() // its connection goes back to the pool first
	}
	if a.Pool != nil {
		a.Pool.Close()
	}
	if a.FakeFCM != nil {
		a.FakeFCM.Close()
	}
	if a.tracerProvider != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.tracerProvider.Shutdown(ctx))
		cancel()
	}
	if a.Files != nil {
		errs = append(errs, a.Files.Close())
	}
	if a.jobsPool != nil {
		errs = append(errs, a.jobsPool.Close())
	}
	if a.translatePool != nil {
		errs = append(errs, a.translatePool.Close())
	}
	if a.pages != nil {
		errs = append(errs, a.pages.Close())
	}
	if a.DB != nil {
		if sqlDB, err := a.DB.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
	}
	if a.pg != nil {
		errs = append(errs, a.pg.Close())
	}
	return errors.Join(errs...)
}

// DatabaseSource says where the database came from.
func (a *App) DatabaseSource() database.Source { return a.pg.Source }

// DatabaseURL is the URL the app connects with (the embedded server's,
// when it started one).
func (a *App) DatabaseURL() string { return a.pg.URL }
