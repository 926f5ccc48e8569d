package outbound

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Twilio sends SMS through Twilio's REST API with its official Go client.
type Twilio struct {
	rest *twilio.RestClient
	from string
	// statusCallback is where Twilio reports each message's status.
	statusCallback string
}

// NewTwilio returns a Twilio texter for the account, sending from a number
// (E.164) or a messaging service (MG…). apiURL, when set, sends the
// client's requests there instead of Twilio (a fake that speaks its API,
// in tests and demo mode). statusCallback is the public URL of the status
// webhook (empty: none).
func NewTwilio(accountSID, authToken, from, apiURL, statusCallback string) (*Twilio, error) {
	if accountSID == "" || authToken == "" || from == "" {
		return nil, errors.New("twilio: account SID, auth token and sender are needed")
	}
	if !alphanumeric.MatchString(accountSID) || !alphanumeric.MatchString(authToken) {
		return nil, errors.New("twilio: the account SID and auth token are letters and digits")
	}
	// Many texts go at once to one host: keep their connections.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	hc := &http.Client{Timeout: 30 * time.Second, Transport: tr}
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || u.Host == "" {
			return nil, errors.New("twilio: the API URL is not a URL")
		}
		hc.Transport = redirect{to: u, next: tr}
	}
	c := &client.Client{Credentials: client.NewCredentials(accountSID, authToken), HTTPClient: hc}
	c.SetAccountSid(accountSID)
	return &Twilio{rest: twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}), from: from, statusCallback: statusCallback}, nil
}

var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// redirect sends every request to another scheme and host, path kept.
type redirect struct {
	to   *url.URL
	next http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, r.to.Host
	return r.next.RoundTrip(req)
}

// Twilio error codes that retrying will not fix.
var permanentTwilio = map[int]string{
	21211: "INVALID_NUMBER",  // invalid 'To' phone number
	21408: "REGION_DISABLED", // permission to send to this region
	21610: "UNSUBSCRIBED",    // the recipient replied STOP
	21612: "UNREACHABLE",     // not reachable from this sender
	21614: "NOT_MOBILE",      // not a mobile number
}

// SendText creates one message; the client has no context, so ctx only
// bounds the wait for it.
func (t *Twilio) SendText(ctx context.Context, m Text) (string, string, error) {
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Body)
	if len(t.from) > 2 && t.from[:2] == "MG" {
		params.SetMessagingServiceSid(t.from)
	} else {
		params.SetFrom(t.from)
	}
	if t.statusCallback != "" {
		// Our message's id rides in the callback's address (Twilio signs
		// the whole address): a callback can come before the send's answer
		// has given the message its sid.
		params.SetStatusCallback(statusCallbackFor(t.statusCallback, m.ID))
	}
	type answer struct {
		msg *openapi.ApiV2010Message
		err error
	}
	done := make(chan answer, 1)
	go func() {
		msg, err := t.rest.Api.CreateMessage(params)
		done <- answer{msg, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	var te *client.TwilioRestError
	if errors.As(a.err, &te) {
		if code, ok := permanentTwilio[te.Code]; ok {
			return "", "", &PermanentError{Code: code, Err: a.err}
		}
		if te.Status == http.StatusTooManyRequests {
			return "", "", &RetryAfterError{Err: a.err}
		}
		if te.Status >= 400 && te.Status < 500 {
			return "", "", &PermanentError{Code: "TWILIO_" + strconv.Itoa(te.Code), Err: a.err}
		}
	}
	if a.err != nil {
		return "", "", a.err
	}
	sid, status := "", "queued"
	if a.msg.Sid != nil {
		sid = *a.msg.Sid
	}
	if a.msg.Status != nil {
		status = *a.msg.Status
	}
	return sid, StatusOf(status), nil
}

// StatusOf maps a Twilio message status to ours.
func StatusOf(twilioStatus string) string {
	switch twilioStatus {
	case "delivered", "read":
		return "DELIVERED"
	case "sent":
		return "SENT"
	case "failed":
		return "FAILED"
	case "undelivered":
		return "UNDELIVERABLE"
	}
	return "QUEUED" // accepted, queued, sending, scheduled
}

// statusCallbackFor is the status callback address for our message id.
func statusCallbackFor(base, id string) string {
	if id == "" {
		return base
	}
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("id", id)
	u.RawQuery = q.Encode()
	return u.String()
}
