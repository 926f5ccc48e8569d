package graph_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/outbound"
	"github.com/sameside/sameside/server/outbound/faketwilio"
)

const (
	qAddContact = `mutation($in: AddContactPointInput!) { addContactPoint(input: $in) { id channel address source verifiedAt textsConsentedAt optedOutAt undeliverableAt } }`
	qVerify     = `mutation($in: VerifyContactPointInput!) { verifyContactPoint(input: $in) { id verifiedAt textsConsentedAt } }`
	qContacts   = `{ viewer { contactPoints { id channel address verifiedAt textsConsentedAt optedOutAt undeliverableAt } } }`
)

type contactPoint struct {
	ID, Channel, Address                                      string
	VerifiedAt, TextsConsentedAt, OptedOutAt, UndeliverableAt *time.Time
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// TestContactPointsAreVerifiedByCode: a parent adds a phone number (typed
// the national way) and an email address; each gets a code through the
// real Twilio client and a real SMTP server; a wrong code is refused and
// counted, the right one verifies (and, for the number, is its consent);
// bad addresses and a landline are refused; codes are rate-limited.
func TestContactPointsAreVerifiedByCode(t *testing.T) {
	f := newFixture(t)
	parent := f.token("parentA")
	var sms struct{ AddContactPoint contactPoint }
	f.Do(parent, qAddContact, map[string]any{"in": map[string]any{"channel": "SMS", "address": "(415) 892-3001"}}).Decode(t, &sms)
	if sms.AddContactPoint.Address != "+14158923001" || sms.AddContactPoint.VerifiedAt != nil {
		t.Fatalf("added: %+v", sms.AddContactPoint)
	}
	texts := f.Twilio.Await(1, 10*time.Second)
	if len(texts) != 1 || texts[0].To != "+14158923001" || texts[0].From != apptest.SMSFrom || !sixDigits.MatchString(texts[0].Body) {
		t.Fatalf("texts: %+v", texts)
	}
	code := sixDigits.FindString(texts[0].Body)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := f.Do(parent, qVerify, map[string]any{"in": map[string]any{"contactPointId": sms.AddContactPoint.ID, "code": wrong}}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("a wrong code: %s", r.Body)
	}
	var n int
	f.DB.Raw("SELECT code_attempts FROM contact_points WHERE id = ?", sms.AddContactPoint.ID).Scan(&n)
	if n != 1 {
		t.Fatalf("wrong tries counted: %d", n)
	}
	var ok struct{ VerifyContactPoint contactPoint }
	f.Do(parent, qVerify, map[string]any{"in": map[string]any{"contactPointId": sms.AddContactPoint.ID, "code": code}}).Decode(t, &ok)
	if ok.VerifyContactPoint.VerifiedAt == nil || ok.VerifyContactPoint.TextsConsentedAt == nil {
		t.Fatalf("verified: %+v", ok.VerifyContactPoint)
	}

	var mail struct{ AddContactPoint contactPoint }
	f.Do(parent, qAddContact, map[string]any{"in": map[string]any{"channel": "EMAIL", "address": " Maria.Lopez@Example.com "}}).Decode(t, &mail)
	if mail.AddContactPoint.Address != "maria.lopez@example.com" {
		t.Fatalf("email: %+v", mail.AddContactPoint)
	}
	got := f.SMTP.Await(1, 10*time.Second)
	if len(got) != 1 || got[0].To[0] != "maria.lopez@example.com" || got[0].Header.Get("Subject") != "Your SameSide code" ||
		!sixDigits.MatchString(got[0].Body) || got[0].Header.Get("List-Unsubscribe") != "" {
		t.Fatalf("mail: %+v", got)
	}
	// Asking again at once is refused; the first code still works.
	if r := f.Do(parent, `mutation($id: ID!) { resendContactCode(input: {contactPointId: $id}) { id } }`, map[string]any{"id": mail.AddContactPoint.ID}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("an immediate resend: %s", r.Body)
	}
	f.Do(parent, qVerify, map[string]any{"in": map[string]any{"contactPointId": mail.AddContactPoint.ID, "code": sixDigits.FindString(got[0].Body)}}).Decode(t, &ok)
	if ok.VerifyContactPoint.VerifiedAt == nil || ok.VerifyContactPoint.TextsConsentedAt != nil {
		t.Fatalf("email verified: %+v", ok.VerifyContactPoint)
	}

	for _, bad := range []map[string]any{
		{"channel": "EMAIL", "address": "not-an-email"},
		{"channel": "EMAIL", "address": "Maria <m@example.com>"},
		{"channel": "SMS", "address": "12"},
		{"channel": "SMS", "address": "+1 415 555 01"},
	} {
		if r := f.Do(parent, qAddContact, map[string]any{"in": bad}); r.Code() != "BAD_USER_INPUT" {
			t.Errorf("%v: %s", bad, r.Body)
		}
	}
	// Someone else cannot verify or remove the parent's point.
	if r := f.Do(f.token("parentA2"), `mutation($id: ID!) { removeContactPoint(input: {contactPointId: $id}) { id } }`, map[string]any{"id": sms.AddContactPoint.ID}); r.Code() != "NOT_FOUND" {
		t.Fatalf("another parent removes it: %s", r.Body)
	}
	f.WaitJobsSettled()
	var rows []string
	f.DB.Raw("SELECT channel || ' ' || purpose || ' ' || status FROM outbound_messages ORDER BY channel").Scan(&rows)
	if strings.Join(rows, ",") != "EMAIL VERIFY SENT,SMS VERIFY QUEUED" {
		t.Fatalf("delivery records: %v", rows)
	}
}

// TestTextKeywordsCallbacksAndUnsubscribe: Twilio's webhooks are refused
// unsigned; STOP and START from a number change every point that holds it
// and answer as carriers require; a status callback that the carrier
// rejected the number stops further texts; a signed one-click
// unsubscribe link opts an email address out, a forged one does nothing.
func TestTextKeywordsCallbacksAndUnsubscribe(t *testing.T) {
	f := newFixture(t)
	parent := f.token("parentA")
	var sms struct{ AddContactPoint contactPoint }
	f.Do(parent, qAddContact, map[string]any{"in": map[string]any{"channel": "SMS", "address": "+14158923002"}}).Decode(t, &sms)
	texts := f.Twilio.Await(1, 10*time.Second)
	f.Do(parent, qVerify, map[string]any{"in": map[string]any{"contactPointId": sms.AddContactPoint.ID, "code": sixDigits.FindString(texts[0].Body)}})
	points := func() map[string]contactPoint {
		var v struct {
			Viewer struct{ ContactPoints []contactPoint }
		}
		f.Do(parent, qContacts, nil).Decode(t, &v)
		out := map[string]contactPoint{}
		for _, c := range v.Viewer.ContactPoints {
			out[c.Address] = c
		}
		return out
	}
	inbound := f.Server.URL + outbound.TwilioInboundPath

	// Unsigned, or signed with another token: refused, nothing read.
	form := url.Values{"From": {"+14158923002"}, "Body": {"STOP"}, "MessageSid": {"SMx"}}
	if res, _ := f.Raw(http.MethodPost, outbound.TwilioInboundPath, "", "application/x-www-form-urlencoded", []byte(form.Encode())); res.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned: %d", res.StatusCode)
	}
	forged := faketwilio.Start(faketwilio.Options{AccountSID: apptest.TwilioAccountSID, AuthToken: "fedcba9876543210fedcba9876543210"})
	defer forged.Close()
	if code, err := forged.Inbound(inbound, "+14158923002", apptest.SMSFrom, "STOP"); err != nil || code != http.StatusForbidden {
		t.Fatalf("forged: %d %v", code, err)
	}
	if p := points()["+14158923002"]; p.OptedOutAt != nil {
		t.Fatalf("an unsigned STOP opted out: %+v", p)
	}
	if code, err := f.Twilio.Inbound(inbound, "+14158923002", apptest.SMSFrom, "stop"); err != nil || code != http.StatusOK {
		t.Fatalf("STOP: %d %v", code, err)
	}
	if p := points()["+14158923002"]; p.OptedOutAt == nil {
		t.Fatalf("STOP did not opt out: %+v", p)
	}
	if code, _ := f.Twilio.Inbound(inbound, "+14158923002", apptest.SMSFrom, "START"); code != http.StatusOK {
		t.Fatal("START")
	}
	if p := points()["+14158923002"]; p.OptedOutAt != nil || p.TextsConsentedAt == nil {
		t.Fatalf("START: %+v", p)
	}
	// An unknown number's text is answered with nothing, and changes nothing.
	if code, _ := f.Twilio.Inbound(inbound, "+14158929999", apptest.SMSFrom, "Hello?"); code != http.StatusOK {
		t.Fatal("unknown number")
	}

	// The carrier rejects the number (30006, landline): no more texts.
	if code, err := f.Twilio.Report(texts[0], "undelivered", "30006"); err != nil || code != http.StatusNoContent {
		t.Fatalf("status callback: %d %v", code, err)
	}
	if p := points()["+14158923002"]; p.UndeliverableAt == nil {
		t.Fatalf("the rejected number is still used: %+v", p)
	}
	var status string
	f.DB.Raw("SELECT status FROM outbound_messages WHERE provider_id = ?", texts[0].SID).Scan(&status)
	if status != models.OutboundUndeliverable {
		t.Fatalf("the text's status: %s", status)
	}

	// One-click unsubscribe (RFC 8058) for an email address.
	var mail struct{ AddContactPoint contactPoint }
	f.Do(parent, qAddContact, map[string]any{"in": map[string]any{"channel": "EMAIL", "address": "home@example.com"}}).Decode(t, &mail)
	link := f.App.Links.Unsubscribe(mail.AddContactPoint.ID)
	u, _ := url.Parse(link)
	bad := u.Path + "?c=" + mail.AddContactPoint.ID + "&s=forged"
	if res, _ := f.Raw(http.MethodPost, bad, "", "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click")); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a forged link: %d", res.StatusCode)
	}
	if code, _ := f.Get(u.RequestURI(), ""); code != http.StatusOK || points()["home@example.com"].OptedOutAt != nil {
		t.Fatal("GET (a mail scanner following the link) must not unsubscribe")
	}
	if res, _ := f.Raw(http.MethodPost, u.RequestURI(), "", "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click")); res.StatusCode != http.StatusOK {
		t.Fatalf("one-click: %d", res.StatusCode)
	}
	if p := points()["home@example.com"]; p.OptedOutAt == nil {
		t.Fatalf("not unsubscribed: %+v", p)
	}
}
