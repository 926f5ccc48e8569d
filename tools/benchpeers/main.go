// Command benchpeers measures SameSide's feed page against its peers on
// the same database, the same page, in one run:
//
//   - SameSide: the app's Feed operation over HTTP (the server built and
//     started as in production, demo sign-in);
//   - floor: a hand-written Go server (net/http and pgx, floor.go) that
//     verifies the same token and answers the same JSON from one statement;
//   - PostGraphile 4 (from npm, tools/benchpeers/postgraphile) serving the
//     same statement as a SQL function (it is given the parent's id, and
//     verifies no token).
//
// The database is the demo school scaled to 1,000 students and 100,000
// observations, every text with its stored translations as the app's jobs
// leave them (tools/benchdb). Each round drives the three in turn (A, B,
// C, A, B, C …) with the same load: c clients, each sending its next
// request when the last one is answered, for a few seconds a side. It
// prints each side's pages/s, p50 latency and server CPU per page (from
// /proc) per round, then their medians and the ratios.
//
//	go run ./tools/benchpeers [-rounds 5] [-seconds 3] [-clients 1,8]
//
// It needs a PostgreSQL it may create a database on (-admin-url, default
// the local server, trust auth), Node.js and PostGraphile installed by
// npm ci in tools/benchpeers/postgraphile (make bench-peers does it).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/config"
	"github.com/sameside/sameside/tools/benchdb"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		err = runFloor()
	} else {
		err = run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpeers:", err)
		os.Exit(1)
	}
}

type options struct {
	adminURL, postgraphile string
	// profile, when set, is where SameSide's CPU profile of its first
	// measured round goes.
	profile string
	rounds  int
	seconds float64
	clients []int
}

// side is one of the servers measured.
type side struct {
	name string
	proc *benchdb.Process
	// request builds one page request.
	request func() *http.Request
	// items counts the page's items in an answer.
	items func([]byte) (int, error)
}

func run() error {
	var o options
	var clients string
	flag.StringVar(&o.adminURL, "admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL to create the bench database on")
	flag.StringVar(&o.postgraphile, "postgraphile", "tools/benchpeers/postgraphile", "where npm ci installed PostGraphile")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds (each drives every side once per client count)")
	flag.Float64Var(&o.seconds, "seconds", 3, "seconds a side per round")
	flag.StringVar(&clients, "clients", "1,8", "concurrent clients, comma-separated")
	flag.StringVar(&o.profile, "profile", "", "write SameSide's CPU profile of its first measured round here")
	flag.Parse()
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("-clients: %q is not 1 to 256", c)
		}
		o.clients = append(o.clients, n)
	}
	if o.rounds < 1 || o.seconds <= 0 {
		return errors.New("-rounds and -seconds must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dbURL, drop, err := benchdb.Create(ctx, o.adminURL, "sameside_benchpeers")
	if err != nil {
		return err
	}
	defer drop()
	fmt.Println("seeding the demo school and scaling it to 1,000 students and 100,000 observations...")
	token, uid, err := prepare(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}

	dir, err := os.MkdirTemp("", "benchpeers")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := benchdb.BuildServer(dir)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var sides []*side
	defer func() {
		for _, s := range sides {
			s.proc.Stop()
		}
	}()
	env := []string{"SAMESIDE_RATE_LIMIT=0", "SAMESIDE_WEEKLY_REMINDER=off"}
	debugAddr := ""
	if o.profile != "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		debugAddr = l.Addr().String()
		l.Close()
		env = append(env, "SAMESIDE_DEBUG_ADDR="+debugAddr)
	}
	ss, err := benchdb.StartServer(ctx, bin, dbURL, env...)
	if err != nil {
		return err
	}
	ops, err := contracts.Operations()
	if err != nil {
		return err
	}
	feedBody, _ := json.Marshal(map[string]any{"query": ops["Feed"], "operationName": "Feed", "variables": map[string]any{"first": 20}})
	sides = append(sides, &side{name: "sameside", proc: ss, request: post(ss.URL+"/graphql", feedBody, token), items: feedItems})
	fl, err := benchdb.Start(ctx, self, []string{"floor"}, []string{"DATABASE_URL=" + dbURL}, "/readyz",
		func(res *http.Response) bool { return res.StatusCode == http.StatusOK })
	if err != nil {
		return err
	}
	sides = append(sides, &side{name: "floor", proc: fl, request: post(fl.URL+"/graphql", feedBody, token), items: feedItems})
	pg, err := benchdb.Start(ctx, "node", []string{filepath.Join(o.postgraphile, "node_modules/postgraphile/cli.js"),
		"-c", dbURL, "-s", "bench_peers", "-n", "127.0.0.1", "-p", "{port}", "--disable-query-log", "--disable-graphiql",
		"--dynamic-json", "--no-setof-functions-contain-nulls", "--disable-default-mutations"}, nil, "/graphql",
		func(res *http.Response) bool { return res.StatusCode < 500 })
	if err != nil {
		return fmt.Errorf("postgraphile (npm ci in %s?): %w", o.postgraphile, err)
	}
	pgBody, _ := json.Marshal(map[string]any{"query": postgraphileFeed, "variables": map[string]any{"uid": uid, "n": 21}})
	sides = append(sides, &side{name: "postgraphile", proc: pg, request: post(pg.URL+"/graphql", pgBody, ""), items: postgraphileItems})

	if err := check(sides); err != nil {
		return err
	}
	for _, s := range sides { // warm each up: caches, JIT, pools
		if _, err := drive(ctx, s, 4, time.Second); err != nil {
			return err
		}
	}
	results := map[string]map[int][]result{}
	for _, s := range sides {
		results[s.name] = map[int][]result{}
	}
	for r := 1; r <= o.rounds; r++ {
		for _, c := range o.clients {
			for _, s := range sides {
				var profiled chan error
				if s.name == "sameside" && debugAddr != "" && r == 1 && c == o.clients[0] {
					profiled = make(chan error, 1)
					go func() { profiled <- saveProfile(debugAddr, o.seconds, o.profile) }()
				}
				res, err := drive(ctx, s, c, time.Duration(o.seconds*float64(time.Second)))
				if profiled != nil {
					if err := <-profiled; err != nil {
						return err
					}
				}
				if err != nil {
					return err
				}
				results[s.name][c] = append(results[s.name][c], res)
				fmt.Printf("round %d, %d client(s), %-12s %7.0f pages/s  p50 %6.2f ms  CPU %5.2f ms/page\n",
					r, c, s.name, res.rate, ms(res.p50), ms(res.cpuPerPage))
			}
		}
	}
	report(o, sides, results)
	return nil
}

