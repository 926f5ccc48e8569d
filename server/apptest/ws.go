package apptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// WS is a graphql-transport-ws connection. Messages for one operation that
// arrive while waiting for another are kept for later reads.
type WS struct {
	conn    *websocket.Conn
	pending map[string][]wsMessage
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// CloseError is how the server ended a connection.
type CloseError struct {
	Code   websocket.StatusCode
	Reason string
}

func (c *CloseError) Error() string { return fmt.Sprintf("websocket closed %d: %s", c.Code, c.Reason) }

// DialWS opens /graphql as a websocket and sends connection_init with
// payload. It returns a *CloseError when the server refuses the connection.
func (e *Env) DialWS(ctx context.Context, payload map[string]any) (*WS, error) {
	return DialWS(ctx, e.Server.URL, payload)
}

// DialWS opens baseURL's /graphql as a websocket (any server, such as
// another process) and sends connection_init with payload.
func DialWS(ctx context.Context, baseURL string, payload map[string]any) (*WS, error) {
	url := "ws" + strings.TrimPrefix(baseURL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	p, _ := json.Marshal(payload)
	if err := wsjson.Write(ctx, conn, wsMessage{Type: "connection_init", Payload: p}); err != nil {
		return nil, err
	}
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return nil, asClose(err)
		}
		if m.Type == "connection_ack" {
			return &WS{conn: conn, pending: map[string][]wsMessage{}}, nil
		}
	}
}

func asClose(err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: ce.Code, Reason: ce.Reason}
	}
	if code := websocket.CloseStatus(err); code != -1 {
		return &CloseError{Code: code}
	}
	return err
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

// read returns the next message for operation id, answering pings and
// keeping other operations' messages.
func (w *WS) read(ctx context.Context, id string) (wsMessage, error) {
	if q := w.pending[id]; len(q) > 0 {
		w.pending[id] = q[1:]
		return q[0], nil
	}
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, w.conn, &m); err != nil {
			return m, asClose(err)
		}
		switch {
		case m.Type == "ping":
			_ = wsjson.Write(ctx, w.conn, wsMessage{Type: "pong"})
		case m.ID == id:
			return m, nil
		case m.ID != "":
			w.pending[m.ID] = append(w.pending[m.ID], m)
		}
	}
}

// Close closes the connection normally.
func (w *WS) Close() { _ = w.conn.Close(websocket.StatusNormalClosure, "bye") }

// WithTimeout is a context for one websocket exchange.
func WithTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 15*time.Second)
}

// Subscribe starts a subscription with the given id.
func (w *WS) Subscribe(ctx context.Context, id, query string, vars map[string]any) error {
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return wsjson.Write(ctx, w.conn, wsMessage{ID: id, Type: "subscribe", Payload: p})
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
	for {
		m, err := w.read(ctx, id)
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
		case "complete":
			return m.Type, nil, nil
		}
	}
}
