package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sameside/sameside/server/wsclient"
)

// WS is a graphql-transport-ws connection (server/wsclient) whose results
// come as Responses.
type WS struct{ c *wsclient.Conn }

// CloseError is how the server ended a connection.
type CloseError = wsclient.CloseError

// DialWS opens /graphql as a websocket and sends connection_init with
// payload. It returns a *CloseError when the server refuses the connection.
func (e *Env) DialWS(ctx context.Context, payload map[string]any) (*WS, error) {
	return DialWS(ctx, e.Server.URL, payload)
}

// DialWS opens baseURL's /graphql as a websocket (any server, such as
// another process) and sends connection_init with payload.
func DialWS(ctx context.Context, baseURL string, payload map[string]any) (*WS, error) {
	c, err := wsclient.Dial(ctx, baseURL, payload)
	if err != nil {
		return nil, err
	}
	return &WS{c: c}, nil
}

// DialWSRecording is DialWS whose statements are recorded: every
// statement the server runs for this connection (its sign-in, its
// subscriptions' resolvers and each delivery), as DoRecording records a
// request's. statements returns those so far.
func (e *Env) DialWSRecording(ctx context.Context, payload map[string]any) (ws *WS, statements func() []Statement, err error) {
	id := fmt.Sprintf("counted-ws-%d", requestIDs.Add(1))
	r := new(requestStatements)
	e.statements.Store(id, r)
	e.t.Cleanup(func() { e.statements.Delete(id) })
	c, err := wsclient.DialHeader(ctx, e.Server.URL, http.Header{"X-Request-Id": {id}}, payload)
	if err != nil {
		return nil, nil, err
	}
	return &WS{c: c}, func() []Statement {
		r.mu.Lock()
		defer r.mu.Unlock()
		return append([]Statement(nil), r.sent...)
	}, nil
}

// Execute runs one operation and returns its single result.
func (w *WS) Execute(ctx context.Context, id, query string, vars map[string]any) (*Response, error) {
	if err := w.Subscribe(ctx, id, query, vars); err != nil {
		return nil, err
	}
	var out *Response
	for {
		typ, res, err := w.next(ctx, id)
		switch {
		case err != nil:
			return nil, err
		case typ == "next":
			out = res
		default: // "error" ends it with its errors; "complete" after the result
			if typ == "error" {
				out = res
			}
			return out, nil
		}
	}
}

// Close closes the connection normally.
func (w *WS) Close() { w.c.Close() }

// WithTimeout is a context for one websocket exchange.
func WithTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 15*time.Second)
}

// Subscribe starts a subscription with the given id.
func (w *WS) Subscribe(ctx context.Context, id, query string, vars map[string]any) error {
	return w.c.Subscribe(ctx, id, query, vars)
}

// Next waits for the next result of subscription id. It returns (nil, nil)
// when the server completes the subscription.
func (w *WS) Next(ctx context.Context, id string) (*Response, error) {
	_, res, err := w.next(ctx, id)
	return res, err
}

// next returns the next next, error or complete message of operation id,
// with its result (nil for complete).
func (w *WS) next(ctx context.Context, id string) (string, *Response, error) {
	m, err := w.c.Next(ctx, id)
	if err != nil {
		return "", nil, err
	}
	switch m.Type {
	case "next":
		out := &Response{Body: string(m.Payload)}
		return m.Type, out, json.Unmarshal(m.Payload, out)
	case "error":
		out := &Response{Body: string(m.Payload)}
		return m.Type, out, json.Unmarshal(m.Payload, &out.Errors)
	}
	return m.Type, nil, nil
}
