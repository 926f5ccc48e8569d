package graph_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qStart = `mutation($in: StartConversationInput!) { startConversation(input: $in) { conversation { id subject participants { id } unreadCount lastMessage { body } } } }`
	qSend  = `mutation($c: ID!, $m: String!, $b: String!, $u: Boolean) { sendMessage(input: {conversationId: $c, clientMutationId: $m, body: $b, urgent: $u}) { message { id body sender { id } } } }`
	qRead  = `mutation($c: ID!) { markConversationRead(input: {conversationId: $c}) { id unreadCount } }`
	qConvs = `{ viewer { unreadCount } conversations { edges { node { id subject unreadCount muted lastMessage { body } participants { id } } } } }`
	qMsgs  = `query($c: ID!, $after: String) { conversation(id: $c) { messages(first: 2, after: $after) { edges { node { body } } pageInfo { hasNextPage endCursor } } } }`
)

func (f *fixture) start(t *testing.T, who, student string, with ...string) string {
	t.Helper()
	ids := []string{}
	for _, w := range with {
		ids = append(ids, f.users[w].ID)
	}
	var out struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	f.Do(f.token(who), qStart, map[string]any{"in": map[string]any{"clientMutationId": "start-" + who + student, "studentId": f.students[student].ID,
		"participantIds": ids, "subject": "Reading at home", "body": "Could we talk about reading?"}}).Decode(t, &out)
	return out.StartConversation.Conversation.ID
}

func unread(t *testing.T, f *fixture, who string) int {
	t.Helper()
	var out struct{ Viewer struct{ UnreadCount int } }
	f.Do(f.token(who), `{ viewer { unreadCount } }`, nil).Decode(t, &out)
	return out.Viewer.UnreadCount
}

func TestConversationFlow(t *testing.T) {
	f := newFixture(t)
	f.RegisterDevice(f.token("teacherA"), "teacher-tablet")
	f.RegisterDevice(f.token("parentA"), "parent-phone")
	c := f.start(t, "parentA", "s1", "teacherA")
	msgs := f.WaitForPushes(1)
	if msgs[0].Token != "teacher-tablet" || msgs[0].Data["type"] != "NEW_MESSAGE" || msgs[0].Data["conversationId"] != c {
		t.Fatalf("push: %s", msgs[0].Raw)
	}
	if n := unread(t, f, "teacherA"); n != 1 {
		t.Fatalf("teacher unread %d, want 1", n)
	}
	if n := unread(t, f, "parentA"); n != 0 {
		t.Fatalf("the starter's own message is unread: %d", n)
	}
	// The teacher replies twice; the second is a retry of the first.
	for i := 0; i < 2; i++ {
		if res := f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "reply-1", "b": "Of course. Tomorrow at 3?"}); res.Code() != "" {
			t.Fatal(res.Body)
		}
	}
	f.WaitForPushes(2)
	f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "reply-2", "b": "Or Thursday."})
	if n := unread(t, f, "parentA"); n != 2 {
		t.Fatalf("parent unread %d, want 2 (the retry sent nothing)", n)
	}
	// The badge is the recipient's unread count when sent: 1, then 2
	// (the second was sent after the first push went out).
	var badges []int
	for _, m := range f.WaitForPushes(3) {
		if m.Token == "parent-phone" {
			badges = append(badges, m.Badge())
		}
	}
	slices.Sort(badges)
	if !slices.Equal(badges, []int{1, 2}) {
		t.Fatalf("parent's badges %v, want [1 2]", badges)
	}
	var read struct {
		MarkConversationRead struct{ UnreadCount int }
	}
	f.Do(f.token("parentA"), qRead, map[string]any{"c": c}).Decode(t, &read)
	if read.MarkConversationRead.UnreadCount != 0 || unread(t, f, "parentA") != 0 {
		t.Fatal("not read after markConversationRead")
	}
	// Newest first, older after the cursor.
	type msgPage struct {
		Conversation struct {
			Messages struct {
				Edges    []struct{ Node struct{ Body string } }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
	}
	var p1, page msgPage
	f.Do(f.token("parentA"), qMsgs, map[string]any{"c": c}).Decode(t, &p1)
	first := p1.Conversation.Messages
	f.Do(f.token("parentA"), qMsgs, map[string]any{"c": c, "after": first.PageInfo.EndCursor}).Decode(t, &page)
	got := []string{first.Edges[0].Node.Body, first.Edges[1].Node.Body, page.Conversation.Messages.Edges[0].Node.Body}
	if strings.Join(got, "|") != "Or Thursday.|Of course. Tomorrow at 3?|Could we talk about reading?" || page.Conversation.Messages.PageInfo.HasNextPage {
		t.Fatalf("messages: %v", got)
	}
	// Muted: no more pushes to that user, still counted unread? No: muted
	// conversations leave the badge.
	f.Do(f.token("parentA"), `mutation($c: ID!) { muteConversation(input: {conversationId: $c, muted: true}) { muted } }`, map[string]any{"c": c})
	f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "reply-3", "b": "See you then."})
	f.WaitJobsSettled() // the message's push job has run: it would have sent by now
	if n := f.FCM.CountByToken()["parent-phone"]; n != 2 {
		t.Fatalf("muted parent got %d pushes, want the 2 before muting", n)
	}
	if n := unread(t, f, "parentA"); n != 0 {
		t.Fatalf("muted conversation counts in the badge: %d", n)
	}
	var list struct {
		Conversations struct {
			Edges []struct{ Node struct{ UnreadCount int } }
		}
	}
	f.Do(f.token("parentA"), qConvs, nil).Decode(t, &list)
	if len(list.Conversations.Edges) != 1 || list.Conversations.Edges[0].Node.UnreadCount != 1 {
		t.Fatalf("the conversation itself still shows its unread message: %+v", list)
	}
}

