// Package api builds SameSide's HTTP handler: /graphql (POST, GET and
// websocket graphql-transport-ws), the GraphiQL playground at / outside
// production, /healthz and /readyz, with request ids, access logs, panic
// recovery and body limits around them. It wires parts together and holds no
// domain logic.
package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"github.com/sameside/sameside/graph"
	"github.com/sameside/sameside/graph/loaders"
	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/auth"
	"github.com/sameside/sameside/server/files"
	"github.com/sameside/sameside/server/httperr"
	"github.com/sameside/sameside/server/metrics"
)

// Limits of the GraphQL endpoint.
const (
	// MaxBodyBytes bounds a request body; larger ones are refused before parsing.
	MaxBodyBytes = 1 << 20
	// MaxComplexity bounds a query's cost (each field 1, lists as gqlgen counts).
	MaxComplexity = 2000
	// RequestTimeout bounds one HTTP GraphQL request.
	RequestTimeout = 30 * time.Second
)

// Deps are what the handler is built from.
type Deps struct {
	DB     *gorm.DB
	Domain *domain.Service
	Auth   *auth.Authenticator
	Events graph.Subscriber
	// Files serves the signed URLs of a local file store.
	Files      http.Handler
	Log        *slog.Logger
	Production bool
	// DemoMode (demo sign-in tokens) makes the playground say how to get
	// one.
	DemoMode bool
	// RateLimit is a user's requests per second (0: no limit); see
	// config.Config.RateLimit.
	RateLimit int
	// MaxSocketsPerUser bounds a user's open websockets.
	MaxSocketsPerUser int
	// MaxInFlight bounds the GraphQL requests worked on at once (0: no
	// bound); one waits at most QueueWait for a place, then is refused
	// with UNAVAILABLE (see admission).
	MaxInFlight int
	QueueWait   time.Duration
	// Shared, when set, makes the rate and socket limits hold across
	// instances (its Run must be running).
	Shared *SharedLimits
	// CORSOrigins may call the API from a browser.
	CORSOrigins []string
	// Metrics are recorded, and served at /metrics (nil: neither).
	Metrics *metrics.Metrics
	// MetricsToken, when set, must be sent as "Authorization: Bearer …" to
	// read /metrics; in production /metrics is served only with one.
	MetricsToken string
	// Tracing provides the OpenTelemetry tracer (nil: no tracing).
	Tracing trace.TracerProvider
	// CompiledOff executes every operation with gqlgen's executor; else
	// the feed is answered by graph.Compiled (always off with tracing,
	// whose field interceptor the compiled feed does not run).
	CompiledOff bool
	// Webhooks adds the providers' callbacks and the unsubscribe links.
	Webhooks interface{ Routes(*http.ServeMux) }
	// AppLinks are the apps that open /app/… links (the /.well-known files).
	AppLinks AppLinks
}

