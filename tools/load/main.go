// Command load drives a mixed mobile workload (feeds, notes, messages,
// subscriptions) against running SameSide servers in demo mode and prints
// the latency of each operation:
//
//	go run ./tools/load -duration 30s -parents 60 -teachers 4 [-url http://a:8080,http://b:8080] [-think 0]
//
// It signs the demo school's users in with demo tokens, so it needs the
// servers' database: DATABASE_URL (and SAMESIDE_* settings) as the servers
// have them.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/config"
	"github.com/sameside/sameside/tools/load/workload"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var l loadFlags
	if err := l.parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(nil, os.Getenv)
	if err != nil {
		return err
	}
	cfg.Seed = false // the servers own the database; this only reads users
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return runLoad(ctx, a, l)
}

// loadFlags are the command's flags. The database (to sign the demo users'
// tokens) is found from the environment, as the server finds it.
type loadFlags struct {
	urls              string
	duration, think   time.Duration
	parents, teachers int
	noSubscriptions   bool
}

func (l *loadFlags) parse(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&l.urls, "url", "http://localhost:8080", "the servers' base URLs, comma-separated (users are spread over them)")
	fs.DurationVar(&l.duration, "duration", 30*time.Second, "how long to measure")
	fs.DurationVar(&l.think, "think", 0, "each user's pause between requests")
	fs.IntVar(&l.parents, "parents", 60, "demo parents signed in (parent1… of the demo school; at most 119)")
	fs.IntVar(&l.teachers, "teachers", 4, "demo teachers signed in (teacher1… ; at most 4)")
	fs.BoolVar(&l.noSubscriptions, "no-subscriptions", false, "no websocket per parent")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return nil
}

// runLoad signs in the demo school's parents (the restricted guardian
// parent14 left out) and teachers and runs the mix against -url.
func runLoad(ctx context.Context, a *app.App, l loadFlags) error {
	if a.Demo == nil {
		return fmt.Errorf("load needs demo mode (demo tokens): unset FIREBASE_PROJECT_ID")
	}
	parents, teachers, err := workload.DemoUsers(ctx, a, l.parents, l.teachers)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "load: %d parents, %d teachers against %s for %v…\n", len(parents), len(teachers), l.urls, l.duration)
	rep, err := workload.Run(ctx, workload.Options{
		URLs: strings.Split(l.urls, ","), Parents: parents, Teachers: teachers, Duration: l.duration, Think: l.think,
		NoSubscriptions: l.noSubscriptions, Seed: uint64(time.Now().UnixNano()),
	})
	if err != nil {
		return err
	}
	fmt.Print(rep)
	fmt.Printf("throughput: %.1f requests/s over %v\n", float64(rep.Requests())/rep.Elapsed.Seconds(), rep.Elapsed.Round(time.Millisecond))
	return nil
}
