// Package faketwilio is a fake Twilio that speaks the parts of its REST API
// SameSide uses — creating a message (form-encoded, basic auth with the
// account SID and auth token, JSON answers and errors in Twilio's shape) —
// and calls back the way Twilio does: signed status callbacks and inbound
// messages (X-Twilio-Signature). Tests drive the real twilio-go client
// against it.
package faketwilio

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Message is a message the fake accepted.
type Message struct {
	SID, To, From, Body, StatusCallback string
}

// Options configure the fake.
type Options struct {
	AccountSID, AuthToken string
	// Latency delays each answer (a provider's round trip).
	Latency time.Duration
}

// Server is a running fake.
type Server struct {
	o    Options
	srv  *httptest.Server
	mu   sync.Mutex
	cond *sync.Cond
	msgs []Message
	// fail answers a number with a Twilio error code; throttle answers the
	// next requests with 429.
	fail     map[string]int
	throttle int
	down     int
	requests int
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Start runs a fake on a free local port.
func Start(o Options) *Server {
	s := &Server{o: o, fail: map[string]int{}}
	s.cond = sync.NewCond(&s.mu)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.create)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the fake's base URL (the client's API URL).
func (s *Server) URL() string { return s.srv.URL }

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// SetLatency makes each answer take d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.o.Latency = d
}

// Reset forgets the messages accepted so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs, s.requests = nil, 0
}

// FailTo makes every message to number fail with a Twilio error code
// (21211 invalid number, 21610 unsubscribed, 21614 not mobile …).
func (s *Server) FailTo(number string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[number] = code
}

// Throttle answers the next n requests with 429 Too Many Requests.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// Unavailable answers the next n requests with 500 (Twilio having a bad
// moment).
func (s *Server) Unavailable(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = n
}

// Messages returns what the fake accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count is how many messages the fake accepted (cheaper than Messages
// for polling).
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// Requests is how many create requests arrived (accepted or not).
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Await waits until n messages were accepted or timeout passes, and
// returns them.
func (s *Server) Await(n int, timeout time.Duration) []Message {
	deadline := time.AfterFunc(timeout, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer deadline.Stop()
	end := time.Now().Add(timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.msgs) < n && time.Now().Before(end) {
		s.cond.Wait()
	}
	return append([]Message(nil), s.msgs...)
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.o.Latency
	s.mu.Unlock()
	time.Sleep(latency)
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.o.AccountSID || pass != s.o.AuthToken || r.PathValue("sid") != s.o.AccountSID {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	m := Message{To: r.PostForm.Get("To"), From: r.PostForm.Get("From"), Body: r.PostForm.Get("Body"), StatusCallback: r.PostForm.Get("StatusCallback")}
	if m.From == "" {
		m.From = r.PostForm.Get("MessagingServiceSid")
	}
	s.mu.Lock()
	s.requests++
	throttled := s.throttle > 0
	if throttled {
		s.throttle--
	}
	down := !throttled && s.down > 0
	if down {
		s.down--
	}
	code := s.fail[m.To]
	s.mu.Unlock()
	switch {
	case throttled:
		twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	case down:
		twilioError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	case !e164.MatchString(m.To):
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", m.To))
		return
	case code != 0:
		twilioError(w, http.StatusBadRequest, code, "Message cannot be sent to this number.")
		return
	case m.Body == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case len([]rune(m.Body)) > 1600:
		twilioError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	}
	m.SID = "SM" + randomHex(16)
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.cond.Broadcast()
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": m.SID, "account_sid": s.o.AccountSID, "to": m.To, "from": m.From,
		"body": m.Body, "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
		"date_created": time.Now().UTC().Format(time.RFC1123Z), "uri": "/2010-04-01/Accounts/" + s.o.AccountSID + "/Messages/" + m.SID + ".json"})
}

// Report calls a message's status callback the way Twilio does (signed).
func (s *Server) Report(m Message, status, errorCode string) (int, error) {
	form := url.Values{"MessageSid": {m.SID}, "SmsSid": {m.SID}, "AccountSid": {s.o.AccountSID}, "From": {m.From}, "To": {m.To},
		"MessageStatus": {status}, "SmsStatus": {status}, "ApiVersion": {"2010-04-01"}}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	return s.post(m.StatusCallback, form)
}

// Inbound delivers a text from a phone to the app's inbound webhook, signed
// as Twilio signs it.
func (s *Server) Inbound(webhook, from, to, body string) (int, error) {
	return s.InboundWithSID(webhook, "SM"+randomHex(16), from, to, body)
}

// InboundWithSID is Inbound with the message's sid (Twilio retries a
// webhook with the same one).
func (s *Server) InboundWithSID(webhook, sid, from, to, body string) (int, error) {
	form := url.Values{"MessageSid": {sid}, "AccountSid": {s.o.AccountSID}, "From": {from}, "To": {to},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"}}
	return s.post(webhook, form)
}

func (s *Server) post(target string, form url.Values) (int, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(s.o.AuthToken, target, form))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	return res.StatusCode, nil
}

// Sign is Twilio's request signature: HMAC-SHA1 with the auth token of the
// URL followed by each POST parameter's name and value, sorted by name,
// in base64.
func Sign(authToken, target string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := strings.Builder{}
	b.WriteString(target)
	for _, k := range keys {
		b.WriteString(k + form.Get(k))
	}
	h := hmac.New(sha1.New, []byte(authToken))
	h.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