func TestConversationAccess(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	for name, tc := range map[string]struct {
		who, student string
		with         []string
		want         string
	}{
		"parent about another child":     {"parentA", "s2", []string{"teacherA2"}, "NOT_FOUND"},
		"teacher of another school":      {"parentA", "s1", []string{"teacherB"}, "NOT_FOUND"},
		"teacher not teaching the child": {"parentA", "s1", []string{"teacherA2"}, "NOT_FOUND"},
		"the restricted guardian":        {"parentA", "s1", []string{"restrictedA"}, "NOT_FOUND"},
		"restricted guardian starting":   {"restrictedA", "s1", []string{"teacherA"}, "NOT_FOUND"},
		"teacher with the guardian":      {"teacherA", "s1", []string{"parentA"}, ""},
		"admin with the teacher":         {"adminA", "s2", []string{"teacherA2"}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			ids := []string{}
			for _, w := range tc.with {
				ids = append(ids, f.users[w].ID)
			}
			before := f.Count("conversations")
			res := f.Do(f.token(tc.who), qStart, map[string]any{"in": map[string]any{"clientMutationId": "x-" + strings.ReplaceAll(name, " ", "-"), "studentId": f.students[tc.student].ID,
				"participantIds": ids, "subject": "Hello", "body": "Hi"}})
			if res.Code() != tc.want {
				t.Fatalf("code %q, want %q: %s", res.Code(), tc.want, res.Body)
			}
			if tc.want != "" && f.Count("conversations") != before {
				t.Fatal("refused start wrote a conversation")
			}
		})
	}
	// Not a participant: not found, for staff of the school too.
	for _, who := range []string{"adminA", "teacherA2", "parentA2", "restrictedA", "teacherB"} {
		if res := f.Do(f.token(who), qSend, map[string]any{"c": c, "m": "nope", "b": "hi"}); res.Code() != "NOT_FOUND" {
			t.Errorf("%s sending: %s", who, res.Body)
		}
	}
	// Bad input.
	for name, vars := range map[string]map[string]any{
		"empty":    {"c": c, "m": "e1", "b": "   "},
		"too long": {"c": c, "m": "e2", "b": strings.Repeat("a", 4001)},
		"bad id":   {"c": "not-an-id", "m": "e3", "b": "hi"},
		"unknown":  {"c": "00000000-0000-4000-8000-000000000000", "m": "e4", "b": "hi"},
		"urgent":   {"c": c, "m": "e5", "b": "hi", "u": true},
		"no cmid":  {"c": c, "m": "", "b": "hi"},
	} {
		want := map[string]string{"empty": "BAD_USER_INPUT", "too long": "BAD_USER_INPUT", "bad id": "NOT_FOUND", "unknown": "NOT_FOUND", "urgent": "FORBIDDEN", "no cmid": "BAD_USER_INPUT"}[name]
		before := f.Count("messages")
		if res := f.Do(f.token("parentA"), qSend, vars); res.Code() != want || f.Count("messages") != before {
			t.Errorf("%s: %s", name, res.Body)
		}
	}
	// A guardian made restricted loses the conversation at once. (Pushes
	// for earlier messages go out first, so that only the next one counts.)
	f.WaitPushesIdle()
	f.DB.Model(&models.Guardianship{}).Where("user_id = ?", f.users["parentA"].ID).Update("restricted", true)
	if res := f.Do(f.token("parentA"), qMsgs, map[string]any{"c": c}); res.Code() != "NOT_FOUND" {
		t.Fatalf("restricted guardian still reads the conversation: %s", res.Body)
	}
	f.RegisterDevice(f.token("parentA"), "now-restricted-phone")
	f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "after-restriction", "b": "Any news?"})
	f.WaitPushesIdle()
	if n := f.FCM.CountByToken()["now-restricted-phone"]; n != 0 {
		t.Fatalf("restricted guardian got %d pushes", n)
	}
}

