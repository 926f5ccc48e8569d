package graph_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/server/apptest"
)

func TestDraftHints(t *testing.T) {
	f := newFixture(t)
	tok := f.token("teacherA")
	type hint struct {
		Code, Excerpt string
		Start, End    int
	}
	get := func(body, kind string) []hint {
		var out struct{ ObservationDraftHints []hint }
		f.Do(tok, `query($b: String!, $k: ObservationKind!) { observationDraftHints(body: $b, kind: $k) { code excerpt start end } }`,
			map[string]any{"b": body, "k": kind}).Decode(t, &out)
		return out.ObservationDraftHints
	}
	codes := func(h []hint) string {
		var c []string
		for _, x := range h {
			c = append(c, x.Code+":"+x.Excerpt)
		}
		return strings.Join(c, ",")
	}
	cases := []struct{ body, kind, want string }{
		{"He is always rude and never listens.", "CONCERN", "ABSOLUTE:always,LABEL:rude,ABSOLUTE:never,NO_INVITATION:,TOO_SHORT:"},
		{"Today during reading, Sam left his seat four times and called out twice. What do you see at home when he reads?", "CONCERN", ""},
		{"Ava helped a classmate tie her shoes.", "POSITIVE", ""},
		{"Ava helped a classmate tie her shoes.", "OBSERVATION", "NO_INVITATION:"},
		{"Ça va: élève très gentille, always ready.", "POSITIVE", "ABSOLUTE:always"},
		{strings.Repeat("During group work Sam waited for his turn and shared ideas. ", 25) + "Let me know what you think.", "OBSERVATION", "TOO_LONG:"},
	}
	for _, c := range cases {
		got := get(c.body, c.kind)
		if codes(got) != c.want {
			t.Errorf("%q (%s): got %s, want %s", c.body[:min(40, len(c.body))], c.kind, codes(got), c.want)
		}
		// The same text gives the same hints.
		if codes(get(c.body, c.kind)) != codes(got) {
			t.Errorf("hints are not deterministic for %q", c.body)
		}
	}
	// Offsets are characters, not bytes.
	h := get("Élève always late", "POSITIVE")
	if len(h) != 1 || h[0].Start != 6 || h[0].End != 12 {
		t.Fatalf("offsets: %+v", h)
	}
	if res := f.Do(tok, `query($b: String!) { observationDraftHints(body: $b, kind: CONCERN) { code } }`, map[string]any{"b": strings.Repeat("x", 5001)}); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("over-long body: %s", res.Body)
	}
}

// TestDraftHintsInSpanish: a teacher writing to a family in Spanish gets
// the same advice for Spanish words, and a teacher whose language is
// Spanish reads the advice in Spanish.
func TestDraftHintsInSpanish(t *testing.T) {
	f := newFixture(t)
	tok := f.token("teacherA")
	type hint struct{ Code, Excerpt, Message string }
	get := func(token, body, kind string) []hint {
		t.Helper()
		var out struct{ ObservationDraftHints []hint }
		f.Do(token, `query($b: String!, $k: ObservationKind!) { observationDraftHints(body: $b, kind: $k) { code excerpt message } }`,
			map[string]any{"b": body, "k": kind}).Decode(t, &out)
		return out.ObservationDraftHints
	}
	codes := func(h []hint) string {
		var c []string
		for _, x := range h {
			c = append(c, x.Code+":"+x.Excerpt)
		}
		return strings.Join(c, ",")
	}
	for _, c := range []struct{ body, kind, want string }{
		{"Siempre es muy flojo y nunca escucha.", "CONCERN", "ABSOLUTE:Siempre,LABEL:flojo,ABSOLUTE:nunca,NO_INVITATION:,TOO_SHORT:"},
		{"Hoy en lectura Sam se levantó cuatro veces de su asiento y habló fuera de turno dos veces. ¿Qué ve usted en casa cuando lee?", "CONCERN", ""},
		{"Ava ayudó a una compañera con sus zapatos.", "OBSERVATION", "NO_INVITATION:"},
		{"Ava ayudó a una compañera. ¿Lo ha notado en casa también?", "OBSERVATION", ""},
	} {
		if got := codes(get(tok, c.body, c.kind)); got != c.want {
			t.Errorf("%q: got %s, want %s", c.body, got, c.want)
		}
	}
	if r := f.Do(tok, `mutation { updateProfile(input: {locale: "es-MX"}) { locale } }`, nil); r.Code() != "" {
		t.Fatal(r.Body)
	}
	h := get(tok, "Siempre llega tarde.", "POSITIVE")
	if len(h) != 1 || h[0].Message != "Las palabras absolutas pueden sonar a veredicto. Di con qué frecuencia o cuándo, con un ejemplo." {
		t.Fatalf("the advice in Spanish: %+v", h)
	}
}

