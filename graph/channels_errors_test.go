package graph_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/outbound"
	"github.com/sameside/sameside/server/outbound/faketwilio"
)

// retryNow makes the sends put back for a retry due now, and their jobs:
// the backoff's time passing, without a sleep.
func retryNow(t *testing.T, f *fixture) {
	t.Helper()
	for _, q := range []string{
		"UPDATE outbound_messages SET next_attempt_at = now() WHERE status = 'PENDING'",
		"UPDATE river_job SET scheduled_at = now(), state = 'available' WHERE kind = 'outbound_batch' AND state = 'scheduled'",
	} {
		if err := f.DB.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	f.WaitJobsSettled()
}

func statuses(t *testing.T, f *fixture) string {
	t.Helper()
	var rows []string
	f.DB.Raw("SELECT channel || ' ' || status || ' ' || attempts || ' ' || coalesce(error_code, '-') FROM outbound_messages ORDER BY created_at").Scan(&rows)
	return strings.Join(rows, ",")
}

// TestProviderErrors: Twilio answering 429 and then 500 puts the text back
// with a backoff, and it goes once when Twilio answers; a number Twilio
// says is not mobile, and a mailbox the SMTP server refuses (550), are
// marked undeliverable and get nothing more. Nothing is sent twice.
func TestProviderErrors(t *testing.T) {
	f := newFixture(t)
	parent := f.token("parentA")
	f.Twilio.Throttle(1)
	f.Twilio.Unavailable(1)
	add := func(channel, address string) string {
		t.Helper()
		var out struct{ AddContactPoint contactPoint }
		f.Do(parent, qAddContact, map[string]any{"in": map[string]any{"channel": channel, "address": address}}).Decode(t, &out)
		return out.AddContactPoint.ID
	}
	add("SMS", "+14158923030")
	// Each retry comes when its backoff is over; the test makes it due
	// (whether a retry already came by itself does not change the outcome).
	for i := 0; i < 5 && !strings.HasPrefix(statuses(t, f), "SMS QUEUED"); i++ {
		retryNow(t, f)
	}
	if got := statuses(t, f); got != "SMS QUEUED 3 -" {
		t.Fatalf("after a 429, a 500 and a success: %s", got)
	}
	if n, reqs := len(f.Twilio.Messages()), f.Twilio.Requests(); n != 1 || reqs != 3 {
		t.Fatalf("%d texts from %d requests, want 1 from 3", n, reqs)
	}

	f.Twilio.FailTo("+14158923031", 21614)
	landline := add("SMS", "+14158923031")
	f.SMTP.Bounce("gone@example.com")
	gone := add("EMAIL", "gone@example.com")
	f.WaitJobsSettled()
	var points []models.ContactPoint
	f.DB.Find(&points, "id IN ?", []string{landline, gone})
	for _, p := range points {
		if p.UndeliverableAt == nil {
			t.Errorf("%s is not marked undeliverable", p.Address)
		}
	}
	var codes []string
	f.DB.Raw("SELECT error_code FROM outbound_messages WHERE status = 'UNDELIVERABLE' ORDER BY error_code").Scan(&codes)
	if strings.Join(codes, ",") != "NOT_MOBILE,SMTP_550" {
		t.Fatalf("undeliverable: %v", codes)
	}
	// The school's admins see that parentA cannot be reached, not the
	// addresses; a teacher may not look.
	var sch struct {
		Viewer struct {
			Memberships []struct {
				School struct {
					UndeliverableContacts []struct {
						Guardian struct{ ID string }
						Channel  string
					}
				}
			}
		}
	}
	q := `{ viewer { memberships { school { undeliverableContacts { guardian { id } channel since } } } } }`
	f.Do(f.token("adminA"), q, nil).Decode(t, &sch)
	if u := sch.Viewer.Memberships[0].School.UndeliverableContacts; len(u) != 2 || u[0].Guardian.ID != f.users["parentA"].ID {
		t.Fatalf("the admin's list: %+v", u)
	}
	if r := f.Do(f.token("teacherA"), q, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("a teacher reads it: %s", r.Body)
	}
	// Asking for a new code for a bouncing address sends nothing.
	f.Do(parent, `mutation($id: ID!) { resendContactCode(input: {contactPointId: $id}) { id } }`, map[string]any{"id": gone})
	f.WaitJobsSettled()
	if n := len(f.SMTP.Mail()); n != 0 {
		t.Fatalf("%d mails reached a refusing server", n)
	}
}

// TestInboundEdges: a 40 KB webhook body is refused before it is read; a
// 10 KB text from a known number is cut to 1,600 characters in the
// conversation; a number two guardians share answers as the one the
// latest text went to.
func TestInboundEdges(t *testing.T) {
	f := newFixture(t)
	inbound := f.Server.URL + outbound.TwilioInboundPath
	big := url.Values{"From": {"+14158923040"}, "Body": {strings.Repeat("x", 40<<10)}, "MessageSid": {"SMbig"}}
	req, _ := http.NewRequest(http.MethodPost, inbound, strings.NewReader(big.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", faketwilio.Sign(apptest.TwilioAuthToken, inbound, big))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusBadRequest {
		t.Fatalf("40 KB: %v %v", err, res)
	}

	// parentA and parentA2 share a phone; each chose texts for messages.
	for _, who := range []string{"parentA", "parentA2"} {
		verifiedNumber(t, f, who, "+14158923041")
		if r := f.Do(f.token(who), `mutation { updateNotificationPreferences(input: {categories: [{category: NEW_MESSAGE, push: true, sms: true}]}) { categories { sms } } }`, nil); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	convA := f.start(t, "teacherA", "s1", "parentA")
	f.Twilio.Await(3, 10*time.Second)
	long := strings.Repeat("We read every night. ", 500) // about 10 KB
	if code, err := f.Twilio.Inbound(inbound, "+14158923041", apptest.SMSFrom, long); err != nil || code != http.StatusOK {
		t.Fatalf("10 KB text: %d %v", code, err)
	}
	convA2 := f.start(t, "teacherA2", "s2", "parentA2")
	f.Twilio.Await(4, 10*time.Second)
	if code, _ := f.Twilio.Inbound(inbound, "+14158923041", apptest.SMSFrom, "Thanks, see you Friday."); code != http.StatusOK {
		t.Fatal("reply")
	}
	last := func(who, conv string) (string, string) {
		var out struct {
			Conversation struct {
				Messages struct {
					Edges []struct {
						Node struct {
							Body   string
							Sender struct{ ID string }
						}
					}
				}
			}
		}
		f.Do(f.token(who), `query($c: ID!) { conversation(id: $c) { messages(first: 1) { edges { node { body sender { id } } } } } }`, map[string]any{"c": conv}).Decode(t, &out)
		e := out.Conversation.Messages.Edges
		if len(e) == 0 {
			return "", ""
		}
		return e[0].Node.Body, e[0].Node.Sender.ID
	}
	if body, sender := last("teacherA", convA); len([]rune(body)) != 1600 || sender != f.users["parentA"].ID {
		t.Fatalf("the long text in A's conversation: %d characters from %s", len([]rune(body)), sender)
	}
	if body, sender := last("teacherA2", convA2); body != "Thanks, see you Friday." || sender != f.users["parentA2"].ID {
		t.Fatalf("the shared number's reply: %q from %s", body, sender)
	}
}
