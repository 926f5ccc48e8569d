// Command server runs the SameSide API.
//
//	go run ./server                     serve (demo school, playground, embedded PostgreSQL if none)
//	go run ./server seed                load the demo school into an empty database
//	go run ./server demo-token ROLE     print a demo bearer token: admin, teacher, parent or an email
//	go run ./server roster import PATH  import a OneRoster 1.1 CSV set (folder or zip; --dry-run first)
//
// Configuration comes from flags and the environment; see server/config.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // IANA time zones even where the system has none

	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/config"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sameside:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "seed" || args[0] == "demo-token" || args[0] == "roster" || args[0] == "load") {
		cmd, args = args[0], args[1:]
	}
	var roster rosterFlags
	if cmd == "roster" {
		if err := roster.parse(args); err != nil {
			return err
		}
		args = nil
	}
	var load loadFlags
	if cmd == "load" {
		if err := load.parse(args); err != nil {
			return err
		}
		args = nil
	}
	var who string
	if cmd == "demo-token" {
		if len(args) == 0 {
			return errors.New("usage: server demo-token admin|teacher|parent|EMAIL")
		}
		who, args = args[len(args)-1], args[:len(args)-1]
	}
	cfg, err := config.Load(args, os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, cmd != "serve")
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()

	switch cmd {
	case "seed":
		seeded, err := a.Seed(ctx)
		if err != nil {
			return err
		}
		if seeded {
			fmt.Println("demo school loaded")
		} else {
			fmt.Println("database already has a school; nothing loaded")
		}
		return nil
	case "demo-token":
		token, err := a.DemoToken(ctx, who)
		if err != nil {
			return err
		}
		fmt.Println(token)
		return nil
	case "roster":
		return runRoster(ctx, a, roster, os.Stdout)
	case "load":
		return runLoadCommand(ctx, a, load, os.Stdout)
	}

	tuneGC(os.Getenv, log)
	if cfg.Seed {
		seeded, err := a.Seed(ctx)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if seeded {
			log.Info("demo school loaded: 1 admin, 4 teachers, 4 classrooms, 80 students, 120 parents")
		}
	}
	if cfg.DebugAddr != "" {
		if err := serveProfiler(ctx, cfg.DebugAddr, log); err != nil {
			return err
		}
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("SameSide listening", "addr", l.Addr().String(), "env", cfg.Env, "database", a.DatabaseSource(), "demo_mode", cfg.DemoMode())
	if cfg.DemoMode() && !cfg.Production() {
		if token, err := a.DemoToken(ctx, "parent"); err == nil {
			log.Info("playground: open http://localhost"+cfg.Addr+"/ and add the header "+
				`{"Authorization": "Bearer <token>"}`+"; get a token with `go run ./server demo-token admin|teacher|parent`",
				"example_parent_token", token)
		}
	}
	return a.Serve(ctx, l)
}

// The collector's settings for serving. A server's live heap is small and
// nearly everything a request allocates dies with it, so at Go's default
// (GOGC=100) the collector ran every few pages and took 15% of the feed's
// CPU (bench-peers' profile); at 400 it took 4%. The soft limit keeps a
// burst from growing the heap past what a small container has: near it
// the collector runs as often as it must, whatever GOGC says. GOGC and
// GOMEMLIMIT, when set, win.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 768 << 20
)

// tuneGC applies serveGCPercent and serveMemoryLimit unless the
// environment sets its own.
func tuneGC(getenv func(string) string, log *slog.Logger) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	// SetMemoryLimit with a negative value only reads it.
	log.Debug("garbage collector", "GOGC", getenv("GOGC"), "memory_limit_bytes", debug.SetMemoryLimit(-1))
}

// newLogger logs JSON to stderr; commands that print a result log only warnings.
func newLogger(level string, quiet bool) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	if quiet && l < slog.LevelWarn {
		l = slog.LevelWarn
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// serveProfiler serves net/http/pprof on addr until ctx ends.
func serveProfiler(ctx context.Context, addr string, log *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("SAMESIDE_DEBUG_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	log.Info("profiler listening", "addr", l.Addr().String())
	return nil
}
