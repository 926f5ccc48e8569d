package graph_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
)

const (
	qPost = `mutation($in: PostObservationInput!) { postObservation(input: $in) { clientMutationId observations { id groupId state kind skills student { id } author { id } } } }`
	qFeed = `query($first: Int, $after: String, $kinds: [ObservationKind!], $students: [ID!]) { feed(first: $first, after: $after, kinds: $kinds, studentIds: $students) {
		edges { cursor node { id kind body skills state sharedAt author { displayName } student { id displayName } acknowledgement { reaction acknowledgedAt } responseCount } }
		pageInfo { hasNextPage endCursor } } }`
	qShare   = `mutation($id: ID!, $c: String!) { shareObservation(input: {id: $id, clientMutationId: $c}) { observation { id state sharedAt } } }`
	qAck     = `mutation($id: ID!, $r: Reaction) { acknowledgeObservation(input: {id: $id, reaction: $r}) { id acknowledgement { reaction } } }`
	qRespond = `mutation($id: ID!, $c: String!, $b: String!) { respondToObservation(input: {id: $id, clientMutationId: $c, body: $b}) { response { id body author { id } } } }`
	qInsight = `mutation($s: ID!, $c: String!, $b: String!) { shareHomeInsight(input: {studentId: $s, clientMutationId: $c, body: $b, skills: [KINDNESS]}) { homeInsight { id body skills student { id } } } }`
)

