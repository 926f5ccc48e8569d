package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
)

const (
	qPostObs = `mutation($in: PostObservationInput!) { postObservation(input: $in) { observations { id } } }`
	qDelete  = `mutation($in: DeleteFamilyDataInput!) { deleteFamilyData(input: $in) { clientMutationId deletedStudents deletedGuardians detachedGuardians deletedFiles } }`
	qExport  = `query($id: ID!) { studentExport(studentId: $id) { student { id } json } }`
	qAudit   = `query($s: ID!, $st: ID, $a: ID, $n: Int, $after: String) { auditLog(schoolId: $s, studentId: $st, actorId: $a, first: $n, after: $after) {
		edges { node { actor { id } actorRole action operation student { id } itemId } } pageInfo { hasNextPage endCursor } } }`
)

// note writes an observation about student as who and returns its id.
func (f *fixture) note(t *testing.T, who, student, cmid, kind, state, body string, attachments ...string) string {
	t.Helper()
	in := map[string]any{"clientMutationId": cmid, "studentIds": []string{f.students[student].ID}, "kind": kind, "body": body, "skills": []string{"KINDNESS"}, "state": state}
	if len(attachments) > 0 {
		in["attachmentIds"] = attachments
	}
	var out struct {
		PostObservation struct{ Observations []struct{ ID string } }
	}
	res := f.Do(f.token(who), qPostObs, map[string]any{"in": in})
	if res.Code() != "" {
		t.Fatalf("post: %s", res.Body)
	}
	res.Decode(t, &out)
	return out.PostObservation.Observations[0].ID
}