// prepare seeds and scales the database, creates PostGraphile's function
// and returns a demo token for the demo parent and their sign-in uid.
func prepare(ctx context.Context, dbURL string) (token, uid string, err error) {
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "SAMESIDE_SEED": "true", "LOG_LEVEL": "warn"}[k]
	})
	if err != nil {
		return "", "", err
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return "", "", err
	}
	defer a.Close()
	if _, err := a.Seed(ctx); err != nil {
		return "", "", err
	}
	if err := benchdb.ScaleSchool(a.DB, 100, true); err != nil {
		return "", "", err
	}
	if err := a.DB.Exec(postgraphileSchema).Error; err != nil {
		return "", "", err
	}
	if err := a.DB.Raw(`SELECT u.firebase_uid FROM users u JOIN memberships m ON m.user_id = u.id AND m.role = 'PARENT'
		WHERE u.email = 'parent1@sameside-demo.example'`).Scan(&uid).Error; err != nil || uid == "" {
		return "", "", fmt.Errorf("the demo parent: %v", err)
	}
	token, err = a.Demo.Sign(uid, 2*time.Hour)
	return token, uid, err
}

// postgraphileSchema is what PostGraphile serves: the floor's statement as
// a function of the parent's sign-in uid, returning the page's rows.
var postgraphileSchema = `CREATE SCHEMA bench_peers;
CREATE TYPE bench_peers.feed_item AS (id uuid, kind text, body text, body_original text, language text, translated boolean,
	skills text[], edited_after_sharing boolean,
	shared_at timestamptz, feed_at timestamptz, author_id uuid, author_name text, student_id uuid, student_name text,
	reaction text, acknowledged_at timestamptz, response_count bigint, attachments json);
CREATE FUNCTION bench_peers.feed(uid text, n integer) RETURNS SETOF bench_peers.feed_item
	LANGUAGE sql STABLE AS $fn$ ` + pageSQL + ` $fn$;
ANALYZE;`

const postgraphileFeed = `query Feed($uid: String!, $n: Int!) { feed(uid: $uid, n: $n) { nodes {
	id kind body bodyOriginal language translated skills editedAfterSharing sharedAt feedAt authorId authorName studentId studentName
	reaction acknowledgedAt responseCount attachments } } }`

func post(url string, body []byte, token string) func() *http.Request {
	return func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req
	}
}

// feedItems counts the items of a Feed answer (SameSide's and the floor's).
func feedItems(raw []byte) (int, error) { return countItems(raw, 0) }

// postgraphileItems counts PostGraphile's: its function returns n = 21
// rows (the page and one to tell there is a next page), as the other two
// read.
func postgraphileItems(raw []byte) (int, error) { return countItems(raw, 1) }

// countItems is the length of data.feed.edges or data.feed.nodes, less
// extra; an answer with errors is an error.
func countItems(raw []byte, extra int) (int, error) {
	var out struct {
		Data struct {
			Feed struct{ Edges, Nodes []json.RawMessage }
		}
		Errors []any
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		return 0, fmt.Errorf("%.300s", raw)
	}
	return len(out.Data.Feed.Edges) + len(out.Data.Feed.Nodes) - extra, nil
}

