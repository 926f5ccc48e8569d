package benchdb

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// The test binary doubles as the process Start starts: with
// BENCHDB_TEST_SERVE set it answers /readyz on PORT until SIGTERM.
func TestMain(m *testing.M) {
	if os.Getenv("BENCHDB_TEST_SERVE") != "" {
		l, err := net.Listen("tcp", ":"+os.Getenv("PORT"))
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		go func() {
			stop := make(chan os.Signal, 1)
			signal.Notify(stop, syscall.SIGTERM)
			<-stop
			os.Exit(0)
		}()
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// A port taken between its pick and the process's listen costs a new
// start on another port, not a benchmark ("bind: address already in use",
// then 60 s of waiting on a dead process).
func TestStartAgainOnATakenPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	pick, picked := pickPort, 0
	t.Cleanup(func() { pickPort = pick })
	pickPort = func() (int, error) {
		picked++
		if picked == 1 {
			return taken.Addr().(*net.TCPAddr).Port, nil
		}
		return pick()
	}
	p, err := Start(context.Background(), os.Args[0], nil, []string{"BENCHDB_TEST_SERVE=1"}, "/readyz",
		func(res *http.Response) bool { return res.StatusCode == http.StatusOK })
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if picked != 2 || p.Port == taken.Addr().(*net.TCPAddr).Port {
		t.Fatalf("%d ports picked, serving on %d", picked, p.Port)
	}
}
