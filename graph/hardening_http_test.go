package graph_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/server/api"
	"github.com/sameside/sameside/server/apptest"
)

// What reaches /graphql malformed is refused with BAD_USER_INPUT and a
// reason, never INTERNAL: a batch, a non-JSON content type, invalid UTF-8
// (raw or as a lone surrogate escape), a mutation over GET, another
// method. Nothing is written.
func TestMalformedRequestsGetCodes(t *testing.T) {
	f := newFixture(t)
	tok := f.token("parentA")
	before := f.Snapshot()
	rename := func(name string) string {
		return `{"query":"mutation { updateProfile(input: {displayName: \"` + name + `\"}) { id } }"}`
	}
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		reason                  string
	}{
		{"batch", "application/json", `[{"query":"{ viewer { id } }"},{"query":"{ viewer { id } }"}]`, 400, "BATCH_NOT_SUPPORTED"},
		{"text/plain", "text/plain", `{"query":"{ viewer { id } }"}`, 415, "UNSUPPORTED_CONTENT_TYPE"},
		{"no content type", "", `{"query":"{ viewer { id } }"}`, 415, "UNSUPPORTED_CONTENT_TYPE"},
		{"form", "application/x-www-form-urlencoded", `query=%7B+viewer+%7B+id+%7D+%7D`, 415, "UNSUPPORTED_CONTENT_TYPE"},
		{"raw invalid UTF-8", "application/json", rename("a\xff\xfeb"), 400, "INVALID_UTF8"},
		{"lone surrogate in GraphQL text", "application/json", rename(`a\\ud800b`), 200, "INVALID_UTF8"},
		{"lone low surrogate in GraphQL text", "application/json", rename(`a\\udc00b`), 200, "INVALID_UTF8"},
		{"lone surrogate in JSON", "application/json", `{"query":"mutation($n: String!) { updateProfile(input: {displayName: $n}) { id } }","variables":{"n":"a\ud800b"}}`, 400, "INVALID_UTF8"},
		{"a string, not an object", "application/json", `"{ viewer { id } }"`, 400, ""},
		{"query not a string", "application/json", `{"query": 5}`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.Post(tok, tc.contentType, []byte(tc.body))
			if res.Code() != "BAD_USER_INPUT" || (tc.status != 200 && res.Status != tc.status) {
				t.Fatalf("%d %s", res.Status, res.Body)
			}
			if got, _ := res.Errors[0].Extensions["reason"].(string); tc.reason != "" && got != tc.reason {
				t.Fatalf("reason %q: %s", got, res.Body)
			}
		})
	}
	// A valid pair of surrogates (an emoji written as escapes) is fine.
	var ok struct{ UpdateProfile struct{ DisplayName string } }
	res := f.Post(tok, "application/json", []byte(`{"query":"mutation { updateProfile(input: {displayName: \"Sam \\ud83d\\ude00\"}) { displayName } }"}`))
	res.Decode(t, &ok)
	if ok.UpdateProfile.DisplayName != "Sam 😀" {
		t.Fatalf("escaped emoji: %s", res.Body)
	}
	if err := f.DB.Exec(`UPDATE users SET display_name = 'parentA' WHERE id = ?`, f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}

	get := func(method, query string) (int, string) {
		res, body := f.Raw(method, "/graphql?query="+url.QueryEscape(query), tok, "", nil)
		return res.StatusCode, body
	}
	if status, body := get(http.MethodGet, `mutation { updateProfile(input: {displayName: "Over GET"}) { id } }`); status != 405 ||
		!strings.Contains(body, `"code":"BAD_USER_INPUT"`) || !strings.Contains(body, "MUTATION_OVER_GET") {
		t.Errorf("mutation over GET: %d %s", status, body)
	}
	if status, body := get(http.MethodGet, "{ viewer { displayName } }"); status != 200 || !strings.Contains(body, `"displayName":"parentA"`) {
		t.Errorf("query over GET: %d %s", status, body)
	}
	if status, body := get(http.MethodGet, "{ viewer(x: \"\xff\") { id } }"); status != 400 || !strings.Contains(body, "INVALID_UTF8") {
		t.Errorf("invalid UTF-8 over GET: %d %s", status, body)
	}
	if status, body := get(http.MethodPut, "{ viewer { id } }"); status != 405 || !strings.Contains(body, `"code":"BAD_USER_INPUT"`) {
		t.Errorf("PUT: %d %s", status, body)
	}
	apptest.SameCounts(t, before, f.Snapshot())
}

