// Package faketranslate is a Google Cloud Translation (v3, REST) server
// for tests: it answers POST /v3/projects/P/locations/global:translateText
// as Google does (a JSON body with contents, targetLanguageCode,
// sourceLanguageCode and mimeType; {"translations":[{"translatedText",
// "detectedLanguageCode"}]}; errors as {"error":{"code","message",
// "status"}}), so the real client (cloud.google.com/go/translate/apiv3)
// drives it. Its
// "translation" is visible and deterministic: the target in brackets, a
// few words from a small dictionary, and — as real providers do to names
// they are not told to keep — capitalized words lower-cased, except inside
// <span translate="no">. It counts calls per text and target, can fail,
// and can hold its answers (a provider slow to answer).
package faketranslate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/sameside/sameside/server/translation"
)

// Project is the Google Cloud project the fake answers for.
const Project = "sameside-test"

// Server is a fake Translation API.
type Server struct {
	srv *httptest.Server

	mu    sync.Mutex
	calls map[string]int // "target\x00text"
	fail  int
	total int
	// gate, when set, holds requests until it is closed; held is how many
	// it holds, and changed is closed (and replaced) when that changes.
	gate    chan struct{}
	held    int
	changed chan struct{}
}

// Start starts a fake on a local port.
func Start() *Server {
	s := &Server{calls: map[string]int{}, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Endpoint is the base URL the client takes (option.WithEndpoint).
func (s *Server) Endpoint() string { return s.srv.URL }

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next n requests answer 503.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// Hold makes the requests that arrive from now on wait for release before
// they are answered (or for their client to give up): a provider slow to
// answer. Release is safe to call more than once.
func (s *Server) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate := make(chan struct{})
	s.gate = gate
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.gate == gate {
				s.gate = nil
			}
			close(gate)
		})
	}
}

// AwaitHeld waits until Hold holds at least n requests, or ctx ends.
func (s *Server) AwaitHeld(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		held, changed := s.held, s.changed
		s.mu.Unlock()
		if held >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("faketranslate: %d requests held, waiting for %d: %w", held, n, ctx.Err())
		}
	}
}

// setHeld adds d to the requests held; s.mu is held.
func (s *Server) setHeld(d int) {
	s.held += d
	close(s.changed)
	s.changed = make(chan struct{})
}

// Calls is how many times text (as sent: protected HTML) was translated
// into target.
func (s *Server) Calls(text, target string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[target+"\x00"+text]
}

// Requests is how many requests arrived, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Reset forgets the calls.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.fail, s.total = map[string]int{}, 0, 0
}

type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(code int, msg string) {
		var e apiError
		e.Error.Code, e.Error.Message = code, msg
		e.Error.Status = map[int]string{400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 503: "UNAVAILABLE"}[code]
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(e)
	}
	s.mu.Lock()
	s.total++
	down := s.fail > 0
	if down {
		s.fail--
	}
	gate := s.gate
	if gate != nil {
		s.setHeld(1)
	}
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		s.mu.Lock()
		s.setHeld(-1)
		s.mu.Unlock()
	}
	var req struct {
		Contents           []string `json:"contents"`
		TargetLanguageCode string   `json:"targetLanguageCode"`
		SourceLanguageCode string   `json:"sourceLanguageCode"`
		MimeType           string   `json:"mimeType"`
	}
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v3/projects/"+Project+"/locations/global:translateText":
		fail(http.StatusNotFound, "not found: "+r.Method+" "+r.URL.Path)
		return
	case down:
		fail(http.StatusServiceUnavailable, "The service is currently unavailable.")
		return
	case json.NewDecoder(r.Body).Decode(&req) != nil || req.TargetLanguageCode == "" || len(req.Contents) == 0:
		fail(http.StatusBadRequest, "Target language code and contents are required.")
		return
	case req.MimeType != "" && req.MimeType != "text/html" && req.MimeType != "text/plain":
		fail(http.StatusBadRequest, "Unsupported mime type.")
		return
	}
	type tr struct {
		TranslatedText       string `json:"translatedText"`
		DetectedLanguageCode string `json:"detectedLanguageCode,omitempty"`
	}
	var out []tr
	s.mu.Lock()
	for _, text := range req.Contents {
		s.calls[req.TargetLanguageCode+"\x00"+text]++
	}
	s.mu.Unlock()
	for _, text := range req.Contents {
		t := tr{TranslatedText: fake(text, req.TargetLanguageCode)}
		if req.SourceLanguageCode == "" {
			t.DetectedLanguageCode = translation.Guess(translation.Unprotect(text))
		}
		out = append(out, t)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"translations": out})
}

var (
	kept = regexp.MustCompile(`(?is)<span translate="no">.*?</span>|<[^>]*>|&[#a-z0-9]+;`)
	word = regexp.MustCompile(`\p{L}+`)
)

// dictionary is the few words the fake knows, per target.
var dictionary = map[string]map[string]string{
	"en": {"gracias": "thank you", "hola": "hello", "muy": "very", "bien": "well", "casa": "home", "lee": "reads", "todas": "every", "noches": "night"},
	"es": {"thank": "gracias", "today": "hoy", "very": "muy", "kind": "amable", "reading": "leyendo", "helped": "ayudó"},
	"vi": {"today": "hôm nay", "very": "rất", "kind": "tốt bụng", "helped": "đã giúp", "reading": "đọc"},
}

// fake translates text outside what must be kept (protected spans, tags,
// entities).
func fake(text, target string) string {
	var b strings.Builder
	b.WriteString("[" + target + "] ")
	last := 0
	for _, m := range kept.FindAllStringIndex(text, -1) {
		b.WriteString(words(text[last:m[0]], target))
		b.WriteString(text[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(words(text[last:], target))
	return b.String()
}

func words(s, target string) string {
	return word.ReplaceAllStringFunc(s, func(w string) string {
		if t, ok := dictionary[target][strings.ToLower(w)]; ok {
			return t
		}
		if r := []rune(w); unicode.IsUpper(r[0]) {
			return strings.ToLower(w) // a name nobody protected
		}
		return w
	})
}
