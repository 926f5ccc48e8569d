package graph_test

import (
	"slices"
	"testing"
)

// Messages show who has read them: the family sees that the teacher read
// their message, the teacher that the family read theirs; a message is
// never "read" by its own sender, and reading moves only forward.
func TestMessageReadReceipts(t *testing.T) {
	f := newFixture(t)
	var started struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	f.Do(f.token("teacherA"), `mutation($in: StartConversationInput!) { startConversation(input: $in) { conversation { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "rr-1", "studentId": f.students["s1"].ID, "participantIds": []string{f.users["parentA"].ID},
			"subject": "Reading log", "body": "He read every night this week."}}).Decode(t, &started)
	conv := started.StartConversation.Conversation.ID
	readers := func(who string) [][]string {
		t.Helper()
		var c struct {
			Conversation struct {
				Messages struct {
					Edges []struct {
						Node struct{ ReadBy []struct{ ID string } }
					}
				}
			}
		}
		f.Do(f.token(who), `query($id: ID!) { conversation(id: $id) { messages(first: 10) { edges { node { readBy { id } } } } } }`, map[string]any{"id": conv}).Decode(t, &c)
		var out [][]string
		for _, e := range c.Conversation.Messages.Edges { // newest first
			ids := []string{}
			for _, u := range e.Node.ReadBy {
				ids = append(ids, u.ID)
			}
			out = append(out, ids)
		}
		return out
	}
	markRead := func(who string) {
		t.Helper()
		if res := f.Do(f.token(who), `mutation($c: ID!) { markConversationRead(input: {conversationId: $c}) { id } }`, map[string]any{"c": conv}); res.Code() != "" {
			t.Fatal(res.Body)
		}
	}
	parent, teacher := f.users["parentA"].ID, f.users["teacherA"].ID
	if got := readers("teacherA"); len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("unread, the teacher sees readers %v", got)
	}
	markRead("parentA")
	if got := readers("teacherA"); !slices.Equal(got[0], []string{parent}) {
		t.Fatalf("after the parent read it, the teacher sees %v", got)
	}
	if res := f.Do(f.token("parentA"), `mutation($c: ID!) { sendMessage(input: {clientMutationId: "rr-2", conversationId: $c, body: "Thank you!"}) { message { id } } }`,
		map[string]any{"c": conv}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	if got := readers("parentA"); len(got) != 2 || len(got[0]) != 0 || !slices.Equal(got[1], []string{parent}) {
		t.Fatalf("the parent's reply, unread: %v", got)
	}
	markRead("teacherA")
	if got := readers("parentA"); !slices.Equal(got[0], []string{teacher}) || !slices.Equal(got[1], []string{parent}) {
		t.Fatalf("after the teacher read the reply, the parent sees %v", got)
	}
}

// messageDraftHints gives a message the advice a note gets; a message
// about a concern is held to a concern's rules.
func TestMessageDraftHints(t *testing.T) {
	f := newFixture(t)
	codes := func(body string, concern bool) []string {
		t.Helper()
		var h struct {
			MessageDraftHints []struct{ Code, Excerpt string }
		}
		f.Do(f.token("teacherA"), `query($b: String!, $c: Boolean) { messageDraftHints(body: $b, concern: $c) { code excerpt } }`,
			map[string]any{"b": body, "c": concern}).Decode(t, &h)
		var out []string
		for _, x := range h.MessageDraftHints {
			out = append(out, x.Code)
		}
		return out
	}
	if got := codes("He is always rude.", true); !slices.Equal(got, []string{"ABSOLUTE", "LABEL", "NO_INVITATION", "TOO_SHORT"}) {
		t.Fatalf("a concern: %v", got)
	}
	if got := codes("He is always rude.", false); !slices.Equal(got, []string{"ABSOLUTE", "LABEL"}) {
		t.Fatalf("not a concern: %v", got)
	}
	if got := codes("Today he waited for his turn at the slide twice and then helped a friend down. Have you noticed this at home?", true); len(got) != 0 {
		t.Fatalf("a good message: %v", got)
	}
	if res := f.Do(f.token("teacherA"), `query($b: String!) { messageDraftHints(body: $b) { code } }`, map[string]any{"b": longText(4001)}); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("too long: %s", res.Body)
	}
}
