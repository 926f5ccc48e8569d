package outbound

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTP sends email through an SMTP server with go-mail.
type SMTP struct {
	client *mail.Client
	from   string
}

// NewSMTP parses an SMTP URL — smtp://user:pass@host:587 (STARTTLS when the
// server offers it; ?tls=required insists on it), smtps://…:465 (TLS from
// the start) — and the sender ("SameSide <no-reply@school.example>").
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("smtp url %q: not a URL like smtp://user:pass@host:587", rawURL)
	}
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	switch u.Scheme {
	case "smtp":
		policy := mail.TLSOpportunistic
		if u.Query().Get("tls") == "required" {
			policy = mail.TLSMandatory
		}
		opts = append(opts, mail.WithTLSPolicy(policy), mail.WithPort(25))
	case "smtps":
		opts = append(opts, mail.WithSSL(), mail.WithPort(465))
	default:
		return nil, fmt.Errorf("smtp url %q: scheme must be smtp or smtps", rawURL)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("smtp url %q: port: %w", rawURL, err)
		}
		opts = append(opts, mail.WithPort(n))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	c, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, err
	}
	if err := mail.NewMsg().From(from); from == "" || err != nil {
		return nil, fmt.Errorf("smtp: sender %q is not an address: %v", from, err)
	}
	return &SMTP{client: c, from: from}, nil
}

// SendMail sends one email: plain text with an HTML alternative, and the
// RFC 8058 one-click unsubscribe headers when m has a link.
func (s *SMTP) SendMail(ctx context.Context, m Mail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return &PermanentError{Code: "BAD_SENDER", Err: err}
	}
	if err := msg.To(m.To); err != nil {
		return &PermanentError{Code: "BAD_ADDRESS", Err: err}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@sameside")
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	if m.Unsubscribe != "" {
		msg.SetGenHeader("List-Unsubscribe", "<"+m.Unsubscribe+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	err := s.client.DialAndSendWithContext(ctx, msg)
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return &PermanentError{Code: "SMTP_" + strconv.Itoa(se.ErrorCode()), Err: err}
	}
	return err
}
