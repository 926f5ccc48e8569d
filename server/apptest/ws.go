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

// WS is a graphql-transport-ws connection.
type WS struct {
	conn *websocket.Conn
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
	url := "ws" + strings.TrimPrefix(e.Server.URL, "http") + "/graphql"
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
			return &WS{conn: conn}, nil
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
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err := wsjson.Write(ctx, w.conn, wsMessage{ID: id, Type: "subscribe", Payload: p}); err != nil {
		return nil, err
	}
	var out *Response
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, w.conn, &m); err != nil {
			return nil, asClose(err)
		}
		switch {
		case m.Type == "next" && m.ID == id:
			out = &Response{Body: string(m.Payload)}
			if err := json.Unmarshal(m.Payload, out); err != nil {
				return nil, err
			}
		case m.Type == "error" && m.ID == id:
			out = &Response{Body: string(m.Payload)}
			if err := json.Unmarshal(m.Payload, &out.Errors); err != nil {
				return nil, err
			}
			return out, nil
		case m.Type == "complete" && m.ID == id:
			return out, nil
		case m.Type == "ping":
			_ = wsjson.Write(ctx, w.conn, wsMessage{Type: "pong"})
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
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, w.conn, &m); err != nil {
			return nil, asClose(err)
		}
		switch {
		case m.Type == "next" && m.ID == id:
			out := &Response{Body: string(m.Payload)}
			return out, json.Unmarshal(m.Payload, out)
		case m.Type == "error" && m.ID == id:
			out := &Response{Body: string(m.Payload)}
			return out, json.Unmarshal(m.Payload, &out.Errors)
		case m.Type == "complete" && m.ID == id:
			return nil, nil
		case m.Type == "ping":
			_ = wsjson.Write(ctx, w.conn, wsMessage{Type: "pong"})
		}
	}
}
