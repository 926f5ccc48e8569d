package domain

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
)

// bindNamed writes the policy's named parameters as pgx's positional ones,
// each value once, lists as one array each, quoted text untouched.
func TestBindNamed(t *testing.T) {
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	var none []string
	p := map[string]any{"uid": "u1", "admin": []string{"s1", "s2"}, "none": none, "at": at, "kinds": []string{"POSITIVE"}}
	got, args, err := bindNamed(`SELECT x FROM t WHERE (t.a = @uid OR t.s IN @admin OR t.s in  @admin) AND t.b = '@uid' AND t.c @> '{}'
		AND t.k IN @kinds AND t.n IN @none AND t.at < @at AND "@odd" = @uid`, p, []any{"first"})
	if err != nil {
		t.Fatal(err)
	}
	want := `SELECT x FROM t WHERE (t.a = $2 OR t.s = ANY($3) OR t.s = ANY($3)) AND t.b = '@uid' AND t.c @> '{}'
		AND t.k = ANY($4) AND t.n = ANY($5) AND t.at < $6 AND "@odd" = $2`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	wantArgs := []any{"first", "u1", models.Array[string]{"s1", "s2"}, models.Array[string]{"POSITIVE"}, models.Array[string]{}, at}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args %#v, want %#v", args, wantArgs)
	}
	if args[4].(models.Array[string]) == nil {
		t.Error("a nil list went as NULL, not as an empty array")
	}
	for query, wantErr := range map[string]string{
		`t.a = @missing`:           "no value for @missing",
		`t.s NOT IN @admin`:        "NOT IN @admin",
		`t.s = @admin`:             "not the right of an IN",
		`t.s = ANY(@admin)`:        "not the right of an IN",
		`t.WIN @admin`:             "not the right of an IN",
		`t.a = 'unterminated @uid`: "unterminated",
	} {
		if _, _, err := bindNamed(query, p, nil); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: %v; want an error with %q", query, err, wantErr)
		}
	}
}
