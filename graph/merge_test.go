package graph_test

import (
	"strings"
	"testing"
)

const qMerge = `mutation($from: ID!, $into: ID!) { mergeAccounts(input: {fromUserId: $from, intoUserId: $into}) { id displayName } }`

// TestMergeAccounts: one parent with two accounts (one per child, the second
// having written a message and reacted to a note). An admin of their school
// merges them: the remaining account has both children, the message and the
// reaction and its notifications; the merged account's sign-in reaches it;
// the merged account is gone. Teachers, the parent and other schools' admins cannot.
func TestMergeAccounts(t *testing.T) {
	f := newFixture(t)
	from, into := f.users["parentA2"], f.users["parentA"]
	fromToken := f.token("parentA2")
	f.RegisterDevice(fromToken, "a2-phone")
	conv := f.start(t, "parentA2", "s2", "teacherA2")
	note := f.note(t, "teacherA2", "s2", "m-1", "POSITIVE", "SHARED", "Shared the crayons.")
	if r := f.Do(fromToken, `mutation($id: ID!) { acknowledgeObservation(input: {id: $id, reaction: HEART}) { id } }`, map[string]any{"id": note}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	f.WaitPushesIdle()
	// The notifications of the merged account (the note's push): their
	// rows name their user without a foreign key, and move all the same.
	rows := func(user string) (recipients, deliveries int64) {
		t.Helper()
		if err := f.DB.Raw(`SELECT (SELECT count(*) FROM notification_recipients WHERE user_id = @u), (SELECT count(*) FROM notification_deliveries WHERE user_id = @u)`,
			map[string]any{"u": user}).Row().Scan(&recipients, &deliveries); err != nil {
			t.Fatal(err)
		}
		return recipients, deliveries
	}
	fromR, fromD := rows(from.ID)
	intoR, intoD := rows(into.ID)
	if fromR == 0 || fromD == 0 {
		t.Fatalf("before the merge: %d recipient rows, %d delivery rows of the account merged", fromR, fromD)
	}
	vars := map[string]any{"from": from.ID, "into": into.ID}
	for who, want := range map[string]string{"teacherA": "FORBIDDEN", "parentA": "FORBIDDEN", "adminB": "NOT_FOUND"} {
		if r := f.Do(f.token(who), qMerge, vars); r.Code() != want {
			t.Errorf("%s: want %s, got %s", who, want, r.Body)
		}
	}
	if r := f.Do(f.token("adminA"), qMerge, map[string]any{"from": into.ID, "into": into.ID}); r.Code() != "BAD_USER_INPUT" {
		t.Errorf("an account into itself: %s", r.Body)
	}
	if r := f.Do(f.token("adminA"), qMerge, vars); r.Code() != "" {
		t.Fatal(r.Body)
	}
	// The merged account's sign-in now reaches the remaining account.
	for _, tok := range []string{fromToken, f.token("parentA")} {
		var v struct {
			Viewer struct {
				ID       string
				Children []struct{ ID string }
			}
		}
		f.Do(tok, `{ viewer { id children { id } } }`, nil).Decode(t, &v)
		if v.Viewer.ID != into.ID || len(v.Viewer.Children) != 2 {
			t.Fatalf("after the merge a sign-in reaches %+v", v.Viewer)
		}
	}
	var senders []string
	f.DB.Raw("SELECT sender_id::text FROM messages WHERE conversation_id = ?", conv).Scan(&senders)
	if len(senders) != 1 || senders[0] != into.ID {
		t.Fatalf("the message's sender: %v", senders)
	}
	var acks []string
	f.DB.Raw("SELECT user_id::text FROM acknowledgements WHERE observation_id = ?", note).Scan(&acks)
	if strings.Join(acks, ",") != into.ID {
		t.Fatalf("the reaction's author: %v", acks)
	}
	if r, d := rows(into.ID); r != intoR+fromR || d != intoD+fromD {
		t.Fatalf("after the merge: %d recipient rows and %d delivery rows, want %d and %d", r, d, intoR+fromR, intoD+fromD)
	}
	var left int64
	f.DB.Raw("SELECT count(*) FROM users WHERE id = ?", from.ID).Scan(&left)
	if left != 0 {
		t.Fatal("the merged account is still there")
	}
}
