package graph_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database/dbtest"
)

// Under steady load above half the pool (8 clients on a pool of 10), the
// server closes no PostgreSQL session to reopen another: idle connections
// are kept. (The pool may still grow by one or two on a busy machine when
// the warm-up did not reach the load's peak: growing is not churn.)
func TestNoConnectionChurnUnderSteadyLoad(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"SAMESIDE_DB_MAX_CONNS": "10", "SAMESIDE_RATE_LIMIT": "0"}})
	f.threeChildren(t, 30)
	tok := f.token("parentA")
	sqlDB, err := f.App.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	load := func(perClient int) {
		var wg sync.WaitGroup
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perClient; i++ {
					if res := f.Do(tok, qFeed, map[string]any{"first": 20}); res.Code() != "" {
						t.Error(res.Body)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	load(20) // warm up: the pool grows to what the load needs
	before := sqlDB.Stats()
	load(100)
	after := sqlDB.Stats()
	closed := func(s sql.DBStats) int64 { return s.MaxIdleClosed + s.MaxIdleTimeClosed + s.MaxLifetimeClosed }
	opened := int64(after.OpenConnections-before.OpenConnections) + closed(after) - closed(before)
	t.Logf("800 feed pages from 8 clients on a pool of 10: %d connections open before, %d after; %d new sessions, %d closed as surplus idle",
		before.OpenConnections, after.OpenConnections, opened, after.MaxIdleClosed-before.MaxIdleClosed)
	if churn := closed(after) - closed(before); churn != 0 {
		t.Fatalf("%d sessions closed and %d opened under steady load", churn, opened)
	}
}

// A family's deletion racing 40 messages from that family and its teacher:
// each write happens whole before or after the other, none answers
// INTERNAL (PostgreSQL's deadlock victims are run again).
func TestFamilyDeletionRacingMessages(t *testing.T) {
	for round := 0; round < 3; round++ {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) { raceDeletion(t, round) })
	}
}

// raceDeletion is one round of TestFamilyDeletionRacingMessages, on its own
// server (closed at the round's end).
func raceDeletion(t *testing.T, round int) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"SAMESIDE_RATE_LIMIT": "0"}})
	conv := f.start(t, "parentA", "s1", "teacherA")
	parent, teacher, admin := f.token("parentA"), f.token("teacherA"), f.token("adminA")
	codes := make(chan string, 41)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok := parent
			if i%2 == 1 {
				tok = teacher
			}
			res := f.Do(tok, qSend, map[string]any{"c": conv, "m": fmt.Sprintf("race-%d", i), "b": "On our way to school."})
			codes <- res.Code()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		res := f.Do(admin, qDelete, map[string]any{"in": map[string]any{"clientMutationId": "race-delete",
			"studentIds": []string{f.students["s1"].ID}, "confirm": "DELETE"}})
		codes <- "delete:" + res.Code()
	}()
	close(start)
	wg.Wait()
	close(codes)
	tally := map[string]int{}
	for c := range codes {
		tally[c]++
	}
	t.Logf("round %d: %v", round, tally)
	if tally["delete:"] != 1 || tally["INTERNAL"] > 0 || tally["delete:INTERNAL"] > 0 {
		t.Fatalf("round %d: %v", round, tally)
	}
	if n := f.Count("students WHERE id = '" + f.students["s1"].ID + "'"); n != 0 {
		t.Fatalf("the child is still there")
	}
}

// tcpProxy forwards connections to target until it is taken down: then it
// drops every connection and refuses new ones, as a database outage looks
// to the server, until it is brought up again on the same address.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.up("127.0.0.1:0")
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) up(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(d, c); d.Close() }()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
		}
	}()
}

func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// A database outage answers 503 with code UNAVAILABLE and Retry-After, for
// reads (the compiled feed among them), writes and sign-in alike, writes nothing, and the server recovers
// by itself when the database is back.
func TestDatabaseOutage(t *testing.T) {
	u, err := url.Parse(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"DATABASE_URL": u.String()}, NoWorkers: true})
	tok := f.token("parentA")
	post := func(query string) (int, string, string) {
		body, _ := json.Marshal(map[string]any{"query": query})
		res, b := f.Raw(http.MethodPost, "/graphql", tok, "application/json", body)
		return res.StatusCode, res.Header.Get("Retry-After"), b
	}
	read := `{ viewer { displayName children { displayName } } }`
	write := `mutation { updateProfile(input: {displayName: "During the outage"}) { displayName } }`
	if status, _, body := post(read); status != 200 || !strings.Contains(body, "s1") {
		t.Fatalf("before: %d %s", status, body)
	}
	// The feed too: its page checks the viewer the server kept from the
	// read above, and confirms it by signing in when the page fails.
	feed := `{ feed(first: 5) { edges { node { id body } } } }`
	if status, _, body := post(feed); status != 200 || strings.Contains(body, "errors") {
		t.Fatalf("before: %d %s", status, body)
	}
	// And a message: its statement checks the kept viewer too, and
	// confirms it by signing in when the statement fails.
	c := f.start(t, "parentA", "s1", "teacherA")
	send := `mutation { sendMessage(input: {conversationId: "` + c + `", clientMutationId: "outage", body: "Are you there?"}) { message { id } } }`
	if status, _, body := post(send); status != 200 || strings.Contains(body, "errors") {
		t.Fatalf("before: %d %s", status, body)
	}
	send = strings.Replace(send, `"outage"`, `"outage-2"`, 1)
	proxy.down()
	for _, q := range []string{read, write, feed, send} {
		status, retry, body := post(q)
		if status != http.StatusServiceUnavailable || retry == "" || !strings.Contains(body, `"code":"UNAVAILABLE"`) || strings.Contains(body, "INTERNAL") {
			t.Errorf("during the outage: %d Retry-After %q %s", status, retry, body)
		}
	}
	proxy.up(proxy.addr)
	// Back: the pool replaces its dead connections on its own.
	var status int
	var body string
	for i := 0; i < 50; i++ {
		if status, _, body = post(read); status == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond) // the database is coming back; poll it
	}
	if status != 200 || !strings.Contains(body, "s1") {
		t.Fatalf("after the outage: %d %s", status, body)
	}
	var name string
	f.DB.Raw(`SELECT display_name FROM users WHERE id = ?`, f.users["parentA"].ID).Scan(&name)
	if name == "During the outage" {
		t.Fatal("a write during the outage was kept")
	}
}

// A process whose pools could take more connections than the database has
// left says so when it starts (several instances at the defaults do not
// fit a default PostgreSQL; a refused connection is a request answered
// UNAVAILABLE).
func TestWarnsWhenPoolsMayExceedConnections(t *testing.T) {
	logs := &syncBuffer{}
	apptest.New(t, apptest.Options{LogTo: logs, NoWorkers: true, Env: map[string]string{"SAMESIDE_DB_MAX_CONNS": "500"}})
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "may need more connections than the database has left") || !strings.Contains(out, "need=514") {
		t.Fatalf("no warning for a pool of 500 (514 connections in all):\n%s", out)
	}
}
