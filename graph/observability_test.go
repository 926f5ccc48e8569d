package graph_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/server/api"
	"github.com/sameside/sameside/server/apptest"
)

// scrape reads /metrics with an optional bearer token.
func scrape(t *testing.T, env *apptest.Env, token string) (int, string) {
	t.Helper()
	return env.Get("/metrics", token)
}

// metricLine finds the sample line that starts with prefix.
func metricLine(body, prefix string) string {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestMetricsAndTracing: after the app's own operations, /metrics shows
// their latency by operation name, errors by code, HTTP by route, the push
// counters, the job queue and open websockets; an unknown operation name is
// folded into "other". Spans name operations and resolvers and carry no
// variables.
func TestMetricsAndTracing(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	env := apptest.New(t, apptest.Options{Seed: true, NoWorkers: true,
		Tracing: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))})
	ops, err := contracts.Operations()
	if err != nil {
		t.Fatal(err)
	}
	parent := env.Token("parent")
	if r := env.Do(parent, ops["Feed"], map[string]any{"first": 5}); r.Code() != "" {
		t.Fatalf("feed: %s", r.Body)
	}
	// An error with a code, and a made-up operation name.
	if r := env.Do(parent, `query Snoop($id: ID!) { conversation(id: $id) { id } }`, map[string]any{"id": "00000000-0000-4000-8000-00000000dead"}); r.Code() != "NOT_FOUND" {
		t.Fatalf("snoop: %s", r.Body)
	}
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws, err := env.DialWS(ctx, map[string]any{"Authorization": "Bearer " + parent})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()

	status, body := scrape(t, env, "")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`sameside_graphql_operation_duration_seconds_count{operation="Feed",type="query"} 1`,
		`sameside_graphql_operation_duration_seconds_count{operation="other",type="query"} 1`,
		`sameside_graphql_errors_total{code="NOT_FOUND",operation="other"} 1`,
		`sameside_http_request_duration_seconds_count{code="200",method="POST",route="/graphql"}`,
		`sameside_push_recipients_total{outcome="sent"}`,
		`sameside_jobs_scrape_ok 1`,
		`sameside_websocket_connections 1`,
		`go_goroutines`,
		// The database pools: how often and how long a request waited
		// for a connection.
		`go_sql_wait_count_total{db_name="api"}`,
		`go_sql_wait_duration_seconds_total{db_name="api"}`,
		`go_sql_max_open_connections{db_name="pages"}`,
		// The hottest statements' own time: the feed's page was read once,
		// and the parent signed in for it.
		`sameside_db_statement_duration_seconds_count{statement="feed_page"} 1`,
		`sameside_db_statement_duration_seconds_count{statement="sign_in"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `operation="Snoop"`) {
		t.Error("an operation name not in the contracts became a label")
	}

	// Spans: the Feed operation, its resolvers below it; no variables.
	var opSpan, fieldSpan sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		switch s.Name() {
		case "graphql.query Feed":
			opSpan = s
		case "Query.feed":
			fieldSpan = s
		}
		for _, a := range s.Attributes() {
			if strings.Contains(string(a.Key), "variable") || strings.Contains(a.Value.Emit(), "first") {
				t.Errorf("span %s records %s=%s", s.Name(), a.Key, a.Value.Emit())
			}
		}
	}
	if opSpan == nil || fieldSpan == nil {
		t.Fatalf("spans: operation %v, field %v", opSpan != nil, fieldSpan != nil)
	}
	if fieldSpan.Parent().SpanID() != opSpan.SpanContext().SpanID() {
		t.Error("Query.feed is not a child of its operation's span")
	}
	t.Logf("%d spans for 2 operations", len(spans.Ended()))
}

// TestMetricsTokenAndProduction: with a token /metrics wants it; in
// production without one it is not served at all.
func TestMetricsTokenAndProduction(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoWorkers: true, Env: map[string]string{"SAMESIDE_METRICS_TOKEN": "scrape-secret"}})
	if status, _ := scrape(t, env, ""); status != http.StatusUnauthorized {
		t.Errorf("no token: %d", status)
	}
	if status, _ := scrape(t, env, "wrong"); status != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", status)
	}
	if status, body := scrape(t, env, "scrape-secret"); status != 200 || !strings.Contains(body, "sameside_http_request_duration_seconds") {
		t.Errorf("token: %d", status)
	}
	prod := apptest.New(t, apptest.Options{NoWorkers: true, Production: true, FirebaseProjectID: "demo-sameside", Verifier: tokenIsUID{}})
	if status, _ := scrape(t, prod, ""); status != http.StatusNotFound {
		t.Errorf("production without a token: %d, want 404", status)
	}
}

// TestWebsocketLimitPerUser: a user's sockets beyond the limit are closed
// with 4429 RATE_LIMITED; closing one frees a slot; other users are served.
func TestWebsocketLimitPerUser(t *testing.T) {
	env := apptest.New(t, apptest.Options{Seed: true, NoWorkers: true, Env: map[string]string{"SAMESIDE_MAX_SOCKETS_PER_USER": "3"}})
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	parent := map[string]any{"Authorization": "Bearer " + env.Token("parent")}
	var open []*apptest.WS
	for range 3 {
		ws, err := env.DialWS(ctx, parent)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, ws)
	}
	_, err := env.DialWS(ctx, parent)
	var ce *apptest.CloseError
	if !errors.As(err, &ce) || ce.Code != api.WebsocketCloseTooMany || !strings.HasPrefix(ce.Reason, "RATE_LIMITED") {
		t.Fatalf("4th socket: %v", err)
	}
	other, err := env.DialWS(ctx, map[string]any{"Authorization": "Bearer " + env.Token("teacher")})
	if err != nil {
		t.Fatalf("another user: %v", err)
	}
	other.Close()
	open[0].Close()
	// The server notices the close asynchronously.
	var again *apptest.WS
	for range 50 {
		if again, err = env.DialWS(ctx, parent); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("after closing one: %v", err)
	}
	again.Close()
	for _, ws := range open[1:] {
		ws.Close()
	}
}

// TestCORS: a preflight from the web client's origin is allowed with the
// headers the app sends; another origin is not.
func TestCORS(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoWorkers: true, Env: map[string]string{"SAMESIDE_CORS_ORIGINS": "https://app.sameside.test"}})
	preflight := func(origin string) http.Header {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodOptions, env.Server.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header
	}
	h := preflight("https://app.sameside.test")
	if h.Get("Access-Control-Allow-Origin") != "https://app.sameside.test" || !strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("allowed origin: %v", h)
	}
	if h := preflight("https://evil.test"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", h)
	}
}

// TestTracesExportedOverOTLP: with OTEL_EXPORTER_OTLP_ENDPOINT set, the
// server's spans reach an OTLP/HTTP collector (here a fake that counts the
// export requests).
func TestTracesExportedOverOTLP(t *testing.T) {
	var exports atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" && r.Method == http.MethodPost && len(body) > 0 && bytes.Contains(body, []byte("graphql.query Viewer")) {
			exports.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	env := apptest.New(t, apptest.Options{Seed: true, NoWorkers: true, Env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}})
	if r := env.Do(env.Token("parent"), `query Viewer { viewer { id } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	if err := env.App.FlushTraces(ctx); err != nil {
		t.Fatal(err)
	}
	if exports.Load() == 0 {
		t.Fatal("no export carried the operation's span")
	}
}

