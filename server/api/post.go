package api

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// dataPOST is gqlgen's POST transport, except that an answer with data
// and nothing else (no errors, no extensions) is written as {"data":…}
// straight from the executor's bytes. gqlgen's own writer marshals the
// whole response again, and encoding/json re-compacts (and re-scans) the
// data it is given as raw JSON: for a feed page that was 7–8% of the
// server's CPU. The executor's data is compact JSON already (gqlgen's
// marshalers and graph.Compiled both write it so); it is written as it is.
//
// Everything else (the headers, the status, reading and decoding the
// request, errors of every kind) is gqlgen's POST, unchanged: dataPOST only
// takes over the one write of an answer that has data alone, and gqlgen's
// then writes nothing.
type dataPOST struct{ transport.POST }

func (t dataPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	dw := &dataWriter{ResponseWriter: w}
	t.POST.Do(dw, r, dataExecutor{GraphExecutor: exec, w: dw})
}

// dataExecutor writes a data-only answer itself, and hands gqlgen's POST an
// empty response whose write dataWriter drops.
type dataExecutor struct {
	graphql.GraphExecutor
	w *dataWriter
}

func (e dataExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	next, ctx := e.GraphExecutor.DispatchOperation(ctx, rc)
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		if !dataOnly(resp) || e.w.wrote {
			return resp
		}
		e.w.wrote = true
		buf := make([]byte, 0, len(`{"data":}`)+len(resp.Data))
		buf = append(buf, `{"data":`...)
		buf = append(buf, resp.Data...)
		buf = append(buf, '}')
		_, _ = e.w.ResponseWriter.Write(buf) // a client gone away is not ours to report
		return &graphql.Response{}
	}, ctx
}

// dataOnly says whether resp is an answer with data and nothing else
// (gqlgen's executor gives every response an extensions map, most of them
// empty, which its writer leaves out as empty).
func dataOnly(resp *graphql.Response) bool {
	return resp != nil && len(resp.Data) > 0 && len(resp.Errors) == 0 && len(resp.Extensions) == 0 &&
		resp.Label == "" && resp.Path == nil && resp.HasNext == nil
}

// dataWriter is the ResponseWriter gqlgen's POST writes to: once the answer
// has been written by dataExecutor, it drops the write of the placeholder.
type dataWriter struct {
	http.ResponseWriter
	wrote   bool
	dropped bool
}

func (w *dataWriter) Write(b []byte) (int, error) {
	if w.wrote && !w.dropped {
		w.dropped = true
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *dataWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
