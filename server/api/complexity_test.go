package api

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2"

	"github.com/sameside/sameside/graph/generated"
	contracts "github.com/sameside/sameside/mobile-contracts"
)

// countingSchema counts the complexity lookups a calculation makes.
type countingSchema struct {
	graphql.ExecutableSchema
	calls *atomic.Int64
}

func (c countingSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	c.calls.Add(1)
	return c.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// complexityLimit answers as gqlgen's FixedComplexityLimit (the same
// stats, the same refusal) and works an operation out once: the same
// text, name and variables again cost no walk of the selection.
func TestComplexityRemembered(t *testing.T) {
	schema := costedSchema{generated.NewExecutableSchema(generated.Config{})}
	var calls atomic.Int64
	ours := newComplexityLimit(MaxComplexity)
	if err := ours.Validate(countingSchema{schema, &calls}); err != nil {
		t.Fatal(err)
	}
	theirs := extension.FixedComplexityLimit(MaxComplexity)
	if err := theirs.Validate(schema); err != nil {
		t.Fatal(err)
	}
	ops, err := contracts.Operations()
	if err != nil {
		t.Fatal(err)
	}
	wide := "query Wide {"
	for i := range 2100 {
		wide += " v" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)) + ": viewer { id }"
	}
	wide += " }"
	cases := []struct {
		query, name string
		vars        map[string]any
	}{
		{ops["Feed"], "Feed", map[string]any{"first": 20}},
		{ops["Feed"], "Feed", map[string]any{"first": 50}},
		{ops["Feed"], "Feed", map[string]any{}},
		{wide, "Wide", nil},
	}
	run := func(ext graphql.OperationContextMutator, query, name string, vars map[string]any) (*extension.ComplexityStats, string) {
		t.Helper()
		doc, errs := gqlparser.LoadQuery(schema.Schema(), query)
		if errs != nil {
			t.Fatal(errs)
		}
		oc := &graphql.OperationContext{RawQuery: query, OperationName: name, Doc: doc, Variables: vars}
		ctx := graphql.WithOperationContext(context.Background(), oc)
		msg := ""
		if e := ext.MutateOperationContext(ctx, oc); e != nil {
			msg = e.Message + " " + e.Extensions["code"].(string)
		}
		return extension.GetComplexityStats(ctx), msg
	}
	for _, tc := range cases {
		want, wantErr := run(theirs, tc.query, tc.name, tc.vars)
		for round := range 2 {
			before := calls.Load()
			got, gotErr := run(ours, tc.query, tc.name, tc.vars)
			if *got != *want || gotErr != wantErr {
				t.Errorf("%s %v, round %d: %+v %q; gqlgen: %+v %q", tc.name, tc.vars, round, *got, gotErr, *want, wantErr)
			}
			if walked := calls.Load() - before; (round == 0) != (walked > 0) {
				t.Errorf("%s %v, round %d: %d complexity lookups", tc.name, tc.vars, round, walked)
			}
		}
	}
	if _, msg := run(ours, wide, "Wide", nil); msg == "" {
		t.Error("the wide query passed")
	}
}
