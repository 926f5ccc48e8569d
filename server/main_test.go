package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/config"
	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/tools/benchdb"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the server binary for tests that need
	// separate server processes.
	if os.Getenv("SAMESIDE_TEST_RUN_SERVER") == "1" {
		if err := run(nil); err != nil {
			fmt.Fprintln(os.Stderr, "sameside:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	dbtest.Main(m)
}

// captureStdout runs fn and returns what it printed.
func captureStdout(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	runErr := fn()
	os.Stdout = old
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), runErr
}

// TestServeSeedTokenShutdown runs the binary's own entry point the way a
// newcomer does: serve (seeding the demo school), ask for a demo token with
// the demo-token command, query the API with it, then stop with SIGINT and
// expect a clean exit.
func TestServeSeedTokenShutdown(t *testing.T) {
	t.Setenv("DATABASE_URL", dbtest.URL(t))
	t.Setenv("LOG_LEVEL", "warn")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	done := make(chan error, 1)
	go func() { done <- run([]string{"-port", port}) }()
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil && res.StatusCode == 200 {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server never became ready")
		}
		select {
		case err := <-done:
			t.Fatalf("server exited: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}

	for role, want := range map[string]string{"admin": "ADMIN", "teacher": "TEACHER", "parent": "PARENT"} {
		out, err := captureStdout(t, func() error { return run([]string{"demo-token", role}) })
		if err != nil {
			t.Fatalf("demo-token %s: %v", role, err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		token := lines[len(lines)-1]
		var got struct {
			Data struct {
				Viewer struct {
					Memberships []struct{ Role string }
					Children    []struct{ ID string }
					Classrooms  []struct{ Students []struct{ ID string } }
				}
			}
		}
		post(t, base, token, "{ viewer { memberships { role } children { id } classrooms { students { id } } } }", nil, &got)
		v := got.Data.Viewer
		if len(v.Memberships) != 1 || v.Memberships[0].Role != want {
			t.Fatalf("%s token: memberships %+v", role, v.Memberships)
		}
		students := 0
		for _, c := range v.Classrooms {
			students += len(c.Students)
		}
		switch role {
		case "admin":
			if len(v.Classrooms) != 4 || students != 80 {
				t.Fatalf("admin sees %d classrooms, %d students", len(v.Classrooms), students)
			}
		case "teacher":
			if len(v.Classrooms) != 1 || students != 20 {
				t.Fatalf("teacher sees %d classrooms, %d students", len(v.Classrooms), students)
			}
		case "parent":
			if len(v.Children) == 0 {
				t.Fatal("parent has no children")
			}
		}
	}
	if res, err := http.Get(base + "/"); err != nil || res.StatusCode != 200 {
		t.Fatalf("playground: %v %v", res, err)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no graceful shutdown within 30s")
	}
}

func TestUsage(t *testing.T) {
	if err := run([]string{"demo-token"}); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("demo-token without a user: %v", err)
	}
	t.Setenv("SAMESIDE_ENV", "production")
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
	if err := run(nil); err == nil || !strings.Contains(err.Error(), "demo mode refuses") {
		t.Fatalf("demo mode in production: %v", err)
	}
}

// startProcess runs the server as its own process on dbURL and waits until
// it is ready; it is stopped with SIGTERM when the test ends.
func startProcess(t *testing.T, dbURL string, env ...string) string {
	_, base := startInstance(t, dbURL, env...)
	return base
}

// startInstance is startProcess returning the process too (to kill it).
// A process whose port another test took first is started again on
// another (benchdb.Start).
func startInstance(t *testing.T, dbURL string, env ...string) (*benchdb.Process, string) {
	t.Helper()
	env = append([]string{"SAMESIDE_TEST_RUN_SERVER=1", "DATABASE_URL=" + dbURL, "LOG_LEVEL=warn"}, env...)
	p, err := benchdb.Start(context.Background(), os.Args[0], nil, env, "/readyz",
		func(res *http.Response) bool { return res.StatusCode == http.StatusOK })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p, p.URL
}

func post(t *testing.T, base, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if bytes.Contains(raw, []byte(`"errors"`)) {
		t.Fatalf("%s: %s", query, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}

// Two server processes on one database: a parent subscribed on the first
// receives the teacher's message sent through the second.
func TestTwoProcessesDeliverAcrossInstances(t *testing.T) {
	dbURL := dbtest.URL(t)
	first := startProcess(t, dbURL) // seeds the demo school
	second := startProcess(t, dbURL)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("LOG_LEVEL", "warn")
	token := func(who string) string {
		out, err := captureStdout(t, func() error { return run([]string{"demo-token", who}) })
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}
	parent, teacher := token("parent"), token("teacher")
	var home struct {
		Data struct {
			Viewer struct {
				Children []struct {
					ID         string
					Classrooms []struct{ Teachers []struct{ ID string } }
				}
			}
		}
	}
	post(t, first, parent, `{ viewer { children { id classrooms { teachers { id } } } } }`, nil, &home)
	child := home.Data.Viewer.Children[0]
	var started struct {
		Data struct {
			StartConversation struct{ Conversation struct{ ID string } }
		}
	}
	post(t, first, parent, `mutation($in: StartConversationInput!) { startConversation(input: $in) { conversation { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "two-processes", "studentId": child.ID,
			"participantIds": []string{child.Classrooms[0].Teachers[0].ID}, "subject": "Across", "body": "Hello"}}, &started)
	conv := started.Data.StartConversation.Conversation.ID

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, err := apptest.DialWS(ctx, first, map[string]any{"Authorization": "Bearer " + parent})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.Subscribe(ctx, "m", `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": conv}); err != nil {
		t.Fatal(err)
	}
	// The subscription starts on the server shortly after the subscribe
	// message; messages sent before that are not for it. Send through the
	// second process until one arrives on the first (at most 10 tries).
	got := make(chan string, 1)
	go func() {
		defer close(got)
		for {
			res, err := ws.Next(ctx, "m")
			if err != nil || res == nil {
				return
			}
			// The conversation's first message ("Hello") may still be on
			// its way when the subscription starts; it is not the one.
			if strings.Contains(string(res.Data), "From the second process") || len(res.Errors) > 0 {
				got <- string(res.Data)
				return
			}
		}
	}()
	for i := 0; ; i++ {
		var sent struct{ Data any }
		post(t, second, teacher, `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id } } }`,
			map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("across-%d", i), "conversationId": conv, "body": fmt.Sprintf("From the second process %d", i)}}, &sent)
		select {
		case data, ok := <-got:
			if !ok || !strings.Contains(data, "From the second process") {
				t.Fatalf("subscriber on the first process got %q", data)
			}
			return
		case <-time.After(time.Second):
			if i == 9 {
				t.Fatal("no message reached the first process in 10 s")
			}
		}
	}
}

// openApp opens the app in the test process on dbURL (no workers, no
// seeding, 4 connections), for the test's own reads and writes beside
// server processes.
func openApp(t *testing.T, dbURL string) *app.App {
	t.Helper()
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "SAMESIDE_SEED": "false", "LOG_LEVEL": "warn", "SAMESIDE_DB_MAX_CONNS": "4"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}
