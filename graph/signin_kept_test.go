package graph_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// An instance keeps the viewer it signed a user in with, and their feed's
// page (one statement) checks in its own snapshot that nothing a sign-in
// reads has changed. Whoever changes a user's access (an admin, the
// roster, another instance: here the database directly), the next page
// counts it.
func TestFeedSeesAccessChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	f.threeChildren(t, 6)
	feed := func(tok string) (items int, statements int64) {
		t.Helper()
		var p feedPage
		res, n := f.DoCounting(tok, qFeed, map[string]any{"first": 20})
		res.Decode(t, &p)
		return len(p.Feed.Edges), n
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := f.DB.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	parent, school := f.users["parentA"], f.classrooms["a1"].SchoolID
	tok := f.token("parentA")
	feed(tok) // signs in
	if items, n := feed(tok); items != 6 || n != 1 {
		t.Fatalf("signed in before: %d items in %d statements, want 6 in 1", items, n)
	}

	exec(`DELETE FROM memberships WHERE user_id = ?`, parent.ID)
	if items, _ := feed(tok); items != 0 {
		t.Fatalf("the parent's membership taken away: the feed still shows %d notes", items)
	}
	exec(`INSERT INTO memberships (user_id, school_id, role) VALUES (?, ?, 'PARENT')`, parent.ID, school)
	if items, _ := feed(tok); items != 6 {
		t.Fatalf("the membership given back: %d notes, want 6", items)
	}

	// Someone with no school yet, made the district's admin.
	newcomer := &models.User{FirebaseUID: "fx-newcomer", DisplayName: "Newcomer", Locale: "en-US", TimeZone: "UTC"}
	if err := f.DB.Create(newcomer).Error; err != nil {
		t.Fatal(err)
	}
	ntok := f.TokenFor(newcomer)
	for range 2 { // signed in, then kept
		if items, _ := feed(ntok); items != 0 {
			t.Fatalf("the newcomer sees %d notes", items)
		}
	}
	district := &models.District{Name: "North", TimeZone: "UTC"}
	if err := f.DB.Create(district).Error; err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO district_admins (district_id, user_id) VALUES (?, ?)`, district.ID, newcomer.ID)
	exec(`UPDATE schools SET district_id = ? WHERE id = ?`, district.ID, school)
	if items, _ := feed(ntok); items != 6 {
		t.Fatalf("made the admin of the school's district: %d notes, want 6", items)
	}
	exec(`UPDATE schools SET district_id = NULL WHERE id = ?`, school)
	if items, _ := feed(ntok); items != 0 {
		t.Fatalf("the school gone from the district: its admin still sees %d notes", items)
	}

	// The newcomer's account merged into the parent's: their sign-in now
	// leads to the parent.
	exec(`INSERT INTO user_aliases (firebase_uid, user_id) VALUES ('fx-newcomer', ?)`, parent.ID)
	exec(`DELETE FROM users WHERE id = ?`, newcomer.ID)
	if items, _ := feed(ntok); items != 6 {
		t.Fatalf("merged into the parent's account: %d notes, want the parent's 6", items)
	}
}

// A lone sendMessage from a user this instance signed in before is one
// statement: the message's own statement checks the kept viewer's access
// stamp and writes nothing if it no longer holds; the resolver then signs
// in and sends as for anyone. Access taken away, given back and a new
// name each count on the very next message.
func TestSendMessageSeesAccessChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	teacher := f.users["teacherA"]
	c := f.start(t, "teacherA", "s1", "parentA") // signs in; the instance knows the conversation
	tok := f.token("teacherA")
	const q = `mutation($c: ID!, $m: String!, $b: String!) { sendMessage(input: {conversationId: $c, clientMutationId: $m, body: $b}) { message { id body sender { id displayName } } } }`
	type sent struct {
		SendMessage struct {
			Message struct {
				ID, Body string
				Sender   struct{ ID, DisplayName string }
			}
		}
	}
	send := func(cmid, body string) (out sent, code string, statements int64) {
		t.Helper()
		res, n := f.DoCounting(tok, q, map[string]any{"c": c, "m": cmid, "b": body})
		if code = res.Code(); code == "" {
			res.Decode(t, &out)
		}
		return out, code, n
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := f.DB.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	messages := func() int64 { return f.Count("messages") }

	first, code, n := send("kept-1", "Lena read two chapters today.")
	if code != "" || first.SendMessage.Message.Body != "Lena read two chapters today." || n != 1 {
		t.Fatalf("signed in before: code %q, %+v, in %d statements; want the message in 1", code, first, n)
	}
	// The same request again (the app retrying): the first's message,
	// nothing written.
	before := messages()
	if again, code, _ := send("kept-1", "Lena read two chapters today."); code != "" || again.SendMessage.Message.ID != first.SendMessage.Message.ID || messages() != before {
		t.Fatalf("the retry: code %q, message %s (want %s), %d messages (want %d)", code, again.SendMessage.Message.ID, first.SendMessage.Message.ID, messages(), before)
	}

	// The teacher's membership taken away: nothing is written, not even
	// the retry record, and the answer is the one a sign-in gives.
	var school string
	if err := f.DB.Raw(`SELECT school_id FROM conversations WHERE id = ?`, c).Scan(&school).Error; err != nil {
		t.Fatal(err)
	}
	exec(`DELETE FROM memberships WHERE user_id = ?`, teacher.ID)
	claims := f.Count("client_mutations")
	if _, code, _ := send("kept-2", "Still there?"); code != "NOT_FOUND" || messages() != before || f.Count("client_mutations") != claims {
		t.Fatalf("the membership taken away: code %q, %d messages (want %d), %d retry records (want %d)", code, messages(), before, f.Count("client_mutations"), claims)
	}
	exec(`INSERT INTO memberships (user_id, school_id, role) VALUES (?, ?, 'TEACHER')`, teacher.ID, school)
	if _, code, n := send("kept-3", "Back again."); code != "" || messages() != before+1 || n != 3 {
		t.Fatalf("the membership given back: code %q, %d messages (want %d), %d statements (want 3: the refused statement, sign-in, the message)", code, messages(), before+1, n)
	}

	// A new name: the next message's sender has it.
	exec(`UPDATE users SET display_name = 'Ms. Okafor-Reyes' WHERE id = ?`, teacher.ID)
	renamed, code, n := send("kept-4", "My name changed.")
	if code != "" || renamed.SendMessage.Message.Sender.DisplayName != "Ms. Okafor-Reyes" || n != 3 {
		t.Fatalf("renamed: code %q, sender %q, %d statements; want the new name in 3 (the refused statement, sign-in, the message)", code, renamed.SendMessage.Message.Sender.DisplayName, n)
	}
	if _, code, n := send("kept-5", "And again."); code != "" || n != 1 {
		t.Fatalf("after the new name: code %q in %d statements; want 1", code, n)
	}
}

// A live subscriber's access is the socket's sign-in, checked again for
// every message it delivers; a change to what that sign-in read counts at
// once even when no code of the app's made it (an operator, or
// another system writing the database): the delivery's statement sees the
// user's access version grown, delivers nothing, and every socket of the
// user closes (4401) for the app to sign in again.
func TestLiveDeliverySeesAccessChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws := f.live(t, ctx, "parentA")
	f.subscribe(t, ctx, ws, "m", `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": c})
	teacher := f.token("teacherA")
	if res := f.Do(teacher, qSend, map[string]any{"c": c, "m": "live-1", "b": "Lena loved the library today."}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	if got, err := ws.Next(ctx, "m"); err != nil || got == nil || !strings.Contains(got.Body, "library") {
		t.Fatalf("the first message: %v %+v", err, got)
	}
	if err := f.DB.Exec(`DELETE FROM memberships WHERE user_id = ?`, f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}
	if res := f.Do(teacher, qSend, map[string]any{"c": c, "m": "live-2", "b": "Not for a former member."}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	// Nothing more is delivered (the subscription may complete first),
	// and the socket closes with 4401.
	closed := func(id, what string) {
		t.Helper()
		for {
			got, err := ws.Next(ctx, id)
			var ce *apptest.CloseError
			if errors.As(err, &ce) && ce.Code == 4401 {
				return
			}
			if err != nil || got != nil {
				t.Fatalf("%s: want nothing more and the socket closed with 4401, got %v %+v", what, err, got)
			}
		}
	}
	closed("m", "the membership taken away (no event from the app)")

	// A note shared to a socket listening for the viewer's events, the
	// same way.
	if err := f.DB.Exec(`INSERT INTO memberships (user_id, school_id, role) VALUES (?, ?, 'PARENT')`, f.users["parentA"].ID, f.students["s1"].SchoolID).Error; err != nil {
		t.Fatal(err)
	}
	ws = f.live(t, ctx, "parentA") // signs in again
	f.subscribe(t, ctx, ws, "v", `subscription { viewerEvents { type observation { body } } }`, nil)
	f.note(t, "teacherA", "s1", "live-note-1", "POSITIVE", "SHARED", "Lena shared her crayons.")
	if got, err := ws.Next(ctx, "v"); err != nil || got == nil || !strings.Contains(got.Body, "crayons") {
		t.Fatalf("the first note: %v %+v", err, got)
	}
	if err := f.DB.Exec(`DELETE FROM memberships WHERE user_id = ?`, f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}
	f.note(t, "teacherA", "s1", "live-note-2", "POSITIVE", "SHARED", "Not for a former member either.")
	closed("v", "the membership taken away again")
}
