package outbound

import (
	"encoding/xml"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/twilio/twilio-go/client"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/texts"
)

// Webhook paths, under the server's public URL.
const (
	TwilioStatusPath  = "/webhooks/twilio/status"
	TwilioInboundPath = "/webhooks/twilio/inbound"
)

// maxWebhookBody bounds what a webhook reads: a text is at most 1,600
// characters, and Twilio's fields add little.
const maxWebhookBody = 32 << 10

// Webhooks answers Twilio's callbacks and the unsubscribe links.
type Webhooks struct {
	DB     *gorm.DB
	Domain *domain.Service
	Links  *Links
	// AuthToken checks Twilio's signatures; PublicURL is the URL Twilio
	// was given (signatures cover it).
	AuthToken, PublicURL string
	Log                  *slog.Logger
}

// Routes adds the handlers to mux.
func (h *Webhooks) Routes(mux *http.ServeMux) {
	if h.AuthToken != "" {
		mux.HandleFunc("POST "+TwilioStatusPath, h.signed(h.status))
		mux.HandleFunc("POST "+TwilioInboundPath, h.signed(h.inbound))
	}
	if h.Links != nil {
		mux.HandleFunc("GET "+UnsubscribePath, h.unsubscribe)
		mux.HandleFunc("POST "+UnsubscribePath, h.unsubscribe)
	}
}

// signed refuses a request without Twilio's valid signature over the
// public URL and the form: nothing unsigned is read.
func (h *Webhooks) signed(next func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	v := client.NewRequestValidator(h.AuthToken)
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBody)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		params := map[string]string{}
		for k, vs := range r.PostForm {
			params[k] = vs[0]
		}
		if !v.Validate(h.PublicURL+r.URL.RequestURI(), params, r.Header.Get("X-Twilio-Signature")) {
			h.Log.Warn("twilio webhook: bad signature", "path", r.URL.Path)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

// Twilio's delivery errors that mean the number cannot get texts.
var carrierRejects = map[string]bool{"30003": true, "30005": true, "30006": true, "30004": true, "21610": true}

// status records a message's status callback; a number the carrier
// rejects gets nothing more.
func (h *Webhooks) status(w http.ResponseWriter, r *http.Request) {
	sid, st := r.PostForm.Get("MessageSid"), StatusOf(r.PostForm.Get("MessageStatus"))
	code := r.PostForm.Get("ErrorCode")
	if st == models.OutboundFailed && carrierRejects[code] {
		st = models.OutboundUndeliverable
	}
	ctx := r.Context()
	err := h.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m models.OutboundMessage
		// By our id where the callback's address carries it (it may come
		// before the send's answer recorded the sid), else by the sid.
		q := tx.Where("provider_id = ? AND channel = ?", sid, models.ChannelSMS)
		if id := r.URL.Query().Get("id"); domain.ValidID(id) {
			q = tx.Where("id = ? AND channel = ? AND (provider_id IS NULL OR provider_id = ?)", id, models.ChannelSMS, sid)
		}
		if err := q.Take(&m).Error; err != nil {
			return err
		}
		fields := map[string]any{"status": st, "updated_at": h.Domain.Now(), "provider_id": sid}
		if code != "" {
			fields["error_code"] = "TWILIO_" + code
		}
		if err := tx.Model(&m).Updates(fields).Error; err != nil {
			return err
		}
		if st == models.OutboundUndeliverable && m.ContactPointID != nil {
			return MarkUndeliverable(tx, *m.ContactPointID, h.Domain.Now())
		}
		return nil
	})
	if err != nil && err != gorm.ErrRecordNotFound {
		h.Log.ErrorContext(ctx, "twilio status", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type twiml struct {
	XMLName xml.Name `xml:"Response"`
	Message string   `xml:"Message,omitempty"`
}

// inbound takes a text from a phone: STOP, START and HELP as carriers
// require, anything else into the conversation it answers. The answer is
// TwiML; an unknown number gets an empty one, revealing nothing.
func (h *Webhooks) inbound(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	from, body, sid := r.PostForm.Get("From"), r.PostForm.Get("Body"), r.PostForm.Get("MessageSid")
	reply := ""
	var err error
	switch domain.Keyword(body) {
	case "STOP":
		_, err = h.Domain.SetTextConsent(ctx, from, true)
		reply = texts.Text("en", "sms.stopped", nil)
	case "START":
		_, err = h.Domain.SetTextConsent(ctx, from, false)
		reply = texts.Text("en", "sms.started", nil)
	case "HELP":
		reply = texts.Text("en", "sms.help", nil)
	default:
		var posted bool
		posted, err = h.Domain.InboundText(ctx, from, sid, body)
		h.Log.InfoContext(ctx, "inbound text", "sid", sid, "posted", posted)
	}
	if err != nil {
		h.Log.ErrorContext(ctx, "inbound text", "sid", sid, "err", err)
		http.Error(w, "try again", http.StatusInternalServerError) // Twilio retries
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(twiml{Message: reply})
}

var unsubscribePage = template.Must(template.New("u").Parse(`<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>SameSide</title></head><body>
{{if .Done}}<p>{{.Done}}</p>{{else}}<form method="post"><p>{{.Confirm}}</p><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>`))

// unsubscribe answers a signed unsubscribe link: GET asks to confirm (mail
// scanners follow links), POST — the RFC 8058 one-click request or the
// confirmation — opts the address out.
func (h *Webhooks) unsubscribe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, sig := q.Get("c"), q.Get("s")
	if !h.Links.Valid(id, sig) {
		http.Error(w, "This link is not valid.", http.StatusNotFound)
		return
	}
	page := struct{ Done, Confirm string }{Confirm: texts.Text("en", "unsubscribe.confirm", nil)}
	if r.Method == http.MethodPost {
		if err := h.Domain.UnsubscribeContactPoint(r.Context(), id); err != nil {
			h.Log.ErrorContext(r.Context(), "unsubscribe", "err", err)
			http.Error(w, "Please try again.", http.StatusInternalServerError)
			return
		}
		page.Done = texts.Text("en", "unsubscribe.done", nil)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = unsubscribePage.Execute(w, page)
}

// PublicURLOf is base + path, for the Twilio client's status callback.
func PublicURLOf(base, path string) string {
	u, err := url.JoinPath(base, path)
	if err != nil {
		return base + path
	}
	return u
}
