// Package metrics exports the server's Prometheus metrics at /metrics: HTTP
// and GraphQL operation latency, the hottest statements' latency, GraphQL
// errors by code, the push pipeline's counters, the job queue's depth and
// open websockets. Each App
// has its own registry (tests run several in one process).
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"
)

// Metrics holds the registry and the instruments the server updates.
type Metrics struct {
	Registry *prometheus.Registry

	http       *prometheus.HistogramVec
	operations *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	events     *prometheus.CounterVec
	sockets    prometheus.Gauge
	shed       prometheus.Counter
	compiled   *prometheus.CounterVec
	statements *prometheus.HistogramVec
	known      map[string]bool
}

// PushCounters is what the push pipeline counts (push.Metrics.Snapshot).
type PushCounters func() map[string]int64

// Options configure New.
type Options struct {
	// DB is read at scrape time for the job queue's depth.
	DB *gorm.DB
	// Push reads the push pipeline's counters.
	Push PushCounters
	// Operations are the operation names used as labels; any other name is
	// counted as "other", so a client cannot grow the label set.
	Operations []string
	// Collectors are more metrics to serve (email and SMS counters).
	Collectors []prometheus.Collector
	// Pools are the database pools by name (go_sql_* with db_name): how
	// many connections are in use, and how often and how long callers
	// waited for one, the first thing to read when requests slow down
	// under load.
	Pools map[string]*sql.DB
}

// New registers the server's metrics, Go's runtime and the process's.
func New(o Options) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sameside", Name: "http_request_duration_seconds",
			Help:    "HTTP requests by route, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
		operations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sameside", Name: "graphql_operation_duration_seconds",
			Help:    "GraphQL queries and mutations by operation name and type, from parse to response.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sameside", Name: "graphql_errors_total",
			Help: "GraphQL errors in responses by operation name and extensions.code.",
		}, []string{"operation", "code"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sameside", Name: "graphql_subscription_events_total",
			Help: "Events sent to subscribers by operation name.",
		}, []string{"operation"}),
		sockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "sameside", Name: "websocket_connections",
			Help: "Open, signed-in websocket connections on this instance.",
		}),
		shed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "sameside", Name: "requests_shed_total",
			Help: "GraphQL requests refused with UNAVAILABLE because the instance had no place for them in time.",
		}),
		compiled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sameside", Name: "graphql_compiled_total",
			Help: "Feeds the compiled writer answered (outcome compiled) or handed to gqlgen's executor after an error (outcome executor).",
		}, []string{"outcome"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "sameside", Name: "db_statement_duration_seconds",
			Help: "The hottest statements by name (sign_in, feed_page, send_message, message_in), from asking for a connection to the last row read.",
			// From a quarter of a millisecond: these statements take about one.
			Buckets: prometheus.ExponentialBuckets(0.00025, 2, 14),
		}, []string{"statement"}),
		known: map[string]bool{},
	}
	for _, op := range o.Operations {
		m.known[op] = true
	}
	reg.MustRegister(m.http, m.operations, m.errors, m.events, m.sockets, m.shed, m.compiled, m.statements,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.Push != nil {
		reg.MustRegister(pushCollector{o.Push})
	}
	if o.DB != nil {
		reg.MustRegister(queueCollector{o.DB})
	}
	for name, pool := range o.Pools {
		reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	reg.MustRegister(o.Collectors...)
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Timeout: 5 * time.Second})
}

// ObserveStatement records how long one of the hottest statements took
// (domain.Service.ObserveStatement); its names are the domain's, a fixed
// few.
func (m *Metrics) ObserveStatement(statement string, d time.Duration) {
	m.statements.WithLabelValues(statement).Observe(d.Seconds())
}

// ObserveHTTP records one HTTP request: route is the pattern it matched
// ("POST /graphql"), never the raw path, so the label set stays small.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.http.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// Shed counts a request refused for want of a place (api admission).
func (m *Metrics) Shed() { m.shed.Inc() }

// Compiled counts a feed the compiled writer answered (true) or handed to
// gqlgen's executor (false).
func (m *Metrics) Compiled(answered bool) {
	outcome := "executor"
	if answered {
		outcome = "compiled"
	}
	m.compiled.WithLabelValues(outcome).Inc()
}

// SocketsOpen sets the number of open websockets.
func (m *Metrics) SocketsOpen(n int) { m.sockets.Set(float64(n)) }

// operation is the label for an operation name.
func (m *Metrics) operation(name string) string {
	if name == "" {
		return "anonymous"
	}
	if m.known[name] {
		return name
	}
	return "other"
}

// GraphQL is the gqlgen extension that times operations and counts errors.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return gqlExtension{m} }

type gqlExtension struct{ m *Metrics }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = gqlExtension{}

func (gqlExtension) ExtensionName() string                          { return "Metrics" }
func (gqlExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

// InterceptResponse sees every response: one for a query or mutation, one
// per event of a subscription.
func (e gqlExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	name, typ := operationOf(oc)
	op := e.m.operation(name)
	if typ == "subscription" {
		if resp != nil && resp.Data != nil {
			e.m.events.WithLabelValues(op).Inc()
		}
	} else {
		e.m.operations.WithLabelValues(op, typ).Observe(time.Since(oc.Stats.OperationStart).Seconds())
	}
	if resp != nil {
		for _, err := range resp.Errors {
			code, _ := err.Extensions["code"].(string)
			if code == "" {
				code = "UNKNOWN"
			}
			e.m.errors.WithLabelValues(op, code).Inc()
		}
	}
	return resp
}

// pushCollector exports the push pipeline's counters.
type pushCollector struct{ read PushCounters }

var pushDesc = prometheus.NewDesc("sameside_push_recipients_total",
	"Push deliveries by outcome: queued, sent, failed, retried, deferred, skipped, tokens_removed.",
	[]string{"outcome"}, nil)

func (c pushCollector) Describe(ch chan<- *prometheus.Desc) { ch <- pushDesc }
func (c pushCollector) Collect(ch chan<- prometheus.Metric) {
	for outcome, n := range c.read() {
		ch <- prometheus.MustNewConstMetric(pushDesc, prometheus.CounterValue, float64(n), outcome)
	}
}

// queueCollector reads the job queue's depth (River's jobs not yet done)
// from the database at scrape time; every instance reports the same
// shared queue.
type queueCollector struct{ db *gorm.DB }

var (
	queueDesc = prometheus.NewDesc("sameside_jobs",
		"Background jobs (push fan-outs, reminders, cleanup) by queue and state, not yet completed.",
		[]string{"queue", "state"}, nil)
	queueUpDesc = prometheus.NewDesc("sameside_jobs_scrape_ok",
		"1 if the job queue's depth could be read at this scrape.", nil, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDesc; ch <- queueUpDesc }
func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var rows []struct {
		Queue, State string
		N            int64
	}
	err := c.db.WithContext(ctx).Raw(`SELECT queue, state::text AS state, count(*) AS n FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending') GROUP BY 1, 2`).Scan(&rows).Error
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 1)
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(r.N), r.Queue, r.State)
	}
}

// operationOf is the operation's name, as the request gave it or else as
// its document names it ("" for none), and its type (query, mutation,
// subscription).
func operationOf(oc *graphql.OperationContext) (name, typ string) {
	name, typ = oc.OperationName, "query"
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	return name, typ
}
