// Package fakesmtp is an SMTP server that keeps every mail it receives (a
// real SMTP server, emersion/go-smtp, in-process), for tests: the app sends
// through its real SMTP client to it.
package fakesmtp

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one received mail.
type Mail struct {
	From string
	To   []string
	// Header is the parsed header; Body the plain text (decoded, from its
	// text/plain part), HTML the text/html alternative if any.
	Header mail.Header
	Body   string
	HTML   string
	Raw    []byte
}

// Server is a running SMTP server.
type Server struct {
	srv  *smtp.Server
	addr string
	mu   sync.Mutex
	cond *sync.Cond
	mail []Mail
	// bounce refuses these recipients with 550.
	bounce map[string]bool
	// delay is how long each mail's DATA takes to answer (a provider's
	// round trip).
	delay time.Duration
}

// SetDelay makes each mail take d to be accepted.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Reset forgets the mail received so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mail = nil
}

// Start runs a server on a free local port.
func Start() (*Server, error) {
	s := &Server{bounce: map[string]bool{}}
	s.cond = sync.NewCond(&s.mu)
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// URL is the smtp:// URL of the server.
func (s *Server) URL() string { return "smtp://" + s.addr }

// Close stops the server.
func (s *Server) Close() { _ = s.srv.Close() }

// Bounce makes the server refuse an address (550), as a mailbox that does
// not exist.
func (s *Server) Bounce(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bounce[strings.ToLower(addr)] = true
}

// Mail returns what arrived so far.
func (s *Server) Mail() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// Count is how many mails arrived (cheaper than Mail for polling).
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mail)
}

// Await waits until n mails arrived or timeout passes, and returns them.
func (s *Server) Await(n int, timeout time.Duration) []Mail {
	t := time.AfterFunc(timeout, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer t.Stop()
	end := time.Now().Add(timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.mail) < n && time.Now().Before(end) {
		s.cond.Wait()
	}
	return append([]Mail(nil), s.mail...)
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	bounce := x.s.bounce[strings.ToLower(to)]
	x.s.mu.Unlock()
	if bounce {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	delay := x.s.delay
	x.s.mu.Unlock()
	time.Sleep(delay)
	m := Mail{From: x.from, To: x.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = msg.Header
		readPart(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	}
	x.s.mu.Lock()
	x.s.mail = append(x.s.mail, m)
	x.s.cond.Broadcast()
	x.s.mu.Unlock()
	return nil
}

// readPart decodes a body (quoted-printable or base64) into m, walking
// multipart bodies for their text/plain and text/html parts.
func readPart(m *Mail, contentType, encoding string, r io.Reader) {
	media, params, _ := mime.ParseMediaType(contentType)
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			readPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, _ := io.ReadAll(r)
	if media == "text/html" {
		m.HTML = string(b)
	} else if m.Body == "" {
		m.Body = string(b)
	}
}
