package outbound

import (
	"context"
	"log/slog"
)

// Log "sends" by logging: development without SMTP or Twilio, so the demo
// shows what would go out.
type Log struct{ L *slog.Logger }

// SendMail logs the mail.
func (l Log) SendMail(_ context.Context, m Mail) error {
	l.L.Info("email (development: not sent)", "to", m.To, "subject", m.Subject, "text", m.Text, "unsubscribe", m.Unsubscribe)
	return nil
}

// SendText logs the text.
func (l Log) SendText(_ context.Context, t Text) (string, string, error) {
	l.L.Info("sms (development: not sent)", "to", t.To, "body", t.Body)
	return "log-" + t.ID, "SENT", nil
}
