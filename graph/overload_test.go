package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
)

// An instance with no place for another request says so at once with a
// code (503, Retry-After, UNAVAILABLE) instead of queueing it until it
// times out, and the request it is working on completes: here one place
// (SAMESIDE_MAX_IN_FLIGHT=1), taken by a sendMessage that waits on a lock
// the test holds on its conversation.
func TestOverloadShedsWithACode(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{
		"SAMESIDE_MAX_IN_FLIGHT": "1", "SAMESIDE_QUEUE_WAIT": "200ms", "SAMESIDE_RATE_LIMIT": "0"}})
	conv := f.start(t, "parentA", "s1", "teacherA")
	parent := f.token("parentA")

	lock := f.DB.Begin()
	defer lock.Rollback()
	if err := lock.Exec("SELECT 1 FROM conversations WHERE id = ? FOR UPDATE", conv).Error; err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": qSend, "variables": map[string]any{"c": conv, "m": "overload-1", "b": "Held, then sent"}})
	type answer struct {
		status int
		body   string
		err    error
	}
	first := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, f.Server.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+parent)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- answer{err: err}
			return
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		first <- answer{status: res.StatusCode, body: string(raw)}
	}()
	// The message waits on the lock: the instance's one place is taken.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int64
		f.DB.Raw("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()").Scan(&waiting)
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sendMessage never waited on the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}

	start := time.Now()
	res, raw := f.Raw(http.MethodPost, "/graphql", parent, "application/json", []byte(`{"query":"{ viewer { id } }"}`))
	took := time.Since(start)
	var out struct {
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	_ = json.Unmarshal([]byte(raw), &out)
	t.Logf("refused after %v: %d %s, Retry-After %q", took.Round(time.Millisecond), res.StatusCode, raw, res.Header.Get("Retry-After"))
	if res.StatusCode != http.StatusServiceUnavailable || len(out.Errors) != 1 || out.Errors[0].Extensions.Code != "UNAVAILABLE" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a request with no place: %d %s (Retry-After %q); want 503 UNAVAILABLE with Retry-After", res.StatusCode, raw, res.Header.Get("Retry-After"))
	}
	if took > 5*time.Second {
		t.Errorf("the refusal took %v: it should come after the queue wait (200ms), not a timeout", took)
	}

	// The lock goes: the held message is sent, and the place is free again.
	if err := lock.Commit().Error; err != nil {
		t.Fatal(err)
	}
	a := <-first
	if a.err != nil || a.status != http.StatusOK || !bytes.Contains([]byte(a.body), []byte(`"body":"Held, then sent"`)) {
		t.Fatalf("the held message: %d %s %v", a.status, a.body, a.err)
	}
	var n int64
	f.DB.Table("messages").Where("conversation_id = ? AND body = ?", conv, "Held, then sent").Count(&n)
	if n != 1 {
		t.Fatalf("%d copies of the held message", n)
	}
	if r := f.Do(parent, `{ viewer { id } }`, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("after the overload: %d %s", r.Status, r.Body)
	}
}
