// Package config reads the server's configuration once, from flags and the
// environment, into one struct that is passed down. No other package reads
// the environment (FIREBASE_AUTH_EMULATOR_HOST aside: the Firebase SDK reads
// it itself, and server/auth reads it to know what the SDK checks).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sameside/sameside/server/jobs"
)

// Environments.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is everything the server needs to start.
type Config struct {
	// Env is "development" (default) or "production" (SAMESIDE_ENV).
	Env string
	// Addr is where HTTP listens (":" + PORT, default :8080).
	Addr string
	// DatabaseURL (DATABASE_URL) wins over every other way to find PostgreSQL.
	DatabaseURL string
	// LocalPostgres is the local server tried next (SAMESIDE_LOCAL_PG,
	// default 127.0.0.1:5432; "off" to skip).
	LocalPostgres string
	// EmbeddedDir and EmbeddedPort configure the embedded PostgreSQL, the
	// last resort (SAMESIDE_EMBEDDED_DIR, SAMESIDE_EMBEDDED_PORT).
	EmbeddedDir  string
	EmbeddedPort uint32
	// FirebaseProjectID (FIREBASE_PROJECT_ID, else GOOGLE_CLOUD_PROJECT)
	// turns on Firebase sign-in; without it the server runs in demo mode.
	FirebaseProjectID string
	// FirebaseAuthEmulatorHost (FIREBASE_AUTH_EMULATOR_HOST) is only
	// reported: the SDK reads it itself.
	FirebaseAuthEmulatorHost string
	// FirebaseCheckRevoked also checks revocation on every request.
	FirebaseCheckRevoked bool
	// FCMEndpoint points push at another FCM endpoint (a fake; tests) with no
	// authentication (SAMESIDE_FCM_ENDPOINT). Empty: real FCM with the service
	// account in GOOGLE_APPLICATION_CREDENTIALS, or, in demo mode, a fake FCM
	// run in-process that logs every push.
	FCMEndpoint string
	// FilesURL is where uploads are kept (SAMESIDE_FILES_URL): a
	// gocloud.dev/blob URL such as gs://bucket or s3://bucket?region=…, or
	// file:///dir; empty: a directory in the user's cache.
	FilesURL string
	// PushPollInterval is how often idle workers look for due jobs
	// (SAMESIDE_PUSH_POLL, default 1s).
	PushPollInterval time.Duration
	// PushOutcomeWait is how long a fan-out's outcome write waits for
	// more outcomes while sends are still on the wire (0: writes each
	// batch as soon as the one before is written).
	PushOutcomeWait time.Duration
	// LimitsSync is how often instances exchange rate-limit usage through
	// PostgreSQL (SAMESIDE_LIMITS_SYNC, default 200ms): the limits hold
	// across instances, give or take what is spent in one interval.
	LimitsSync time.Duration
	// PushWorkers is how many fan-outs run at once per process (SAMESIDE_PUSH_WORKERS).
	PushWorkers int
	// TranslateWorkers is how many translations run at once per process
	// (SAMESIDE_TRANSLATE_WORKERS, default jobs.DefaultTranslateWorkers).
	// Each holds a connection while it calls the provider: translation has
	// TranslateWorkers + 1 of its own (one for emails and texts about to be
	// written), so a slow provider holds up nothing else.
	TranslateWorkers int
	// DBMaxConns bounds the API's PostgreSQL connections per process
	// (SAMESIDE_DB_MAX_CONNS, default 20); the background jobs' work has
	// JobDBConns of its own, translation TranslateWorkers + 1, River's
	// fetching 4 and live events 1: DBConnections in all, and N instances
	// need N times that.
	DBMaxConns int
	// JobDBConns bounds the connections the background jobs' work (push
	// fan-outs, emails and texts) uses per process
	// (SAMESIDE_JOB_DB_CONNS, default 4): a pool apart from the API's, so
	// that a request never waits for a connection behind a fan-out. It
	// also bounds how much of the machine the jobs take while requests
	// come in: with 8 on two cores, sendMessage's p50 under make
	// bench-live was 41 to 43 ms, with 4 13 to 27 ms (the jobs kept up).
	JobDBConns int
	// JobRescueAfter is how long a background job may run before it counts
	// as abandoned by a dead instance and runs again elsewhere
	// (SAMESIDE_JOB_RESCUE_AFTER, default 5m; one job run is bounded by
	// four fifths of it).
	JobRescueAfter time.Duration
	// Seed loads the demo school on first start with an empty database
	// (SAMESIDE_SEED, default on outside production).
	Seed bool
	// LogLevel is debug, info, warn or error (LOG_LEVEL).
	LogLevel string
	// ShutdownTimeout bounds a graceful shutdown.
	ShutdownTimeout time.Duration
	// RateLimit is a signed-in user's requests per second on one instance,
	// with bursts of twice that; anonymous callers get a fifth of it per IP
	// address (SAMESIDE_RATE_LIMIT, default 50; 0 turns limiting off, for
	// load tests only).
	RateLimit int
	// MaxInFlight bounds the GraphQL requests one instance works on at
	// once (SAMESIDE_MAX_IN_FLIGHT, default 4 × DBMaxConns; 0: no bound);
	// a request waits at most QueueWait (SAMESIDE_QUEUE_WAIT, default 2s)
	// for a place, then is refused with UNAVAILABLE and Retry-After.
	MaxInFlight int
	QueueWait   time.Duration
	// MaxSocketsPerUser bounds one user's open websockets on one instance
	// (SAMESIDE_MAX_SOCKETS_PER_USER, default 10).
	MaxSocketsPerUser int
	// CORSOrigins are the web client's origins allowed to call /graphql from
	// a browser (SAMESIDE_CORS_ORIGINS, comma-separated; empty: none).
	CORSOrigins []string
	// MetricsToken guards /metrics (SAMESIDE_METRICS_TOKEN): scrapers send
	// it as a bearer token. Without one, /metrics is open in development
	// and not served in production.
	MetricsToken string
	// OTLPEndpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns on exporting traces over
	// OTLP/HTTP; the exporter reads the OTEL_EXPORTER_OTLP_* variables
	// itself. Empty: spans are not recorded.
	OTLPEndpoint string
	// DebugAddr serves Go's profiler (net/http/pprof) on its own address
	// (SAMESIDE_DEBUG_ADDR, e.g. 127.0.0.1:6060); empty: not served. Keep
	// it on loopback: profiles show the process's insides.
	DebugAddr string
	// PublicURL is the server's public https URL, for links in emails and
	// texts and for Twilio's webhooks (SAMESIDE_PUBLIC_URL; default
	// http://localhost and the port).
	PublicURL string
	// SMTPURL sends email (SAMESIDE_SMTP_URL: smtp://user:pass@host:587 or
	// smtps://…:465) from MailFrom (SAMESIDE_MAIL_FROM). Empty: in
	// development, emails are logged; in production, none are sent.
	SMTPURL, MailFrom string
	// Twilio sends and receives SMS (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
	// SAMESIDE_SMS_FROM: an E.164 number or a messaging service MG…);
	// TwilioAPIURL sends the client's requests elsewhere (a fake; tests).
	// Empty: in development, texts are logged; in production, none are sent.
	TwilioAccountSID, TwilioAuthToken, SMSFrom, TwilioAPIURL string
	// TranslateProject is the Google Cloud project whose Cloud Translation
	// API translates (SAMESIDE_TRANSLATE_PROJECT; credentials are the
	// application default ones); TranslateURL sends the client's requests
	// elsewhere, without credentials (SAMESIDE_TRANSLATE_URL: a fake;
	// tests). Empty: in development, a visible pseudo-translation; in
	// production, none.
	TranslateProject, TranslateURL string
	// TranslateOff turns translation off (SAMESIDE_TRANSLATE=off).
	TranslateOff bool
	// AppleAppIDs are the iOS apps ("TEAMID.bundle.id") that open this
	// server's https links (/app/…) as universal links
	// (SAMESIDE_APPLE_APP_IDS, comma-separated); AndroidPackage and
	// AndroidCertSHA256 the Android app and its signing certificates'
	// fingerprints for app links (SAMESIDE_ANDROID_PACKAGE,
	// SAMESIDE_ANDROID_CERT_SHA256, comma-separated). Empty: the
	// /.well-known files are 404.
	AppleAppIDs       []string
	AndroidPackage    string
	AndroidCertSHA256 []string
	// WeeklyReminderOff stops the teachers' Monday reminder
	// (SAMESIDE_WEEKLY_REMINDER=off; tests, which send it by hand on an
	// injected clock).
	WeeklyReminderOff bool
	// CompiledOff answers every operation with gqlgen's executor, the
	// feed too (SAMESIDE_COMPILED=off; default on: see graph.Compiled).
	CompiledOff bool
	// FallbackAfter is how long a note or message may stay unopened by
	// someone without the app before it goes by SMS or email
	// (SAMESIDE_FALLBACK_AFTER, default 30m; 1m to 48h).
	FallbackAfter time.Duration
}

