package contracts_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
)

// followUpContracts runs the partnership loop as the apps send it: the
// teacher shares a summary with two next steps after the meeting, the
// parent opens and acknowledges it with an addition, and answers a
// check-in that marks a step done; then a note's "try at home" and the
// family's answer, "About my child", and the teacher's getting-to-know
// list.
func followUpContracts(t *testing.T, env *apptest.Env, admin, teacher, parent, child, teacherID string, ops map[string]string, covered map[string]bool) {
	gql := func(token, q string, vars map[string]any) string {
		t.Helper()
		res := env.Do(token, q, vars)
		if len(res.Errors) > 0 {
			t.Fatalf("%s: %s", q, res.Body)
		}
		return string(res.Data)
	}
	uuidRe := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`)
	// A meeting the family asked for, an hour ahead.
	d := gql(parent, `mutation($in: RequestConferenceMeetingInput!) { requestConferenceMeeting(input: $in) { request { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "follow-1", "studentId": child, "teacherId": teacherID,
			"topic": "Reading at home", "atHome": "He reads every night but guesses long words."}})
	request := uuidRe.FindStringSubmatch(d)[1]
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Minute)
	d = gql(admin, `mutation($in: ProposeConferenceTimesInput!) { proposeConferenceTimes(input: $in) { options { id } } }`,
		map[string]any{"in": map[string]any{"requestId": request, "times": []any{map[string]any{"startsAt": at, "endsAt": at.Add(30 * time.Minute)}}}})
	option := uuidRe.FindStringSubmatch(d)[1]
	gql(parent, `mutation($in: AcceptConferenceTimeInput!) { acceptConferenceTime(input: $in) { state } }`,
		map[string]any{"in": map[string]any{"requestId": request, "optionId": option}})

	// The meeting has taken place.
	env.Clock.Set(at.Add(45 * time.Minute))

	run := func(op, token string, vars map[string]any, want ...string) string {
		t.Helper()
		res := env.Do(token, ops[op], vars)
		if len(res.Errors) > 0 {
			t.Fatalf("%s: %s", op, res.Body)
		}
		for _, w := range want {
			if !strings.Contains(string(res.Data), w) {
				t.Fatalf("%s: want %s in %s", op, w, res.Data)
			}
		}
		covered[op] = true
		return string(res.Data)
	}
	d = run("ShareConferenceSummary", teacher, map[string]any{"input": map[string]any{"clientMutationId": "sum-1", "requestId": request,
		"body": "We agreed he is a keen reader who needs help with long words.",
		"nextSteps": []any{
			map[string]any{"owner": "HOME", "body": "Clap out the syllables of one long word each night."},
			map[string]any{"owner": "SCHOOL", "body": "Weekly phonics group on Tuesdays.", "dueOn": at.AddDate(0, 0, 14).Format(time.DateOnly)},
		}}}, `"owner":"HOME"`, `"owner":"SCHOOL"`, request)
	summary := uuidRe.FindStringSubmatch(d)[1]
	step := regexp.MustCompile(`"nextSteps":\[\{"id":"([0-9a-f-]{36})"`).FindStringSubmatch(d)[1]
	run("ConferenceSummary", parent, map[string]any{"id": summary}, "keen reader", "Clap out", `"acknowledgedAt":null`)
	run("AcknowledgeConferenceSummary", parent, map[string]any{"input": map[string]any{"clientMutationId": "ack-1", "summaryId": summary,
		"addition": "He likes comics best."}}, `"kind":"ADDITION"`, `"acknowledgedAt":"`)
	run("AnswerNextStepCheckIn", parent, map[string]any{"input": map[string]any{"clientMutationId": "chk-1", "stepId": step,
		"progress": "DONE", "body": "We do it at bedtime."}}, `"progress":"DONE"`, `"done":true`)

	env.Clock.Reset()

	// A note with something to try at home, and the family's answer.
	d = gql(admin, `mutation($s: ID!) { postObservation(input: {clientMutationId: "try-1", studentIds: [$s], kind: POSITIVE, state: SHARED,
		body: "Shared the blocks with everyone today.", tryAtHome: "Ask who he played with today."}) { observations { id } } }`, map[string]any{"s": child})
	note := uuidRe.FindStringSubmatch(d)[1]
	run("AnswerTryAtHome", parent, map[string]any{"input": map[string]any{"observationId": note, "body": "He named three friends!"}},
		"He named three friends!", "Ask who he played with today.")
	run("UpdateChildProfile", parent, map[string]any{"input": map[string]any{"studentId": child, "strengths": "Kind to younger children.",
		"whatWorks": "A heads-up before changes.", "worries": "Loud rooms.", "goals": "Reading on his own."}}, "Kind to younger children.", `"updatedBy":{"id":"`)
	run("AboutMyChild", parent, map[string]any{"studentId": child}, "A heads-up before changes.")
	run("GettingToKnow", teacher, nil, `"student":{"id":"`)
	// A scheduled announcement, changed and then called off.
	school := uuidRe.FindStringSubmatch(gql(admin, `{ viewer { memberships { school { id } } } }`, nil))[1]
	d = gql(admin, `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id } } }`, map[string]any{"in": map[string]any{
		"clientMutationId": "ann-later", "schoolId": school, "audience": "SCHOOL", "title": "Book fair", "body": "Next week.", "publishAt": time.Now().Add(48 * time.Hour)}})
	ann := uuidRe.FindStringSubmatch(d)[1]
	run("UpdateAnnouncement", admin, map[string]any{"input": map[string]any{"id": ann, "title": "Book fair moved", "publishAt": time.Now().Add(72 * time.Hour)}},
		"Book fair moved", `"editedAt":"`)
	run("CancelAnnouncement", admin, map[string]any{"input": map[string]any{"id": ann}}, `"cancelledAt":"`)
	run("MessageDraftHints", teacher, map[string]any{"body": "He never listens.", "concern": true}, `"code":"ABSOLUTE"`, `"code":"NO_INVITATION"`)
}
