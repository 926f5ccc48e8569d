// Command benchroster measures the roster import at district scale. It
// writes a synthetic district (tools/rostergen: 50,000 students, 90,000
// guardians, 2,500 classes in 25 schools) and, in each round, imports it
// with `server roster import` into a fresh, migrated database, then COPYs
// the same rows into the same tables of another fresh, migrated database:
// the floor. It prints each round's rows/s, the import's peak memory (the
// process's maximum resident set) and the medians, with the import's
// ratio to the floor.
//
//	go run ./tools/benchroster [-rounds 3] [-admin-url postgres://postgres@127.0.0.1:5432/postgres]
package main

import (
	"database/sql"
	"log/slog"

	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sameside/sameside/server/database"
	"github.com/sameside/sameside/tools/benchdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchroster:", err)
		os.Exit(1)
	}
}

// The district's size (tools/rostergen's defaults).
const (
	students  = 50000
	guardians = 90000
	classes   = 2500
	schools   = 25
)

// tables are what both sides write and what is counted as rows.
var tables = []string{"schools", "classrooms", "students", "users", "memberships", "guardianships", "enrollments", "classroom_staff", "contact_points"}

type round struct {
	importRate, floorRate, rssMiB, importSeconds float64
}

func run() error {
	rounds := flag.Int("rounds", 3, "rounds (medians are reported)")
	adminURL := flag.String("admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL to create the bench databases on")
	floorURL := flag.String("floor", "", "internal: COPY the floor's rows into this database and print how long it took")
	flag.Parse()
	ctx := context.Background()
	if *floorURL != "" {
		took, err := copyFloor(ctx, *floorURL)
		if err == nil {
			fmt.Println(took.Nanoseconds())
		}
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "benchroster")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	set := filepath.Join(dir, "set")
	gen := exec.Command("go", "run", "./tools/rostergen", "-out", set)
	gen.Stderr = os.Stderr
	if err := gen.Run(); err != nil {
		return fmt.Errorf("rostergen: %w", err)
	}
	bin := filepath.Join(dir, "sameside")
	if out, err := exec.Command("go", "build", "-o", bin, "./server").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	var rs []round
	for i := 1; i <= *rounds; i++ {
		r, err := oneRound(ctx, *adminURL, self, bin, set)
		if err != nil {
			return err
		}
		rs = append(rs, r)
		fmt.Printf("round %d: import %.1f s, %.0f rows/s, peak RSS %.0f MiB; COPY floor %.0f rows/s; ratio %.2f\n",
			i, r.importSeconds, r.importRate, r.rssMiB, r.floorRate, r.importRate/r.floorRate)
	}
	pick := func(f func(round) float64) []float64 {
		var out []float64
		for _, r := range rs {
			out = append(out, f(r))
		}
		return out
	}
	imp, floor := median(pick(func(r round) float64 { return r.importRate })), median(pick(func(r round) float64 { return r.floorRate }))
	rss := pick(func(r round) float64 { return r.rssMiB })
	fmt.Printf("median of %d: import %.0f rows/s (%.1f s), COPY floor %.0f rows/s, ratio %.2f; peak RSS median %.0f MiB, max %.0f MiB\n",
		len(rs), imp, median(pick(func(r round) float64 { return r.importSeconds })), floor, imp/floor, median(rss), maxOf(rss))
	return nil
}

// oneRound imports into one fresh database and COPYs into another. The
// floor runs in a process of its own: it builds every row in memory, and
// Linux counts the peak memory of the process that starts a command as
// the command's own (Go starts it with a vfork-style clone that shares the
// parent's memory until exec), so a benchmark process that had built the
// floor's rows reported the next rounds' imports at over 500 MiB.
func oneRound(ctx context.Context, adminURL, self, bin, set string) (round, error) {
	importURL, drop, err := freshDB(ctx, adminURL, "sameside_benchroster_import")
	if err != nil {
		return round{}, err
	}
	defer drop()
	cmd := exec.Command(bin, "roster", "import", "--time-zone", "America/Chicago", set)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+importURL, "SAMESIDE_SEED=false", "LOG_LEVEL=warn")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return round{}, fmt.Errorf("import: %v: %s", err, out)
	}
	took := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rows, err := countRows(ctx, importURL)
	if err != nil {
		return round{}, err
	}
	floorURL, dropFloor, err := freshDB(ctx, adminURL, "sameside_benchroster_copy")
	if err != nil {
		return round{}, err
	}
	defer dropFloor()
	out, err := exec.Command(self, "-floor", floorURL).Output()
	if err != nil {
		return round{}, fmt.Errorf("floor: %v", err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return round{}, fmt.Errorf("floor: %q: %v", out, err)
	}
	floorTook := time.Duration(ns)
	floorRows, err := countRows(ctx, floorURL)
	if err != nil {
		return round{}, err
	}
	if floorRows != rows {
		return round{}, fmt.Errorf("the import wrote %d rows and the floor %d: not the same work", rows, floorRows)
	}
	return round{importRate: float64(rows) / took.Seconds(), floorRate: float64(rows) / floorTook.Seconds(),
		rssMiB: float64(ru.Maxrss) / 1024, importSeconds: took.Seconds()}, nil
}

// freshDB creates an empty database, migrates it, and returns its URL and
// a function that drops it.
func freshDB(ctx context.Context, adminURL, name string) (string, func(), error) {
	url, drop, err := benchdb.Create(ctx, adminURL, name)
	if err != nil {
		return "", nil, err
	}
	db, err := sql.Open("pgx", url)
	if err == nil {
		err = database.Migrate(ctx, db, slog.New(slog.DiscardHandler))
		db.Close()
	}
	if err != nil {
		drop()
		return "", nil, err
	}
	return url, drop, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
