// Package wsclient is a graphql-transport-ws client, the way the mobile app
// speaks to /graphql over a websocket: connection_init with the bearer
// token, subscribe, next/error/complete, ping/pong. The tests (apptest),
// the load command (tools/load) and the live-delivery benchmark
// (tools/benchlive) all use it.
package wsclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Message is one graphql-transport-ws message.
type Message struct {
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

// Conn is one connection. Messages for one operation that arrive while
// waiting for another are kept for later reads. It is not safe for
// concurrent reads.
type Conn struct {
	conn    *websocket.Conn
	pending map[string][]Message
}

// Dial opens baseURL's /graphql as a websocket and sends connection_init
// with payload ({"Authorization": "Bearer …"}); it returns once the server
// acknowledges, or a *CloseError when it refuses.
func Dial(ctx context.Context, baseURL string, payload map[string]any) (*Conn, error) {
	return DialHeader(ctx, baseURL, nil, payload)
}

// DialHeader is Dial with header added to the upgrade request (an
// X-Request-Id, say).
func DialHeader(ctx context.Context, baseURL string, header http.Header, payload map[string]any) (*Conn, error) {
	url := "ws" + strings.TrimPrefix(baseURL, "http") + "/graphql"
	conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		if res != nil && res.StatusCode != http.StatusSwitchingProtocols {
			after, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			return nil, &RefusedError{Status: res.StatusCode, RetryAfter: time.Duration(after) * time.Second, err: err}
		}
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	p, _ := json.Marshal(payload)
	if err := wsjson.Write(ctx, conn, Message{Type: "connection_init", Payload: p}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	for {
		var m Message
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			conn.CloseNow()
			return nil, asClose(err)
		}
		if m.Type == "connection_ack" {
			return &Conn{conn: conn, pending: map[string][]Message{}}, nil
		}
	}
}

// RefusedError is an upgrade the server answered with an HTTP status
// instead of a websocket (429 when a network opens sockets too fast),
// with its Retry-After.
type RefusedError struct {
	Status     int
	RetryAfter time.Duration
	err        error
}

func (e *RefusedError) Error() string { return e.err.Error() }
func (e *RefusedError) Unwrap() error { return e.err }

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

// Subscribe starts operation id (a subscription, or any operation).
func (c *Conn) Subscribe(ctx context.Context, id, query string, vars map[string]any) error {
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return wsjson.Write(ctx, c.conn, Message{ID: id, Type: "subscribe", Payload: p})
}

// Next returns the next next, error or complete message of operation id
// (answering pings, keeping other operations' messages for later).
func (c *Conn) Next(ctx context.Context, id string) (Message, error) {
	for {
		m, err := c.read(ctx, id)
		if err != nil {
			return m, err
		}
		switch m.Type {
		case "next", "error", "complete":
			return m, nil
		}
	}
}

func (c *Conn) read(ctx context.Context, id string) (Message, error) {
	if q := c.pending[id]; len(q) > 0 {
		c.pending[id] = q[1:]
		return q[0], nil
	}
	for {
		var m Message
		if err := wsjson.Read(ctx, c.conn, &m); err != nil {
			return m, asClose(err)
		}
		switch {
		case m.Type == "ping":
			_ = wsjson.Write(ctx, c.conn, Message{Type: "pong"})
		case m.ID == id:
			return m, nil
		case m.ID != "":
			c.pending[m.ID] = append(c.pending[m.ID], m)
		}
	}
}

// Close closes the connection normally.
func (c *Conn) Close() { _ = c.conn.Close(websocket.StatusNormalClosure, "bye") }
