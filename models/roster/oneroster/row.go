package oneroster

import (
	"strings"
	"time"

	"golang.org/x/text/language"
)

// row is one row of a file, by column name.
type row struct {
	file   string
	line   int
	index  map[string]int
	fields []string
	set    *Set
}

func (r *row) get(col string) string {
	i, ok := r.index[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

func (r *row) list(col string) []string {
	v := r.get(col)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *row) bad(format string, args ...any) {
	r.set.problem(r.file, r.line, format, args...)
}

func (r *row) enum(col string, allowed map[string]bool) string {
	v := r.get(col)
	if v != "" && !allowed[v] {
		r.bad("%s %q is not one of the standard's values", col, v)
	}
	return v
}

func (r *row) date(col string) time.Time {
	v := r.get(col)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		r.bad("%s %q is not a date (YYYY-MM-DD)", col, v)
	}
	return t
}

func (r *row) boolean(col string) bool {
	switch strings.ToLower(r.get(col)) {
	case "true":
		return true
	case "false", "":
		return false
	}
	r.bad("%s %q is not true or false", col, r.get(col))
	return false
}

// MaxHousehold is the longest household key (metadata.household).
const MaxHousehold = 64

// language is the row's metadata.language, a BCP 47 tag ("" when absent).
func (r *row) language() string {
	v := r.get("metadata.language")
	if v == "" {
		return ""
	}
	t, err := language.Parse(v)
	if err != nil || len(v) > 35 {
		r.bad("metadata.language %q is not a BCP 47 language tag", v)
		return ""
	}
	return t.String()
}

func (r *row) household() string {
	v := r.get("metadata.household")
	if len(v) > MaxHousehold {
		r.bad("metadata.household is longer than %d bytes", MaxHousehold)
		return ""
	}
	return v
}
