package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

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
		body, _ := json.Marshal(map[string]string{"query": "{ viewer { memberships { role } children { id } classrooms { students { id } } } }"})
		req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Data struct {
				Viewer struct {
					Memberships []struct{ Role string }
					Children    []struct{ ID string }
					Classrooms  []struct{ Students []struct{ ID string } }
				}
			}
		}
		json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
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