// TestWebsocketUpgradesPerIP: upgrades have their own per-IP bucket, twenty
// times the anonymous one (phones behind one NAT reconnect together), and
// beyond it are refused with 429 before any socket is opened.
func TestWebsocketUpgradesPerIP(t *testing.T) {
	// A rate limit of 5 a second: anonymous requests 1 a second (bursts of
	// 2), upgrades 20 a second (bursts of 40).
	env := apptest.New(t, apptest.Options{NoWorkers: true, Env: map[string]string{"SAMESIDE_RATE_LIMIT": "5"}})
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	opened, refused := 0, 0
	start := time.Now()
	for range 60 {
		conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.Server.URL, "http")+"/graphql",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		switch {
		case err == nil:
			opened++
			conn.CloseNow()
		case res != nil && res.StatusCode == http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("dial: %v", err)
		}
	}
	// The burst of 40, then 20 a second for the time the dials took.
	took := time.Since(start)
	allowed := 40 + int(20*took.Seconds()) + 1
	if opened < 40 || opened > allowed || (refused == 0 && took < time.Second) {
		t.Fatalf("%d upgrades opened (at most %d allowed in %v), %d refused with 429", opened, allowed, took, refused)
	}
	t.Logf("60 upgrades from one address in %v: %d opened, %d refused with 429", took.Round(time.Millisecond), opened, refused)
}
