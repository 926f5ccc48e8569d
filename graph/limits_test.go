package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Oversized, over-deep and over-complex requests, and a flood from one
// user, are each refused with their code while other users are served. The
// time each refusal took is logged (figures, not assertions: the machine is
// shared).
func TestLimits(t *testing.T) {
	f := newFixture(t)
	token := f.token("parentA")
	timed := func(fn func() (int, string)) (int, string, time.Duration) {
		start := time.Now()
		status, body := fn()
		return status, body, time.Since(start)
	}
	post := func(tok string, body []byte) (int, string) {
		res, b := f.Raw(http.MethodPost, "/graphql", tok, "application/json", body)
		return res.StatusCode, b
	}
	query := func(q string) []byte { b, _ := json.Marshal(map[string]string{"query": q}); return b }

	// 10 MB body.
	status, body, took := timed(func() (int, string) { return post(token, bytes.Repeat([]byte(" "), 10<<20)) })
	if status != 413 || !strings.Contains(body, "BAD_USER_INPUT") {
		t.Fatalf("10 MB body: %d %s", status, body)
	}
	t.Logf("10 MB body refused (%d) in %v", status, took)

	// 50 levels deep (student → classrooms → students → …).
	deep := "{ viewer { children {" + strings.Repeat(" classrooms { students {", 24) + " id" + strings.Repeat(" } }", 24) + " } } }"
	status, body, took = timed(func() (int, string) { return post(token, query(deep)) })
	if !strings.Contains(body, `"QUERY_TOO_DEEP"`) || !strings.Contains(body, "BAD_USER_INPUT") {
		t.Fatalf("50 levels: %d %s", status, body)
	}
	t.Logf("50-level query refused (%d) in %v", status, took)

	// Over the complexity limit: 2,100 aliased viewers.
	var q strings.Builder
	q.WriteString("{")
	for i := range 2100 {
		q.WriteString(" v" + strconv.Itoa(i) + ": viewer { id }")
	}
	q.WriteString(" }")
	status, body, took = timed(func() (int, string) { return post(token, query(q.String())) })
	if !strings.Contains(body, `"code":"BAD_USER_INPUT"`) || !strings.Contains(body, `"reason":"COMPLEXITY_LIMIT_EXCEEDED"`) {
		t.Fatalf("complexity: %d %.300s", status, body)
	}
	t.Logf("over-complex query refused (%d) in %v", status, took)

	// 1,000 requests at once from one user: most are refused with 429
	// RATE_LIMITED; another user is served meanwhile.
	var mu sync.Mutex
	var refused []time.Duration
	served := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s, b, d := timed(func() (int, string) { return post(token, query("{ viewer { id } }")) })
			mu.Lock()
			defer mu.Unlock()
			switch {
			case s == 429 && strings.Contains(b, "RATE_LIMITED"):
				refused = append(refused, d)
			case s == 200:
				served++
			}
		}()
	}
	otherDone := make(chan int)
	go func() {
		s, _ := post(f.token("parentA2"), query("{ viewer { id } }"))
		otherDone <- s
	}()
	wg.Wait()
	elapsed := time.Since(start)
	if s := <-otherDone; s != 200 {
		t.Fatalf("another user during the flood: %d", s)
	}
	if len(refused) < 500 || served < 100 || served+len(refused) != 1000 {
		t.Fatalf("flood: %d served, %d refused", served, len(refused))
	}
	slices.Sort(refused)
	t.Logf("1,000 requests in %v: %d served, %d refused with 429 RATE_LIMITED (median %v, p99 %v to refuse); another user served", elapsed.Round(time.Millisecond),
		served, len(refused), refused[len(refused)/2], refused[len(refused)*99/100])
}
