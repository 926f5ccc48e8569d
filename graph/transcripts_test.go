package graph_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const qConversationExport = `query($s: ID!, $st: ID, $from: Time!, $to: Time!) { conversationExport(schoolId: $s, studentId: $st, from: $from, to: $to) {
	id subject student participants messages { at sender body urgent } } }`

// TestConversationExportAndMonitors: an admin appoints a message monitor;
// the app can then say the school's messages may be reviewed; the monitor
// and the admin export conversations they are not in (JSON and CSV), each
// read audited in their role; others cannot.
func TestConversationExportAndMonitors(t *testing.T) {
	env, _ := rosterEnv(t)
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	parentUser := userByEmail(t, env, "parent43@sameside-demo.example")
	parent := env.TokenFor(parentUser)
	monitorUser := userByEmail(t, env, "teacher3@sameside-demo.example")
	monitor := env.TokenFor(monitorUser)
	school, child := parentWritesToTeacher(t, env, parent, "She lost her lunch card again.")
	if teacherOf(t, env, parent) == monitorUser.ID {
		t.Fatal("pick a monitor who is not in the conversation")
	}
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	vars := map[string]any{"s": school, "from": from, "to": to}

	reviewed := func() bool {
		var v struct {
			Viewer struct {
				Memberships []struct {
					School struct{ MessagesMayBeReviewed bool }
				}
			}
		}
		env.Do(parent, `{ viewer { memberships { school { messagesMayBeReviewed } } } }`, nil).Decode(t, &v)
		return v.Viewer.Memberships[0].School.MessagesMayBeReviewed
	}
	if reviewed() {
		t.Fatal("reviewed before any monitor")
	}
	if r := env.Do(monitor, qConversationExport, vars); r.Code() != "FORBIDDEN" {
		t.Fatalf("a teacher exported: %s", r.Body)
	}
	for who, tok := range map[string]string{"teacher": monitor, "parent": parent} {
		if r := env.Do(tok, `mutation($s: ID!, $u: ID!) { setMessageMonitor(input: {schoolId: $s, userId: $u, monitor: true}) }`,
			map[string]any{"s": school, "u": monitorUser.ID}); r.Code() != "FORBIDDEN" {
			t.Errorf("a %s appointed a monitor: %s", who, r.Body)
		}
	}
	if r := env.Do(admin, `mutation($s: ID!, $u: ID!) { setMessageMonitor(input: {schoolId: $s, userId: $u, monitor: true}) }`,
		map[string]any{"s": school, "u": parentUser.ID}); r.Code() != "NOT_FOUND" {
		t.Errorf("a parent made a monitor: %s", r.Body)
	}
	if r := env.Do(admin, `mutation($s: ID!, $u: ID!) { setMessageMonitor(input: {schoolId: $s, userId: $u, monitor: true}) }`,
		map[string]any{"s": school, "u": monitorUser.ID}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if !reviewed() {
		t.Fatal("the school does not say its messages may be reviewed")
	}
	// A monitor signs in again (new memberships) and reads.
	var got struct {
		ConversationExport []models.ConversationTranscript
	}
	env.Do(monitor, qConversationExport, vars).Decode(t, &got)
	if len(got.ConversationExport) != 1 || len(got.ConversationExport[0].Messages) != 1 ||
		got.ConversationExport[0].Messages[0].Body != "She lost her lunch card again." || got.ConversationExport[0].Student == nil {
		t.Fatalf("monitor's export: %+v", got)
	}
	conv := got.ConversationExport[0].ID
	env.Do(admin, qConversationExport, map[string]any{"s": school, "st": child, "from": from, "to": to}).Decode(t, &got)
	if len(got.ConversationExport) != 1 {
		t.Fatalf("admin's export for the student: %+v", got)
	}
	code, body := env.Get("/conversations.csv?schoolId="+school+"&from="+from+"&to="+to, monitor)
	if code != http.StatusOK || !strings.HasPrefix(body, "conversation_id,subject,student,participants,message_at,sender,body,urgent\n") ||
		!strings.Contains(body, "She lost her lunch card again.") {
		t.Fatalf("CSV: %d %s", code, body)
	}
	if code, _ := env.Get("/conversations.csv?schoolId="+school+"&from="+from+"&to="+to, parent); code != http.StatusForbidden {
		t.Fatalf("a parent's CSV: %d", code)
	}
	var audit []string
	env.DB.Raw("SELECT actor_role || ' ' || operation FROM audit_events WHERE item_id = ? ORDER BY at", conv).Scan(&audit)
	if strings.Join(audit, ",") != "MONITOR conversation.monitor,ADMIN conversation.export,MONITOR conversation.monitor" {
		t.Fatalf("audit: %v", audit)
	}
	// The period is checked.
	if r := env.Do(admin, qConversationExport, map[string]any{"s": school, "from": to, "to": from}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("backwards period: %s", r.Body)
	}
	// Revoked: the monitor reads no more.
	if r := env.Do(admin, `mutation($s: ID!, $u: ID!) { setMessageMonitor(input: {schoolId: $s, userId: $u, monitor: false}) }`,
		map[string]any{"s": school, "u": monitorUser.ID}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if r := env.Do(monitor, qConversationExport, vars); r.Code() != "FORBIDDEN" {
		t.Fatalf("a revoked monitor exported: %s", r.Body)
	}
}

// TestDistrictMessageMonitor: the district's admin makes a teacher a
// monitor of the whole district: they read the school's conversations, the
// school says its messages may be reviewed, each read audited; a school
// admin cannot grant it, and once revoked the monitor reads no more.
func TestDistrictMessageMonitor(t *testing.T) {
	env, district := rosterEnv(t)
	super := env.TokenFor(userByEmail(t, env, "super@district.example"))
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	monitorUser := userByEmail(t, env, "teacher3@sameside-demo.example")
	monitor := env.TokenFor(monitorUser)
	parent := env.TokenFor(userByEmail(t, env, "parent43@sameside-demo.example"))
	school, _ := parentWritesToTeacher(t, env, parent, "Grandma picks her up today.")
	const grant = `mutation($d: ID!, $u: ID!, $m: Boolean!) { setDistrictMessageMonitor(input: {districtId: $d, userId: $u, monitor: $m}) }`
	if r := env.Do(admin, grant, map[string]any{"d": district, "u": monitorUser.ID, "m": true}); r.Code() != "NOT_FOUND" {
		t.Fatalf("a school admin granted district monitoring: %s", r.Body)
	}
	if r := env.Do(super, grant, map[string]any{"d": district, "u": userByEmail(t, env, "parent43@sameside-demo.example").ID, "m": true}); r.Code() != "NOT_FOUND" {
		t.Fatalf("a parent made a district monitor: %s", r.Body)
	}
	if r := env.Do(super, grant, map[string]any{"d": district, "u": monitorUser.ID, "m": true}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	vars := map[string]any{"s": school, "from": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "to": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	var got struct {
		ConversationExport []models.ConversationTranscript
	}
	env.Do(monitor, qConversationExport, vars).Decode(t, &got)
	if len(got.ConversationExport) != 1 || got.ConversationExport[0].Messages[0].Body != "Grandma picks her up today." {
		t.Fatalf("the district monitor's export: %+v", got)
	}
	var v struct {
		Viewer struct {
			Memberships []struct {
				School struct{ MessagesMayBeReviewed bool }
			}
		}
	}
	env.Do(parent, `{ viewer { memberships { school { messagesMayBeReviewed } } } }`, nil).Decode(t, &v)
	if !v.Viewer.Memberships[0].School.MessagesMayBeReviewed {
		t.Fatal("the school does not say its messages may be reviewed")
	}
	var audit []string
	env.DB.Raw("SELECT actor_role || ' ' || operation FROM audit_events WHERE item_id = ?", got.ConversationExport[0].ID).Scan(&audit)
	if strings.Join(audit, ",") != "MONITOR conversation.monitor" {
		t.Fatalf("audit: %v", audit)
	}
	if r := env.Do(super, grant, map[string]any{"d": district, "u": monitorUser.ID, "m": false}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	if r := env.Do(monitor, qConversationExport, vars); r.Code() != "FORBIDDEN" {
		t.Fatalf("a revoked district monitor exported: %s", r.Body)
	}
}

// homeOf is the parent's school and first child, with its teachers.
type homeOf struct {
	Viewer struct {
		Memberships []struct{ School struct{ ID string } }
		Children    []struct {
			ID         string
			Classrooms []struct{ Teachers []struct{ ID string } }
		}
	}
}

func parentHome(t *testing.T, env *apptest.Env, parent string) homeOf {
	t.Helper()
	var home homeOf
	env.Do(parent, `{ viewer { memberships { school { id } } children { id classrooms { teachers { id } } } } }`, nil).Decode(t, &home)
	return home
}

// teacherOf is the id of the parent's first child's first teacher.
func teacherOf(t *testing.T, env *apptest.Env, parent string) string {
	t.Helper()
	return parentHome(t, env, parent).Viewer.Children[0].Classrooms[0].Teachers[0].ID
}

// parentWritesToTeacher starts a conversation from the parent to their
// first child's teacher, and returns the school and the child's id.
func parentWritesToTeacher(t *testing.T, env *apptest.Env, parent, body string) (school, child string) {
	t.Helper()
	home := parentHome(t, env, parent)
	c := home.Viewer.Children[0]
	if r := env.Do(parent, `mutation($s: ID!, $t: ID!, $b: String!) { startConversation(input: {clientMutationId: "to-teacher", studentId: $s,
		participantIds: [$t], subject: "From home", body: $b}) { conversation { id } } }`, map[string]any{"s": c.ID, "t": c.Classrooms[0].Teachers[0].ID, "b": body}); r.Code() != "" {
		t.Fatal(r.Body)
	}
	return home.Viewer.Memberships[0].School.ID, c.ID
}
