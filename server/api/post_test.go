package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// cannedExecutor answers each query with the response named by its text.
type cannedExecutor map[string]*graphql.Response

func (c cannedExecutor) CreateOperationContext(_ context.Context, p *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	if p.Query == "invalid" {
		return nil, gqlerror.List{{Message: "Cannot query field \"nope\"", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}}
	}
	return &graphql.OperationContext{RawQuery: p.Query}, nil
}

func (c cannedExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	return func(context.Context) *graphql.Response {
		r := *c[rc.RawQuery] // a copy: each transport gets its own
		return &r
	}, ctx
}

func (c cannedExecutor) DispatchError(_ context.Context, list gqlerror.List) *graphql.Response {
	return &graphql.Response{Errors: list}
}

// dataPOST answers as gqlgen's POST does (status, headers, the same JSON),
// and writes a data-only answer's bytes as the executor made them.
func TestDataPOSTAnswersAsGqlgensPOST(t *testing.T) {
	data := `{"feed":{"edges":[{"node":{"body":"<b>Tom</b> & \"Ana\" \u2028 helped"}}]}}`
	exec := cannedExecutor{
		// As gqlgen's executor answers: an empty extensions map, no errors.
		"data":     {Data: json.RawMessage(data), Extensions: map[string]any{}},
		"errors":   {Data: json.RawMessage(`{"feed":null}`), Errors: gqlerror.List{{Message: "not allowed", Extensions: map[string]any{"code": "FORBIDDEN"}}}},
		"extended": {Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
		"null":     {Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "boom"}}},
	}
	type answer struct {
		status      int
		contentType string
		body        string
	}
	serve := func(tr graphql.Transport, body, accept string) answer {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if !tr.Supports(req) {
			t.Fatalf("%T does not support a JSON POST", tr)
		}
		rec := httptest.NewRecorder()
		tr.Do(rec, req, exec)
		b, _ := io.ReadAll(rec.Result().Body)
		return answer{rec.Code, rec.Header().Get("Content-Type"), string(b)}
	}
	sameJSON := func(a, b string) bool {
		var x, y any
		return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
	}
	for _, c := range []struct{ name, body, accept string }{
		{"data only", `{"query":"data"}`, ""},
		{"data only, graphql-response+json", `{"query":"data"}`, "application/graphql-response+json"},
		{"data and errors", `{"query":"errors"}`, ""},
		{"data and extensions", `{"query":"extended"}`, "application/json"},
		{"null data", `{"query":"null"}`, ""},
		{"invalid operation", `{"query":"invalid"}`, ""},
		{"invalid operation, graphql-response+json", `{"query":"invalid"}`, "application/graphql-response+json"},
		{"body not JSON", `{"query":`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := serve(transport.POST{}, c.body, c.accept)
			got := serve(dataPOST{}, c.body, c.accept)
			if got.status != want.status || got.contentType != want.contentType {
				t.Fatalf("status %d, %q; gqlgen's POST: %d, %q", got.status, got.contentType, want.status, want.contentType)
			}
			if !sameJSON(got.body, want.body) {
				t.Fatalf("answer %s\ngqlgen's POST: %s", got.body, want.body)
			}
			if c.body == `{"query":"data"}` {
				// The executor's bytes, not re-compacted: gqlgen's own
				// writer escapes <, > and & again on the way.
				if got.body != `{"data":`+data+`}` {
					t.Fatalf("data-only answer %s, want the executor's data as it is", got.body)
				}
				if strings.Contains(want.body, "<b>") {
					t.Fatal("gqlgen's POST wrote < as it is: this check cannot tell the two apart")
				}
			} else if got.body != want.body {
				t.Fatalf("answer %s\ngqlgen's POST: %s", got.body, want.body)
			}
		})
	}
}