// check fetches a page from each side: 20 items each, and the floor's
// JSON the same as SameSide's.
func check(sides []*side) error {
	pages := map[string][]byte{}
	for _, s := range sides {
		raw, err := fetch(http.DefaultClient, s.request())
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		n, err := s.items(raw)
		if err != nil || n != 20 {
			return fmt.Errorf("%s: %d items, %v", s.name, n, err)
		}
		pages[s.name] = raw
	}
	var a, b any
	_ = json.Unmarshal(pages["sameside"], &a)
	_ = json.Unmarshal(pages["floor"], &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		return fmt.Errorf("the floor's page differs from SameSide's:\nsameside: %.600s\nfloor:    %.600s", ja, jb)
	}
	fmt.Println("each side answers the page of 20; the floor's JSON is SameSide's")
	return nil
}

func fetch(client *http.Client, req *http.Request) ([]byte, error) {
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d: %.300s", res.StatusCode, raw)
	}
	return raw, err
}

// saveProfile writes the server's CPU profile over the next seconds.
func saveProfile(addr string, seconds float64, path string) error {
	raw, err := fetch(http.DefaultClient, mustRequest(http.MethodGet,
		fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(seconds)))))
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return os.WriteFile(path, raw, 0o644)
}

func mustRequest(method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		panic(err)
	}
	return req
}

type result struct {
	rate            float64
	p50, cpuPerPage time.Duration
}

// drive runs c clients against s for d, each sending its next request when
// the last is answered, and measures pages/s, the median latency and the
// server's CPU per page.
func drive(ctx context.Context, s *side, c int, d time.Duration) (result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var took []time.Duration
	var firstErr error
	cpu0 := s.proc.CPU()
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(end) && ctx.Err() == nil {
				t0 := time.Now()
				raw, err := fetch(client, s.request())
				if err == nil {
					var n int
					if n, err = s.items(raw); err == nil && n != 20 {
						err = fmt.Errorf("%d items", n)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, fmt.Errorf("%s: %w", s.name, err))
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := s.proc.CPU() - cpu0
	if firstErr != nil {
		return result{}, firstErr
	}
	if len(took) == 0 {
		return result{}, fmt.Errorf("%s: no page in %v", s.name, d)
	}
	slices.Sort(took)
	return result{rate: float64(len(took)) / elapsed.Seconds(), p50: took[len(took)/2], cpuPerPage: cpu / time.Duration(len(took))}, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// pairedRatios are a's pages a second over b's, round by round (rounds
// where both served pages).
func pairedRatios(a, b []result) []float64 {
	var out []float64
	for i := 0; i < min(len(a), len(b)); i++ {
		if b[i].rate > 0 {
			out = append(out, a[i].rate/b[i].rate)
		}
	}
	return out
}

// report prints each side's medians over the rounds and SameSide's ratios
// to the others (pages/s; CPU per page, lower is better).
func report(o options, sides []*side, results map[string]map[int][]result) {
	fmt.Printf("\nmedians of %d rounds (%g s a side a round):\n", o.rounds, o.seconds)
	med := map[string]map[int][3]float64{}
	for _, s := range sides {
		med[s.name] = map[int][3]float64{}
		for _, c := range o.clients {
			var rate, p50, cpu []float64
			for _, r := range results[s.name][c] {
				rate, p50, cpu = append(rate, r.rate), append(p50, ms(r.p50)), append(cpu, ms(r.cpuPerPage))
			}
			m := [3]float64{median(rate), median(p50), median(cpu)}
			med[s.name][c] = m
			fmt.Printf("%-12s %d client(s): %7.0f pages/s  p50 %6.2f ms  CPU %5.2f ms/page\n", s.name, c, m[0], m[1], m[2])
		}
	}
	for _, c := range o.clients {
		ss := med["sameside"][c]
		for _, peer := range []string{"floor", "postgraphile"} {
			p, ok := med[peer][c]
			if !ok || p[0] == 0 || p[2] == 0 {
				continue
			}
			fmt.Printf("ratio sameside / %s, %d client(s): pages/s %.2f, CPU per page %.2f\n", peer, c, ss[0]/p[0], ss[2]/p[2])
		}
	}
	// The same ratios round by round: each round's sides ran one after the
	// other, so a round's ratio is the closest pair the run has, and the
	// spread of the rounds says how far one run's figure can be trusted.
	for _, c := range o.clients {
		for _, pair := range [][2]string{{"sameside", "floor"}, {"sameside", "postgraphile"}, {"floor", "postgraphile"}} {
			r := pairedRatios(results[pair[0]][c], results[pair[1]][c])
			if len(r) == 0 {
				continue
			}
			fmt.Printf("ratio %s / %s, %d client(s), round by round: pages/s median %.2f (%.2f to %.2f over %d rounds)\n",
				pair[0], pair[1], c, median(r), slices.Min(r), slices.Max(r), len(r))
		}
	}
	fmt.Print("peak resident memory:")
	for _, s := range sides {
		fmt.Printf(" %s %.0f MiB", s.name, float64(s.proc.PeakRSS())/(1<<20))
	}
	fmt.Println()
}