// NewHandler returns the server's whole HTTP handler.
func NewHandler(d Deps) http.Handler {
	resolver := &graph.Resolver{Domain: d.Domain, Events: d.Events, Translating: d.Domain.Translate != nil}
	var schema graphql.ExecutableSchema = graph.NewSchema(resolver)
	var compiled *graph.Compiled
	if !d.CompiledOff && d.Tracing == nil {
		compiled = graph.NewCompiled(resolver, schema)
		if d.Metrics != nil {
			compiled.Observe = d.Metrics.Compiled
		}
		schema = compiled
	}
	withLoaders := func(v *models.Viewer) func(context.Context) context.Context {
		l := loaders.New(d.DB, v)
		return func(ctx context.Context) context.Context { return loaders.With(ctx, l) }
	}
	// Confirming gives each operation its loaders, and a request signed in
	// by GraphQLMiddleware with its viewer unconfirmed is confirmed before
	// it answers anything.
	schema = graph.Confirming{ExecutableSchema: schema, Compiled: compiled, Loaders: withLoaders}
	gql := handler.New(costedSchema{schema})
	gql.AroundFields(resolver.ObservationFieldsMiddleware)
	var socketsOpen func(int)
	if d.Metrics != nil {
		socketsOpen = d.Metrics.SocketsOpen
	}
	sockets := newSocketLimiter(max(d.MaxSocketsPerUser, 1), socketsOpen, d.Shared)
	guard := socketGuard{events: d.Events}
	gql.AddTransport(transport.Websocket{
		InitFunc:              guard.init(sockets.init(d.Auth.WebsocketInit(d.Log))),
		CloseFunc:             sockets.close,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: 15 * time.Second,
		// Phones are not browsers: there is no Origin to check, and a
		// socket is useless without a valid token in connection_init.
		Implementation: slotted{transport.CoderWebsocketImplementation{AcceptOptions: acceptAnyOrigin}},
	})
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(dataPOST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	releases, _, err := contracts.Releases()
	if err != nil {
		panic(err) // embedded at build time: cannot fail but for a broken build
	}
	gql.Use(appVersion{releases: releases})
	if d.Production {
		docs, err := contracts.AllowList()
		if err != nil {
			panic(err) // embedded at build time: cannot fail but for a broken build
		}
		gql.Use(persistedOnly{docs: docs})
	} else {
		gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](500)})
		gql.Use(extension.Introspection{})
	}
	if d.Tracing != nil {
		// Only with a tracer: a field interceptor on every field deepens
		// every resolver goroutine's stack (about 10% of the feed's CPU went
		// to stack growth with a no-op tracer installed).
		gql.Use(metrics.Tracing(d.Tracing))
	}
	if d.Metrics != nil {
		gql.Use(d.Metrics.GraphQL())
	}
	limiter := newRateLimiter(d.RateLimit, d.Shared)
	gql.Use(newComplexityLimit(MaxComplexity))
	gql.Use(depthLimit{max: MaxDepth})
	gql.Use(mutationLimit{max: MaxMutationFields})
	gql.Use(costCharge{limiter: limiter}) // last: only what passed the others pays
	present := graph.ErrorPresenter(d.Log, RequestID)
	gql.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		switch {
		case graph.Canceled(ctx, err):
			markClientClosed(ctx) // no one reads it; not the server's failure
		case e.Extensions["code"] == string(models.CodeUnavailable):
			markUnavailable(ctx)
		}
		return e
	})
	gql.SetRecoverFunc(graph.RecoverFunc(d.Log, RequestID))

	mux := http.NewServeMux()
	var shed func()
	if d.Metrics != nil {
		shed = d.Metrics.Shed
	}
	admit := newAdmission(d.MaxInFlight, d.QueueWait, shed)
	var api http.Handler = gate(admit.middleware(withConnSlot(responseStatus(d.Auth.GraphQLMiddleware(d.Log)(limiter.middleware(gql))))))
	if len(d.CORSOrigins) > 0 {
		// The web client: browsers may call /graphql from these origins
		// (preflights answered here); phones send no Origin and are unaffected.
		api = cors.New(cors.Options{
			AllowedOrigins: d.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Authorization", "Content-Type", "X-Request-Id", "X-App-Version", "apollographql-client-name", "apollographql-client-version"},
			ExposedHeaders: []string{"X-Request-Id", "Retry-After"},
			MaxAge:         600,
		}).Handler(api)
	}
	mux.Handle("/graphql", api)
	var observe func(string, string, int, time.Duration)
	if d.Metrics != nil {
		observe = d.Metrics.ObserveHTTP
		if d.MetricsToken != "" || !d.Production {
			mux.Handle("GET /metrics", metricsAuth(d.MetricsToken, d.Metrics.Handler()))
		}
	}
	if !d.Production {
		mux.Handle("GET /{$}", playgroundHandler("/graphql", d.DemoMode))
		mux.Handle("GET "+playgroundPath, playgroundFiles())
	}
	mux.Handle("GET /calendar/{file}", calendarHandler(d.Domain, d.Log))
	if d.Files != nil {
		mux.Handle(files.Path, d.Files)
	}
	mux.Handle("GET /engagement.csv", d.Auth.Middleware(d.Log)(engagementCSV(d.Domain, d.Log)))
	if d.Webhooks != nil {
		d.Webhooks.Routes(mux)
	}
	d.AppLinks.routes(mux)
	mux.Handle("GET /conversations.csv", d.Auth.Middleware(d.Log)(conversationsCSV(d.Domain, d.Log)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		sqlDB, err := d.DB.DB()
		if err == nil {
			err = sqlDB.PingContext(ctx)
		}
		if err != nil {
			d.Log.WarnContext(r.Context(), "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	return withRequestID(accessLog(d.Log, mux, observe, recoverPanics(d.Log, mux)))
}

// metricsAuth lets through requests bearing token (anyone if token is
// empty: development only).
func metricsAuth(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			httperr.Code(w, http.StatusUnauthorized, models.CodeUnauthenticated, "metrics need the metrics token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

type requestIDKey struct{}

// RequestID returns the id of the request in ctx ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID takes the caller's X-Request-Id (when sane) or makes one, puts
// it in the context and echoes it in the response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || !printable(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
