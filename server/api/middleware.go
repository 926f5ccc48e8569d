package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/httperr"
)

var acceptAnyOrigin = websocket.AcceptOptions{InsecureSkipVerify: true}

// statusRecorder remembers the status for the access log. It keeps Hijack
// working, which websockets need.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	s.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog writes one structured line per request and, when observe is
// set, records it in the metrics under the route mux matched.
func accessLog(log *slog.Logger, mux *http.ServeMux, observe func(route, method string, status int, d time.Duration), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if observe != nil {
			_, route := mux.Handler(r)
			observe(route, r.Method, rec.status, time.Since(start))
		}
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			level = slog.LevelDebug
		}
		log.Log(r.Context(), level, "http request",
			"request_id", RequestID(r.Context()), "method", r.Method, "path", logPath(r.URL.Path),
			"status", rec.status, "bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds())
	})
}

// recoverPanics turns a panic outside gqlgen into a 500 with code INTERNAL.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "panic", p, "stack", string(debug.Stack()), "request_id", RequestID(r.Context()))
				httperr.Code(w, http.StatusInternalServerError, models.CodeInternal, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// gate checks what reaches /graphql before anything reads it, each refusal
// a GraphQL error with code BAD_USER_INPUT and a reason: a method other
// than GET and POST (405); a POST that is not application/json (415), over
// MaxBodyBytes (413), not valid JSON, a batch (a JSON array), or text that
// is not valid UTF-8 (400); a mutation or subscription over GET (405). It
// also bounds the request's time. It never logs what the request holds.
func gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
		case http.MethodGet:
			if websocketUpgrade(r) {
				next.ServeHTTP(w, r)
				return
			}
			if reason, msg := checkGET(r.URL.Query()); reason != "" {
				status := http.StatusBadRequest
				if reason == models.ReasonMutationOverGET {
					w.Header().Set("Allow", "POST")
					status = http.StatusMethodNotAllowed
				}
				httperr.Refuse(w, status, reason, msg)
				return
			}
			serveBounded(next, w, r)
			return
		case http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		default:
			w.Header().Set("Allow", "GET, POST")
			httperr.Refuse(w, http.StatusMethodNotAllowed, models.ReasonMethodNotAllowed, "use POST (or GET for queries)")
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			httperr.Refuse(w, http.StatusUnsupportedMediaType, models.ReasonUnsupportedContentType, "send the operation as JSON with Content-Type: application/json")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			httperr.Code(w, http.StatusRequestEntityTooLarge, models.CodeBadUserInput, "request body too large")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				httperr.Code(w, http.StatusRequestEntityTooLarge, models.CodeBadUserInput, "request body too large")
				return
			}
			httperr.Code(w, http.StatusBadRequest, models.CodeBadUserInput, "could not read request body")
			return
		}
		switch {
		case !json.Valid(body):
			httperr.Code(w, http.StatusBadRequest, models.CodeBadUserInput, "request body is not valid JSON")
			return
		case firstByte(body) == '[':
			httperr.Refuse(w, http.StatusBadRequest, models.ReasonBatchNotSupported, "send one operation per request: batches are not supported")
			return
		case firstByte(body) != '{':
			httperr.Code(w, http.StatusBadRequest, models.CodeBadUserInput, `the body must be a JSON object: {"query": …, "variables": …}`)
			return
		case !validUTF8JSON(body):
			httperr.Refuse(w, http.StatusBadRequest, models.ReasonInvalidUTF8, "text must be valid UTF-8")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		serveBounded(next, w, r)
	})
}

func serveBounded(next http.Handler, w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), RequestTimeout)
	defer cancel()
	next.ServeHTTP(w, r.WithContext(ctx))
}

