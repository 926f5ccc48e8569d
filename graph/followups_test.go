package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qShareSummary = `mutation($in: ShareConferenceSummaryInput!) { shareConferenceSummary(input: $in) {
		summary { id body checkInAt nextSteps { id owner body dueOn done } } } }`
	qAckSummary = `mutation($in: AcknowledgeConferenceSummaryInput!) { acknowledgeConferenceSummary(input: $in) {
		followUp { id kind body } summary { id acknowledgedAt acknowledgedBy { id } } } }`
	qCheckIn = `mutation($in: AnswerNextStepCheckInInput!) { answerNextStepCheckIn(input: $in) {
		followUp { id kind progress body step { id done } } summary { id nextSteps { id done } } } }`
	qSummary = `query($id: ID!) { conferenceSummary(id: $id) { id body acknowledgedAt
		nextSteps { id owner body done checkIns { progress body author { id } } } followUps { kind progress body author { id } } } }`
	qBookWith = `mutation($in: BookConferenceSlotInput!) { bookConferenceSlot(input: $in) { booking { id questions atHome } } }`
)

// otherHousehold makes s1's family two households: parentA's ("mom") and
// a new guardian's ("dad"), who is returned as "dadA" in f.users.
func (f *fixture) otherHousehold(t *testing.T) {
	t.Helper()
	s1 := f.students["s1"]
	email := "dad@fixture.example"
	u := &models.User{FirebaseUID: "fx-dadA", Email: &email, DisplayName: "Dad A", Locale: "en-US", TimeZone: "UTC"}
	dad, mom := "dad", "mom"
	for _, row := range []any{u} {
		if err := f.DB.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, row := range []any{
		&models.Membership{UserID: u.ID, SchoolID: s1.SchoolID, Role: models.RoleParent},
		&models.Guardianship{SchoolID: s1.SchoolID, StudentID: s1.ID, UserID: u.ID, Relationship: models.RelationshipFather, Household: &dad},
	} {
		if err := f.DB.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := f.DB.Exec(`UPDATE guardianships SET household = ? WHERE student_id = ? AND user_id = ?`, mom, s1.ID, f.users["parentA"].ID).Error; err != nil {
		t.Fatal(err)
	}
	f.users["dadA"] = u
}

// The whole loop of a conference that leads somewhere, through the API:
// each household of a separated family books its own conference with its
// questions; the teacher sees them; after the meeting the teacher shares
// a summary with two next steps; the family acknowledges it and adds to
// it; 30 days later (injected clock) both sides are asked how the steps
// go; they answer, a step is marked done, then the other; all of it is in
// the timeline and the export, and none of it reaches the other household
// or the restricted guardian.
func TestConferenceFollowUpLoop(t *testing.T) {
	f := newFixture(t)
	// The server's clock (push workers read it) stops at now, and stays
	// there until the meeting is over.
	clock := f.Clock
	clock.Set(time.Now())
	f.otherHousehold(t)
	for who, device := range map[string]string{"parentA": "mom-phone", "dadA": "dad-phone", "teacherA": "teacher-tablet", "restrictedA": "restricted-phone"} {
		f.RegisterDevice(f.token(who), device)
	}
	day := time.Now().UTC().AddDate(0, 0, 3).Truncate(24 * time.Hour)
	start := day.Add(15 * time.Hour)
	_, slots := f.round(t, day, 30, [2]time.Time{start, start.Add(time.Hour)})
	s1 := f.students["s1"].ID

	// Before: each household books, with its own words.
	book := func(who, slot, cmid string, in map[string]any) string {
		t.Helper()
		in["clientMutationId"], in["slotId"], in["studentId"] = cmid, slot, s1
		var b struct {
			BookConferenceSlot struct {
				Booking struct{ ID, Questions, AtHome string }
			}
		}
		f.Do(f.token(who), qBookWith, map[string]any{"in": in}).Decode(t, &b)
		return b.BookConferenceSlot.Booking.ID
	}
	momBooking := book("parentA", slots[0].ID, "mom-1", map[string]any{"questions": "How is his reading going?", "atHome": "He reads every night but guesses long words."})
	dadBooking := book("dadA", slots[1].ID, "dad-1", map[string]any{"questions": "Does he have friends in class?"})
	if momBooking == "" || dadBooking == "" || momBooking == dadBooking {
		t.Fatalf("bookings: %q %q", momBooking, dadBooking)
	}
	// One per household: mom's second booking in the round is refused.
	if res := f.Do(f.token("parentA"), qBookWith, map[string]any{"in": map[string]any{"clientMutationId": "mom-2", "slotId": slots[1].ID, "studentId": s1}}); res.Code() != "CONFLICT" {
		t.Fatalf("a second booking for the same household: %s", res.Body)
	}
	// The teacher sees both, with what each family wrote.
	var sched struct {
		MyConferences []struct{ ID, Questions, AtHome string }
	}
	f.Do(f.token("teacherA"), `{ myConferences { id questions atHome } }`, nil).Decode(t, &sched)
	if len(sched.MyConferences) != 2 || sched.MyConferences[0].Questions != "How is his reading going?" ||
		sched.MyConferences[0].AtHome != "He reads every night but guesses long words." || sched.MyConferences[1].Questions != "Does he have friends in class?" {
		t.Fatalf("teacher's schedule: %+v", sched.MyConferences)
	}
	// Each household sees only its own; the restricted guardian none.
	for who, want := range map[string]string{"parentA": momBooking, "dadA": dadBooking, "restrictedA": ""} {
		var mine struct{ MyConferences []struct{ ID string } }
		f.Do(f.token(who), `{ myConferences { id } }`, nil).Decode(t, &mine)
		if got := len(mine.MyConferences); (want == "" && got != 0) || (want != "" && (got != 1 || mine.MyConferences[0].ID != want)) {
			t.Errorf("%s sees %+v, want only %q", who, mine.MyConferences, want)
		}
	}
	if res := f.Do(f.token("dadA"), `query($id: ID!) { conferenceBooking(id: $id) { id questions } }`, map[string]any{"id": momBooking}); res.Code() != "NOT_FOUND" {
		t.Fatalf("the other household reads mom's booking: %s", res.Body)
	}

	share := map[string]any{"clientMutationId": "sum-1", "bookingId": momBooking,
		"body": "We agreed he is a keen reader who needs help with long words.",
		"nextSteps": []any{
			map[string]any{"owner": "HOME", "body": "Clap out the syllables of one long word each night."},
			map[string]any{"owner": "SCHOOL", "body": "Phonics group on Tuesdays.", "dueOn": day.AddDate(0, 0, 14).Format(time.DateOnly)},
		}}
	// Not before the meeting.
	if res := f.Do(f.token("teacherA"), qShareSummary, map[string]any{"in": share}); res.Code() != "CONFLICT" {
		t.Fatalf("a summary before the meeting: %s", res.Body)
	}

	// After: the meeting is over (injected clock).
	clock.Set(start.Add(40 * time.Minute))
	var shared struct {
		ShareConferenceSummary struct {
			Summary struct {
				ID, Body  string
				CheckInAt time.Time
				NextSteps []struct {
					ID, Owner, Body string
					DueOn           *string
					Done            bool
				}
			}
		}
	}
	f.Do(f.token("teacherA"), qShareSummary, map[string]any{"in": share}).Decode(t, &shared)
	sum := shared.ShareConferenceSummary.Summary
	if len(sum.NextSteps) != 2 || sum.NextSteps[0].Owner != "HOME" || sum.NextSteps[1].Owner != "SCHOOL" ||
		sum.NextSteps[1].DueOn == nil || *sum.NextSteps[1].DueOn != day.AddDate(0, 0, 14).Format(time.DateOnly) || sum.NextSteps[0].Done {
		t.Fatalf("summary: %+v", sum)
	}
	if want := clock.Now().Add(30 * 24 * time.Hour); !sum.CheckInAt.Equal(want) {
		t.Fatalf("check-in at %v, want %v", sum.CheckInAt, want)
	}
	if res := f.Do(f.token("teacherA"), qShareSummary, map[string]any{"in": map[string]any{"clientMutationId": "sum-2", "bookingId": momBooking, "body": "Again."}}); res.Code() != "CONFLICT" {
		t.Fatalf("a second summary: %s", res.Body)
	}
	f.WaitPushesIdle()
	followUps := func(kind string) map[string]int {
		out := map[string]int{}
		for _, m := range f.FCM.Messages() {
			if m.Data["type"] == models.NoticeConferenceFollow && m.Data["kind"] == kind {
				out[m.Token]++
			}
		}
		return out
	}
	if got := followUps("SUMMARY"); got["mom-phone"] != 1 || len(got) != 1 {
		t.Fatalf("SUMMARY pushes: %v (only mom's household is told)", got)
	}
	// The other household and the restricted guardian never see it.
	for _, who := range []string{"dadA", "restrictedA", "parentA2", "teacherA2", "parentB"} {
		if res := f.Do(f.token(who), qSummary, map[string]any{"id": sum.ID}); res.Code() != "NOT_FOUND" {
			t.Errorf("%s reads the summary: %s", who, res.Body)
		}
	}
	if res := f.Do(f.token("teacherA"), qAckSummary, map[string]any{"in": map[string]any{"clientMutationId": "t-ack", "summaryId": sum.ID}}); res.Code() != "FORBIDDEN" {
		t.Fatalf("the teacher acknowledges: %s", res.Body)
	}

	// The family acknowledges and adds to it.
	var ack struct {
		AcknowledgeConferenceSummary struct {
			FollowUp struct{ Kind, Body string }
			Summary  struct {
				AcknowledgedAt *time.Time
				AcknowledgedBy struct{ ID string }
			}
		}
	}
	f.Do(f.token("parentA"), qAckSummary, map[string]any{"in": map[string]any{"clientMutationId": "ack-1", "summaryId": sum.ID,
		"addition": "He likes comics best: we will use those."}}).Decode(t, &ack)
	if a := ack.AcknowledgeConferenceSummary; a.FollowUp.Kind != "ADDITION" || a.Summary.AcknowledgedAt == nil || a.Summary.AcknowledgedBy.ID != f.users["parentA"].ID {
		t.Fatalf("acknowledgement: %+v", a)
	}
	f.WaitPushesIdle()
	if got := followUps("ACKNOWLEDGED"); got["teacher-tablet"] != 1 {
		t.Fatalf("ACKNOWLEDGED pushes: %v", got)
	}

	// The check-in, 30 days later: scheduled for then, to both sides.
	var due []time.Time
	f.DB.Raw(`SELECT j.scheduled_at FROM river_job j JOIN notifications n ON n.id::text = j.args->>'notification_id'
		WHERE j.kind = 'push_fan_out' AND j.state = 'scheduled' AND n.type = ? AND n.params::jsonb->>'kind' = 'CHECK_IN'`, models.NoticeConferenceFollow).Scan(&due)
	if len(due) != 1 || !due[0].Equal(sum.CheckInAt) {
		t.Fatalf("check-in scheduled at %v, want %v", due, sum.CheckInAt)
	}
	if got := followUps("CHECK_IN"); len(got) != 0 {
		t.Fatalf("the check-in went early: %v", got)
	}
	clock.Set(sum.CheckInAt.Add(time.Second))
	f.DB.Exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled'`)
	f.WaitPushesIdle()
	if got := followUps("CHECK_IN"); got["mom-phone"] != 1 || got["teacher-tablet"] != 1 || len(got) != 2 {
		t.Fatalf("CHECK_IN pushes: %v (mom and the teacher, no one else)", got)
	}

	// Both sides answer; a step is marked done, then the other.
	answer := func(who, cmid, step, progress, body string) {
		t.Helper()
		var a struct {
			AnswerNextStepCheckIn struct {
				FollowUp struct {
					Kind, Progress string
					Step           struct{ Done bool }
				}
			}
		}
		f.Do(f.token(who), qCheckIn, map[string]any{"in": map[string]any{"clientMutationId": cmid, "stepId": step, "progress": progress, "body": body}}).Decode(t, &a)
		if fu := a.AnswerNextStepCheckIn.FollowUp; fu.Kind != "CHECK_IN" || fu.Progress != progress || fu.Step.Done != (progress == "DONE") {
			t.Fatalf("%s's answer: %+v", who, fu)
		}
	}
	answer("parentA", "chk-1", sum.NextSteps[0].ID, "GOING_WELL", "Most nights, at bedtime.")
	clock.Add(time.Hour)
	answer("teacherA", "chk-2", sum.NextSteps[1].ID, "DONE", "He joined the group and enjoys it.")
	if res := f.Do(f.token("dadA"), qCheckIn, map[string]any{"in": map[string]any{"clientMutationId": "dad-chk", "stepId": sum.NextSteps[0].ID, "progress": "STUCK"}}); res.Code() != "NOT_FOUND" {
		t.Fatalf("the other household answers: %s", res.Body)
	}
	clock.Add(24 * time.Hour)
	answer("parentA", "chk-3", sum.NextSteps[0].ID, "DONE", "")
	f.WaitPushesIdle()
	if got := followUps("ANSWERED"); got["teacher-tablet"] != 2 || got["mom-phone"] != 1 || got["dad-phone"] != 0 {
		t.Fatalf("ANSWERED pushes: %v", got)
	}
	var read struct {
		ConferenceSummary struct {
			NextSteps []struct {
				Done     bool
				CheckIns []struct{ Progress, Body string }
			}
			FollowUps []struct{ Kind string }
		}
	}
	f.Do(f.token("parentA"), qSummary, map[string]any{"id": sum.ID}).Decode(t, &read)
	cs := read.ConferenceSummary
	if len(cs.NextSteps) != 2 || !cs.NextSteps[0].Done || !cs.NextSteps[1].Done || len(cs.NextSteps[0].CheckIns) != 2 ||
		cs.NextSteps[0].CheckIns[0].Body != "Most nights, at bedtime." || len(cs.FollowUps) != 4 {
		t.Fatalf("summary after the check-in: %+v", cs)
	}

	// All of it in the student's timeline, for the family and the teacher.
	const qTimeline = `query($id: ID!) { student(id: $id) { timeline(first: 50) { edges { node { __typename
		... on ConferenceSummary { id } ... on ConferenceFollowUp { kind progress body } } } } } }`
	timeline := func(who string) map[string]int {
		var tl struct {
			Student struct {
				Timeline struct {
					Edges []struct {
						Node struct {
							Typename string `json:"__typename"`
							ID       string
							Kind     string
						}
					}
				}
			}
		}
		f.Do(f.token(who), qTimeline, map[string]any{"id": s1}).Decode(t, &tl)
		out := map[string]int{}
		for _, e := range tl.Student.Timeline.Edges {
			out[e.Node.Typename+e.Node.Kind]++
		}
		return out
	}
	for _, who := range []string{"parentA", "teacherA"} {
		if got := timeline(who); got["ConferenceSummary"] != 1 || got["ConferenceFollowUpADDITION"] != 1 || got["ConferenceFollowUpCHECK_IN"] != 3 {
			t.Errorf("%s's timeline: %v", who, got)
		}
	}
	if got := timeline("dadA"); got["ConferenceSummary"] != 0 || got["ConferenceFollowUpCHECK_IN"] != 0 {
		t.Errorf("the other household's timeline: %v", got)
	}

	// And in the student's export.
	export := func(who string) string {
		var ex struct{ StudentExport struct{ JSON string } }
		f.Do(f.token(who), `query($id: ID!) { studentExport(studentId: $id) { json } }`, map[string]any{"id": s1}).Decode(t, &ex)
		return ex.StudentExport.JSON
	}
	var doc struct {
		Conferences []struct{ ID, Questions, AtHome string }
		Summaries   []struct {
			ID, Body  string
			NextSteps []struct {
				Owner  string
				DoneAt *time.Time
			}
			FollowUps []struct{ Kind, Progress, Body string }
		} `json:"conferenceSummaries"`
	}
	if err := json.Unmarshal([]byte(export("parentA")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Conferences) != 1 || doc.Conferences[0].Questions != "How is his reading going?" || len(doc.Summaries) != 1 ||
		doc.Summaries[0].Body != share["body"] || len(doc.Summaries[0].NextSteps) != 2 || doc.Summaries[0].NextSteps[0].DoneAt == nil ||
		len(doc.Summaries[0].FollowUps) != 4 || doc.Summaries[0].FollowUps[0].Kind != "ADDITION" {
		t.Fatalf("mom's export: %+v", doc)
	}
	if dad := export("dadA"); strings.Contains(dad, sum.ID) || strings.Contains(dad, "keen reader") || strings.Contains(dad, "reading going") {
		t.Fatalf("the other household's export holds mom's conference: %s", dad)
	}
}

// Every follow-up operation as each kind of person. A refusal writes
// nothing.
func TestConferenceFollowUpAuthorization(t *testing.T) {
	f := newFixture(t)
	clock := f.Clock
	clock.Set(time.Now())
	f.otherHousehold(t)
	day := time.Now().UTC().AddDate(0, 0, 3).Truncate(24 * time.Hour)
	start := day.Add(15 * time.Hour)
	_, slots := f.round(t, day, 30, [2]time.Time{start, start.Add(30 * time.Minute)})
	var b struct {
		BookConferenceSlot struct{ Booking struct{ ID string } }
	}
	f.Do(f.token("parentA"), qBookWith, map[string]any{"in": map[string]any{"clientMutationId": "b", "slotId": slots[0].ID, "studentId": f.students["s1"].ID}}).Decode(t, &b)
	booking := b.BookConferenceSlot.Booking.ID
	clock.Set(start.Add(time.Hour))
	var s struct {
		ShareConferenceSummary struct {
			Summary struct {
				ID        string
				NextSteps []struct{ ID string }
			}
		}
	}
	f.Do(f.token("teacherA"), qShareSummary, map[string]any{"in": map[string]any{"clientMutationId": "s", "bookingId": booking, "body": "Summary.",
		"nextSteps": []any{map[string]any{"owner": "HOME", "body": "Read together."}}}}).Decode(t, &s)
	summary, step := s.ShareConferenceSummary.Summary.ID, s.ShareConferenceSummary.Summary.NextSteps[0].ID

	n := 0
	type op struct {
		query string
		vars  func() map[string]any
	}
	ops := map[string]op{
		"shareConferenceSummary": {qShareSummary, func() map[string]any {
			return map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("s%d", n), "bookingId": booking, "body": "Another."}}
		}},
		"conferenceSummary": {qSummary, func() map[string]any { return map[string]any{"id": summary} }},
		"acknowledgeConferenceSummary": {qAckSummary, func() map[string]any {
			return map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("a%d", n), "summaryId": summary, "addition": "More."}}
		}},
		"answerNextStepCheckIn": {qCheckIn, func() map[string]any {
			return map[string]any{"in": map[string]any{"clientMutationId": fmt.Sprintf("c%d", n), "stepId": step, "progress": "GOING_WELL"}}
		}},
		"student.conferenceSummaries": {`query($id: ID!) { student(id: $id) { conferenceSummaries { id } } }`, func() map[string]any { return map[string]any{"id": f.students["s1"].ID} }},
	}
	want := map[string]map[string]string{
		"shareConferenceSummary":       {"parentA": "FORBIDDEN", "dadA": "NOT_FOUND", "restrictedA": "NOT_FOUND", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "teacherA": "CONFLICT", "adminA": "CONFLICT"},
		"conferenceSummary":            {"dadA": "NOT_FOUND", "restrictedA": "NOT_FOUND", "parentA2": "NOT_FOUND", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "parentB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "parentA": "", "teacherA": "", "adminA": ""},
		"acknowledgeConferenceSummary": {"dadA": "NOT_FOUND", "restrictedA": "NOT_FOUND", "parentA2": "NOT_FOUND", "teacherA": "FORBIDDEN", "adminA": "FORBIDDEN", "adminB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "parentA": ""},
		"answerNextStepCheckIn":        {"dadA": "NOT_FOUND", "restrictedA": "NOT_FOUND", "parentA2": "NOT_FOUND", "teacherA2": "NOT_FOUND", "adminB": "NOT_FOUND", "anonymous": "UNAUTHENTICATED", "parentA": "", "teacherA": "", "adminA": ""},
		"student.conferenceSummaries":  {"dadA": "", "parentA": ""},
	}
	for name, o := range ops {
		for who, code := range want[name] {
			t.Run(name+"/"+who, func(t *testing.T) {
				n++
				token := ""
				if who != "anonymous" {
					token = f.token(who)
				}
				before := f.Snapshot()
				res := f.Do(token, o.query, o.vars())
				if res.Code() != code {
					t.Fatalf("want %q, got %s", code, res.Body)
				}
				if code != "" {
					apptest.SameCounts(t, before, f.Snapshot())
				}
				if name == "student.conferenceSummaries" && (who == "dadA") != !strings.Contains(res.Body, summary) {
					t.Fatalf("%s sees %s", who, res.Body)
				}
			})
		}
	}
	// Bad input writes nothing.
	for name, in := range map[string]map[string]any{
		"no meeting":     {"body": "x"},
		"both meetings":  {"body": "x", "bookingId": booking, "requestId": booking},
		"empty body":     {"body": "  ", "bookingId": booking},
		"too many steps": {"body": "x", "bookingId": booking, "nextSteps": manySteps(11)},
		"bad due date":   {"body": "x", "bookingId": booking, "nextSteps": []any{map[string]any{"owner": "HOME", "body": "x", "dueOn": "soon"}}},
		"check-in 0":     {"body": "x", "bookingId": booking, "checkInAfterDays": 0},
	} {
		in["clientMutationId"] = "bad-" + strings.ReplaceAll(name, " ", "-")
		before := f.Snapshot()
		if res := f.Do(f.token("teacherA"), qShareSummary, map[string]any{"in": in}); res.Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: %s", name, res.Body)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
}

func manySteps(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"owner": "SCHOOL", "body": fmt.Sprintf("Step %d", i)}
	}
	return out
}
