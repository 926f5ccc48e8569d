package graph_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// Two server instances on one database: a parent subscribed on the first
// receives the teacher's message sent through the second; once the parent
// may no longer see the conversation, the next message is not delivered and
// the subscription ends.
func TestSubscriptionsAcrossInstances(t *testing.T) {
	f := newFixture(t)
	second := f.Sibling(t)
	c := f.start(t, "parentA", "s1", "teacherA")

	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws := f.live(t, ctx, "parentA")
	f.subscribe(t, ctx, ws, "m", `subscription($c: ID!) { messageAdded(conversationId: $c) { body sender { id } } }`, map[string]any{"c": c})

	res := second.Do(second.TokenFor(f.users["teacherA"]), qSend, map[string]any{"c": c, "m": "x1", "b": "Sent through the second instance"})
	if res.Code() != "" {
		t.Fatal(res.Body)
	}
	got, err := ws.Next(ctx, "m")
	if err != nil || got == nil || !strings.Contains(got.Body, "Sent through the second instance") {
		t.Fatalf("subscriber on the first instance: %v %+v", err, got)
	}

	// The parent is made a restricted guardian: the next message is not
	// delivered, and the subscription completes.
	f.DB.Model(&models.Guardianship{}).Where("user_id = ?", f.users["parentA"].ID).Update("restricted", true)
	second.Do(second.TokenFor(f.users["teacherA"]), qSend, map[string]any{"c": c, "m": "x2", "b": "You should not see this"})
	got, err = ws.Next(ctx, "m")
	if err != nil || got != nil {
		t.Fatalf("after restriction: want the subscription completed, got %v %+v", err, got)
	}
}

func TestViewerEventsAndRefusals(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "parentA", "s1", "teacherA")
	ctx, cancel := apptest.WithTimeout()
	defer cancel()
	ws := f.live(t, ctx, "teacherA")
	f.subscribe(t, ctx, ws, "v", `subscription { viewerEvents { type conversationId unreadCount message { body } } }`, nil)
	f.Do(f.token("parentA"), qSend, map[string]any{"c": c, "m": "v1", "b": "One more thing"})
	got, err := ws.Next(ctx, "v")
	if err != nil || got == nil || !strings.Contains(got.Body, `"type":"NEW_MESSAGE"`) || !strings.Contains(got.Body, `"unreadCount":2`) {
		t.Fatalf("viewer event: %v %+v", err, got)
	}
	f.Do(f.token("teacherA"), qRead, map[string]any{"c": c})
	got, err = ws.Next(ctx, "v")
	if err != nil || got == nil || !strings.Contains(got.Body, `"type":"UNREAD_COUNT_CHANGED"`) || !strings.Contains(got.Body, `"unreadCount":0`) {
		t.Fatalf("unread event: %v %+v", err, got)
	}
	// A conversation the viewer is not in: an error for that subscription,
	// and the connection stays open.
	other := f.live(t, ctx, "teacherA2")
	sendSubscribe(t, ctx, other, "x", `subscription($c: ID!) { messageAdded(conversationId: $c) { body } }`, map[string]any{"c": c})
	got, err = other.Next(ctx, "x")
	if err != nil || got == nil || got.Code() != "NOT_FOUND" {
		t.Fatalf("foreign conversation: %v %+v", err, got)
	}
	if res, err := other.Execute(ctx, "q", `{ viewer { id } }`, nil); err != nil || res.Code() != "" {
		t.Fatalf("the connection should stay open: %v %+v", err, res)
	}
}
