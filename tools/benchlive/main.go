// Command benchlive measures live message delivery across server
// instances: it builds the server, starts two processes on one fresh
// database, opens N websocket subscribers (messageAdded, one parent's
// conversation each, spread over the instances), sends messages at a fixed
// rate through the instances in turn (as a load balancer would), and
// reports delivery latency (send request start to arrival at the
// subscriber) and sendMessage's own latency against a bare INSERT and
// COMMIT of a message row at the same rate during the same run, each
// server's memory and CPU, the machine's load average and how busy its
// cores were over the measured run (and whose CPU: PostgreSQL's, the
// servers', the tool's own), and the background
// jobs (push fan-outs, translations) still waiting when the sending ended,
// with how long they then took to run. Messages are sent as the app sends
// them (its SendMessage contract; a refusal for overload tried again after
// Retry-After, for up to a minute); a message is lost when the server
// accepted it and no subscriber had it 30 s after the sending ended. Each
// server's own metrics for the run follow: sendMessage's time inside it,
// the waits for a database connection, the refusals.
//
//	go run ./tools/benchlive [-subscribers 1000] [-rate 200] [-duration 30s] [-warmup 10s] [-http-floor]
//
// With -http-floor every other row of the bare insert's series goes
// instead through an HTTP request to a handler in this tool that does
// nothing but that insert (no GraphQL, no sign-in, no other statement),
// timed apart: what any HTTP API's write costs on the machine under the
// same load, between the disk's floor and sendMessage.
//
// The measured run follows a warm-up at the same rate (not counted): the
// servers' connections, caches and prepared statements are made, the job
// queue and the tables hold what a running school's do, the queues are
// worked off, and ANALYZE gives the planner the tables as they are. A
// school's database is not a fresh one: with statistics taken on empty
// tables the planner keeps choosing whole-table scans for the job queue
// as it grows (River's fetch, on a plan made for a 69-row table, read the
// whole table twice a call).
//
// With BENCHLIVE_PPROF set, server i serves Go's profiler on
// 127.0.0.1:606i (SAMESIDE_DEBUG_ADDR).
//
// It needs a PostgreSQL it may create a database on (-admin-url, default
// the local server, trust auth); the database is dropped afterwards.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sameside/sameside/server/wsclient"
	"github.com/sameside/sameside/tools/benchdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchlive:", err)
		os.Exit(1)
	}
}

type options struct {
	adminURL    string
	subscribers int
	rate        int
	duration    time.Duration
	instances   int
	warmup      time.Duration
	httpFloor   bool
}