// DemoMode reports whether the server signs its own demo tokens.
func (c Config) DemoMode() bool { return c.FirebaseProjectID == "" }

// DBConnections is how many PostgreSQL connections one process may hold
// at once: the API's DBMaxConns, the jobs' JobDBConns, translation's
// TranslateWorkers + 1, River's fetching 4 and the live events' 1.
func (c Config) DBConnections() int { return c.DBMaxConns + c.JobDBConns + c.TranslateWorkers + 6 }

// DBMaxConnsFor is the DBMaxConns that lets instances processes of this
// configuration share room connections (what the database has left for
// clients): this one's DBMaxConns if they fit, else as many as do, at
// least 2 (the lowest setting). An error says that not even 2 fit.
func (c Config) DBMaxConnsFor(room, instances int) (int, error) {
	rest := c.DBConnections() - c.DBMaxConns
	n := min(c.DBMaxConns, room/max(instances, 1)-rest)
	if n < 2 {
		return 0, fmt.Errorf("the database has %d connections left for clients; %d processes need at least %d (SAMESIDE_DB_MAX_CONNS=2, SAMESIDE_JOB_DB_CONNS=%d, SAMESIDE_TRANSLATE_WORKERS=%d): raise max_connections or lower those",
			room, instances, instances*(rest+2), c.JobDBConns, c.TranslateWorkers)
	}
	return n, nil
}