// 20 concurrent senders and readers: every message gets its own sequence
// number, and the unread counts match the read state exactly.
func TestUnreadExactUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	var wg sync.WaitGroup
	errs := make(chan string, 60)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		who := []string{"parentA", "teacherA"}[i%2]
		go func() {
			defer wg.Done()
			if res := f.Do(f.token(who), qSend, map[string]any{"c": c, "m": fmt.Sprintf("c-%d", i), "b": fmt.Sprintf("message %d", i)}); res.Code() != "" {
				errs <- res.Body
			}
		}()
		go func() {
			defer wg.Done()
			if res := f.Do(f.token(who), qRead, map[string]any{"c": c}); res.Code() != "" {
				errs <- res.Body
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	var seqs []int64
	f.DB.Model(&models.Message{}).Where("conversation_id = ?", c).Order("seq").Pluck("seq", &seqs)
	if len(seqs) != 21 || seqs[0] != 1 || seqs[20] != 21 {
		t.Fatalf("sequence numbers %v, want 1..21", seqs)
	}
	for _, who := range []string{"parentA", "teacherA"} {
		var p models.ConversationParticipant
		f.DB.Take(&p, "conversation_id = ? AND user_id = ?", c, f.users[who].ID)
		var want int64
		f.DB.Model(&models.Message{}).Where("conversation_id = ? AND seq > ? AND sender_id <> ?", c, p.LastReadSeq, f.users[who].ID).Count(&want)
		if got := unread(t, f, who); int64(got) != want {
			t.Fatalf("%s: unread %d, but %d messages after their last read (%d)", who, got, want, p.LastReadSeq)
		}
	}
	f.Do(f.token("teacherA"), qRead, map[string]any{"c": c})
	if n := unread(t, f, "teacherA"); n != 0 {
		t.Fatalf("teacher unread after reading: %d", n)
	}
}

// The app's SendMessage, as it sends it, runs at most sendStatements
// statements, counted on the wire for that request alone: every round
// trip is paid under load (make bench-live). Sign-in, and the message's
// statement, which is its whole write (whether the sender may still see
// the conversation, the retry record's claim, the message, its notice and
// push job, its place in the translation queue) and needs no BEGIN and
// COMMIT around it: 3 statements while the conversation was read first
// on every message; 6 while the push job went in with River's own
// insert, in a transaction; 7 while the retry record was claimed by a
// statement of its own.
func TestSendMessageStatements(t *testing.T) {
	t.Run("untranslated", func(t *testing.T) { sendMessageStatements(t, apptest.Options{}) })
	// With translation on, the same: the message is queued for it inside
	// its own statement, and its sender reads the body as written (no
	// translation is looked up for a text's author).
	t.Run("translated", func(t *testing.T) { sendMessageStatements(t, apptest.Options{Translate: true}) })
}

func sendMessageStatements(t *testing.T, o apptest.Options) {
	const sendStatements = 2
	f := newFixtureWith(t, o)
	c := f.start(t, "parentA", "s1", "teacherA", "adminA")
	op, err := os.ReadFile("../mobile-contracts/operations/SendMessage.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for i, urgentFromStaff := range []bool{false, true} {
		who := "teacherA"
		if urgentFromStaff {
			who = "adminA"
		}
		res, sent := f.DoRecording(f.token(who), string(op), map[string]any{"input": map[string]any{
			"conversationId": c, "clientMutationId": fmt.Sprintf("count-%d", i), "body": "Thursday works.", "urgent": urgentFromStaff}})
		var out struct {
			SendMessage struct {
				Message struct {
					ID, Body, CreatedAt string
					Urgent              bool
					Sender              struct{ ID, DisplayName string }
				}
			}
		}
		res.Decode(t, &out)
		got := out.SendMessage.Message
		if got.Body != "Thursday works." || got.Urgent != urgentFromStaff || got.Sender.ID != f.users[who].ID || got.Sender.DisplayName != who {
			t.Fatalf("answer: %s", res.Body)
		}
		// The answer is the message as stored, to the microsecond.
		var stored struct {
			Conversation struct {
				Messages struct {
					Edges []struct {
						Node struct{ ID, CreatedAt string }
					}
				}
			}
		}
		f.Do(f.token(who), `query($c: ID!) { conversation(id: $c) { messages(first: 1) { edges { node { id createdAt } } } } }`,
			map[string]any{"c": c}).Decode(t, &stored)
		if e := stored.Conversation.Messages.Edges; len(e) != 1 || e[0].Node.ID != got.ID || e[0].Node.CreatedAt != got.CreatedAt {
			t.Fatalf("stored %+v, answered %+v", e, got)
		}
		for _, s := range sent {
			line := strings.Join(strings.Fields(s.SQL), " ")
			t.Logf("  %s", line[:min(100, len(line))])
		}
		// An urgent message's conversation is read before its statement:
		// only the school's admin may send it, and whoever may not see the
		// conversation must learn nothing of its school.
		want := sendStatements
		if urgentFromStaff {
			want++
		}
		if n := len(sent); n > want {
			t.Errorf("sendMessage from %s: %d statements, want at most %d", who, n, want)
		}
	}
}

// A live subscriber's every message, as the app subscribes (its
// MessageAdded), costs one statement on the subscriber's instance, counted
// on the wire for that connection alone: the access check and the message
// together. The sender is read once a subscription (its loader keeps it).
// At 200 messages a second (make bench-live) it is paid per delivery.
//
// With translation on, the same one statement: the message's stored
// translation into the subscriber's language comes with it (a new message
// has none yet; the lookup of its own was 8,000 statements of a
// bench-live run, nearly all finding nothing). A text translated before
// arrives translated.
func TestLiveDeliveryStatements(t *testing.T) {
	t.Run("untranslated", func(t *testing.T) { liveDeliveryStatements(t, apptest.Options{}) })
	t.Run("translated", func(t *testing.T) { liveDeliveryStatements(t, apptest.Options{Translate: true}) })
}

func liveDeliveryStatements(t *testing.T, o apptest.Options) {
	f := newFixtureWith(t, o)
	c := f.start(t, "teacherA", "s1", "parentA")
	// A text the parent (reading Spanish) has had translated before.
	const again = "Thank you! Maya helped a classmate today."
	translated := ""
	if o.Translate {
		if r := f.Do(f.token("parentA"), `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { locale } }`,
			map[string]any{"in": map[string]any{"locale": "es-MX"}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
		if res := f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "live-before", "b": again}); res.Code() != "" {
			t.Fatal(res.Body)
		}
		f.WaitJobsSettled()
		// Its own translation: the conversation's first message has one too.
		if err := f.DB.Raw(`SELECT text FROM translations WHERE target = 'es' AND hash = sha256(convert_to(?, 'UTF8'))`, again).Scan(&translated).Error; err != nil || translated == "" || translated == again {
			t.Fatalf("the earlier text's translation: %q, %v", translated, err)
		}
	}
	op, err := os.ReadFile("../mobile-contracts/operations/MessageAdded.graphql")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f.SettleEvents()
	ws, statements, err := f.DialWSRecording(ctx, map[string]any{"Authorization": "Bearer " + f.token("parentA")})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	f.subscribe(t, ctx, ws, "m", string(op), map[string]any{"conversationId": c})
	for i := range 4 {
		n := len(statements())
		body, wantBody := fmt.Sprintf("Live %d", i), fmt.Sprintf("Live %d", i)
		if i == 3 && o.Translate {
			body, wantBody = again, translated
		}
		if res := f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": fmt.Sprintf("live-%d", i), "b": body}); res.Code() != "" {
			t.Fatal(res.Body)
		}
		got, err := ws.Next(ctx, "m")
		// A new message's translation may be done before its delivery reads
		// it on a busy machine (the fake translates at once): then it
		// arrives translated ("[es] live 2"), as it should.
		if err != nil || got == nil || !strings.Contains(strings.ToLower(string(got.Data)), strings.ToLower(wantBody)) {
			t.Fatalf("delivery %d: %v %+v, want the body %q", i, err, got, wantBody)
		}
		sent := statements()[n:]
		for _, s := range sent {
			line := strings.Join(strings.Fields(s.SQL), " ")
			t.Logf("  %s", line[:min(100, len(line))])
		}
		want := 1
		if i == 0 {
			want = 2 // and the sender
		}
		t.Logf("delivery %d: %d statements", i, len(sent))
		if len(sent) > want {
			t.Errorf("delivery %d: %d statements, want at most %d", i, len(sent), want)
		}
	}
}

