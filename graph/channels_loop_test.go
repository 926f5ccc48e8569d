package graph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/outbound"
)

// verifiedNumber gives a fixture user a proven phone number, through the API.
func verifiedNumber(t *testing.T, f *fixture, who, number string) {
	t.Helper()
	before := len(f.Twilio.Messages())
	var sms struct{ AddContactPoint contactPoint }
	f.Do(f.token(who), qAddContact, map[string]any{"in": map[string]any{"channel": "SMS", "address": number}}).Decode(t, &sms)
	texts := f.Twilio.Await(before+1, 10*time.Second)
	if len(texts) != before+1 {
		t.Fatalf("no code for %s", who)
	}
	code := sixDigits.FindString(texts[before].Body)
	var ok struct{ VerifyContactPoint contactPoint }
	f.Do(f.token(who), qVerify, map[string]any{"in": map[string]any{"contactPointId": sms.AddContactPoint.ID, "code": code}}).Decode(t, &ok)
	if ok.VerifyContactPoint.VerifiedAt == nil {
		t.Fatalf("%s's number not verified", who)
	}
}

// TestTextConversationLoop: a parent who chose texts for messages gets the
// teacher's message, in its own words, by SMS; their text reply lands in
// the conversation, live for the teacher; the teacher's answer goes back
// by SMS. A retried webhook posts the reply once.
func TestTextConversationLoop(t *testing.T) {
	f := newFixture(t)
	verifiedNumber(t, f, "parentA", "+14158923010")
	if r := f.Do(f.token("parentA"), `mutation { updateNotificationPreferences(input: {categories: [{category: NEW_MESSAGE, push: true, sms: true}]}) { categories { category sms } } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	conv := f.start(t, "teacherA", "s1", "parentA")
	texts := f.Twilio.Await(2, 10*time.Second)
	if len(texts) != 2 || texts[1].To != "+14158923010" || !strings.Contains(texts[1].Body, "Could we talk about reading?") {
		t.Fatalf("the teacher's message by SMS: %+v", texts)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := f.live(t, ctx, "teacherA")
	f.subscribe(t, ctx, ws, "m", `subscription($c: ID!) { messageAdded(conversationId: $c) { body sender { id } } }`, map[string]any{"c": conv})
	inbound := f.Server.URL + outbound.TwilioInboundPath
	for range 2 { // Twilio retries the same message
		if code, err := f.Twilio.InboundWithSID(inbound, "SMreply1", "+14158923010", apptest.SMSFrom, "Yes! Tuesday after school works."); err != nil || code != http.StatusOK {
			t.Fatalf("inbound: %d %v", code, err)
		}
	}
	got, err := ws.Next(ctx, "m")
	if err != nil || !strings.Contains(string(got.Data), "Yes! Tuesday after school works.") || !strings.Contains(string(got.Data), f.users["parentA"].ID) {
		t.Fatalf("live: %v %+v", err, got)
	}
	var msgs struct {
		Conversation struct {
			Messages struct {
				Edges []struct{ Node struct{ Body string } }
			}
		}
	}
	f.Do(f.token("teacherA"), `query($c: ID!) { conversation(id: $c) { messages(first: 10) { edges { node { body } } } } }`, map[string]any{"c": conv}).Decode(t, &msgs)
	if n := len(msgs.Conversation.Messages.Edges); n != 2 {
		t.Fatalf("messages: %+v", msgs)
	}
	if r := f.Do(f.token("teacherA"), qSend, map[string]any{"c": conv, "m": "answer-1", "b": "Great, 3:15 in room 4."}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	texts = f.Twilio.Await(3, 10*time.Second)
	if len(texts) != 3 || texts[2].To != "+14158923010" || !strings.Contains(texts[2].Body, "Great, 3:15 in room 4.") {
		t.Fatalf("the answer by SMS: %+v", texts)
	}

	// STOP ends texts to the number; START brings them back.
	if code, _ := f.Twilio.Inbound(inbound, "+14158923010", apptest.SMSFrom, "STOP"); code != http.StatusOK {
		t.Fatal("STOP")
	}
	if r := f.Do(f.token("teacherA"), qSend, map[string]any{"c": conv, "m": "answer-2", "b": "Also: bring a jacket."}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitJobsSettled()
	if n := len(f.Twilio.Messages()); n != 3 {
		t.Fatalf("a text after STOP: %+v", f.Twilio.Messages()[3:])
	}
	if code, _ := f.Twilio.Inbound(inbound, "+14158923010", apptest.SMSFrom, "START"); code != http.StatusOK {
		t.Fatal("START")
	}
	if r := f.Do(f.token("teacherA"), qSend, map[string]any{"c": conv, "m": "answer-3", "b": "See you Tuesday."}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if texts = f.Twilio.Await(4, 10*time.Second); len(texts) != 4 || !strings.Contains(texts[3].Body, "See you Tuesday.") {
		t.Fatalf("after START: %+v", texts)
	}

	// The texts' segments and estimated cost are in /metrics (once the
	// sends have recorded their answers).
	f.WaitJobsSettled()
	code, body := f.Get("/metrics", "")
	if code != http.StatusOK || !strings.Contains(body, `sameside_sms_segments_total{encoding="gsm7"}`) ||
		!strings.Contains(body, "sameside_sms_cost_dollars_total") || !strings.Contains(body, `sameside_outbound_sent_total{channel="SMS",purpose="NOTIFICATION"} 3`) {
		t.Fatalf("/metrics: %d\n%s", code, grepLines(body, "sms_", "outbound_"))
	}
}

// grepLines keeps the lines of s that contain any of subs.
func grepLines(s string, subs ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestFallbackTextOnce: a shared note to a guardian with no device and no
// channel chosen goes by SMS once FallbackAfter has passed unopened; a
// guardian who opened it gets nothing; a rerun of the fallback sends
// nothing twice. Time passing is River's schedule made due, not a sleep.
func TestFallbackTextOnce(t *testing.T) {
	f := newFixture(t)
	verifiedNumber(t, f, "parentA", "+14158923011")
	verifiedNumber(t, f, "parentA2", "+14158923012")
	post := func(teacher, student, id string) string {
		var out struct {
			PostObservation struct{ Observations []struct{ ID string } }
		}
		f.Do(f.token(teacher), qPost, map[string]any{"in": map[string]any{"clientMutationId": id, "studentIds": []string{f.students[student].ID},
			"kind": "POSITIVE", "body": "Shared her snack with a new classmate.", "state": "SHARED"}}).Decode(t, &out)
		return out.PostObservation.Observations[0].ID
	}
	post("teacherA", "s1", "note-1")
	opened := post("teacherA2", "s2", "note-2")
	f.WaitJobsSettled()
	var due []time.Time
	f.DB.Raw("SELECT scheduled_at FROM river_job WHERE kind = 'outbound_fallback' ORDER BY id").Scan(&due)
	if len(due) != 2 || time.Until(due[0]) < 29*time.Minute || time.Until(due[0]) > 31*time.Minute {
		t.Fatalf("fallback jobs due at %v, want in 30 minutes", due)
	}
	// parentA2 opens the note (the app on the web, no device).
	if r := f.Do(f.token("parentA2"), `query($id: ID!) { observation(id: $id) { id } }`, map[string]any{"id": opened}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if len(f.Twilio.Messages()) != 2 {
		t.Fatalf("a text before the fallback time: %+v", f.Twilio.Messages())
	}
	dueNow := func() {
		if err := f.DB.Exec("UPDATE river_job SET scheduled_at = now(), state = 'available', attempt = 0, finalized_at = NULL WHERE kind = 'outbound_fallback'").Error; err != nil {
			t.Fatal(err)
		}
		f.WaitJobsSettled()
	}
	dueNow()
	texts := f.Twilio.Await(3, 10*time.Second)
	if len(texts) != 3 || texts[2].To != "+14158923011" || !strings.Contains(texts[2].Body, "Shared her snack") {
		t.Fatalf("fallback: %+v", texts)
	}
	dueNow() // the job again: nothing more
	if n := len(f.Twilio.Messages()); n != 3 {
		t.Fatalf("%d texts after a rerun, want 3", n)
	}
}

// A notice plans emails and texts (an outbound_plan job) only for the
// recipients the school can reach that way: a family with the app and no
// address or number costs no job.
func TestChannelPlanOnlyForReachableFamilies(t *testing.T) {
	f := newFixture(t)
	plans := func() []string {
		t.Helper()
		f.WaitJobsSettled()
		var users []string
		if err := f.DB.Raw(`SELECT u FROM river_job, jsonb_array_elements_text(args->'user_ids') AS u WHERE kind = 'outbound_plan' ORDER BY id, u`).
			Scan(&users).Error; err != nil {
			t.Fatal(err)
		}
		return users
	}
	conv := f.start(t, "teacherA", "s1", "parentA")
	if got := plans(); len(got) != 0 {
		t.Fatalf("outbound_plan jobs for %v, want none: no one has an address or a number", got)
	}
	verifiedNumber(t, f, "parentA", "+14158923010")
	if r := f.Do(f.token("teacherA"), qSend, map[string]any{"c": conv, "m": "after-number", "b": "See you Tuesday."}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if got := plans(); len(got) != 1 || got[0] != f.users["parentA"].ID {
		t.Fatalf("outbound_plan jobs for %v, want parentA's alone", got)
	}
}