// familyFootprint makes a family (parentA, restrictedA, their child s1 with
// a name found nowhere else) use the app the way families do, with pushes
// delivered; it returns what identifies them and the signed URLs of their
// files.
func familyFootprint(t *testing.T, f *fixture) (markers, fileURLs []string) {
	t.Helper()
	s1 := f.students["s1"]
	if err := f.DB.Exec(`UPDATE students SET first_name = 'Zephyrine', last_name = 'Quillfeather' WHERE id = ?`, s1.ID).Error; err != nil {
		t.Fatal(err)
	}
	parent := f.token("parentA")
	mustOK := func(res *apptest.Response) *apptest.Response {
		t.Helper()
		if res.Code() != "" {
			t.Fatal(res.Body)
		}
		return res
	}
	mustOK(f.Do(parent, `mutation { updateProfile(input: {displayName: "Vexmarsh Parent"}) { displayName } }`, nil))
	mustOK(f.Do(parent, `mutation($in: RegisterDeviceInput!) { registerDevice(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"token": "fcm-token-vexmarsh", "platform": "IOS", "appVersion": "1.0"}}))
	f.RegisterDevice(f.token("teacherA"), "fcm-token-teacherA")

	photo := photoWithGPS(t)
	pic, _ := f.upload(t, "teacherA", "image/jpeg", photo, photo)
	mustOK(f.Do(f.token("teacherA"), qCompleteUpload, map[string]any{"id": pic}))
	obs := f.note(t, "teacherA", "s1", "fam-1", "POSITIVE", "SHARED", "Zephyrine helped a classmate tie his shoes.", pic)
	staffOnly := f.note(t, "teacherA", "s1", "fam-2", "OBSERVATION", "STAFF_ONLY", "Zephyrine seemed tired after lunch.")
	mustOK(f.Do(parent, `mutation($id: ID!) { acknowledgeObservation(input: {id: $id, reaction: HEART}) { id } }`, map[string]any{"id": obs}))
	mustOK(f.Do(parent, `mutation($id: ID!) { respondToObservation(input: {clientMutationId: "resp", id: $id, body: "She did the same for her cousin!"}) { response { id } } }`, map[string]any{"id": obs}))
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	doc, _ := f.upload(t, "parentA", "application/pdf", pdf, pdf)
	mustOK(f.Do(parent, qCompleteUpload, map[string]any{"id": doc}))
	mustOK(f.Do(parent, `mutation($in: ShareHomeInsightInput!) { shareHomeInsight(input: $in) { clientMutationId } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "ins", "studentId": s1.ID, "body": "Zephyrine reads to her brother every night.", "attachmentIds": []string{doc}}}))
	conv := f.start(t, "parentA", "s1", "teacherA")
	mustOK(f.Do(f.token("teacherA"), `mutation($c: ID!) { sendMessage(input: {clientMutationId: "reply", conversationId: $c, body: "Lovely, thank you Vexmarsh family!"}) { message { id } } }`, map[string]any{"c": conv}))
	// A general conversation with the school's staff.
	mustOK(f.Do(parent, `mutation($in: StartConversationInput!) { startConversation(input: $in) { conversation { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "general", "schoolId": s1.SchoolID, "participantIds": []string{f.users["adminA"].ID}, "subject": "Bus", "body": "Is the bus late today?"}}))
	// Staff read the child's records (audit log).
	mustOK(f.Do(f.token("teacherA"), `query($id: ID!) { student(id: $id) { timeline(first: 10) { edges { cursor } } balance { positive } } }`, map[string]any{"id": s1.ID}))
	f.WaitPushesIdle()
	if len(f.FCM.Messages()) == 0 {
		t.Fatal("no pushes were sent")
	}
	// The signed URLs of the family's files, as a teacher sees them.
	var tl struct {
		Student struct {
			Timeline struct {
				Edges []struct {
					Node struct {
						Attachments []struct{ URL string }
					}
				}
			}
		}
	}
	f.Do(f.token("teacherA"), `query($id: ID!) { student(id: $id) { timeline(first: 10) { edges { node {
		... on Observation { attachments { url } } ... on HomeInsight { attachments { url } } } } } } }`, map[string]any{"id": s1.ID}).Decode(t, &tl)
	for _, e := range tl.Student.Timeline.Edges {
		for _, a := range e.Node.Attachments {
			fileURLs = append(fileURLs, a.URL)
		}
	}
	if len(fileURLs) != 2 {
		t.Fatalf("want the photo and the PDF, got %v", fileURLs)
	}
	markers = []string{s1.ID, f.users["parentA"].ID, f.users["restrictedA"].ID, obs, staffOnly, conv, pic, doc,
		"Zephyrine", "Quillfeather", "Vexmarsh", "fcm-token-vexmarsh", "parentA@fixture.example", "restrictedA@fixture.example"}
	return markers, fileURLs
}

// mentions counts, per table, the rows whose text holds any marker: every
// table of the schema is searched, River's jobs included.
func mentions(t *testing.T, f *fixture, markers []string) map[string]int64 {
	t.Helper()
	var tables []string
	if err := f.DB.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	patterns := make([]string, len(markers))
	for i, m := range markers {
		patterns[i] = "%" + m + "%"
	}
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := f.DB.Raw(`SELECT count(*) FROM "`+table+`" t WHERE t::text ILIKE ANY (?)`, "{"+strings.Join(quoteAll(patterns), ",")+"}").Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n > 0 {
			out[table] = n
		}
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	return out
}

// TestFamilyDeletionIsComplete: after a family used the app (notes, a
// reply, a reaction, a home insight with a PDF, a photo on a note, two
// conversations, a device, pushes, staff reads in the audit log), an admin
// deletes its data: afterwards no row of any table mentions the child, the
// guardians, their items or their names, the files are gone, another
// family's data is untouched, and refusals change nothing.
func TestFamilyDeletionIsComplete(t *testing.T) {
	f := newFixture(t)
	markers, urls := familyFootprint(t, f)
	// Another family in the same school, which must be left alone.
	other := f.note(t, "teacherA2", "s2", "other-1", "POSITIVE", "SHARED", "Great focus in maths today.")
	f.WaitPushesIdle()
	otherMarkers := []string{f.students["s2"].ID, f.users["parentA2"].ID, other}
	before := mentions(t, f, markers)
	otherBefore := mentions(t, f, otherMarkers)
	t.Logf("before: rows mentioning the family, by table: %v", before)
	if len(before) < 10 {
		t.Fatalf("the footprint reaches only %d tables: %v", len(before), before)
	}

	in := func(cmid, confirm string, ids ...string) map[string]any {
		return map[string]any{"in": map[string]any{"clientMutationId": cmid, "studentIds": ids, "confirm": confirm}}
	}
	s1 := f.students["s1"].ID
	snap := f.Snapshot()
	for _, c := range []struct {
		who, code string
		vars      map[string]any
	}{
		{"teacherA", "FORBIDDEN", in("x1", "DELETE", s1)},
		{"parentA", "FORBIDDEN", in("x2", "DELETE", s1)},
		{"adminB", "NOT_FOUND", in("x3", "DELETE", s1)},
		{"adminA", "BAD_USER_INPUT", in("x4", "delete", s1)},
		{"adminA", "BAD_USER_INPUT", in("x5", "DELETE")},
		{"adminA", "NOT_FOUND", in("x6", "DELETE", s1, f.students["sB"].ID)}, // another school's child
		{"adminA", "NOT_FOUND", in("x7", "DELETE", "00000000-0000-4000-8000-000000000000")},
	} {
		if res := f.Do(f.token(c.who), qDelete, c.vars); res.Code() != c.code {
			t.Errorf("%s %v: %s, want %s", c.who, c.vars, res.Body, c.code)
		}
	}
	apptest.SameCounts(t, snap, f.Snapshot())

	res := f.Do(f.token("adminA"), qDelete, in("gdpr-1", "DELETE", s1))
	if res.Code() != "" {
		t.Fatal(res.Body)
	}
	var out struct {
		DeleteFamilyData struct{ DeletedStudents, DeletedGuardians, DetachedGuardians, DeletedFiles int }
	}
	res.Decode(t, &out)
	d := out.DeleteFamilyData
	if d.DeletedStudents != 1 || d.DeletedGuardians != 2 || d.DetachedGuardians != 0 || d.DeletedFiles != 2 {
		t.Fatalf("payload: %+v", d)
	}
	// A retry answers the same and deletes nothing more.
	if again := f.Do(f.token("adminA"), qDelete, in("gdpr-1", "DELETE", s1)); again.Code() != "" || string(again.Data) != string(res.Data) {
		t.Fatalf("retry: %s", again.Body)
	}
	familyGone(t, f, markers, urls, otherMarkers, otherBefore)
	// The family's tokens no longer reach anything; the school's log keeps
	// the deletion (and the staff's reads, unlinked from the child).
	if r := f.Do(f.token("parentA2"), `{ viewer { children { id } } }`, nil); !strings.Contains(r.Body, f.students["s2"].ID) {
		t.Errorf("other parent: %s", r.Body)
	}
	log := f.Do(f.token("adminA"), qAudit, map[string]any{"s": f.students["s2"].SchoolID, "n": 100})
	if !strings.Contains(log.Body, `"operation":"family.delete"`) || !strings.Contains(log.Body, `"operation":"student.timeline","student":null`) {
		t.Errorf("audit log after deletion: %s", log.Body)
	}
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestStudentExport: a parent's export holds what they may see (the shared
// note with their reply, their home insight, their conversation) and
// nothing staff-only; an admin's holds everything and the audit log;
// others get NOT_FOUND.
func TestStudentExport(t *testing.T) {
	f := newFixture(t)
	familyFootprint(t, f)
	s1 := f.students["s1"].ID
	export := func(who string) (map[string]any, *apptest.Response) {
		res := f.Do(f.token(who), qExport, map[string]any{"id": s1})
		if res.Code() != "" {
			return nil, res
		}
		var out struct{ StudentExport struct{ JSON string } }
		res.Decode(t, &out)
		var doc map[string]any
		if err := json.Unmarshal([]byte(out.StudentExport.JSON), &doc); err != nil {
			t.Fatalf("export of %s is not JSON: %v", who, err)
		}
		return doc, res
	}
	doc, res := export("parentA")
	if doc == nil {
		t.Fatal(res.Body)
	}
	raw, _ := json.Marshal(doc)
	text := string(raw)
	for _, want := range []string{`"format":"sameside.student-export/v1"`, "Zephyrine helped a classmate", "She did the same for her cousin!",
		"reads to her brother", "Could we talk about reading?", "Lovely, thank you", `"contentType":"application/pdf"`, `"contentType":"image/jpeg"`} {
		if !strings.Contains(text, want) {
			t.Errorf("parent's export lacks %s", want)
		}
	}
	for _, not := range []string{"seemed tired", `"auditLog"`, "Is the bus late"} {
		if strings.Contains(text, not) {
			t.Errorf("parent's export has %s", not)
		}
	}
	admin, res := export("adminA")
	if admin == nil {
		t.Fatal(res.Body)
	}
	raw, _ = json.Marshal(admin)
	if !strings.Contains(string(raw), "seemed tired") || !strings.Contains(string(raw), `"operation":"student.timeline"`) {
		t.Errorf("admin's export lacks the staff-only note or the audit log: %s", raw)
	}
	for _, who := range []string{"restrictedA", "parentA2", "teacherB", "adminB"} {
		if _, res := export(who); res.Code() != "NOT_FOUND" {
			t.Errorf("%s: %s", who, res.Body)
		}
	}
}

// TestAuditLog: staff reads and writes of a child's records are logged with
// who, what and when; families' own reads are not; only the school's admins
// may read the log, filtered by child or staff member, page by page.
func TestAuditLog(t *testing.T) {
	f := newFixture(t)
	s1 := f.students["s1"].ID
	school := f.students["s1"].SchoolID
	obs := f.note(t, "teacherA", "s1", "a-1", "POSITIVE", "SHARED", "Shared the crayons.")
	for _, q := range []string{
		`query($id: ID!) { student(id: $id) { observations(first: 5) { edges { cursor } } } }`,
		`query($id: ID!) { student(id: $id) { homeInsights { id } balance { positive } timeline { edges { cursor } } } }`,
	} {
		if r := f.Do(f.token("teacherA"), q, map[string]any{"id": s1}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	if r := f.Do(f.token("parentA"), `query($id: ID!) { student(id: $id) { timeline { edges { cursor } } } }`, map[string]any{"id": s1}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	var out struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					Actor     struct{ ID string }
					ActorRole string
					Action    string
					Operation string
					Student   *struct{ ID string }
					ItemID    *string
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	res := f.Do(f.token("adminA"), qAudit, map[string]any{"s": school, "st": s1, "n": 50})
	if res.Code() != "" {
		t.Fatal(res.Body)
	}
	res.Decode(t, &out)
	got := []string{}
	for _, e := range out.AuditLog.Edges {
		n := e.Node
		if n.Actor.ID != f.users["teacherA"].ID || n.ActorRole != "TEACHER" || n.Student == nil || n.Student.ID != s1 {
			t.Errorf("event: %+v", n)
		}
		got = append(got, n.Action+" "+n.Operation)
	}
	// Newest first; the reads of one query run concurrently, so their
	// order among themselves is not fixed.
	want := []string{"READ student.balance", "READ student.home_insights", "READ student.profile", "READ student.timeline",
		"READ student.observations", "READ student.profile", "WRITE observation.post"}
	if len(got) != len(want) {
		t.Fatalf("log for the child:\n got %v\nwant %v", got, want)
	}
	first4 := slices.Clone(got[:4])
	slices.Sort(first4)
	if strings.Join(append(first4, got[4:]...), ",") != strings.Join(want, ",") {
		t.Errorf("log for the child, newest first:\n got %v\nwant %v", got, want)
	}
	if out.AuditLog.Edges[len(want)-1].Node.ItemID == nil || *out.AuditLog.Edges[len(want)-1].Node.ItemID != obs {
		t.Error("the write does not name the observation")
	}
	// Pages of 3 cover the same events once each.
	seen, after := 0, any(nil)
	for page := 0; page < 10; page++ {
		res := f.Do(f.token("adminA"), qAudit, map[string]any{"s": school, "st": s1, "n": 3, "after": after})
		var p struct {
			AuditLog struct {
				Edges    []struct{ Node struct{ Operation string } }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		res.Decode(t, &p)
		seen += len(p.AuditLog.Edges)
		if !p.AuditLog.PageInfo.HasNextPage {
			break
		}
		after = p.AuditLog.PageInfo.EndCursor
	}
	if seen != len(want) {
		t.Errorf("paging saw %d events, want %d", seen, len(want))
	}
	// By staff member: teacherA2 did nothing.
	if r := f.Do(f.token("adminA"), qAudit, map[string]any{"s": school, "a": f.users["teacherA2"].ID}); !strings.Contains(r.Body, `"edges":[]`) {
		t.Errorf("teacherA2's log: %s", r.Body)
	}
	for who, code := range map[string]string{"teacherA": "FORBIDDEN", "parentA": "FORBIDDEN", "adminB": "NOT_FOUND", "teacherB": "NOT_FOUND"} {
		if r := f.Do(f.token(who), qAudit, map[string]any{"s": school}); r.Code() != code {
			t.Errorf("%s reading the log: %s, want %s", who, r.Body, code)
		}
	}
}

const (
	qRetention = `mutation($in: SetRetentionInput!) { setRetention(input: $in) { id retentionYears legalHold } }`
	qHold      = `mutation($id: ID!, $h: Boolean!) { setStudentLegalHold(input: {studentId: $id, hold: $h}) { id legalHold } }`
	qWithdraw  = `mutation($id: ID!) { withdrawStudent(input: {studentId: $id}) { id withdrawnAt } }`
)

// TestRetentionPurgeIsComplete: a school keeps records two years after a
// student leaves. The student is withdrawn (the family's access ends); the
// purge, run with the clock moved on, deletes nothing before the two years,
// nothing while the student or the school is on legal hold, and then
// everything, as completely as a family's deletion: no row of any table
// mentions the child or the family, their files are gone, another family is
// untouched, and the school's log says the system purged.
func TestRetentionPurgeIsComplete(t *testing.T) {
	f := newFixture(t)
	markers, urls := familyFootprint(t, f)
	other := f.note(t, "teacherA2", "s2", "other-1", "POSITIVE", "SHARED", "Great focus in maths today.")
	f.WaitPushesIdle()
	otherMarkers := []string{f.students["s2"].ID, f.users["parentA2"].ID, other}
	otherBefore := mentions(t, f, otherMarkers)
	s1, school := f.students["s1"].ID, f.students["s1"].SchoolID
	admin := f.token("adminA")

	for who, c := range map[string]struct {
		token string
		in    map[string]any
		code  string
	}{
		"teacher":      {f.token("teacherA"), map[string]any{"schoolId": school, "years": 2, "legalHold": false}, "FORBIDDEN"},
		"other school": {f.token("adminB"), map[string]any{"schoolId": school, "years": 2, "legalHold": false}, "NOT_FOUND"},
		"zero years":   {admin, map[string]any{"schoolId": school, "years": 0, "legalHold": false}, "BAD_USER_INPUT"},
		"a century":    {admin, map[string]any{"schoolId": school, "years": 100, "legalHold": false}, "BAD_USER_INPUT"},
	} {
		if r := f.Do(c.token, qRetention, map[string]any{"in": c.in}); r.Code() != c.code {
			t.Errorf("%s: want %s, got %s", who, c.code, r.Body)
		}
	}
	if r := f.Do(f.token("teacherA"), qWithdraw, map[string]any{"id": s1}); r.Code() != "FORBIDDEN" {
		t.Errorf("a teacher withdrew a student: %s", r.Body)
	}
	if r := f.Do(admin, qRetention, map[string]any{"in": map[string]any{"schoolId": school, "years": 2, "legalHold": false}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if r := f.Do(admin, qWithdraw, map[string]any{"id": s1}); r.Code() != "" || !strings.Contains(r.Body, `"withdrawnAt":"`) {
		t.Fatalf("withdraw: %s", r.Body)
	}
	if r := f.Do(f.token("parentA"), `{ viewer { children { id } } }`, nil); strings.Contains(r.Body, s1) {
		t.Fatalf("the family still sees the withdrawn child: %s", r.Body)
	}
	purge := func(after time.Duration) int {
		t.Helper()
		n, err := f.App.Domain.PurgeExpired(context.Background(), time.Now().Add(after))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const year = 366 * 24 * time.Hour
	if n := purge(year); n != 0 {
		t.Fatalf("purged %d a year after leaving, with two years' retention", n)
	}
	if r := f.Do(admin, qHold, map[string]any{"id": s1, "h": true}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if n := purge(3 * year); n != 0 {
		t.Fatalf("purged %d under the student's legal hold", n)
	}
	f.Do(admin, qHold, map[string]any{"id": s1, "h": false})
	f.Do(admin, qRetention, map[string]any{"in": map[string]any{"schoolId": school, "years": 2, "legalHold": true}})
	if n := purge(3 * year); n != 0 {
		t.Fatalf("purged %d under the school's legal hold", n)
	}
	if r := f.Do(admin, qRetention, map[string]any{"in": map[string]any{"schoolId": school, "years": 2, "legalHold": false}}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if n := purge(3 * year); n != 1 {
		t.Fatalf("purged %d after three years, want the one student", n)
	}
	familyGone(t, f, markers, urls, otherMarkers, otherBefore)
	var ops []string
	f.DB.Raw("SELECT actor_role || ' ' || operation FROM audit_events WHERE school_id = ? AND action = 'WRITE' ORDER BY at", school).Scan(&ops)
	if got := strings.Join(ops, ","); !strings.Contains(got, "ADMIN student.withdraw") || !strings.HasSuffix(got, "SYSTEM retention.purge") {
		t.Fatalf("audit log: %s", got)
	}
}

// familyGone checks a family's deletion: no row of any table mentions it,
// its files are gone, and the other family's rows are as they were.
func familyGone(t *testing.T, f *fixture, markers, urls, otherMarkers []string, otherBefore map[string]int64) {
	t.Helper()
	if after := mentions(t, f, markers); len(after) > 0 {
		t.Fatalf("rows still mention the family: %v", after)
	}
	for _, u := range urls {
		r, err := http.Get(f.Server.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("file %s: %d after the deletion, want 404", u, r.StatusCode)
		}
	}
	if otherAfter := mentions(t, f, otherMarkers); !equalCounts(otherBefore, otherAfter) {
		t.Errorf("the other family's rows changed: %v → %v", otherBefore, otherAfter)
	}
}