// A message's background work (its push fan-out and, with translation on,
// its translation) costs it no round trip of its own: the fan-out's job
// goes in with the message's own statement, and so does its place in the
// translation queue; both are there once it commits, and a message whose
// write fails leaves neither.
func TestMessageJobsInOneInsert(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Translate: true, NoWorkers: true})
	c := f.start(t, "parentA", "s1", "teacherA")
	// River's jobs but the translation drains (asked for after commits,
	// from outside the request), and the translation queue.
	count := func() (jobs, queued int64) {
		f.DB.Raw(`SELECT count(*) FROM river_job WHERE kind <> 'translate_drain'`).Scan(&jobs)
		f.DB.Raw(`SELECT count(*) FROM translation_queue`).Scan(&queued)
		return jobs, queued
	}
	before, queuedBefore := count()
	res, sent := f.DoRecording(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "jobs-1", "b": "Reading log, page 4."})
	if res.Code() != "" {
		t.Fatal(res.Body)
	}
	inserts, queues, alone, jobAlone := 0, 0, 0, 0
	for _, s := range sent {
		if strings.Contains(s.SQL, "JobInsert") || strings.Contains(s.SQL, "INSERT INTO river_job") {
			inserts++
			if !strings.Contains(s.SQL, "INSERT INTO messages") {
				jobAlone++
			}
		}
		if strings.Contains(s.SQL, "INSERT INTO translation_queue") {
			queues++
			if !strings.Contains(s.SQL, "INSERT INTO messages") {
				alone++
			}
		}
	}
	var kinds []string
	f.DB.Raw(`SELECT kind FROM river_job WHERE kind <> 'translate_drain' ORDER BY id OFFSET ?`, before).Scan(&kinds)
	var item string
	f.DB.Raw(`SELECT kind || ' ' || item_id FROM translation_queue ORDER BY id OFFSET ?`, queuedBefore).Scan(&item)
	if inserts != 1 || jobAlone != 0 || !slices.Equal(kinds, []string{"push_fan_out"}) {
		t.Fatalf("%d job inserts (%d of them not the message's own statement), jobs %v; want the message's statement to insert a fan-out", inserts, jobAlone, kinds)
	}
	if queues != 1 || alone != 0 || !strings.HasPrefix(item, "message ") {
		t.Fatalf("%d statements queued the translation (%d of them not the message's own), queued %q", queues, alone, item)
	}
	// A send refused inside its transaction (an attachment that is not
	// the sender's) writes neither message nor job.
	res = f.Do(f.token("teacherA"), `mutation($c: ID!) { sendMessage(input: {conversationId: $c, clientMutationId: "jobs-2", body: "See attached.", attachmentIds: ["00000000-0000-4000-8000-000000000000"]}) { message { id } } }`, map[string]any{"c": c})
	if res.Code() == "" {
		t.Fatalf("an unknown attachment was accepted: %s", res.Body)
	}
	if jobs, queued := count(); jobs != before+1 || queued != queuedBefore+1 {
		t.Fatalf("%d jobs and %d queued translations after the refused send, want %d and %d", jobs, queued, before+1, queuedBefore+1)
	}
}

