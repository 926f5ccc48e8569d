// Package fakefcm is a fake Firebase Cloud Messaging server that speaks the
// FCM HTTP v1 protocol (POST /v1/projects/{project}/messages:send), so the
// real firebase-admin-go SDK can be pointed at it with
// option.WithEndpoint(url+"/v1") and option.WithoutAuthentication().
//
// It records every message it accepts, and can be told to answer a token with
// each error FCM gives (UNREGISTERED, INVALID_ARGUMENT, QUOTA_EXCEEDED with
// Retry-After, UNAVAILABLE, INTERNAL) a number of times, or to be slow. Tests
// use it; the demo server runs one in-process and logs what it receives.
package fakefcm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Error is an FCM error answer.
type Error string

// The error answers FCM gives, as (HTTP status, google.rpc status, FcmError code).
const (
	Unregistered    Error = "UNREGISTERED"
	InvalidArgument Error = "INVALID_ARGUMENT"
	QuotaExceeded   Error = "QUOTA_EXCEEDED"
	Unavailable     Error = "UNAVAILABLE"
	Internal        Error = "INTERNAL"
	SenderMismatch  Error = "SENDER_ID_MISMATCH"
	ThirdPartyAuth  Error = "THIRD_PARTY_AUTH_ERROR"
)

var errorShapes = map[Error]struct {
	status int
	rpc    string
}{
	Unregistered:    {http.StatusNotFound, "NOT_FOUND"},
	InvalidArgument: {http.StatusBadRequest, "INVALID_ARGUMENT"},
	QuotaExceeded:   {http.StatusTooManyRequests, "RESOURCE_EXHAUSTED"},
	Unavailable:     {http.StatusServiceUnavailable, "UNAVAILABLE"},
	Internal:        {http.StatusInternalServerError, "INTERNAL"},
	SenderMismatch:  {http.StatusForbidden, "PERMISSION_DENIED"},
	ThirdPartyAuth:  {http.StatusUnauthorized, "UNAUTHENTICATED"},
}

// Rule makes the server answer a token with an error.
type Rule struct {
	Error Error
	// Times the error is given before the token is accepted; 0 means always.
	Times int
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter time.Duration
}

// Message is one accepted message as it arrived.
type Message struct {
	// Raw is the "message" object of the request, as JSON.
	Raw   json.RawMessage
	Token string
	Data  map[string]string
	// Name is the message id the server answered with.
	Name string
	At   time.Time
}

// Badge is the iOS badge the message sets, or -1 when it sets none.
func (m Message) Badge() int {
	var v struct {
		APNS struct {
			Payload struct {
				APS struct {
					Badge *int `json:"badge"`
				} `json:"aps"`
			} `json:"payload"`
		} `json:"apns"`
	}
	if json.Unmarshal(m.Raw, &v) != nil || v.APNS.Payload.APS.Badge == nil {
		return -1
	}
	return *v.APNS.Payload.APS.Badge
}

// Server is a running fake FCM.
type Server struct {
	*httptest.Server
	// Delay is added before every answer (set before traffic starts, or use SetDelay).
	delay    atomic.Int64
	log      *slog.Logger
	mu       sync.Mutex
	rules    map[string]*ruleState
	messages []Message
	// grew is closed (and replaced) whenever a message is accepted.
	grew     chan struct{}
	requests atomic.Int64
	// inFlight counts requests read and not yet answered.
	inFlight atomic.Int64
	seq      atomic.Int64
}

type ruleState struct {
	Rule
	given int
}

// Options configure a Server.
type Options struct {
	// Log, when set, gets one line per accepted message (the demo server).
	Log *slog.Logger
	// Addr to listen on; empty means a free loopback port.
	Addr string
}

// Start runs a fake FCM on a loopback port.
func Start(o Options) *Server {
	s := &Server{log: o.Log, rules: map[string]*ruleState{}, grew: make(chan struct{})}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Config.MaxHeaderBytes = 1 << 16
	s.Server.Start()
	return s
}

// Endpoint is what option.WithEndpoint takes.
func (s *Server) Endpoint() string { return s.URL + "/v1" }

// SetDelay makes every answer wait d.
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// Fail makes the server answer token with r.
func (s *Server) Fail(token string, r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules[token] = &ruleState{Rule: r}
}

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Count is the number of accepted messages, without copying them.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Await returns once at least n messages are accepted, or ctx's error with
// the count so far. It wakes on each message: no polling.
func (s *Server) Await(ctx context.Context, n int) (int, error) {
	for {
		s.mu.Lock()
		got, grew := len(s.messages), s.grew
		s.mu.Unlock()
		if got >= n {
			return got, nil
		}
		select {
		case <-grew:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

// CountByToken counts accepted messages per token.
func (s *Server) CountByToken() map[string]int {
	out := map[string]int{}
	for _, m := range s.Messages() {
		out[m.Token]++
	}
	return out
}

// InFlight is how many requests the fake has read and not yet answered
// (each waits out the delay before its answer).
func (s *Server) InFlight() int64 { return s.inFlight.Load() }

// Requests counts every request, accepted or not.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Reset forgets messages and rules.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
	s.rules = map[string]*ruleState{}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	// /v1/projects/{project}/messages:send
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPost || len(parts) != 4 || parts[0] != "v1" || parts[1] != "projects" || parts[3] != "messages:send" {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "", "unknown endpoint "+r.Method+" "+r.URL.Path, 0)
		return
	}
	project := parts[2]
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "unreadable body", 0)
		return
	}
	// The request is in: like FCM, the fake takes it whether or not the
	// sender is still there to read the answer after the delay (a sender
	// that dies in the meantime does not unsend it).
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	if d := time.Duration(s.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
	}
	var req struct {
		ValidateOnly bool            `json:"validate_only"`
		Message      json.RawMessage `json:"message"`
	}
	var msg struct {
		Token string            `json:"token"`
		Topic string            `json:"topic"`
		Data  map[string]string `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil || json.Unmarshal(req.Message, &msg) != nil {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid JSON payload received.", 0)
		return
	}
	if msg.Token == "" && msg.Topic == "" {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Recipient of the message is not set.", 0)
		return
	}
	s.mu.Lock()
	rule := s.rules[msg.Token]
	if rule != nil && (rule.Times == 0 || rule.given < rule.Times) {
		rule.given++
		shape := errorShapes[rule.Error]
		s.mu.Unlock()
		writeError(w, shape.status, shape.rpc, string(rule.Error), fakeMessage(rule.Error), rule.RetryAfter)
		return
	}
	name := fmt.Sprintf("projects/%s/messages/fake-%d", project, s.seq.Add(1))
	if !req.ValidateOnly {
		s.messages = append(s.messages, Message{Raw: req.Message, Token: msg.Token, Data: msg.Data, Name: name, At: time.Now()})
		close(s.grew)
		s.grew = make(chan struct{})
	}
	s.mu.Unlock()
	if s.log != nil {
		s.log.Info("fake FCM received a push", "token_suffix", suffix(msg.Token), "type", msg.Data["type"], "deep_link", msg.Data["deepLink"], "message", string(req.Message))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"name": name})
}

func fakeMessage(e Error) string {
	switch e {
	case Unregistered:
		return "Requested entity was not found."
	case InvalidArgument:
		return "The registration token is not a valid FCM registration token"
	case QuotaExceeded:
		return "Quota exceeded for quota metric 'Send requests'."
	case Unavailable:
		return "The service is currently unavailable."
	}
	return "fake error " + string(e)
}

// writeError answers the way FCM v1 does: a google.rpc.Status with an
// FcmError detail carrying the FCM error code.
func writeError(w http.ResponseWriter, status int, rpc, fcmCode, msg string, retryAfter time.Duration) {
	detail := []map[string]any{}
	if fcmCode != "" {
		detail = append(detail, map[string]any{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcmCode})
	}
	w.Header().Set("Content-Type", "application/json")
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": status, "message": msg, "status": rpc, "details": detail}})
}

func suffix(t string) string {
	if len(t) <= 6 {
		return t
	}
	return t[len(t)-6:]
}