// syncBuffer collects a server's log lines from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Nothing a person writes, nor a token, nor a body reaches the log at any
// level: a marker sent in every text field of every kind of write, and in
// refused requests of every kind, is nowhere in the debug log of the run
// (pushes and jobs included).
func TestLogsHoldNoUserText(t *testing.T) {
	logs := &syncBuffer{}
	f := newFixtureWith(t, apptest.Options{LogTo: logs})
	const marker = "Zq7MarkerXv"
	text := "Read with " + marker + " tonight"
	teacher, parent, admin := f.token("teacherA"), f.token("parentA"), f.token("adminA")
	f.RegisterDevice(parent, "device-"+marker)
	school := f.students["s1"].SchoolID
	must := func(res *apptest.Response) *apptest.Response {
		t.Helper()
		if res.Code() != "" {
			t.Fatalf("%s", res.Body)
		}
		return res
	}
	var posted struct {
		PostObservation struct{ Observations []struct{ ID string } }
	}
	must(f.Do(teacher, `mutation($in: PostObservationInput!) { postObservation(input: $in) { observations { id } } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "m-" + marker, "studentIds": []string{f.students["s1"].ID}, "kind": "POSITIVE", "body": text, "state": "SHARED"}})).Decode(t, &posted)
	note := posted.PostObservation.Observations[0].ID
	must(f.Do(parent, `mutation($in: RespondToObservationInput!) { respondToObservation(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "r-" + marker, "id": note, "body": text}}))
	must(f.Do(parent, `mutation($in: ShareHomeInsightInput!) { shareHomeInsight(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "i-" + marker, "studentId": f.students["s1"].ID, "body": text}}))
	var conv struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	must(f.Do(parent, qStart, map[string]any{"in": map[string]any{"clientMutationId": "c-" + marker, "studentId": f.students["s1"].ID,
		"participantIds": []string{f.users["teacherA"].ID}, "subject": text, "body": text}})).Decode(t, &conv)
	must(f.Do(teacher, `mutation($in: SendMessageInput!) { sendMessage(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "s-" + marker, "conversationId": conv.StartConversation.Conversation.ID, "body": text}}))
	must(f.Do(parent, `mutation($in: RequestConferenceMeetingInput!) { requestConferenceMeeting(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "q-" + marker, "studentId": f.students["s1"].ID, "teacherId": f.users["teacherA"].ID, "topic": text}}))
	must(f.Do(admin, `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "a-" + marker, "schoolId": school, "audience": "SCHOOL", "title": text, "body": text}}))
	at := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	must(f.Do(admin, `mutation($in: CreateSchoolEventInput!) { createSchoolEvent(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"schoolId": school, "title": text, "description": text, "topic": "RESILIENCE", "startsAt": at, "endsAt": at.Add(time.Hour), "location": text, "capacity": 20}}))
	must(f.Do(teacher, `mutation($in: CreateResourceInput!) { createResource(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"schoolId": school, "title": text, "url": "https://example.org/" + marker, "topic": "COMMUNICATION"}}))
	must(f.Do(teacher, `mutation($in: CreateInvitationInput!) { createInvitation(input: $in) { __typename } }`, map[string]any{"in": map[string]any{
		"studentId": f.students["s1"].ID, "relationship": "GRANDPARENT", "email": marker + "@example.com"}}))
	must(f.Do(parent, `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { __typename } }`, map[string]any{"in": map[string]any{"displayName": text}}))
	// Refused: too long, unknown field, bad variables, batches, malformed
	// bodies, invalid UTF-8, a forged token, a GET, a websocket sign-in.
	for _, body := range []string{
		`{"query":"mutation { updateProfile(input: {displayName: \"` + strings.Repeat(marker, 40) + `\"}) { id } }"}`,
		`{"query":"{ viewer { ` + marker + ` } }"}`,
		`{"query":"query($n: Int!) { viewer { id } }","variables":{"n":"` + marker + `"}}`,
		`[{"query":"{ viewer { id } }","variables":{"x":"` + marker + `"}}]`,
		`{"query":"{ viewer { id } }","variables":"` + marker + `"}`,
		`{"query": 5, "operationName": "` + marker + `"}`,
		`{"query":"mutation { updateProfile(input: {displayName: \"` + marker + "\xff" + `\"}) { id } }"}`,
		`{"query":"{ viewer { id } ` + marker,
	} {
		if res := f.Post(parent, "application/json", []byte(body)); res.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: %s", body, res.Body)
		}
	}
	if res := f.Post(parent, "text/plain", []byte(marker)); res.Code() != "BAD_USER_INPUT" {
		t.Errorf("text/plain: %s", res.Body)
	}
	if res := f.DoHeader("Bearer "+marker, `{ viewer { id } }`); res.Code() != "UNAUTHENTICATED" {
		t.Errorf("forged token: %s", res.Body)
	}
	if status, _ := f.Get("/graphql?query="+url.QueryEscape(`{ viewer { id `+marker+` } }`), parent); status == 0 {
		t.Error("GET")
	}
	if status, _ := f.Get("/calendar/"+marker+".ics", ""); status != 404 {
		t.Errorf("calendar: %d", status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ws, err := f.DialWS(ctx, map[string]any{"Authorization": "Bearer " + marker}); err == nil {
		_, _ = ws.Execute(ctx, "1", `{ viewer { id } }`, nil)
		ws.Close()
	}
	f.WaitPushesIdle()
	if n := f.FCM.Count(); n == 0 {
		t.Fatal("no push was sent: the run did not reach the push worker")
	}
	out := logs.String()
	if strings.Count(out, "\n") < 20 {
		t.Fatalf("the debug log has only %d lines: is it captured?", strings.Count(out, "\n"))
	}
	if i := strings.Index(out, marker); i >= 0 {
		start := max(0, strings.LastIndex(out[:i], "\n"))
		end := i + strings.Index(out[i:]+"\n", "\n")
		t.Fatalf("the log holds user text:\n%s", out[start:end])
	}
	t.Logf("%d log lines at debug level, %d pushes, no marker", strings.Count(out, "\n"), f.FCM.Count())
	_ = fmt.Sprint
}

// A websocket outlives no sign-in: it is closed with 4401 when its token
// expires (not a moment later), and when the account's access changes under
// it (the family's data deleted).
func TestWebsocketsEndWithTheirSignIn(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const events = `subscription { viewerEvents { type } }`

	expires := time.Now().Add(2 * time.Second).Truncate(time.Second)
	short, err := f.SignerAt(expires.Add(-time.Hour)).Sign(f.users["parentA"].FirebaseUID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.SettleEvents()
	ws, err := f.DialWS(ctx, map[string]any{"Authorization": "Bearer " + short})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	f.subscribe(t, ctx, ws, "v", events, nil)
	_, err = ws.Next(ctx, "v") // returns when the server ends the socket
	late := time.Since(expires)
	var ce *apptest.CloseError
	if !errors.As(err, &ce) || ce.Code != 4401 || !strings.HasPrefix(ce.Reason, "UNAUTHENTICATED") {
		t.Fatalf("after the token expired: %v", err)
	}
	t.Logf("closed %v after the token expired: %d %s", late.Round(time.Millisecond), ce.Code, ce.Reason)
	if late < -50*time.Millisecond || late > time.Second {
		t.Fatalf("closed %v after expiry", late)
	}

	// Access changed: the family's data is deleted while the parent listens.
	tok := f.token("parentA")
	ws2 := f.live(t, ctx, "parentA")
	f.subscribe(t, ctx, ws2, "v", events, nil)
	res := f.Do(f.token("adminA"), qDelete, map[string]any{"in": map[string]any{"clientMutationId": "ws-delete",
		"studentIds": []string{f.students["s1"].ID}, "confirm": "DELETE"}})
	if res.Code() != "" {
		t.Fatal(res.Body)
	}
	_, err = ws2.Next(ctx, "v")
	if !errors.As(err, &ce) || ce.Code != 4401 {
		t.Fatalf("after the family's data was deleted: %v", err)
	}
	// Signing in again (the Firebase identity lives on) gives an empty
	// account: nothing of the child is left to see.
	var again struct {
		Viewer struct{ Children []struct{ ID string } }
	}
	f.Do(tok, `{ viewer { children { id } } }`, nil).Decode(t, &again)
	if len(again.Viewer.Children) != 0 {
		t.Fatalf("after deletion the parent still sees %v", again.Viewer.Children)
	}
}

// The playground works offline: its page loads GraphiQL and React from the
// server itself (no CDN), each asset as its integrity attribute says, and
// in demo mode the headers editor says how to get a token.
func TestPlaygroundServesItsOwnAssets(t *testing.T) {
	f := apptest.New(t, apptest.Options{Seed: true})
	res, page := f.Raw(http.MethodGet, "/", "", "", nil)
	if status := res.StatusCode; status != 200 || strings.Contains(page, "cdn.") || strings.Contains(page, "https://") {
		t.Fatalf("playground page: %d, loads from elsewhere: %v", status, strings.Contains(page, "https://"))
	}
	if !strings.Contains(page, "demo-token") {
		t.Error("the playground does not say how to get a demo token")
	}
	// In demo mode a bare visit lands on the page with a query prefilled,
	// and that query works for a parent, a teacher and an admin as it is.
	prefilled := res.Request.URL.Query().Get("query")
	if prefilled != api.PlaygroundDemoQuery || !strings.Contains(page, "query: parameters.query") {
		t.Fatalf("playground opened at %s, want the demo query in its URL and the page reading it", res.Request.URL)
	}
	for _, who := range []string{"parent1", "teacher1", "admin"} {
		r := f.Do(f.Token(who), prefilled, nil)
		if len(r.Errors) > 0 || !strings.Contains(r.Body, `"displayName"`) {
			t.Errorf("the prefilled query as %s: %s", who, r.Body)
		}
	}
	assets := regexp.MustCompile(`(?:src|href)="(/playground/[^"]+)"\s+integrity="(sha256-[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) != 4 {
		t.Fatalf("%d assets with integrity in the page, want 4", len(assets))
	}
	for _, a := range assets {
		code, body := f.Get(a[1], "")
		sum := sha256.Sum256([]byte(body))
		if code != 200 || "sha256-"+base64.StdEncoding.EncodeToString(sum[:]) != html.UnescapeString(a[2]) {
			t.Errorf("%s: %d, integrity mismatch", a[1], code)
		}
	}
	if code, _ := f.Get("/playground/", ""); code != 404 {
		t.Errorf("asset directory listed: %d", code)
	}
}

// TestAbandonedRequestIsNotAServerError: a request whose client hung up
// while it waited (here for a row another transaction holds) is recorded
// with status 499, a request the client closed, not 503: the server did
// not fail, and an alert on 5xx answers must not fire each time phones
// lose their connections mid-request.
func TestAbandonedRequestIsNotAServerError(t *testing.T) {
	f := newFixture(t)
	tx := f.DB.Begin()
	defer tx.Rollback()
	if err := tx.Exec("SELECT 1 FROM users WHERE id = ? FOR UPDATE", f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := []byte(`{"query": "mutation { updateProfile(input: {displayName: \"Waiting\"}) { displayName } }"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.token("parentA"))
	done := make(chan error, 1)
	go func() {
		res, err := f.Server.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	// The update waits for the row; then the client goes away.
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting == 0; {
		if err := f.DB.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE%users%'`).Scan(&waiting).Error; err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the update never waited for the row")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request: %v", err)
	}
	// The server records the request once its handler returns.
	for {
		_, metrics := f.Get("/metrics", "")
		line := ""
		for _, l := range strings.Split(metrics, "\n") {
			if strings.HasPrefix(l, "sameside_http_request_duration_seconds_count") && strings.Contains(l, `method="POST"`) && strings.Contains(l, "/graphql") {
				line += l + "\n"
			}
		}
		if strings.Contains(line, `code="5`) {
			t.Fatalf("an abandoned request recorded as a server error:\n%s", line)
		}
		if strings.Contains(line, `code="499"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the abandoned request was not recorded as 499:\n%s", line)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var name string
	if err := f.DB.Raw("SELECT display_name FROM users WHERE id = ?", f.users["parentA"].ID).Scan(&name).Error; err != nil || name == "Waiting" {
		t.Fatalf("the abandoned update was written: %q %v", name, err)
	}
}
