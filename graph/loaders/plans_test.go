package loaders

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestTranslationLookupPlannedOnce: the statement that reads stored
// translations, run for every message delivered live (one text) and every
// translated page (many), is planned once per connection (PostgreSQL keeps
// a generic plan after its first five runs), on a table with translations
// in it. It read many texts by (hash, target) pairs, a statement whose
// generic plan PostgreSQL never kept: planned on every run.
func TestTranslationLookupPlannedOnce(t *testing.T) {
	ctx := context.Background()
	conn := dbtest.Conn(t)
	if _, err := conn.Exec(ctx, `INSERT INTO translations (hash, target, text, source, chars)
		SELECT sha256(convert_to(g::text, 'UTF8')), l, 'text ' || g, 'en', 6 FROM generate_series(1, 5000) g, unnest(ARRAY['en', 'es']) l`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE translations`); err != nil {
		t.Fatal(err)
	}
	// plans runs sql (GORM's ? as $n) 10 times, prepared as the API's
	// connections prepare it, and says how PostgreSQL planned it.
	plans := func(name, sql string, args ...any) (generic, custom int) {
		t.Helper()
		for n := 1; strings.Contains(sql, "?"); n++ {
			sql = strings.Replace(sql, "?", "$"+strconv.Itoa(n), 1)
		}
		if _, err := conn.Prepare(ctx, name, sql); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			rows, err := conn.Query(ctx, name, args...)
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if rows.Err() != nil {
				t.Fatal(rows.Err())
			}
		}
		if err := conn.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`, name).Scan(&generic, &custom); err != nil {
			t.Fatal(err)
		}
		return generic, custom
	}
	var hash []byte
	if err := conn.QueryRow(ctx, `SELECT sha256(convert_to('42', 'UTF8'))`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if generic, custom := plans("one", translationSQL, hash, "es"); custom > 5 || generic == 0 {
		t.Errorf("one text's lookup: %d generic and %d custom plans in 10 runs, want the generic one after 5", generic, custom)
	}
	for _, n := range []int{2, 3, 20} {
		var hashes, targets []string
		for i := range n {
			var h []byte
			if err := conn.QueryRow(ctx, `SELECT sha256(convert_to($1, 'UTF8'))`, strconv.Itoa(100+i)).Scan(&h); err != nil {
				t.Fatal(err)
			}
			hashes, targets = append(hashes, hex.EncodeToString(h)), append(targets, "es")
		}
		if generic, custom := plans("texts"+strconv.Itoa(n), translationsSQL, hashes, targets); custom > 5 || generic == 0 {
			t.Errorf("a lookup of %d texts: %d generic and %d custom plans in 10 runs, want the generic one after 5", n, generic, custom)
		}
	}
}