func run() error {
	var o options
	flag.StringVar(&o.adminURL, "admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL to create the bench database on")
	flag.IntVar(&o.subscribers, "subscribers", 1000, "websocket subscribers (one parent and conversation each)")
	flag.IntVar(&o.rate, "rate", 200, "messages per second")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send")
	flag.IntVar(&o.instances, "instances", 2, "server processes")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "how long to send at the same rate before the measured run (0: none)")
	flag.BoolVar(&o.httpFloor, "http-floor", false, "time every other probe row through an HTTP request to a bare handler in this tool (no GraphQL, no sign-in): the floor of any HTTP API's write under the same load")
	flag.Parse()
	if err := loadSendMessage(); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	dbURL, drop, err := benchdb.Create(ctx, o.adminURL, "sameside_benchlive")
	if err != nil {
		return err
	}
	defer drop()

	fmt.Printf("setting up %d parents with a conversation each...\n", o.subscribers)
	convs, tokens, err := setup(ctx, dbURL, o.subscribers, log)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	servers, stopServers, err := startServers(ctx, dbURL, o.instances)
	defer stopServers()
	if err != nil {
		return err
	}
	rec := newRecorder(o.rate * int(o.duration/time.Second))
	subCtx, cancelSubs := context.WithCancel(ctx)
	defer cancelSubs()
	if err := openSubscribers(subCtx, o.subscribers, servers, tokens, convs, rec); err != nil {
		return err
	}
	fmt.Printf("%d subscribers live (%d socket upgrades refused with 429 and opened again after Retry-After)\n",
		o.subscribers, rec.dialsRefused.Load())
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if o.warmup > 0 {
		if err := warmUp(ctx, o, servers, tokens, convs, pool); err != nil {
			return err
		}
	}
	loadCtx, endLoad := context.WithTimeout(ctx, o.duration)
	defer endLoad()
	var floorURL string
	if o.httpFloor {
		url, stop, err := httpFloor(pool)
		if err != nil {
			return err
		}
		defer stop()
		floorURL = url
	}
	baseline, overHTTP, probed, err := probe(loadCtx, pool, o.rate, floorURL)
	if err != nil {
		return err
	}
	loadBefore := loadAverage()
	metricsBefore := scrapeAll(ctx, servers)
	cpuBefore := takeCPU(servers)
	out := sendAll(ctx, o, o.duration, "bench", servers, tokens, convs, rec)
	endLoad()
	probed.Wait()
	cpuUsed := takeCPU(servers).since(cpuBefore)
	loadAfter := loadAverage()
	metricsAfter := scrapeAll(ctx, servers)
	// What the job workers had not got to when the sending ended (every
	// message sets off a push fan-out and a translation).
	waiting, err := jobsWaiting(ctx, pool)
	if err != nil {
		return err
	}
	// Stragglers: every accepted message is waited for, up to 30 s (a
	// message accepted late, after refusals, is delivered late too).
	deadline := time.Now().Add(30 * time.Second)
	for rec.undelivered() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	rss := make([]memory, len(servers))
	for i, s := range servers {
		rss[i] = readMemory(s)
	}
	cancelSubs()
	reportErr := report(o, servers, out, rec, baseline, overHTTP, rss)
	serverSide(metricsBefore, metricsAfter)
	fmt.Printf("load average (1 min) %s at the start of the measured run, %s at its end\n", loadBefore, loadAfter)
	fmt.Println(cpuUsed)
	const limit = 2 * time.Minute
	took, left, err := waitEmpty(ctx, pool, limit)
	if err != nil {
		return errors.Join(reportErr, err)
	}
	drained := fmt.Sprintf("empty %.1fs later", took.Seconds())
	if left.total() > 0 {
		drained = fmt.Sprintf("still %s after %s", left, limit)
	}
	fmt.Printf("job queues when the sending ended: %s; %s\n", waiting, drained)
	return reportErr
}

// cpuTaken is where the machine's CPU time went, so far: every core's,
// busy and in all, PostgreSQL's processes', the servers' and this tool's.
type cpuTaken struct {
	at                                       time.Time
	wall, busy, all, postgres, servers, tool time.Duration
}

func takeCPU(servers []*benchdb.Process) cpuTaken {
	c := cpuTaken{at: time.Now(), postgres: benchdb.CPUOf("postgres"), tool: benchdb.CPUOf("benchlive")}
	c.busy, c.all = benchdb.MachineCPU()
	for _, s := range servers {
		c.servers += s.CPU()
	}
	return c
}

// since is what was used between before and c.
func (c cpuTaken) since(before cpuTaken) cpuTaken {
	return cpuTaken{at: before.at, wall: c.at.Sub(before.at), busy: c.busy - before.busy, all: c.all - before.all, postgres: c.postgres - before.postgres,
		servers: c.servers - before.servers, tool: c.tool - before.tool}
}

// String says how busy the machine was over the measured run, and whose
// work kept it busy: on two cores every round trip of a request waits its
// turn when they are.
func (c cpuTaken) String() string {
	if c.all <= 0 || c.wall <= 0 {
		return "the machine's CPU: not known here (no /proc/stat)"
	}
	wall := c.wall
	return fmt.Sprintf("the machine's %.0f cores over the measured run (%.1fs): %.0f%% busy; CPU used by PostgreSQL %.1fs, the servers %.1fs, this tool %.1fs",
		c.all.Seconds()/wall.Seconds(), wall.Seconds(), 100*c.busy.Seconds()/c.all.Seconds(), c.postgres.Seconds(), c.servers.Seconds(), c.tool.Seconds())
}

// loadAverage is the machine's 1-minute load average ("?" where there is
// no /proc/loadavg).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// queued counts the jobs waiting in each queue, due or running.
type queued map[string]int

func (q queued) total() int {
	n := 0
	for _, c := range q {
		n += c
	}
	return n
}

func (q queued) String() string {
	if q.total() == 0 {
		return "none waiting"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(q)) {
		parts = append(parts, fmt.Sprintf("%s %d", name, q[name]))
	}
	return strings.Join(parts, ", ") + " waiting"
}

// jobsWaiting reads how many jobs wait in each queue, due or running, and
// how many items wait in the translation queue (its drains are jobs of the
// translate queue).
func jobsWaiting(ctx context.Context, pool *pgxpool.Pool) (queued, error) {
	rows, err := pool.Query(ctx, `SELECT queue, count(*) FROM river_job
		WHERE state = 'running' OR (state IN ('available', 'retryable', 'scheduled') AND scheduled_at <= now())
		GROUP BY queue
		UNION ALL SELECT 'translation items', count(*) FROM translation_queue WHERE not_before <= now() HAVING count(*) > 0`)
	if err != nil {
		return nil, fmt.Errorf("job queues: %w", err)
	}
	q := queued{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("job queues: %w", err)
		}
		q[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job queues: %w", err)
	}
	return q, nil
}

// waitEmpty waits, up to limit, for the job queues to empty: how long it
// waited, and what was left (none when they emptied).
func waitEmpty(ctx context.Context, pool *pgxpool.Pool, limit time.Duration) (time.Duration, queued, error) {
	t0 := time.Now()
	for {
		q, err := jobsWaiting(ctx, pool)
		if err != nil {
			return 0, nil, err
		}
		if q.total() == 0 || time.Since(t0) > limit {
			return time.Since(t0), q, nil
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startServers builds the server and starts n processes on dbURL; stop
// ends those started, even when err says a later one failed.
func startServers(ctx context.Context, dbURL string, n int) (servers []*benchdb.Process, stop func(), err error) {
	dir, err := os.MkdirTemp("", "benchlive")
	if err != nil {
		return nil, func() {}, err
	}
	stop = func() {
		for _, s := range servers {
			s.Stop()
		}
		os.RemoveAll(dir)
	}
	bin, err := benchdb.BuildServer(dir)
	if err != nil {
		return nil, stop, err
	}
	for i := 0; i < n; i++ {
		var env []string
		if os.Getenv("BENCHLIVE_PPROF") != "" {
			env = append(env, fmt.Sprintf("SAMESIDE_DEBUG_ADDR=127.0.0.1:%d", 6060+i))
		}
		s, err := benchdb.StartServer(ctx, bin, dbURL, env...)
		if err != nil {
			return servers, stop, err
		}
		servers = append(servers, s)
	}
	return servers, stop, nil
}

// openSubscribers opens one messageAdded subscription per parent, spread
// over the servers, and returns once all are live (or one failed).
func openSubscribers(ctx context.Context, n int, servers []*benchdb.Process, tokens tokens, convs []conv, rec *recorder) error {
	fmt.Printf("opening %d websocket subscribers over %d instances...\n", n, len(servers))
	var subscribed atomic.Int64
	errs := make(chan error, n)
	for i := range n {
		go func() {
			if err := subscribe(ctx, servers[i%len(servers)].URL, tokens.parents[i], convs[i].id, rec, &subscribed); err != nil && ctx.Err() == nil {
				errs <- err
			}
		}()
		if i%50 == 49 {
			time.Sleep(20 * time.Millisecond) // do not open them all in one burst
		}
	}
	for subscribed.Load() < int64(n) {
		select {
		case err := <-errs:
			return fmt.Errorf("subscriber: %w", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// A subscription is live once the server has run its resolver, shortly
	// after the client's subscribe; every message is counted, so one sent
	// too early would show as lost.
	time.Sleep(2 * time.Second)
	return nil
}

// probe inserts and commits a message row at rate until ctx ends, in a
// conversation of its own (the app's seq counter untouched), and times
// each: the disk's floor that sendMessage is compared with, measured
// during the same load. With floorURL (httpFloor's) every other row goes
// through an HTTP request to it instead, timed apart (overHTTP): the same
// rate of rows, so the same load, whichever way they go.
func probe(ctx context.Context, pool *pgxpool.Pool, rate int, floorURL string) (baseline, overHTTP *latencies, wg *sync.WaitGroup, err error) {
	var conv, sender string
	if err := pool.QueryRow(ctx, `INSERT INTO conversations (school_id, subject, created_by_id)
		SELECT school_id, 'Probe', created_by_id FROM conversations LIMIT 1 RETURNING id, created_by_id`).Scan(&conv, &sender); err != nil {
		return nil, nil, nil, fmt.Errorf("probe conversation: %w", err)
	}
	baseline, overHTTP, wg = &latencies{}, &latencies{}, &sync.WaitGroup{}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for seq := 1; ; seq++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			body := fmt.Sprintf("probe %d", seq)
			t0 := time.Now()
			if floorURL != "" && seq%2 == 0 {
				if postRow(client, floorURL, floorRow{conv, seq, sender, body}) == nil {
					overHTTP.add(time.Since(t0))
				}
				continue
			}
			// One statement outside a transaction: an INSERT and its COMMIT.
			if _, err := pool.Exec(context.WithoutCancel(ctx), probeInsert, conv, seq, sender, body); err == nil {
				baseline.add(time.Since(t0))
			}
		}
	}()
	return baseline, overHTTP, wg, nil
}

// probeInsert is the probe's row: a message, one statement and its commit.
const probeInsert = `INSERT INTO messages (conversation_id, seq, sender_id, body) VALUES ($1, $2, $3, $4)`

// floorRow is the row an HTTP probe asks httpFloor's handler to insert.
type floorRow struct {
	Conversation string `json:"conversation"`
	Seq          int    `json:"seq"`
	Sender       string `json:"sender"`
	Body         string `json:"body"`
}

// httpFloor serves, on a port of its own in this tool, a handler that
// inserts and commits the row its JSON body names and answers with a JSON
// object: an HTTP API's write with nothing else (no GraphQL, no sign-in,
// no other statement). Under the same load as sendMessage it is the floor
// of any HTTP API's write on this machine; stop closes it.
func httpFloor(pool *pgxpool.Pool) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("http floor: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var row floorRow
		if err := json.NewDecoder(r.Body).Decode(&row); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := pool.Exec(r.Context(), probeInsert, row.Conversation, row.Seq, row.Sender, row.Body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"ok":true}}`)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// postRow asks the HTTP floor at url to insert row.
func postRow(client *http.Client, url string, row floorRow) error {
	body, err := json.Marshal(row)
	if err != nil {
		return err
	}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("http floor: %s", resp.Status)
	}
	return nil
}

// sent is what sendAll did.
type sent struct {
	n, crossed int
	errs       int64
	// shed counts sends refused for overload (each then sent again).
	shed  int64
	took  time.Duration
	calls *latencies
}

// warmUp sends at o.rate for o.warmup (messages the subscribers receive
// but the recorder does not count), waits until the job queues are worked
// off, and analyzes the database.
func warmUp(ctx context.Context, o options, servers []*benchdb.Process, tokens tokens, convs []conv, pool *pgxpool.Pool) error {
	w := sendAll(ctx, o, o.warmup, "warmup", servers, tokens, convs, nil)
	took, left, err := waitEmpty(ctx, pool, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if left.total() > 0 {
		return fmt.Errorf("warm-up: %s after 2 minutes", left)
	}
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	fmt.Printf("warm-up: %d messages (%d send errors), job queues empty %.1fs after, analyzed\n", w.n, w.errs, took.Seconds())
	return nil
}

// sendAll sends o.rate messages a second for d through the servers in
// turn and waits for every call to answer. Bodies are "label n"; rec (nil
// for none) times them.
func sendAll(ctx context.Context, o options, d time.Duration, label string, servers []*benchdb.Process, tokens tokens, convs []conv, rec *recorder) sent {
	fmt.Printf("sending %d messages/s for %s (%s)...\n", o.rate, d, label)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var errs, shed atomic.Int64
	out := sent{calls: &latencies{}}
	var wg sync.WaitGroup
	// Message k leaves at start + k/rate, however late the previous ones
	// were: a busy machine does not lower the offered load.
	total := o.rate * int(d/time.Second)
	start := time.Now()
	for ; out.n < total && ctx.Err() == nil; out.n++ {
		n := out.n
		time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(o.rate))))
		i := n % len(convs)
		c := convs[i]
		// Subscriber i is on instance i%k; each pass over the conversations
		// shifts the sending instance by one, so with two instances half
		// the messages cross from one to the other.
		on := (i + n/len(convs)) % len(servers)
		if on != i%len(servers) {
			out.crossed++
		}
		srv := servers[on]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rec != nil {
				rec.sent(n)
			}
			t0 := time.Now()
			err := sendMessage(ctx, client, srv.URL, tokens.teachers[c.teacher], c.id, label, n, &shed)
			out.calls.add(time.Since(t0))
			if err == nil && rec != nil {
				rec.accept(n)
			}
			if err != nil && errs.Add(1) <= 3 {
				fmt.Fprintln(os.Stderr, "send:", err)
			}
		}()
	}
	out.took = time.Since(start)
	wg.Wait()
	out.errs, out.shed = errs.Load(), shed.Load()
	return out
}

// report prints the run's figures and fails if a message was lost.
func report(o options, servers []*benchdb.Process, out sent, rec *recorder, baseline, overHTTP *latencies, rss []memory) error {
	d := rec.lat.sorted()
	b := baseline.sorted()
	if len(d) == 0 || len(b) == 0 {
		return errors.New("nothing measured")
	}
	n := out.n
	fmt.Printf("\nsubscribers %d over %d instances; sent %d messages in %.1fs (%d through another instance than the subscriber's; %d refusals for overload, each sent again); accepted %d, %d send errors; delivered %d, lost %d (accepted, not delivered within 30 s of the sending's end)\n",
		o.subscribers, len(servers), n, out.took.Seconds(), out.crossed, out.shed, rec.acceptedCount(), out.errs, rec.delivered(), rec.undelivered())
	fmt.Printf("delivery latency  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  (%d samples)\n", ms(pct(d, 50)), ms(pct(d, 99)), ms(d[len(d)-1]), len(d))
	sd := out.calls.sorted()
	fmt.Printf("sendMessage call  p50 %8.2f ms  p99 %8.2f ms  (the HTTP mutation, from its first send to its answer, retries included)\n", ms(pct(sd, 50)), ms(pct(sd, 99)))
	fmt.Printf("INSERT + COMMIT   p50 %8.2f ms  p99 %8.2f ms  (a bare message row at the same rate, %d samples, same run)\n", ms(pct(b, 50)), ms(pct(b, 99)), len(b))
	for i, m := range rss {
		fmt.Printf("server %d: RSS %.1f MiB, peak %.1f MiB, CPU %.1f s\n", i+1, float64(m.rss)/1024, float64(m.peak)/1024, m.cpu.Seconds())
	}
	fmt.Printf("ratio p50 sendMessage / p50 INSERT + COMMIT: %.2f\n", float64(pct(sd, 50))/float64(pct(b, 50)))
	if h := overHTTP.sorted(); len(h) > 0 {
		fmt.Printf("HTTP + INSERT     p50 %8.2f ms  p99 %8.2f ms  (the same row through an HTTP request to a bare handler in this tool, no GraphQL, no sign-in, %d samples, same run)\n",
			ms(pct(h, 50)), ms(pct(h, 99)), len(h))
		fmt.Printf("ratio p50 HTTP + INSERT / p50 INSERT + COMMIT: %.2f (any HTTP API's write, on this machine under this load)\n", float64(pct(h, 50))/float64(pct(b, 50)))
		fmt.Printf("ratio p50 sendMessage / p50 HTTP + INSERT: %.2f\n", float64(pct(sd, 50))/float64(pct(h, 50)))
	}
	if out.errs > 0 {
		return fmt.Errorf("%d sends failed", out.errs)
	}
	// With no send error every message was accepted: lost is all that can
	// be missing.
	if lost := rec.undelivered(); lost > 0 {
		return fmt.Errorf("%d accepted messages were not delivered", lost)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return sorted[i]
}

type latencies struct {
	mu sync.Mutex
	v  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.v = append(l.v, d)
	l.mu.Unlock()
}

func (l *latencies) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.v)
	slices.Sort(out)
	return out
}

// recorder matches deliveries to sends by the number in the message body.
type recorder struct {
	mu       sync.Mutex
	start    map[int]time.Time
	got      map[int]bool
	accepted map[int]bool // the server answered sendMessage without an error
	lat      latencies
	// dialsRefused counts socket upgrades refused with 429 and opened again.
	dialsRefused atomic.Int64
}

func (r *recorder) refusedDial() { r.dialsRefused.Add(1) }

func newRecorder(n int) *recorder {
	return &recorder{start: make(map[int]time.Time, n), got: make(map[int]bool, n), accepted: make(map[int]bool, n)}
}

// accept records that message n was accepted (sendMessage answered).
func (r *recorder) accept(n int) {
	r.mu.Lock()
	r.accepted[n] = true
	r.mu.Unlock()
}

func (r *recorder) acceptedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.accepted)
}

// undelivered counts the accepted messages no subscriber has had yet.
func (r *recorder) undelivered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for m := range r.accepted {
		if !r.got[m] {
			n++
		}
	}
	return n
}

func (r *recorder) sent(n int) {
	r.mu.Lock()
	r.start[n] = time.Now()
	r.mu.Unlock()
}

func (r *recorder) received(n int, at time.Time) {
	r.mu.Lock()
	t0, ok := r.start[n]
	dup := r.got[n]
	r.got[n] = true
	r.mu.Unlock()
	if ok && !dup {
		r.lat.add(at.Sub(t0))
	}
}

// subscribe opens a graphql-transport-ws connection, subscribes to a
// conversation and records every delivery until ctx ends.
func subscribe(ctx context.Context, base, token, conversationID string, rec *recorder, subscribed *atomic.Int64) error {
	// As the app does, a socket refused for opening too fast (429, the
	// limit on one network's upgrades) is opened again after Retry-After.
	var conn *wsclient.Conn
	for tries := 1; ; tries++ {
		var err error
		conn, err = wsclient.Dial(ctx, base, map[string]any{"Authorization": "Bearer " + token})
		var refused *wsclient.RefusedError
		if err == nil {
			break
		}
		if !errors.As(err, &refused) || refused.Status != http.StatusTooManyRequests || tries == 20 {
			return fmt.Errorf("connection_init: %w", err)
		}
		rec.refusedDial()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(max(refused.RetryAfter, 100*time.Millisecond)):
		}
	}
	defer conn.Close()
	if err := conn.Subscribe(ctx, "1", `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`,
		map[string]any{"c": conversationID}); err != nil {
		return err
	}
	subscribed.Add(1)
	for {
		m, err := conn.Next(ctx, "1")
		if err != nil {
			return err
		}
		at := time.Now()
		if m.Type != "next" {
			return fmt.Errorf("subscription ended: %s %s", m.Type, m.Payload)
		}
		var p struct {
			Data struct {
				MessageAdded struct{ Body string }
			}
		}
		if json.Unmarshal(m.Payload, &p) == nil {
			if n, err := strconv.Atoi(strings.TrimPrefix(p.Data.MessageAdded.Body, "bench ")); err == nil {
				rec.received(n, at)
			}
		}
	}
}

// errShed is a send the server refused for want of a place (503,
// UNAVAILABLE): the app waits Retry-After and sends it again.
type errShed struct{ after time.Duration }

func (e errShed) Error() string { return "shed: retry after " + e.after.String() }

// sendMessage sends message n as the app does: a refusal for overload is
// retried after its Retry-After with the same clientMutationId, as the
// app's outbox does, for up to sendPatience after the first try (the app
// would keep trying; a run must end); shed counts the refusals.
func sendMessage(ctx context.Context, client *http.Client, base, token, conversationID, label string, n int, shed *atomic.Int64) error {
	give := time.Now().Add(sendPatience)
	for {
		err := sendOnce(ctx, client, base, token, conversationID, label, n)
		var s errShed
		if !errors.As(err, &s) {
			return err
		}
		shed.Add(1)
		if time.Now().Add(s.after).After(give) {
			return fmt.Errorf("still refused after %s: %w", sendPatience, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.after):
		}
	}
}

// sendPatience is how long a send refused for overload is tried again.
const sendPatience = time.Minute

// sendMessageDoc is the app's own SendMessage operation (its contract),
// so the server does and answers what it does for the app.
var sendMessageDoc string

// loadSendMessage reads the operation from the contracts (the command runs
// from the repository's root, as make bench-live does).
func loadSendMessage() error {
	b, err := os.ReadFile("mobile-contracts/operations/SendMessage.graphql")
	if err != nil {
		return fmt.Errorf("the SendMessage contract (run from the repository's root): %w", err)
	}
	sendMessageDoc = string(b)
	return nil
}

func sendOnce(ctx context.Context, client *http.Client, base, token, conversationID, label string, n int) error {
	body, _ := json.Marshal(map[string]any{
		"query": sendMessageDoc, "operationName": "SendMessage",
		"variables": map[string]any{"input": map[string]any{"clientMutationId": label + "-" + strconv.Itoa(n),
			"conversationId": conversationID, "body": label + " " + strconv.Itoa(n)}},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusServiceUnavailable && bytes.Contains(out, []byte(`"UNAVAILABLE"`)) {
		after, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		return errShed{after: time.Duration(max(after, 1)) * time.Second}
	}
	if res.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
		return fmt.Errorf("%d %s", res.StatusCode, out)
	}
	return nil
}

type memory struct {
	rss, peak int64 // KiB
	cpu       time.Duration
}

func readMemory(p *benchdb.Process) memory {
	m := memory{cpu: p.CPU()}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			m.rss = v
		case "VmHWM:":
			m.peak = v
		}
	}
	return m
}
