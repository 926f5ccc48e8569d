package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a GraphQL response with its HTTP status.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Body   string
}

// Code returns the first error's extensions.code, or "" without errors.
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into dst, failing the test on errors.
func (r *Response) Decode(t testing.TB, dst any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Body)
	}
	if err := json.Unmarshal(r.Data, dst); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// Do POSTs a GraphQL operation with a bearer token ("" for none).
func (e *Env) Do(token, query string, vars map[string]any) *Response {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.Post(token, "application/json", body)
}

// DoCounting is Do, and also returns how many SQL statements the server
// ran for this request alone.
func (e *Env) DoCounting(token, query string, vars map[string]any) (*Response, int64) {
	e.t.Helper()
	res, r := e.doRecorded(token, query, vars)
	return res, r.n.Load()
}

// DoRecording is Do, and also returns the SQL statements the server ran
// for this request alone, as sent, with their arguments.
func (e *Env) DoRecording(token, query string, vars map[string]any) (*Response, []Statement) {
	e.t.Helper()
	res, r := e.doRecorded(token, query, vars)
	r.mu.Lock()
	defer r.mu.Unlock()
	return res, r.sent
}

func (e *Env) doRecorded(token, query string, vars map[string]any) (*Response, *requestStatements) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	id := fmt.Sprintf("counted-%d", requestIDs.Add(1))
	r := new(requestStatements)
	e.statements.Store(id, r)
	defer e.statements.Delete(id)
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", id)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req), r
}

// Post sends a raw body to /graphql.
func (e *Env) Post(token, contentType string, body []byte) *Response {
	e.t.Helper()
	return e.PostHeaders(token, map[string]string{"Content-Type": contentType}, body)
}

// PostHeaders sends a raw body to /graphql with headers of the test's
// choosing (an app's version, a content type).
func (e *Env) PostHeaders(token string, headers map[string]string, body []byte) *Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req)
}

// DoHeader POSTs a query with a raw Authorization header.
func (e *Env) DoHeader(authorization, query string) *Response {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authorization)
	return e.send(req)
}

// Raw sends any request to the server (a method, a path, a content type
// and a body of the test's choosing; token "" for none) and returns the
// response, its body read and closed, and the body as text.
func (e *Env) Raw(method, path, token, contentType string, body []byte) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.Server.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, string(raw)
}

// Get fetches a path other than /graphql (a download, /metrics) with a
// bearer token ("" for none) and returns the status and body.
func (e *Env) Get(path, token string) (int, string) {
	e.t.Helper()
	res, body := e.Raw(http.MethodGet, path, token, "", nil)
	return res.StatusCode, body
}

func (e *Env) send(req *http.Request) *Response {
	e.t.Helper()
	res, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &Response{Status: res.StatusCode, Body: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return out
}