func TestObservationInputRefused(t *testing.T) {
	f := newFixture(t)
	tok := f.token("teacherA")
	s1 := f.students["s1"].ID
	many := make([]string, 41)
	for i := range many {
		many[i] = s1
	}
	for name, in := range map[string]map[string]any{
		"empty body":       {"clientMutationId": "a", "studentIds": []string{s1}, "kind": "POSITIVE", "body": "  "},
		"body too long":    {"clientMutationId": "b", "studentIds": []string{s1}, "kind": "POSITIVE", "body": strings.Repeat("é", 5001)},
		"control chars":    {"clientMutationId": "c", "studentIds": []string{s1}, "kind": "POSITIVE", "body": "bell\u0007"},
		"no students":      {"clientMutationId": "d", "studentIds": []string{}, "kind": "POSITIVE", "body": "ok"},
		"unknown skill":    {"clientMutationId": "e", "studentIds": []string{s1}, "kind": "POSITIVE", "body": "ok", "skills": []string{"JUGGLING"}},
		"born in review":   {"clientMutationId": "f", "studentIds": []string{s1}, "kind": "CONCERN", "body": "ok", "state": "IN_REVIEW"},
		"empty mutationId": {"clientMutationId": "", "studentIds": []string{s1}, "kind": "POSITIVE", "body": "ok"},
		"long mutationId":  {"clientMutationId": strings.Repeat("m", 65), "studentIds": []string{s1}, "kind": "POSITIVE", "body": "ok"},
	} {
		t.Run(name, func(t *testing.T) {
			before := f.Snapshot()
			res := f.Do(tok, qPost, map[string]any{"in": in})
			if res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("got %s", res.Body)
			}
			apptest.SameCounts(t, before, f.Snapshot())
		})
	}
	// 41 distinct students would be too many; 41 copies of one is one student.
	if res := f.Do(tok, qPost, map[string]any{"in": map[string]any{"clientMutationId": "g", "studentIds": many, "kind": "POSITIVE", "body": "ok"}}); res.Code() != "" {
		t.Fatalf("duplicates are one student: %s", res.Body)
	}
	// A shared observation edited is marked; a draft deleted is gone; a
	// shared one cannot be deleted.
	id := f.post(t, "teacherA", "h", "SHARED", "POSITIVE", s1)[0]
	res := f.Do(tok, `mutation($id: ID!) { updateObservation(input: {clientMutationId: "i", id: $id, body: "Fixed a typo."}) { observation { body editedAfterSharing } } }`, map[string]any{"id": id})
	if !strings.Contains(res.Body, `"editedAfterSharing":true`) {
		t.Fatalf("edit after sharing: %s", res.Body)
	}
	if res := f.Do(tok, `mutation($id: ID!) { deleteObservation(input: {clientMutationId: "j", id: $id}) { deletedId } }`, map[string]any{"id": id}); res.Code() != "CONFLICT" {
		t.Fatalf("delete shared: %s", res.Body)
	}
	if res := f.Do(tok, `mutation($id: ID!) { updateObservation(input: {clientMutationId: "k", id: $id, kind: CONCERN}) { observation { kind } } }`, map[string]any{"id": id}); res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("kind change after sharing: %s", res.Body)
	}
}