// checkGET refuses a GET whose parameters are not valid UTF-8 or whose
// operation is not a query (GETs may be cached and replayed by anything on
// the way, so they must not change anything). A query that does not parse
// is left to gqlgen, which says why.
func checkGET(q url.Values) (reason, msg string) {
	for _, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return models.ReasonInvalidUTF8, "text must be valid UTF-8"
			}
		}
	}
	text := q.Get("query")
	if text == "" || !strings.Contains(text, "mutation") && !strings.Contains(text, "subscription") {
		return "", ""
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: text})
	if err != nil {
		return "", ""
	}
	name := q.Get("operationName")
	for _, op := range doc.Operations {
		if (name == "" || op.Name == name) && op.Operation != ast.Query {
			return models.ReasonMutationOverGET, "only queries may be sent with GET: send mutations and subscriptions with POST or over the websocket"
		}
	}
	return "", ""
}

func firstByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// validUTF8JSON reports whether body (valid JSON) holds only valid UTF-8,
// both as raw bytes and as \u escapes: a lone surrogate (\ud800) would
// otherwise be silently replaced by U+FFFD when decoded.
func validUTF8JSON(body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if i+1 < len(body) && body[i+1] != 'u' {
			i++ // \n, \\, \" …
			continue
		}
		r, ok := hex4(body, i+2)
		if !ok {
			return false
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return false // a low surrogate with no high one before it
		case r >= 0xD800 && r <= 0xDBFF:
			if i+7 >= len(body) || body[i+6] != '\\' || body[i+7] != 'u' {
				return false
			}
			lo, ok := hex4(body, i+8)
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 11
		default:
			i += 5
		}
	}
	return true
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return rune(n), err == nil
}

// logPath keeps credentials out of the log: a calendar feed's path is its
// secret.
func logPath(p string) string {
	if strings.HasPrefix(p, "/calendar/") {
		return "/calendar/…"
	}
	return p
}

// RetryAfterUnavailable is the Retry-After (seconds) of a 503 UNAVAILABLE.
const RetryAfterUnavailable = "2"

type statusKey struct{}

// statusOverride is the HTTP status (and Retry-After) a GraphQL response
// should carry instead of 200.
type statusOverride struct {
	mu         sync.Mutex
	status     int
	retryAfter string
}

// markStatus records that the response in ctx should carry status (and
// Retry-After), so responseStatus answers with it instead of 200.
func markStatus(ctx context.Context, status int, retryAfter string) {
	if o, ok := ctx.Value(statusKey{}).(*statusOverride); ok {
		o.mu.Lock()
		if o.status == 0 {
			o.status, o.retryAfter = status, retryAfter
		}
		o.mu.Unlock()
	}
}

// markUnavailable: the response carries an UNAVAILABLE error.
func markUnavailable(ctx context.Context) {
	markStatus(ctx, http.StatusServiceUnavailable, RetryAfterUnavailable)
}

// StatusClientClosedRequest is the status recorded for a request whose
// client went away before the answer (nginx's 499): not a server error,
// so the 5xx answers in the access log and /metrics stay the server's own.
const StatusClientClosedRequest = 499

// markClientClosed: the request's client went away (its context was
// canceled) and its resolvers ended with it.
func markClientClosed(ctx context.Context) {
	markStatus(ctx, StatusClientClosedRequest, "")
}

// responseStatus answers with the status an operation asked for (503 with
// Retry-After when the database is unavailable, 429 when the operation's
// cost exceeds the caller's rate), instead of 200: load balancers and
// clients then back off and retry, as they should, rather than take it for
// an answer.
func responseStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		o := new(statusOverride)
		next.ServeHTTP(&statusWriter{ResponseWriter: w, o: o}, r.WithContext(context.WithValue(r.Context(), statusKey{}, o)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	o     *statusOverride
	wrote bool
}

func (u *statusWriter) WriteHeader(code int) {
	if !u.wrote {
		u.wrote = true
		u.o.mu.Lock()
		status, retry := u.o.status, u.o.retryAfter
		u.o.mu.Unlock()
		if status != 0 && code < 300 {
			if retry != "" {
				u.Header().Set("Retry-After", retry)
			}
			code = status
		}
	}
	u.ResponseWriter.WriteHeader(code)
}

func (u *statusWriter) Write(b []byte) (int, error) {
	if !u.wrote {
		u.WriteHeader(http.StatusOK)
	}
	return u.ResponseWriter.Write(b)
}

func (u *statusWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }
