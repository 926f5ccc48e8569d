package graph_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/auth"
)

// Every messaging operation and subscription, for a conversation about s1
// between parentA and teacherA, as each kind of person: the two
// participants may; nobody else learns it exists (NOT_FOUND, not even the
// school's admin: conversations are private to their participants), and
// a refusal writes nothing.
func TestMessagingAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	ops := map[string]struct {
		query string
		vars  map[string]any
	}{
		"conversation":         {`query($c: ID!) { conversation(id: $c) { id messages { edges { node { body } } } } }`, map[string]any{"c": c}},
		"sendMessage":          {qSend, map[string]any{"c": c, "m": "matrix", "b": "hello"}},
		"markConversationRead": {qRead, map[string]any{"c": c}},
		"muteConversation":     {`mutation($c: ID!) { muteConversation(input: {conversationId: $c, muted: true}) { muted } }`, map[string]any{"c": c}},
	}
	outsiders := []string{"restrictedA", "parentA2", "teacherA2", "adminA", "teacherB", "adminB", "parentB"}
	for _, who := range append([]string{"anonymous"}, outsiders...) {
		for op, o := range ops {
			t.Run(who+"/"+op, func(t *testing.T) {
				token, want := "", "NOT_FOUND"
				if who == "anonymous" {
					want = "UNAUTHENTICATED"
				} else {
					token = f.token(who)
				}
				before := f.Snapshot()
				res := f.Do(token, o.query, o.vars)
				data := string(res.Data)
				if res.Code() != want || (data != "" && data != "null" && data != `{"conversation":null}`) {
					t.Fatalf("want %s and no data, got %s", want, res.Body)
				}
				apptest.SameCounts(t, before, f.Snapshot())
			})
		}
		if who == "anonymous" {
			continue
		}
		t.Run(who+"/lists", func(t *testing.T) {
			var out struct {
				Viewer        struct{ UnreadCount int }
				Conversations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			f.Do(f.token(who), qConvs, nil).Decode(t, &out)
			if len(out.Conversations.Edges) != 0 || out.Viewer.UnreadCount != 0 {
				t.Fatalf("an outsider sees %+v", out)
			}
		})
		t.Run(who+"/messageAdded", func(t *testing.T) {
			ctx, cancel := apptest.WithTimeout()
			defer cancel()
			ws := f.live(t, ctx, who)
			sendSubscribe(t, ctx, ws, "m", `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": c})
			got, err := ws.Next(ctx, "m")
			if err != nil || got == nil || got.Code() != "NOT_FOUND" {
				t.Fatalf("want NOT_FOUND, got %v %+v", err, got)
			}
		})
	}
	// Without a token there is no websocket at all.
	t.Run("anonymous/subscriptions", func(t *testing.T) {
		ctx, cancel := apptest.WithTimeout()
		defer cancel()
		_, err := f.DialWS(ctx, map[string]any{})
		var ce *apptest.CloseError
		if !errors.As(err, &ce) || ce.Code != auth.WebsocketCloseUnauthenticated {
			t.Fatalf("want close 4403, got %v", err)
		}
	})
	// The participants may do all of it.
	for _, who := range []string{"parentA", "teacherA"} {
		for _, op := range []string{"conversation", "sendMessage", "markConversationRead", "muteConversation"} {
			o := ops[op]
			vars := map[string]any{}
			for k, v := range o.vars {
				vars[k] = v
			}
			vars["m"] = "matrix-" + who
			if res := f.Do(f.token(who), o.query, vars); res.Code() != "" {
				t.Errorf("%s/%s: %s", who, op, res.Body)
			}
		}
	}
	// Starting conversations: whom each may start one with.
	for name, tc := range map[string]struct {
		who, student string
		with         []string
		want         string
	}{
		"parent with own child's teacher":   {"parentA", "s1", []string{"teacherA"}, ""},
		"parent with an admin":              {"parentA", "s1", []string{"adminA"}, ""},
		"parent with another class teacher": {"parentA", "s1", []string{"teacherA2"}, "NOT_FOUND"},
		"parent about another child":        {"parentA", "s2", []string{"teacherA2"}, "NOT_FOUND"},
		"parent with another parent":        {"parentA", "s1", []string{"parentA2"}, "NOT_FOUND"},
		"restricted guardian":               {"restrictedA", "s1", []string{"teacherA"}, "NOT_FOUND"},
		"teacher with the guardian":         {"teacherA", "s1", []string{"parentA"}, ""},
		"teacher with restricted guardian":  {"teacherA", "s1", []string{"restrictedA"}, "NOT_FOUND"},
		"teacher about another class":       {"teacherA", "s2", []string{"parentA2"}, "NOT_FOUND"},
		"admin with any guardian":           {"adminA", "s2", []string{"parentA2"}, ""},
		"admin of another school":           {"adminB", "s1", []string{"parentA"}, "NOT_FOUND"},
		"teacher of another school":         {"teacherB", "s1", []string{"parentA"}, "NOT_FOUND"},
	} {
		t.Run("start/"+name, func(t *testing.T) {
			ids := []string{}
			for _, w := range tc.with {
				ids = append(ids, f.users[w].ID)
			}
			before := f.Snapshot()
			res := f.Do(f.token(tc.who), qStart, map[string]any{"in": map[string]any{"clientMutationId": "authz-" + strings.ReplaceAll(name, " ", "-"), "studentId": f.students[tc.student].ID,
				"participantIds": ids, "subject": "Hello", "body": "Hi"}})
			if res.Code() != tc.want {
				t.Fatalf("code %q, want %q: %s", res.Code(), tc.want, res.Body)
			}
			if tc.want != "" {
				apptest.SameCounts(t, before, f.Snapshot())
			}
		})
	}
}

// A guardian removed from the student's guardianship (not just
// restricted) while subscribed: the next message is not delivered and
// messageAdded ends; viewerEvents skips it and carries on with what the
// parent may still see (a general conversation with the school).
func TestSubscriptionAfterGuardianshipRemoved(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	var general struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	f.Do(f.token("parentA"), qStart, map[string]any{"in": map[string]any{"clientMutationId": "general", "schoolId": f.students["s1"].SchoolID,
		"participantIds": []string{f.users["adminA"].ID}, "subject": "Bus times", "body": "When does the late bus leave?"}}).Decode(t, &general)
	g := general.StartConversation.Conversation.ID
	if g == "" {
		t.Fatal("no general conversation")
	}
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws := f.live(t, ctx, "parentA")
	f.subscribe(t, ctx, ws, "m", `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": c})
	f.subscribe(t, ctx, ws, "v", `subscription { viewerEvents { type message { body } } }`, nil)
	f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "g1", "b": "Before"})
	for _, id := range []string{"m", "v"} {
		if got, err := ws.Next(ctx, id); err != nil || got == nil || !strings.Contains(string(got.Data), "Before") {
			t.Fatalf("%s before removal: %v %+v", id, err, got)
		}
	}
	if err := f.DB.Where("user_id = ? AND student_id = ?", f.users["parentA"].ID, f.students["s1"].ID).Delete(&models.Guardianship{}).Error; err != nil {
		t.Fatal(err)
	}
	f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "g2", "b": "After"})
	f.Do(f.token("adminA"), qSend, map[string]any{"c": g, "m": "g3", "b": "Marker"})
	if got, err := ws.Next(ctx, "m"); err != nil || got != nil {
		t.Fatalf("messageAdded after removal: want completed, got %v %+v", err, got)
	}
	// One instance publishes its events in the order its writes commit:
	// had "After" been delivered, it would come before the marker.
	got, err := ws.Next(ctx, "v")
	if err != nil || got == nil || !strings.Contains(string(got.Data), "Marker") {
		t.Fatalf("viewerEvents after removal: want the marker next, got %v %+v", err, got)
	}
}

