package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// Who wrote each target student's observations: their own teacher.
var targetAuthor = map[string]string{"s1": "teacherA", "s2": "teacherA2", "sB": "teacherB"}

func (f *fixture) obs(t *testing.T, student string, state models.ObservationState, kind models.ObservationKind) string {
	t.Helper()
	st := f.students[student]
	now := time.Now()
	o := models.Observation{SchoolID: st.SchoolID, StudentID: st.ID, AuthorID: f.users[targetAuthor[student]].ID,
		GroupID: "00000000-0000-4000-8000-000000000002", Kind: kind, Body: "Worked hard on reading.", State: state, FeedAt: now, CreatedAt: now, UpdatedAt: now}
	if state == models.StateShared {
		o.SharedAt = &now
	}
	if err := f.DB.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// want[op] lists, per role (PARENT, TEACHER, ADMIN, RESTRICTED), the
// expected code for own / other / other-school targets ("ok" = allowed,
// NF = NOT_FOUND, F = FORBIDDEN).
var obsMatrix = map[string][4]string{
	"read SHARED":                 {"ok NF NF", "ok NF NF", "ok ok NF", "NF NF NF"},
	"read DRAFT":                  {"NF NF NF", "ok NF NF", "ok ok NF", "NF NF NF"},
	"read IN_REVIEW":              {"NF NF NF", "ok NF NF", "ok ok NF", "NF NF NF"},
	"read STAFF_ONLY":             {"NF NF NF", "ok NF NF", "ok ok NF", "NF NF NF"},
	"postObservation":             {"F NF NF", "ok NF NF", "ok ok NF", "NF NF NF"},
	"updateObservation":           {"NF NF NF", "ok NF NF", "F F NF", "NF NF NF"},
	"shareObservation":            {"NF NF NF", "ok NF NF", "F F NF", "NF NF NF"},
	"deleteObservation":           {"NF NF NF", "ok NF NF", "F F NF", "NF NF NF"},
	"requestObservationReview":    {"NF NF NF", "ok NF NF", "F F NF", "NF NF NF"},
	"reviewObservation":           {"NF NF NF", "F NF NF", "ok ok NF", "NF NF NF"},
	"acknowledgeObservation":      {"ok NF NF", "F NF NF", "F F NF", "NF NF NF"},
	"respondToObservation":        {"ok NF NF", "F NF NF", "F F NF", "NF NF NF"},
	"shareHomeInsight":            {"ok NF NF", "F NF NF", "F F NF", "NF NF NF"},
	"studentsNeedingPositiveNote": {"F NF NF", "ok NF NF", "ok ok NF", "NF NF NF"},
}

var codeOf = map[string]string{"ok": "", "NF": "NOT_FOUND", "F": "FORBIDDEN"}

func TestObservationAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	roles := []string{"PARENT", "TEACHER", "ADMIN", "RESTRICTED"}
	targets := []string{"own", "other", "other school"}
	students := []string{"s1", "s2", "sB"}
	rooms := []string{"a1", "a2", "b1"}
	n := 0
	for op, rows := range obsMatrix {
		for ri, role := range roles {
			wants := strings.Fields(rows[ri])
			for ti, target := range targets {
				n++
				st, want := students[ti], codeOf[wants[ti]]
				t.Run(op+"/"+role+"/"+target, func(t *testing.T) {
					tok := f.token(asker[role])
					cmid := fmt.Sprintf("m-%d", n)
					var q string
					vars := map[string]any{"c": cmid}
					switch op {
					case "read SHARED", "read DRAFT", "read IN_REVIEW", "read STAFF_ONLY":
						q = `query($id: ID!) { observation(id: $id) { id body } }`
						vars["id"] = f.obs(t, st, models.ObservationState(strings.TrimPrefix(op, "read ")), models.KindConcern)
					case "postObservation":
						q = `mutation($s: ID!, $c: String!) { postObservation(input: {clientMutationId: $c, studentIds: [$s], kind: POSITIVE, body: "Kind to a friend."}) { observations { id } } }`
						vars["s"] = f.students[st].ID
					case "updateObservation":
						q = `mutation($id: ID!, $c: String!) { updateObservation(input: {clientMutationId: $c, id: $id, body: "Changed"}) { observation { id } } }`
						vars["id"] = f.obs(t, st, models.StateDraft, models.KindObservation)
					case "shareObservation", "deleteObservation":
						q = `mutation($id: ID!, $c: String!) { ` + op + `(input: {clientMutationId: $c, id: $id}) { clientMutationId } }`
						vars["id"] = f.obs(t, st, models.StateDraft, models.KindObservation)
					case "requestObservationReview":
						q = `mutation($id: ID!, $c: String!) { requestObservationReview(input: {clientMutationId: $c, id: $id}) { observation { id } } }`
						vars["id"] = f.obs(t, st, models.StateDraft, models.KindConcern)
					case "reviewObservation":
						q = `mutation($id: ID!, $c: String!) { reviewObservation(input: {clientMutationId: $c, id: $id, decision: APPROVE}) { observation { id } } }`
						vars["id"] = f.obs(t, st, models.StateInReview, models.KindConcern)
					case "acknowledgeObservation":
						q = `mutation($id: ID!) { acknowledgeObservation(input: {id: $id, reaction: THANKS}) { id } }`
						vars["id"] = f.obs(t, st, models.StateShared, models.KindPositive)
						delete(vars, "c")
					case "respondToObservation":
						q = `mutation($id: ID!, $c: String!) { respondToObservation(input: {clientMutationId: $c, id: $id, body: "Thanks!"}) { response { id } } }`
						vars["id"] = f.obs(t, st, models.StateShared, models.KindPositive)
					case "shareHomeInsight":
						q = `mutation($s: ID!, $c: String!) { shareHomeInsight(input: {clientMutationId: $c, studentId: $s, body: "Read a whole book."}) { homeInsight { id } } }`
						vars["s"] = f.students[st].ID
					case "studentsNeedingPositiveNote":
						q = `query($id: ID!) { classroom(id: $id) { studentsNeedingPositiveNote { id } } }`
						vars["id"] = f.classrooms[rooms[ti]].ID
						delete(vars, "c")
					}
					before := f.Snapshot()
					res := f.Do(tok, q, vars)
					if res.Code() != want {
						t.Fatalf("code %q, want %q: %s", res.Code(), want, res.Body)
					}
					if want != "" {
						if strings.Contains(res.Body, "Worked hard") {
							t.Fatalf("refusal leaks the observation: %s", res.Body)
						}
						apptest.SameCounts(t, before, f.Snapshot())
					}
				})
			}
		}
	}
}

