package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/server/apptest"
)

// The compiled feed (graph.Compiled) answers byte for byte what gqlgen's
// executor answers, for the app's Feed operations (ours and Apollo's, with
// __typename) and for any selection of the fields it knows, across pages,
// filters, translations, attachments, acknowledgements and characters JSON
// must escape; what it does not know (other fields, directives, errors,
// anonymous callers) goes to gqlgen, whose answer is then the same too.
// The server's metrics say which answered.
func TestCompiledFeedAnswersAsGqlgen(t *testing.T) {
	f := newFixtureWith(t, apptest.Options{Translate: true})
	kids := f.threeChildren(t, 25)
	s1 := f.students["s1"].ID
	// A note with JSON's hard characters, one with a photo and a PDF, one
	// acknowledged with a reaction and answered, one acknowledged without.
	tricky := f.note(t, "teacherA", "s1", "tricky", "POSITIVE", "SHARED", "Quote \" backslash \\ tab\t<b>&amp;</b> \u2028 🎉 \n second line")
	photo := photoWithGPS(t)
	img, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	f.complete(t, "teacherA", img)
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	doc, _ := f.upload(t, "teacherA", "application/pdf", pdf, pdf)
	f.complete(t, "teacherA", doc)
	withFiles := f.note(t, "teacherA", "s1", "files", "OBSERVATION", "SHARED", "Built a tower with photos", img, doc)
	parent := f.token("parentA")
	mustOK := func(r *apptest.Response) {
		t.Helper()
		if r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	mustOK(f.Do(parent, `mutation($id: ID!) { acknowledgeObservation(input: {id: $id, reaction: HEART}) { id } }`, map[string]any{"id": tricky}))
	mustOK(f.Do(parent, `mutation($id: ID!) { acknowledgeObservation(input: {id: $id}) { id } }`, map[string]any{"id": withFiles}))
	mustOK(f.Do(parent, `mutation($id: ID!) { respondToObservation(input: {clientMutationId: "r1", id: $id, body: "We saw it too"}) { response { id } } }`, map[string]any{"id": tricky}))
	// One parent reads in Spanish: the notes come translated, with their
	// originals.
	mustOK(f.Do(f.token("parentA2"), `mutation { updateProfile(input: {locale: "es-MX"}) { locale } }`, nil))
	f.note(t, "teacherA2", "s2", "es1", "POSITIVE", "SHARED", "Shared her crayons with everyone today.")
	f.WaitJobsSettled()

	// The same application with the compiled feed off, on the same database.
	f.App.Config.CompiledOff = true
	plain := httptest.NewServer(f.App.Handler())
	f.App.Config.CompiledOff = false
	t.Cleanup(plain.Close)

	ops, err := contracts.Operations()
	if err != nil {
		t.Fatal(err)
	}
	apollo := apolloFeed(t)
	const everything = `query All($first: Int, $after: String) {
  mine: feed(first: $first, after: $after) {
    __typename
    pageInfo { endCursor hasNextPage __typename }
    edges {
      c: cursor
      node {
        ...Note
        again: id
        state createdAt updatedAt groupId skills editedAfterSharing sharedAt
        author { __typename displayName id }
        student { ... on Student { id displayName } __typename }
        attachments { __typename id contentType size width height url thumbnailUrl }
      }
    }
  }
}
fragment Note on Observation { id kind body bodyOriginal { text language translated __typename } acknowledgement { reaction acknowledgedAt __typename } responseCount __typename }`

	type call struct {
		name, who, query string
		vars             map[string]any
		compiled         bool // the compiled writer answers it
	}
	calls := []call{
		{"app's Feed", "parentA", ops["Feed"], map[string]any{"first": 20}, true},
		{"Apollo's Feed", "parentA", apollo, map[string]any{"first": 20}, true},
		{"all known fields", "parentA", everything, map[string]any{"first": 30}, true},
		{"one child, notes only", "parentA", ops["Feed"], map[string]any{"studentIds": []string{kids[1]}, "kinds": []string{"POSITIVE"}, "first": 5}, true},
		{"default page size", "parentA", `{ feed { edges { cursor node { id body } } pageInfo { hasNextPage endCursor } } }`, nil, true},
		{"in Spanish", "parentA2", apollo, map[string]any{"first": 10}, true},
		{"a teacher", "teacherA", everything, map[string]any{"first": 10}, true},
		{"an empty feed", "parentB", ops["Feed"], map[string]any{"first": 10}, true},
		{"literal arguments", "parentA", `{ feed(studentIds: ["` + s1 + `"], first: 3) { edges { node { id } } } }`, nil, true},
		// Handed to gqlgen: a field it does not know, a directive, another
		// root field beside, a bad cursor, a negative page, no sign-in.
		{"unknown field", "parentA", `{ feed(first: 3) { edges { node { id tryAtHome } } } }`, nil, false},
		{"a directive", "parentA", `query($x: Boolean!) { feed(first: 3) { edges { node { id body @include(if: $x) } } } }`, map[string]any{"x": true}, false},
		{"two root fields", "parentA", `{ feed(first: 3) { edges { node { id } } } viewer { id } }`, nil, false},
		{"bad cursor", "parentA", ops["Feed"], map[string]any{"first": 5, "after": "not-a-cursor"}, false},
		{"a negative page", "parentA", ops["Feed"], map[string]any{"first": -1}, false},
		{"a page too large (refused before execution)", "parentA", ops["Feed"], map[string]any{"first": 100000}, false},
		{"anonymous", "", ops["Feed"], map[string]any{"first": 5}, false},
	}
	compiledBefore := compiledCount(t, f.Server.URL, "compiled")
	wantCompiled := 0
	var next string // the second page's cursor, from the first call
	for i := 0; i < len(calls); i++ {
		c := calls[i]
		if i == 1 {
			calls = append(calls, call{"second page", "parentA", ops["Feed"], map[string]any{"first": 20, "after": next}, true})
		}
		token := ""
		if c.who != "" {
			token = f.token(c.who)
		}
		got := post(t, f.Server.URL, token, c.query, c.vars)
		want := post(t, plain.URL, token, c.query, c.vars)
		if !bytes.Equal(unsigned(got), unsigned(want)) {
			t.Errorf("%s: the compiled feed answered\n%s\ngqlgen\n%s", c.name, got, want)
		}
		if c.compiled {
			wantCompiled++
			if bytes.Contains(got, []byte(`"errors"`)) {
				t.Errorf("%s: errors: %s", c.name, got)
			}
		}
		if i == 0 {
			var p feedPage
			if err := json.Unmarshal(dataOf(t, got), &p); err != nil || len(p.Feed.Edges) != 20 || !p.Feed.PageInfo.HasNextPage {
				t.Fatalf("first page: %v %s", err, got)
			}
			next = *p.Feed.PageInfo.EndCursor
		}
	}
	// Every kind of value was in the answers compared.
	all := string(post(t, f.Server.URL, parent, everything, map[string]any{"first": 30}))
	for _, want := range []string{`"reaction":"HEART"`, `"reaction":null`, `"acknowledgement":null`, `"responseCount":1`, `\"`, `\\`, `\t`, `\n`,
		// The executor's bytes as they are: not escaped again by encoding/json
		// on the way out (server/api's dataPOST).
		"<b>&amp;</b> \u2028 🎉",
		`"contentType":"application/pdf"`, `"thumbnailUrl":null`, `"width":null`, `"contentType":"image/jpeg"`, `"skills":["FOCUS"]`} {
		if !strings.Contains(all, want) {
			t.Errorf("the compared answers lack %s: %s", want, all)
		}
	}
	spanish := string(post(t, f.Server.URL, f.token("parentA2"), apollo, map[string]any{"first": 10}))
	if !strings.Contains(spanish, `"translated":true`) {
		t.Errorf("no translated note in the Spanish reader's feed: %s", spanish)
	}
	if got := compiledCount(t, f.Server.URL, "compiled") - compiledBefore; got != wantCompiled+2 {
		t.Errorf("the compiled writer answered %d feeds; want %d", got, wantCompiled+2)
	}
	if got := compiledCount(t, f.Server.URL, "executor"); got != 2 { // the bad cursor, the negative page
		t.Errorf("feeds handed to gqlgen after an error: %d; want 2", got)
	}
}

// apolloFeed is the Feed operation as Apollo's manifest has it (what the
// app sends), __typename and all.
func apolloFeed(t *testing.T) string {
	t.Helper()
	m, err := contracts.CurrentManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Operations {
		if o.Name == "Feed" && strings.Contains(o.Body, "__typename") {
			return o.Body
		}
	}
	t.Fatal("no Feed in Apollo's manifest")
	return ""
}

// post sends a GraphQL request to a server and returns the raw answer.
func post(t *testing.T, url, token, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dataOf(t *testing.T, answer []byte) json.RawMessage {
	t.Helper()
	var r struct{ Data json.RawMessage }
	if err := json.Unmarshal(answer, &r); err != nil {
		t.Fatal(err)
	}
	return r.Data
}

// signature is the part of a signed URL that depends on the second it was
// signed in.
var signature = regexp.MustCompile(`\?[^"]*`)

func unsigned(b []byte) []byte { return signature.ReplaceAll(b, nil) }

// compiledCount reads sameside_graphql_compiled_total{outcome} off /metrics.
func compiledCount(t *testing.T, url, outcome string) int {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(res.Body)
	prefix := fmt.Sprintf(`sameside_graphql_compiled_total{outcome=%q} `, outcome)
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
	}
	return 0
}
