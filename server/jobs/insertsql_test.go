package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"

	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/jobs"
)

type sqlArgs struct {
	Note string   `json:"note"`
	IDs  []string `json:"ids,omitempty"`
}

func (sqlArgs) Kind() string { return "insert_sql_test" }
func (sqlArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueuePush, MaxAttempts: 7}
}

// sqlWorker says which jobs it ran.
type sqlWorker struct {
	river.WorkerDefaults[sqlArgs]
	ran chan string
}

func (w *sqlWorker) Work(_ context.Context, j *river.Job[sqlArgs]) error {
	w.ran <- j.Args.Note
	return nil
}

// insertSQL runs a writer's statement with job's CTE: one row of its own
// (the condition's), the job with it when cond holds.
func insertSQL(t *testing.T, db *sql.DB, args sqlArgs, opts *river.InsertOpts, cond bool, wakes *jobs.Wakes) {
	t.Helper()
	cte, params, err := jobs.InsertSQL("job", args, opts, "(SELECT go FROM w)", wakes)
	if err != nil {
		t.Fatal(err)
	}
	// database/sql has no named arguments: number them, as GORM does.
	var values []any
	for name, v := range params {
		cte = strings.ReplaceAll(cte, "@"+name, "$"+strconv.Itoa(len(values)+2))
		values = append(values, v)
	}
	if _, err := db.Exec(`WITH w AS (SELECT CAST($1 AS bool) AS go), `+cte+` SELECT count(*) FROM job`, append([]any{cond}, values...)...); err != nil {
		t.Fatal(err)
	}
}

// TestInsertSQLWritesRiversRow: a job InsertSQL's statement inserts is the
// row River's own InsertTx writes for the same job (its kind, arguments,
// queue, priority, attempts, state, tags and metadata), and none when its
// condition is false. River's insert-only clients for other languages
// write river_job the same way; this holds the statement to River's
// version of the day.
func TestInsertSQLWritesRiversRow(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	inserter, err := jobs.NewInserter(db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	args := sqlArgs{Note: "hello \"quoted\" é", IDs: []string{"a", "b"}}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inserter.InsertTx(ctx, tx, args, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	insertSQL(t, db, args, nil, true, nil)
	insertSQL(t, db, sqlArgs{Note: "not inserted"}, nil, false, nil)
	// Options given beside the args' own take their place.
	insertSQL(t, db, sqlArgs{Note: "elsewhere"}, &river.InsertOpts{Queue: jobs.QueueMaintenance, Priority: 2}, true, nil)

	rows, err := db.Query(`SELECT args, kind, max_attempts, priority, queue, state, tags, metadata, attempt, scheduled_at <= now(),
		unique_key IS NULL AND unique_states IS NULL FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, kind, queue, state, tags, meta string
		var maxAttempts, priority, attempt int
		var due, plain bool
		if err := rows.Scan(&a, &kind, &maxAttempts, &priority, &queue, &state, &tags, &meta, &attempt, &due, &plain); err != nil {
			t.Fatal(err)
		}
		var decoded sqlArgs
		if err := json.Unmarshal([]byte(a), &decoded); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(decoded)
		got = append(got, strings.Join([]string{string(b), kind, strconv.Itoa(maxAttempts), strconv.Itoa(priority), queue, state, tags, meta, strconv.Itoa(attempt), strconv.FormatBool(due), strconv.FormatBool(plain)}, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d jobs, want 3 (River's, the statement's, the other queue's; none for a false condition):\n%s", len(got), strings.Join(got, "\n"))
	}
	if got[0] != got[1] {
		t.Errorf("River's row and the statement's differ:\n river: %s\n   sql: %s", got[0], got[1])
	}
	if want := `{"note":"elsewhere"} | insert_sql_test | 7 | 2 | maintenance | available | {} | {} | 0 | true | true`; got[2] != want {
		t.Errorf("with options: %s\nwant %s", got[2], want)
	}

	// What River would add and the statement does not take is refused.
	for _, opts := range []*river.InsertOpts{{Tags: []string{"x"}}, {ScheduledAt: time.Now().Add(time.Hour)}, {Pending: true},
		{UniqueOpts: river.UniqueOpts{ByArgs: true}}} {
		if _, _, err := jobs.InsertSQL("job", args, opts, "true", nil); err == nil {
			t.Errorf("options %+v were taken", opts)
		}
	}
}

// TestInsertSQLWakesWorkers: a job a statement inserts runs at once on a
// worker that would otherwise look for jobs only every hour: the statement
// sent River's wake-up (a worker's listener hears it). The worker is
// started and listening before the insert (its first fetch, at start, has
// found nothing).
func TestInsertSQLWakesWorkers(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &sqlWorker{ran: make(chan string, 4)}
	c, err := jobs.NewClient(pool, slog.New(slog.DiscardHandler), jobs.Options{PollInterval: time.Hour,
		Register: []func(*river.Workers) error{func(ws *river.Workers) error { return river.AddWorkerSafely(ws, w) }},
	})
	if err != nil {
		t.Fatal(err)
	}
	sub, cancel := c.Subscribe(river.EventKindJobCompleted)
	defer cancel()
	if err := jobs.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background(), c) })
	// The workers listen once the client is started and its queues have
	// made their first fetch; a wake-up sent before that would be lost, so
	// wait for a job River itself inserts (and wakes them for) to run.
	if _, err := c.Insert(ctx, sqlArgs{Note: "warm"}, nil); err != nil {
		t.Fatal(err)
	}
	waitRan(t, w, sub, "warm")
	insertSQL(t, db, sqlArgs{Note: "woken"}, nil, true, &jobs.Wakes{Every: 0})
	waitRan(t, w, sub, "woken")
}

func waitRan(t *testing.T, w *sqlWorker, sub <-chan *river.Event, note string) {
	t.Helper()
	select {
	case got := <-w.ran:
		if got != note {
			t.Fatalf("ran %q, want %q", got, note)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%q did not run within 30 s: no wake-up reached the worker (it polls every hour)", note)
	}
	<-sub // its completion, so the next job's fetch is not the one that found this
}