// A parent who wrote in a conversation (its server has it in memory since)
// and is then restricted sends nothing more: the message's own statement
// checks, on every message, that the sender may still see the
// conversation, and writes nothing (not the message, not the retry record,
// no push) when they may not. The teacher's next message still goes.
func TestSendMessageChecksAccessEveryTime(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	if res := f.Do(f.token("parentA"), qSend, map[string]any{"c": c, "m": "every-1", "b": "Before"}); res.Code() != "" {
		t.Fatal(res.Body)
	}
	if err := f.DB.Model(&models.Guardianship{}).Where("user_id = ? AND student_id = ?", f.users["parentA"].ID, f.students["s1"].ID).
		Update("restricted", true).Error; err != nil {
		t.Fatal(err)
	}
	before := f.Snapshot()
	res := f.Do(f.token("parentA"), qSend, map[string]any{"c": c, "m": "every-2", "b": "After"})
	if res.Code() != "NOT_FOUND" {
		t.Fatalf("a restricted guardian's message: want NOT_FOUND, got %s", res.Body)
	}
	apptest.SameCounts(t, before, f.Snapshot())
	// The same request again (the app retries): still nothing.
	if res := f.Do(f.token("parentA"), qSend, map[string]any{"c": c, "m": "every-2", "b": "After"}); res.Code() != "NOT_FOUND" {
		t.Fatalf("the retry: want NOT_FOUND, got %s", res.Body)
	}
	apptest.SameCounts(t, before, f.Snapshot())
	if res := f.Do(f.token("teacherA"), qSend, map[string]any{"c": c, "m": "every-3", "b": "Teacher"}); res.Code() != "" {
		t.Fatalf("the teacher's message: %s", res.Body)
	}
}