// A parent never sees a DRAFT, IN_REVIEW or STAFF_ONLY observation, not even
// as a count: not in the feed, the student's list, the balance or a
// classroom's counts.
func TestParentsSeeOnlyShared(t *testing.T) {
	f := newFixture(t)
	for _, s := range []models.ObservationState{models.StateDraft, models.StateInReview, models.StateStaffOnly, models.StateShared} {
		f.obs(t, "s1", s, models.KindPositive)
	}
	q := `query($id: ID!) { feed { edges { node { id state } } }
		student(id: $id) { observations { edges { node { state } } } balance { positive } }
		classroom(id: "` + f.classrooms["a1"].ID + `") { unacknowledgedCount feed { edges { node { state } } } } }`
	type out struct {
		Feed struct {
			Edges []struct{ Node struct{ State string } }
		}
		Student struct {
			Observations struct {
				Edges []struct{ Node struct{ State string } }
			}
			Balance struct{ Positive int }
		}
		Classroom struct {
			UnacknowledgedCount int
			Feed                struct {
				Edges []struct{ Node struct{ State string } }
			}
		}
	}
	var p, te out
	f.Do(f.token("parentA"), q, map[string]any{"id": f.students["s1"].ID}).Decode(t, &p)
	if len(p.Feed.Edges) != 1 || len(p.Student.Observations.Edges) != 1 || len(p.Classroom.Feed.Edges) != 1 || p.Student.Balance.Positive != 1 || p.Classroom.UnacknowledgedCount != 0 {
		t.Fatalf("parent sees more than the shared note: %+v", p)
	}
	for _, e := range append(p.Feed.Edges, p.Student.Observations.Edges...) {
		if e.Node.State != "SHARED" {
			t.Fatalf("parent sees a %s observation", e.Node.State)
		}
	}
	f.Do(f.token("teacherA"), q, map[string]any{"id": f.students["s1"].ID}).Decode(t, &te)
	if len(te.Student.Observations.Edges) != 4 || te.Student.Balance.Positive != 3 || te.Classroom.UnacknowledgedCount != 1 {
		t.Fatalf("teacher (the author) view: %+v", te)
	}
	var r struct{ Feed struct{ Edges []struct{} } }
	f.Do(f.token("restrictedA"), `{ feed { edges { node { id } } } }`, nil).Decode(t, &r)
	if len(r.Feed.Edges) != 0 {
		t.Fatalf("restricted guardian's feed has %d items", len(r.Feed.Edges))
	}
}