// A tablet on flaky wifi sends a message again with the same
// clientMutationId (the first answer was lost): the answer is the first
// message as written, nothing more is stored, and nobody is told twice.
// The retry record is claimed by the message's own statement, so a retry
// writes nothing at all (not the message, nor the conversation's sequence,
// nor a notice) before it reads the first answer back.
func TestSendMessageRetried(t *testing.T) {
	f := newFixture(t)
	f.RegisterDevice(f.token("teacherA"), "teacher-retry-tablet")
	c := f.start(t, "parentA", "s1", "teacherA")
	f.WaitPushesIdle()
	type sent struct {
		SendMessage struct {
			Message struct{ ID, Body, CreatedAt string }
		}
	}
	send := func(body string) sent {
		t.Helper()
		var out sent
		f.Do(f.token("parentA"), `mutation($in: SendMessageInput!) { sendMessage(input: $in) { message { id body createdAt } } }`,
			map[string]any{"in": map[string]any{"conversationId": c, "clientMutationId": "retried-1", "body": body}}).Decode(t, &out)
		return out
	}
	state := func() (messages, lastSeq, notices int64) {
		t.Helper()
		f.DB.Raw(`SELECT count(*) FROM messages WHERE conversation_id = ?`, c).Scan(&messages)
		f.DB.Raw(`SELECT last_seq FROM conversations WHERE id = ?`, c).Scan(&lastSeq)
		f.DB.Raw(`SELECT count(*) FROM notifications WHERE data ->> 'conversationId' = ?`, c).Scan(&notices)
		return
	}
	first := send("Thursday works.")
	f.WaitPushesIdle()
	messages, lastSeq, notices := state()
	pushes := f.FCM.CountByToken()["teacher-retry-tablet"]
	if messages != 2 || lastSeq != 2 || notices != 2 || pushes != 2 {
		t.Fatalf("after the first send: %d messages, last seq %d, %d notices, %d pushes; want 2, 2, 2, 2", messages, lastSeq, notices, pushes)
	}
	again := send("Thursday works!")
	f.WaitPushesIdle()
	if again.SendMessage.Message != first.SendMessage.Message {
		t.Fatalf("the retry answered %+v, want the first message %+v", again.SendMessage.Message, first.SendMessage.Message)
	}
	m2, s2, n2 := state()
	if p2 := f.FCM.CountByToken()["teacher-retry-tablet"]; m2 != messages || s2 != lastSeq || n2 != notices || p2 != pushes {
		t.Fatalf("after the retry: %d messages, last seq %d, %d notices, %d pushes; want %d, %d, %d, %d", m2, s2, n2, p2, messages, lastSeq, notices, pushes)
	}
}
