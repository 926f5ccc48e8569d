package graph_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sameside/sameside/server/apptest"
)

// TestReadmeTour runs the README's tour exactly as written, on the demo
// school: each "As `who`" paragraph sets who sends the operations below it
// (a demo user, or a value named earlier), each graphql block runs with
// their token and must answer without errors, and its "# NAME = path"
// lines name values of the answer that later steps use as $NAME.
func TestReadmeTour(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "\n## A tour\n")
	if start < 0 {
		t.Fatal("the README has no tour")
	}
	tour := readme[start+1:]
	if end := strings.Index(tour[3:], "\n## "); end >= 0 {
		tour = tour[:end+3]
	}
	env := apptest.New(t, apptest.Options{Seed: true})
	vars := map[string]string{}
	expand := func(s string) string {
		return regexp.MustCompile(`\$[A-Z_]+`).ReplaceAllStringFunc(s, func(v string) string {
			val, ok := vars[v[1:]]
			if !ok {
				t.Fatalf("$%s is used before a step names it", v[1:])
			}
			return val
		})
	}
	who := ""
	steps := 0
	actor := regexp.MustCompile("^As `([^`]+)`")
	blocks := strings.Split(tour, "```graphql\n")
	for i, part := range blocks {
		if i > 0 {
			body, rest, ok := strings.Cut(part, "```")
			if !ok {
				t.Fatalf("an unclosed graphql block: %.80s", part)
			}
			var query []string
			captures := map[string]string{}
			for _, line := range strings.Split(body, "\n") {
				if name, path, ok := strings.Cut(strings.TrimPrefix(line, "# "), " = "); strings.HasPrefix(line, "# ") && ok {
					captures[name] = path
					continue
				}
				query = append(query, line)
			}
			if who == "" {
				t.Fatalf("step %d has no 'As `who`' before it", steps+1)
			}
			steps++
			res := env.Do(env.Token(expand(who)), expand(strings.Join(query, "\n")), nil)
			if res.Code() != "" || len(res.Data) == 0 || string(res.Data) == "null" {
				t.Fatalf("step %d as %s: %s", steps, who, res.Body)
			}
			var data any
			if err := json.Unmarshal(res.Data, &data); err != nil {
				t.Fatal(err)
			}
			for name, path := range captures {
				v, ok := at(data, path)
				if !ok {
					t.Fatalf("step %d: %s: no %s in %s", steps, name, path, res.Data)
				}
				vars[name] = v
			}
			part = rest
		}
		for _, line := range strings.Split(part, "\n") {
			if m := actor.FindStringSubmatch(line); m != nil {
				who = m[1]
			}
		}
	}
	if steps < 8 {
		t.Fatalf("the tour ran %d steps: is it all there?", steps)
	}
	t.Logf("the README's tour: %d steps, values %v", steps, vars)
}

// at follows a dotted path (object keys, list indexes) into decoded JSON.
func at(v any, path string) (string, bool) {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	s, ok := v.(string)
	return s, ok
}