type feedPage struct {
	Feed struct {
		Edges []struct {
			Cursor string
			Node   struct {
				ID, Kind, Body, State string
				Skills                []string
				Student               struct{ ID string }
				Acknowledgement       *struct{ Reaction *string }
				ResponseCount         int
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func (f *fixture) post(t *testing.T, who, cmid string, state, kind string, students ...string) []string {
	t.Helper()
	var out struct {
		PostObservation struct{ Observations []struct{ ID string } }
	}
	f.Do(f.token(who), qPost, map[string]any{"in": map[string]any{
		"clientMutationId": cmid, "studentIds": students, "kind": kind, "body": "Shared the blocks with a friend who had none.",
		"skills": []string{"KINDNESS", "TAKING_TURNS"}, "state": state,
	}}).Decode(t, &out)
	var ids []string
	for _, o := range out.PostObservation.Observations {
		ids = append(ids, o.ID)
	}
	return ids
}

func TestObservationLifecycle(t *testing.T) {
	f := newFixture(t)
	s1 := f.students["s1"].ID
	parent := f.token("parentA")
	f.RegisterDevice(parent, "parentA-phone")
	f.RegisterDevice(f.token("teacherA"), "teacherA-tablet")
	f.RegisterDevice(f.token("restrictedA"), "restricted-phone")

	// A positive note to s1, shared at once: the guardian is told, the
	// restricted guardian is not.
	ids := f.post(t, "teacherA", "post-1", "SHARED", "POSITIVE", s1)
	msgs := f.WaitForPushes(1)
	if msgs[0].Token != "parentA-phone" || msgs[0].Data["type"] != "OBSERVATION_SHARED" || !strings.Contains(string(msgs[0].Raw), "A positive note about s1") {
		t.Fatalf("push: %s", msgs[0].Raw)
	}
	var page feedPage
	f.Do(parent, qFeed, nil).Decode(t, &page)
	if len(page.Feed.Edges) != 1 || page.Feed.Edges[0].Node.ID != ids[0] || strings.Join(page.Feed.Edges[0].Node.Skills, ",") != "KINDNESS,TAKING_TURNS" {
		t.Fatalf("parent feed: %+v", page)
	}
	// Acknowledge with a reaction, then reply; the teacher is told.
	var ack struct {
		AcknowledgeObservation struct{ Acknowledgement struct{ Reaction string } }
	}
	f.Do(parent, qAck, map[string]any{"id": ids[0], "r": "HEART"}).Decode(t, &ack)
	if ack.AcknowledgeObservation.Acknowledgement.Reaction != "HEART" {
		t.Fatalf("ack: %+v", ack)
	}
	f.Do(parent, qRespond, map[string]any{"id": ids[0], "c": "reply-1", "b": "She does this at home too!"}).Decode(t, &struct{}{})
	f.WaitForPushes(2)
	f.Do(parent, qFeed, nil).Decode(t, &page)
	n := page.Feed.Edges[0].Node
	if n.Acknowledgement == nil || *n.Acknowledgement.Reaction != "HEART" || n.ResponseCount != 1 {
		t.Fatalf("after ack and reply: %+v", n)
	}
	// A home insight reaches the child's teacher.
	var hi struct {
		ShareHomeInsight struct{ HomeInsight struct{ ID string } }
	}
	f.Do(parent, qInsight, map[string]any{"s": s1, "c": "insight-1", "b": "Helped her brother tidy up without being asked."}).Decode(t, &hi)
	msgs = f.WaitForPushes(3)
	byType := map[string]string{}
	for _, m := range msgs {
		byType[m.Data["type"]] = m.Token
	}
	if byType["OBSERVATION_RESPONSE"] != "teacherA-tablet" || byType["HOME_INSIGHT"] != "teacherA-tablet" {
		t.Fatalf("pushes: %v", byType)
	}
	var st struct {
		Student struct {
			HomeInsights []struct{ ID string }
			Balance      struct {
				Positive, Concern int
				LastPositiveNote  *struct{ ID string }
			}
		}
	}
	f.Do(f.token("teacherA"), `query($id: ID!) { student(id: $id) { homeInsights { id } balance { positive concern lastPositiveNote { id } } } }`, map[string]any{"id": s1}).Decode(t, &st)
	if len(st.Student.HomeInsights) != 1 || st.Student.Balance.Positive != 1 || st.Student.Balance.LastPositiveNote == nil {
		t.Fatalf("teacher's view of s1: %+v", st)
	}

	// Coaching: a concern draft goes to review, comes back, is shared by approval.
	c := f.post(t, "teacherA", "concern-1", "DRAFT", "CONCERN", s1)[0]
	if res := f.Do(f.token("teacherA"), `mutation($id: ID!) { requestObservationReview(input: {id: $id, clientMutationId: "rr-1"}) { observation { state } } }`, map[string]any{"id": c}); !strings.Contains(res.Body, "IN_REVIEW") {
		t.Fatalf("request review: %s", res.Body)
	}
	var q struct {
		ReviewQueue struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	f.Do(f.token("adminA"), `{ reviewQueue { edges { node { id } } } }`, nil).Decode(t, &q)
	if len(q.ReviewQueue.Edges) != 1 || q.ReviewQueue.Edges[0].Node.ID != c {
		t.Fatalf("review queue: %+v", q)
	}
	if res := f.Do(f.token("adminA"), `mutation($id: ID!) { reviewObservation(input: {id: $id, clientMutationId: "rv-1", decision: RETURN, comment: "Lead with what you saw."}) { observation { state reviews { decision comment } } } }`, map[string]any{"id": c}); !strings.Contains(res.Body, `"state":"DRAFT"`) || !strings.Contains(res.Body, "Lead with") {
		t.Fatalf("return: %s", res.Body)
	}
	f.Do(f.token("teacherA"), `mutation($id: ID!) { requestObservationReview(input: {id: $id, clientMutationId: "rr-2"}) { observation { state } } }`, map[string]any{"id": c})
	if res := f.Do(f.token("adminA"), `mutation($id: ID!) { reviewObservation(input: {id: $id, clientMutationId: "rv-2", decision: APPROVE}) { observation { state sharedAt } } }`, map[string]any{"id": c}); !strings.Contains(res.Body, `"state":"SHARED"`) {
		t.Fatalf("approve: %s", res.Body)
	}
	f.Do(parent, qFeed, nil).Decode(t, &page)
	if len(page.Feed.Edges) != 2 || page.Feed.Edges[0].Node.ID != c {
		t.Fatalf("approved concern not first in the feed: %+v", page.Feed.Edges)
	}
	// The parent never sees coaching.
	if res := f.Do(parent, `query($id: ID!) { observation(id: $id) { reviews { comment } } }`, map[string]any{"id": c}); strings.Contains(res.Body, "Lead with") {
		t.Fatalf("parent sees coaching: %s", res.Body)
	}
	// The restricted guardian's phone got nothing.
	if n := f.FCM.CountByToken()["restricted-phone"]; n != 0 {
		t.Fatalf("restricted guardian got %d pushes", n)
	}
}

// The same clientMutationId posted 5 times at once writes one row.
func TestPostObservationIdempotent(t *testing.T) {
	f := newFixture(t)
	s1 := f.students["s1"].ID
	var wg sync.WaitGroup
	results := make([]string, 5)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := f.Do(f.token("teacherA"), qPost, map[string]any{"in": map[string]any{
				"clientMutationId": "flaky-wifi-1", "studentIds": []string{s1}, "kind": "POSITIVE", "body": "Great focus in maths today.", "state": "SHARED",
			}})
			results[i] = res.Body
		}()
	}
	wg.Wait()
	var n int64
	f.DB.Model(&models.Observation{}).Count(&n)
	if n != 1 {
		t.Fatalf("%d observations after 5 identical posts, want 1", n)
	}
	var id string
	for i, r := range results {
		if strings.Contains(r, `"errors"`) {
			t.Fatalf("post %d: %s", i, r)
		}
		start := strings.Index(r, `"observations":[{"id":"`) + len(`"observations":[{"id":"`)
		got := r[start : start+36]
		if id == "" {
			id = got
		} else if got != id {
			t.Fatalf("post %d returned %s, first returned %s", i, got, id)
		}
	}
	f.WaitJobsSettled() // the posts' push jobs have run
	if c := f.FCM.Count(); c != 0 {
		t.Fatalf("no devices, yet %d pushes", c)
	}
	// A different id is a different post.
	f.post(t, "teacherA", "flaky-wifi-2", "DRAFT", "POSITIVE", s1)
	f.DB.Model(&models.Observation{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d observations, want 2", n)
	}
}

// The timeline interleaves observations and home insights, newest first,
// and a parent's timeline holds only what they may see.
func TestStudentTimeline(t *testing.T) {
	f := newFixture(t)
	s1 := f.students["s1"].ID
	parent := f.token("parentA")
	f.post(t, "teacherA", "t1", "SHARED", "POSITIVE", s1)
	time.Sleep(5 * time.Millisecond)
	f.Do(parent, qInsight, map[string]any{"s": s1, "c": "t2", "b": "Set the table without being asked."})
	time.Sleep(5 * time.Millisecond)
	f.post(t, "teacherA", "t3", "DRAFT", "OBSERVATION", s1)
	q := `query($id: ID!, $after: String) { student(id: $id) { timeline(first: 2, after: $after) {
		edges { cursor node { __typename ... on Observation { id state } ... on HomeInsight { id body } } } pageInfo { hasNextPage endCursor } } } }`
	type tl struct {
		Student struct {
			Timeline struct {
				Edges []struct {
					Node struct{ State, Body string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
	}
	var first, second tl
	f.Do(f.token("teacherA"), q, map[string]any{"id": s1}).Decode(t, &first)
	f.Do(f.token("teacherA"), q, map[string]any{"id": s1, "after": *first.Student.Timeline.PageInfo.EndCursor}).Decode(t, &second)
	var got []string
	for _, e := range append(first.Student.Timeline.Edges, second.Student.Timeline.Edges...) {
		got = append(got, e.Node.State+e.Node.Body)
	}
	if strings.Join(got, "|") != "DRAFT|Set the table without being asked.|SHARED" || !first.Student.Timeline.PageInfo.HasNextPage || second.Student.Timeline.PageInfo.HasNextPage {
		t.Fatalf("teacher's timeline: %v", got)
	}
	var p tl
	f.Do(parent, q, map[string]any{"id": s1}).Decode(t, &p)
	if len(p.Student.Timeline.Edges) != 2 || p.Student.Timeline.Edges[0].Node.Body == "" || p.Student.Timeline.Edges[1].Node.State != "SHARED" {
		t.Fatalf("parent's timeline: %+v", p)
	}
}

// A clientMutationId is remembered for domain.RetryWindow: a retry within
// it answers the first post and writes nothing; once the daily chore has
// forgotten it, the same id posts anew.
func TestRetryWindow(t *testing.T) {
	f := newFixture(t)
	s1 := f.students["s1"].ID
	ctx := context.Background()
	first := f.post(t, "teacherA", "window-1", "DRAFT", "POSITIVE", s1)
	count := func() int64 {
		var n int64
		f.DB.Model(&models.Observation{}).Count(&n)
		return n
	}
	if n, err := f.App.Domain.ForgetOldRetries(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("forgot %d claims of now, %v", n, err)
	}
	if again := f.post(t, "teacherA", "window-1", "DRAFT", "POSITIVE", s1); len(again) != 1 || again[0] != first[0] || count() != 1 {
		t.Fatalf("retry within the window: %v (first %v), %d observations", again, first, count())
	}
	n, err := f.App.Domain.ForgetOldRetries(ctx, time.Now().Add(domain.RetryWindow+time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("forgot %d claims a window later, want 1: %v", n, err)
	}
	if again := f.post(t, "teacherA", "window-1", "DRAFT", "POSITIVE", s1); len(again) != 1 || again[0] == first[0] || count() != 2 {
		t.Fatalf("the id after the window: %v (first %v), %d observations", again, first, count())
	}
}