// Production reports whether this is a production deployment.
func (c Config) Production() bool { return c.Env == EnvProduction }

// Load reads flags (args, without the program name) over environment
// variables (getenv) over defaults.
func Load(args []string, getenv func(string) string) (Config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := Config{}
	fs := flag.NewFlagSet("sameside", flag.ContinueOnError)
	fs.StringVar(&c.Env, "env", env("SAMESIDE_ENV", EnvDevelopment), "development or production (SAMESIDE_ENV)")
	port := fs.String("port", env("PORT", "8080"), "HTTP port (PORT)")
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.LocalPostgres, "local-pg", env("SAMESIDE_LOCAL_PG", "127.0.0.1:5432"), "local PostgreSQL to use when it answers, or off (SAMESIDE_LOCAL_PG)")
	fs.StringVar(&c.EmbeddedDir, "embedded-dir", getenv("SAMESIDE_EMBEDDED_DIR"), "embedded PostgreSQL directory (SAMESIDE_EMBEDDED_DIR)")
	embeddedPort := fs.String("embedded-port", env("SAMESIDE_EMBEDDED_PORT", "54329"), "embedded PostgreSQL port (SAMESIDE_EMBEDDED_PORT)")
	fs.StringVar(&c.FirebaseProjectID, "firebase-project", env("FIREBASE_PROJECT_ID", getenv("GOOGLE_CLOUD_PROJECT")), "Firebase project id; empty runs demo mode (FIREBASE_PROJECT_ID)")
	fs.BoolVar(&c.FirebaseCheckRevoked, "firebase-check-revoked", getenv("FIREBASE_CHECK_REVOKED") == "true", "check token revocation on every request (FIREBASE_CHECK_REVOKED)")
	fs.StringVar(&c.FilesURL, "files-url", getenv("SAMESIDE_FILES_URL"), "where uploads are kept: file:///dir, gs://bucket, s3://bucket (SAMESIDE_FILES_URL)")
	fs.StringVar(&c.FCMEndpoint, "fcm-endpoint", getenv("SAMESIDE_FCM_ENDPOINT"), "FCM endpoint override, e.g. a fake (SAMESIDE_FCM_ENDPOINT)")
	pushWorkers := fs.String("push-workers", env("SAMESIDE_PUSH_WORKERS", strconv.Itoa(jobs.DefaultPushWorkers)), "fan-outs at once (SAMESIDE_PUSH_WORKERS)")
	translateWorkers := fs.String("translate-workers", env("SAMESIDE_TRANSLATE_WORKERS", strconv.Itoa(jobs.DefaultTranslateWorkers)), "translation drains at once (SAMESIDE_TRANSLATE_WORKERS)")
	dbMaxConns := fs.String("db-max-conns", env("SAMESIDE_DB_MAX_CONNS", "20"), "the API's PostgreSQL connections per process (SAMESIDE_DB_MAX_CONNS)")
	jobDBConns := fs.String("job-db-conns", env("SAMESIDE_JOB_DB_CONNS", "4"), "the background jobs' PostgreSQL connections per process (SAMESIDE_JOB_DB_CONNS)")
	pushPoll := fs.String("push-poll", env("SAMESIDE_PUSH_POLL", "1s"), "how often idle push workers look for due jobs (SAMESIDE_PUSH_POLL)")
	jobRescueAfter := fs.String("job-rescue-after", env("SAMESIDE_JOB_RESCUE_AFTER", "5m"), "when a running job counts as abandoned (SAMESIDE_JOB_RESCUE_AFTER)")
	rateLimit := fs.String("rate-limit", env("SAMESIDE_RATE_LIMIT", "50"), "a user's requests per second per instance; 0 is off (SAMESIDE_RATE_LIMIT)")
	maxInFlight := fs.String("max-in-flight", getenv("SAMESIDE_MAX_IN_FLIGHT"), "GraphQL requests worked on at once per instance; 0 is no bound (SAMESIDE_MAX_IN_FLIGHT; default 4 × the database connections)")
	queueWait := fs.String("queue-wait", env("SAMESIDE_QUEUE_WAIT", "2s"), "how long a request waits for a place before UNAVAILABLE (SAMESIDE_QUEUE_WAIT)")
	maxSockets := fs.String("max-sockets-per-user", env("SAMESIDE_MAX_SOCKETS_PER_USER", "10"), "a user's open websockets per instance (SAMESIDE_MAX_SOCKETS_PER_USER)")
	corsOrigins := fs.String("cors-origins", getenv("SAMESIDE_CORS_ORIGINS"), "comma-separated web origins allowed to call the API (SAMESIDE_CORS_ORIGINS)")
	c.MetricsToken = getenv("SAMESIDE_METRICS_TOKEN")
	c.OTLPEndpoint = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
	c.DebugAddr = getenv("SAMESIDE_DEBUG_ADDR")
	c.PublicURL = strings.TrimSuffix(getenv("SAMESIDE_PUBLIC_URL"), "/")
	c.SMTPURL, c.MailFrom = getenv("SAMESIDE_SMTP_URL"), env("SAMESIDE_MAIL_FROM", "SameSide <no-reply@localhost>")
	c.TwilioAccountSID, c.TwilioAuthToken = getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN")
	c.SMSFrom, c.TwilioAPIURL = getenv("SAMESIDE_SMS_FROM"), getenv("SAMESIDE_TWILIO_API_URL")
	c.TranslateProject, c.TranslateURL = getenv("SAMESIDE_TRANSLATE_PROJECT"), getenv("SAMESIDE_TRANSLATE_URL")
	var err error
	if c.TranslateOff, err = off(getenv, "SAMESIDE_TRANSLATE"); err != nil {
		return c, err
	}
	c.AppleAppIDs, c.AndroidCertSHA256 = list(getenv("SAMESIDE_APPLE_APP_IDS")), list(getenv("SAMESIDE_ANDROID_CERT_SHA256"))
	c.AndroidPackage = strings.TrimSpace(getenv("SAMESIDE_ANDROID_PACKAGE"))
	if c.WeeklyReminderOff, err = off(getenv, "SAMESIDE_WEEKLY_REMINDER"); err != nil {
		return c, err
	}
	if c.CompiledOff, err = off(getenv, "SAMESIDE_COMPILED"); err != nil {
		return c, err
	}
	fallbackAfter := env("SAMESIDE_FALLBACK_AFTER", "30m")
	seedDefault := env("SAMESIDE_SEED", "")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "how long a graceful shutdown may take")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unknown command or argument %q (commands: serve, seed, demo-token, roster; the load generator is go run ./tools/load)", fs.Arg(0))
	}
	if c.LocalPostgres == "off" {
		c.LocalPostgres = ""
	}
	c.FirebaseAuthEmulatorHost = getenv("FIREBASE_AUTH_EMULATOR_HOST")

	var errs []error
	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		errs = append(errs, fmt.Errorf("SAMESIDE_ENV must be %q or %q, not %q", EnvDevelopment, EnvProduction, c.Env))
	}
	p, err := strconv.ParseUint(*port, 10, 16)
	if err != nil || p == 0 {
		errs = append(errs, fmt.Errorf("PORT must be a port number, not %q", *port))
	}
	c.Addr = ":" + strconv.FormatUint(p, 10)
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost" + c.Addr
	}
	ep, err := strconv.ParseUint(*embeddedPort, 10, 16)
	if err != nil || ep == 0 {
		errs = append(errs, fmt.Errorf("SAMESIDE_EMBEDDED_PORT must be a port number, not %q", *embeddedPort))
	}
	c.EmbeddedPort = uint32(ep)
	// intIn parses a setting that must be an integer from lo to hi.
	intIn := func(name, v string, lo, hi int) int {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s must be %d to %d, not %q", name, lo, hi, v))
		}
		return n
	}
	// durationIn parses a setting that must be a duration from lo to hi.
	durationIn := func(name, v string, lo, hi time.Duration) time.Duration {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			errs = append(errs, fmt.Errorf("%s must be a duration from %v to %v, not %q", name, durationText(lo), durationText(hi), v))
		}
		return d
	}
	c.PushPollInterval = durationIn("SAMESIDE_PUSH_POLL", *pushPoll, 10*time.Millisecond, time.Hour)
	c.JobRescueAfter = durationIn("SAMESIDE_JOB_RESCUE_AFTER", *jobRescueAfter, time.Second, 24*time.Hour)
	c.PushOutcomeWait = durationIn("SAMESIDE_PUSH_OUTCOME_WAIT", env("SAMESIDE_PUSH_OUTCOME_WAIT", "10ms"), 0, time.Minute)
	c.LimitsSync = durationIn("SAMESIDE_LIMITS_SYNC", env("SAMESIDE_LIMITS_SYNC", "200ms"), 10*time.Millisecond, time.Minute)
	c.FallbackAfter = durationIn("SAMESIDE_FALLBACK_AFTER", fallbackAfter, time.Minute, 48*time.Hour)
	c.QueueWait = durationIn("SAMESIDE_QUEUE_WAIT", *queueWait, time.Millisecond, time.Minute)
	c.PushWorkers = intIn("SAMESIDE_PUSH_WORKERS", *pushWorkers, 1, 200)
	c.TranslateWorkers = intIn("SAMESIDE_TRANSLATE_WORKERS", *translateWorkers, 1, 100)
	c.DBMaxConns = intIn("SAMESIDE_DB_MAX_CONNS", *dbMaxConns, 2, 500)
	c.JobDBConns = intIn("SAMESIDE_JOB_DB_CONNS", *jobDBConns, 1, 500)
	c.RateLimit = intIn("SAMESIDE_RATE_LIMIT", *rateLimit, 0, 100_000)
	c.MaxSocketsPerUser = intIn("SAMESIDE_MAX_SOCKETS_PER_USER", *maxSockets, 1, 1000)
	c.MaxInFlight = 4 * c.DBMaxConns
	if *maxInFlight != "" {
		c.MaxInFlight = intIn("SAMESIDE_MAX_IN_FLIGHT", *maxInFlight, 0, 100_000)
	}
	for _, o := range strings.Split(*corsOrigins, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			errs = append(errs, fmt.Errorf("SAMESIDE_CORS_ORIGINS: %q is not an origin like https://app.example.org", o))
			continue
		}
		c.CORSOrigins = append(c.CORSOrigins, o)
	}
	switch seedDefault {
	case "":
		c.Seed = c.Env != EnvProduction
	case "true", "1":
		c.Seed = true
	case "false", "0":
		c.Seed = false
	default:
		errs = append(errs, fmt.Errorf("SAMESIDE_SEED must be true or false, not %q", seedDefault))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if c.Production() {
		if c.DemoMode() {
			errs = append(errs, errors.New("demo mode refuses to run in production: set FIREBASE_PROJECT_ID"))
		}
		if c.FirebaseAuthEmulatorHost != "" {
			errs = append(errs, errors.New("FIREBASE_AUTH_EMULATOR_HOST must not be set in production"))
		}
		if c.DatabaseURL == "" {
			errs = append(errs, errors.New("DATABASE_URL is required in production"))
		}
	}
	return c, errors.Join(errs...)
}

// list splits a comma-separated setting, leaving out blanks.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// off reads a switch that is on unless name says "off" (empty is on).
func off(getenv func(string) string, name string) (bool, error) {
	switch v := getenv(name); v {
	case "", "on":
		return false, nil
	case "off":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: on or off", name, v)
	}
}

// durationText writes d as a setting is written: 1m, 48h, 10ms, 0s (not
// time.Duration's 1m0s or 48h0m0s).
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
