package graph_test

import (
	"testing"

	"github.com/sameside/sameside/models"
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
