package database_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/schema"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/database/dbtest"
)

// TestModelsMatchMigratedSchema proves every GORM model maps the migrated
// table exactly: the same columns, compatible types, and nullability that
// matches the Go type (pointers for NULL columns, values for NOT NULL).
func TestModelsMatchMigratedSchema(t *testing.T) {
	db := dbtest.New(t)
	for _, m := range models.AllModels() {
		s, err := schema.Parse(m, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.Table, func(t *testing.T) {
			rows, err := db.Query(`SELECT column_name, data_type, is_nullable = 'YES'
				FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, s.Table)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			type col struct {
				typ      string
				nullable bool
			}
			cols := map[string]col{}
			for rows.Next() {
				var name string
				var c col
				if err := rows.Scan(&name, &c.typ, &c.nullable); err != nil {
					t.Fatal(err)
				}
				cols[name] = c
			}
			if len(cols) == 0 {
				t.Fatalf("table %s does not exist", s.Table)
			}
			seen := map[string]bool{}
			for _, f := range s.Fields {
				if f.DBName == "" {
					continue
				}
				seen[f.DBName] = true
				c, ok := cols[f.DBName]
				if !ok {
					t.Errorf("model field %s: no column %s", f.Name, f.DBName)
					continue
				}
				want := pgTypes(f.FieldType)
				if f.DataType == "date" { // a calendar day, tagged type:date
					want = []string{"date"}
				}
				if f.Serializer != nil { // stored as JSON
					want = []string{"jsonb"}
				}
				if !contains(want, c.typ) {
					t.Errorf("column %s is %s; field %s (%s) wants one of %v", f.DBName, c.typ, f.Name, f.FieldType, want)
				}
				isPtr := f.FieldType.Kind() == reflect.Pointer
				if c.nullable != isPtr && !(f.FieldType.Kind() == reflect.Slice && !c.nullable) {
					t.Errorf("column %s nullable=%v but field %s is %s", f.DBName, c.nullable, f.Name, f.FieldType)
				}
			}
			var extra []string
			for name := range cols {
				if !seen[name] {
					extra = append(extra, name)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("columns with no model field: %s", strings.Join(extra, ", "))
			}
		})
	}
}

func pgTypes(t reflect.Type) []string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return []string{"timestamp with time zone"}
	case t == reflect.TypeOf([]byte(nil)):
		return []string{"bytea"}
	}
	switch t.Kind() {
	case reflect.Map:
		return []string{"jsonb"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return []string{"ARRAY"}
		}
	case reflect.String:
		return []string{"text", "uuid"}
	case reflect.Bool:
		return []string{"boolean"}
	case reflect.Int16:
		return []string{"smallint"}
	case reflect.Int32:
		return []string{"integer"}
	case reflect.Int64, reflect.Int:
		return []string{"bigint"}
	}
	return []string{"?" + t.String()}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// modelless are the migrated tables no GORM model maps, and why.
var modelless = map[string]string{
	"goose_db_version":  "goose's own record of applied migrations",
	"rate_usage":        "rate-limit counters per instance, exchanged in raw SQL by server/api's SharedLimits",
	"live_sockets":      "open websockets per instance, kept in raw SQL by server/api's SharedLimits",
	"translation_queue": "items waiting to be translated, queued and drained in raw SQL by server/translation",
}

// TestEveryTableHasAModel: every table the migrations create is mapped by
// a model in models.AllModels (and so checked column by column above), or
// named in modelless; River's tables are River's.
func TestEveryTableHasAModel(t *testing.T) {
	db := dbtest.New(t)
	mapped := map[string]bool{}
	for _, m := range models.AllModels() {
		s, err := schema.Parse(m, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		mapped[s.Table] = true
	}
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'river\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !mapped[name] && modelless[name] == "" {
			t.Errorf("table %s has no model (add it to models.AllModels, or to modelless with the reason)", name)
		}
	}
	if n < len(mapped) {
		t.Fatalf("%d tables for %d models: are the migrations applied?", n, len(mapped))
	}
}

// TestRiverGINIndexesWriteThrough proves the job queue's GIN indexes (on
// args and metadata, River's own) take each entry as it comes: with
// PostgreSQL's default pending list, whichever job insert or state change
// filled it merged it, holding up that write (a sendMessage, say) by up
// to hundreds of milliseconds.
func TestRiverGINIndexesWriteThrough(t *testing.T) {
	db := dbtest.New(t)
	for _, idx := range []string{"river_job_args_index", "river_job_metadata_index"} {
		var opts string
		if err := db.QueryRow(`SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = to_regclass($1)`, idx).Scan(&opts); err != nil {
			t.Fatalf("%s: %v", idx, err)
		}
		if !strings.Contains(opts, "fastupdate=off") {
			t.Errorf("%s: options %q, want fastupdate=off", idx, opts)
		}
	}
}

// translation_lock waits for the text's lock and then reads what its holder
// committed while it waited (a read in the lock's own statement would not:
// its snapshot is taken before the wait).
func TestTranslationLockReadsAfterTheWait(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	holder, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("SELECT pg_advisory_xact_lock(42)"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		rows []string // target/source
		err  error
	}
	got := make(chan result, 1)
	go func() {
		var r result
		defer func() { got <- r }()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			r.err = err
			return
		}
		defer tx.Rollback()
		rows, err := tx.Query("SELECT target, source FROM translation_lock(42, decode('abcd', 'hex'))")
		if err != nil {
			r.err = err
			return
		}
		defer rows.Close()
		for rows.Next() {
			var target, source string
			if r.err = rows.Scan(&target, &source); r.err != nil {
				return
			}
			r.rows = append(r.rows, target+"/"+source)
		}
		r.err = rows.Err()
	}()
	// The caller is blocked on the lock before the holder writes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = 42
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second caller never waited for the lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := holder.Exec(`INSERT INTO translations (hash, target, text, source) VALUES (decode('abcd', 'hex'), 'es', 'hola', 'en')`); err != nil {
		t.Fatal(err)
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.rows) != 1 || r.rows[0] != "es/en" {
		t.Fatalf("after the wait: %v, want the holder's row es/en", r.rows)
	}
}

// TestNoRedundantIndexes proves no index of ours repeats the leading
// columns of another on the same table (same order, same directions): the
// longer one serves every lookup the shorter one would, and each index is
// one more entry to write for every row inserted (an announcement writes
// thousands of recipient rows in its call). A partial index that does
// what the longer one cannot, an ordered scan reading only the rows its
// condition keeps, is listed below with the query it serves. River's
// tables are River's.
func TestNoRedundantIndexes(t *testing.T) {
	needed := map[string]string{
		// The parent's feed: each child's shared notes in feed order, read
		// up to the page's size, never the drafts and retracted ones.
		"observations_shared_feed_idx": "observations_student_idx",
	}
	db := dbtest.New(t)
	rows, err := db.Query(`SELECT ia.relname, ib.relname
		FROM pg_index a
		JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
		JOIN pg_class t ON t.oid = a.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = 'public'
		JOIN pg_class ia ON ia.oid = a.indexrelid
		JOIN pg_class ib ON ib.oid = b.indexrelid AND ib.relam = ia.relam
		WHERE NOT a.indisunique AND a.indexprs IS NULL AND b.indexprs IS NULL AND b.indpred IS NULL
			AND a.indnkeyatts <= b.indnkeyatts
			AND (a.indkey::int2[])[0:a.indnkeyatts - 1] = (b.indkey::int2[])[0:a.indnkeyatts - 1]
			AND (a.indoption::int2[])[0:a.indnkeyatts - 1] = (b.indoption::int2[])[0:a.indnkeyatts - 1]
			AND t.relname NOT LIKE 'river%'
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var shorter, longer string
		if err := rows.Scan(&shorter, &longer); err != nil {
			t.Fatal(err)
		}
		found++
		if needed[shorter] != longer {
			t.Errorf("index %s repeats the leading columns of %s", shorter, longer)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The query finds what it should: the listed one is there.
	if found < len(needed) {
		t.Errorf("%d overlapping indexes found, want at least the %d listed as needed: is the query right?", found, len(needed))
	}
}
