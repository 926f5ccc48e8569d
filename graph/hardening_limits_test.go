package graph_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
)

// Aliases do not get around limits: a list field costs what it asks for
// (first × its selection), so 249 aliased classroom feeds of 100 are
// refused before anything runs (no audit row written); 400 aliased
// sendMessage are refused whole (no message written); and the rate limit
// is charged by cost, so a user may not spend in one request what the
// limit allows in many.
func TestAliasesDoNotGetAroundLimits(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{"SAMESIDE_RATE_LIMIT": "5"}})
	teacher := f.token("teacherA")
	room := f.classrooms["a1"].ID
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 249; i++ {
		fmt.Fprintf(&b, ` c%d: classroom(id: "%s") { feed(first: 100) { edges { node { id body } } } }`, i, room)
	}
	b.WriteString(" }")
	audit := f.Count("audit_events")
	res := f.Do(teacher, b.String(), nil)
	if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["reason"] != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("249 aliased feeds: %.300s", res.Body)
	}
	if n := f.Count("audit_events"); n != audit {
		t.Fatalf("the refused request wrote %d audit rows", n-audit)
	}
	// One feed of 100 is the same cost as it always was; of 1,000 it is
	// refused alone.
	if res := f.Do(teacher, `{ classroom(id: "`+room+`") { feed(first: 1000) { edges { node { id body } } } } }`, nil); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("feed(first: 1000): %.300s", res.Body)
	}

	conv := f.start(t, "parentA", "s1", "teacherA")
	b.Reset()
	b.WriteString("mutation {")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, ` m%d: sendMessage(input: {conversationId: "%s", clientMutationId: "alias-%d", body: "hi"}) { message { id } }`, i, conv, i)
	}
	b.WriteString(" }")
	messages := f.Count("messages")
	res = f.Do(teacher, b.String(), nil)
	if res.Code() != "BAD_USER_INPUT" || res.Errors[0].Extensions["reason"] != "TOO_MANY_MUTATIONS" {
		t.Fatalf("400 aliased sendMessage: %.300s", res.Body)
	}
	if n := f.Count("messages"); n != messages {
		t.Fatalf("the refused request wrote %d messages", n-messages)
	}

	// Charged by cost: at 5 requests a second (bursts of 10 tokens), a
	// feed of 50 costs about 7 tokens, so the second at once is refused
	// with 429, while cheap requests still pass.
	parent := f.token("parentA")
	page := `{ feed(first: 50) { edges { node { id body kind skills sharedAt author { displayName } student { displayName } } } } }`
	if res := f.Do(parent, page, nil); res.Code() != "" {
		t.Fatalf("first page: %s", res.Body)
	}
	res = f.Do(parent, page, nil)
	if res.Status != 429 || res.Code() != "RATE_LIMITED" {
		t.Fatalf("second costly page at once: %d %.300s", res.Status, res.Body)
	}
}

// Limits hold across instances: a user's requests spread over two
// instances are served at the one limit (not twice it), and their sockets
// count together against the one socket limit.
func TestLimitsHoldAcrossInstances(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Env: map[string]string{
		"SAMESIDE_RATE_LIMIT": "5", "SAMESIDE_LIMITS_SYNC": "20ms", "SAMESIDE_MAX_SOCKETS_PER_USER": "3"}})
	sib := f.Sibling(t)
	tok := f.token("parentA")
	const rateLimit, burst = 5, 10
	served, refused := 0, 0
	start := time.Now()
	for i := 0; time.Since(start) < 3*time.Second; i++ {
		env := f.Env
		if i%2 == 1 {
			env = sib
		}
		switch res := env.Do(tok, `{ viewer { id } }`, nil); res.Code() {
		case "":
			served++
		case "RATE_LIMITED":
			refused++
		default:
			t.Fatal(res.Body)
		}
	}
	elapsed := time.Since(start).Seconds()
	oneInstance := burst + rateLimit*elapsed
	t.Logf("%.1f s over 2 instances at %d/s (bursts of %d): %d served, %d refused; one instance alone allows %.0f, two unshared %.0f",
		elapsed, rateLimit, burst, served, refused, oneInstance, 2*oneInstance)
	// Give or take what both spend before the first exchange: one burst.
	if float64(served) > oneInstance+burst {
		t.Fatalf("%d served: the instances did not share the limit", served)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	payload := map[string]any{"Authorization": "Bearer " + tok}
	var open []*apptest.WS
	for _, env := range []*apptest.Env{f.Env, f.Env, sib} {
		ws, err := env.DialWS(ctx, payload)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, ws)
	}
	var ce *apptest.CloseError
	if _, err := sib.DialWS(ctx, payload); !errors.As(err, &ce) || ce.Code != 4429 {
		t.Fatalf("a 4th socket across instances: %v", err)
	}
	open[0].Close()
	var again *apptest.WS
	for deadline := time.Now().Add(5 * time.Second); ; { // the first instance sees the close, then frees the slot
		ws, err := sib.DialWS(ctx, payload)
		if err == nil {
			again = ws
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no slot after closing a socket: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	again.Close()
	for _, ws := range open[1:] {
		ws.Close()
	}
}
