package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/tools/benchdb"
	"github.com/sameside/sameside/tools/load/workload"
)

// loadHeadroom is how many of the database's free connections the load
// command leaves to itself (its own pool) and to whoever looks on (psql).
const loadHeadroom = 4

// loadFlags are the load command's flags.
type loadFlags struct {
	instances         []int
	duration, think   time.Duration
	parents, teachers int
}

func (l *loadFlags) parse(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	instances := fs.String("instances", "1,2,3", "server processes to run on the one database, comma-separated: one run each")
	fs.DurationVar(&l.duration, "duration", 20*time.Second, "how long each run measures")
	fs.DurationVar(&l.think, "think", 0, "each user's pause between requests")
	fs.IntVar(&l.parents, "parents", 60, "demo parents signed in (at most 119)")
	fs.IntVar(&l.teachers, "teachers", 4, "demo teachers signed in (at most 4)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(*instances, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 8 {
			return fmt.Errorf("-instances: %q is not 1 to 8", s)
		}
		l.instances = append(l.instances, n)
	}
	if l.duration <= 0 {
		return fmt.Errorf("-duration must be positive")
	}
	return nil
}

// runLoadCommand measures how the server scales out: for each count in
// -instances it starts that many server processes (this binary, serve) on
// the app's database (the embedded one too), drives the mobile workload
// (tools/load/workload: feeds, unread counts, messages, bookings, notes,
// a live subscription per parent) across them as a load balancer would,
// prints the run's table, and at the end throughput and p99 per count.
func runLoadCommand(ctx context.Context, a *app.App, l loadFlags, out io.Writer) error {
	if a.Demo == nil {
		return fmt.Errorf("load needs demo mode (demo tokens): unset FIREBASE_PROJECT_ID")
	}
	if _, err := a.Seed(ctx); err != nil {
		return err
	}
	parents, teachers, err := workload.DemoUsers(ctx, a, l.parents, l.teachers)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	type line struct {
		n         int
		rps       float64
		p50, p99  time.Duration
		errors    int
		delivered int64
	}
	var lines []line
	for _, n := range l.instances {
		var procs []*benchdb.Process
		stopAll := func() {
			for _, p := range procs {
				p.Stop()
			}
		}
		// The instances share the database's connections: each gets the
		// API pool that lets all of them fit (a connection refused under
		// load is a request answered UNAVAILABLE).
		room, err := database.ClientConnections(ctx, a.DB)
		if err != nil {
			return err
		}
		conns, err := a.Config.DBMaxConnsFor(room.Room-loadHeadroom, n)
		if err != nil {
			return err
		}
		var urls []string
		for range n {
			p, err := benchdb.StartServer(ctx, self, a.DatabaseURL(), "SAMESIDE_RATE_LIMIT=0", "SAMESIDE_WEEKLY_REMINDER=off",
				"SAMESIDE_DB_MAX_CONNS="+strconv.Itoa(conns))
			if err != nil {
				stopAll()
				return err
			}
			procs = append(procs, p)
			urls = append(urls, p.URL)
		}
		fmt.Fprintf(out, "\n%d instance(s): %d parents, %d teachers for %v (SAMESIDE_DB_MAX_CONNS=%d each: %d connections left for clients)…\n",
			n, len(parents), len(teachers), l.duration, conns, room.Room)
		rep, err := workload.Run(ctx, workload.Options{URLs: urls, Parents: parents, Teachers: teachers,
			Duration: l.duration, Think: l.think, Seed: uint64(time.Now().UnixNano())})
		stopAll()
		if err != nil {
			return err
		}
		fmt.Fprint(out, rep)
		all := rep.All()
		lines = append(lines, line{n, float64(rep.Requests()) / rep.Elapsed.Seconds(), all.Percentile(50), all.Percentile(99),
			all.Total() - all.OK, rep.Events})
	}
	fmt.Fprintf(out, "\n%-10s %10s %9s %9s %8s %8s\n", "instances", "req/s", "p50", "p99", "errors", "events")
	slices.SortFunc(lines, func(a, b line) int { return a.n - b.n })
	for _, x := range lines {
		fmt.Fprintf(out, "%-10d %10.1f %9s %9s %8d %8d\n", x.n, x.rps, x.p50.Round(100*time.Microsecond), x.p99.Round(100*time.Microsecond), x.errors, x.delivered)
	}
	return nil
}
