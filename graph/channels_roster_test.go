package graph_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/outbound"
	"github.com/sameside/sameside/server/outbound/fakesmtp"
)

// TestRosterInvitationsConsentAndUrgent: a roster import with invitations
// gives a new guardian their roster email and number as contact points,
// emails them an invitation with a link into the app, and texts their
// number once to ask for consent; importing again sends nothing more. An
// urgent announcement then reaches that guardian on every channel at once
// — the number without consent (safety alerts are exempt), inside quiet
// hours — while a non-urgent one texts nothing until the number says YES.
func TestRosterInvitationsConsentAndUrgent(t *testing.T) {
	env, districtID := rosterEnv(t)
	const mod = "active,2026-11-30T08:00:00Z"
	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("users"))},
		"users.csv": {Data: []byte(usersHeader +
			"newmom," + mod + ",true,school-wce,parent,newmom,,Lan,Nguyen,,,newmom@home.example,(415) 892-3020,,student-001,,\n")},
	}
	apply := func() *domain.RosterResult {
		t.Helper()
		return applyRoster(t, env, delta, domain.RosterImportOptions{DistrictID: districtID, Invite: true})
	}
	if res := apply(); len(res.Invitees) != 1 {
		t.Fatalf("invitees: %v", res.Invitees)
	}
	mom := userByEmail(t, env, "newmom@home.example")
	var points []models.ContactPoint
	env.DB.Order("channel").Find(&points, "user_id = ?", mom.ID)
	if len(points) != 2 || points[0].Address != "newmom@home.example" || points[1].Address != "+14158923020" ||
		points[1].Source != models.SourceRoster || points[1].ConsentAt != nil {
		t.Fatalf("contact points: %+v", points)
	}
	mails := env.SMTP.Await(1, 10*time.Second)
	texts := env.Twilio.Await(1, 10*time.Second)
	if len(mails) != 1 || mails[0].Header.Get("Subject") != "Willow Creek Elementary (demo) invites you to SameSide" ||
		!strings.Contains(mails[0].Body, env.App.Config.PublicURL+"/join") {
		t.Fatalf("invitation email: %+v", mails)
	}
	if len(texts) != 1 || texts[0].To != "+14158923020" || !strings.Contains(texts[0].Body, "Reply YES") {
		t.Fatalf("consent text: %+v", texts)
	}
	apply()
	env.WaitJobsSettled()
	if len(env.SMTP.Mail()) != 1 || len(env.Twilio.Messages()) != 1 {
		t.Fatalf("a second import sent again: %d mails, %d texts", len(env.SMTP.Mail()), len(env.Twilio.Messages()))
	}

	// The guardian is in quiet hours all day long.
	if err := env.DB.Model(&models.User{}).Where("id = ?", mom.ID).Updates(map[string]any{"quiet_hours_start": 0, "quiet_hours_end": 1439}).Error; err != nil {
		t.Fatal(err)
	}
	adminUser := userByEmail(t, env, "admin@sameside-demo.example")
	admin, school := env.TokenFor(adminUser), adminSchool(t, env, adminUser)
	announce := func(id string, urgent bool) {
		t.Helper()
		if r := env.Do(admin, `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id } } }`, map[string]any{"in": map[string]any{
			"clientMutationId": id, "schoolId": school, "audience": "SCHOOL", "title": "Early dismissal", "body": "School closes at noon today: a water main broke.", "urgent": urgent}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
	}
	announce("not-urgent", false)
	env.WaitJobsSettled()
	if len(env.Twilio.Messages()) != 1 {
		t.Fatalf("a number without consent got a text: %+v", env.Twilio.Messages())
	}
	announce("urgent", true)
	env.WaitJobsSettled()
	// Every guardian with an address gets it (the demo's came from the
	// roster too); the new one on both channels.
	var rows []string
	env.DB.Raw("SELECT purpose || ' ' || channel FROM outbound_messages WHERE user_id = ? ORDER BY created_at, channel", mom.ID).Scan(&rows)
	if strings.Join(rows, ",") != "INVITATION EMAIL,OPT_IN SMS,URGENT EMAIL,URGENT SMS" {
		t.Fatalf("what was sent to the new guardian: %v", rows)
	}
	var emailed, guardians int64
	env.DB.Raw("SELECT count(DISTINCT user_id) FROM outbound_messages WHERE purpose = 'URGENT' AND channel = 'EMAIL'").Scan(&emailed)
	env.DB.Raw("SELECT count(DISTINCT user_id) FROM guardianships WHERE grants_access").Scan(&guardians)
	if emailed != guardians {
		t.Fatalf("urgent email reached %d of %d guardians", emailed, guardians)
	}
	texts = env.Twilio.Messages()
	if len(texts) != 2 || !strings.Contains(texts[1].Body, "Early dismissal") || !strings.Contains(texts[1].Body, "School closes at noon") || texts[1].To != "+14158923020" {
		t.Fatalf("urgent text: %+v", texts)
	}
	var got *fakesmtp.Mail
	for _, m := range env.SMTP.Mail() {
		if m.To[0] == "newmom@home.example" && m.Header.Get("Subject") == "Willow Creek Elementary (demo): Early dismissal" {
			got = &m
		}
	}
	if got == nil || !strings.Contains(got.Body, "School closes at noon") || got.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		!strings.Contains(got.HTML, "<p>School closes at noon today: a water main broke.</p>") {
		t.Fatalf("urgent email: %+v", got)
	}
	// YES from the number is consent: it is used from then on.
	if code, err := env.Twilio.Inbound(env.Server.URL+outbound.TwilioInboundPath, "+14158923020", apptest.SMSFrom, "Yes"); err != nil || code != http.StatusOK {
		t.Fatalf("YES: %d %v", code, err)
	}
	env.DB.Take(&points[1], "id = ?", points[1].ID)
	if points[1].ConsentAt == nil {
		t.Fatal("YES did not record consent")
	}
}

// TestSchoolChannels: a school that sends no texts gets none sent on its
// behalf — not the roster's invitation or consent text, not an urgent
// alert — while email still goes; with neither channel, an urgent alert
// goes in the app alone. Only the school's admin chooses.
func TestSchoolChannels(t *testing.T) {
	env, districtID := rosterEnv(t)
	adminUser := userByEmail(t, env, "admin@sameside-demo.example")
	admin, school := env.TokenFor(adminUser), adminSchool(t, env, adminUser)
	teacher := env.TokenFor(userByEmail(t, env, "teacher1@sameside-demo.example"))
	set := func(token string, chans ...string) *apptest.Response {
		t.Helper()
		if chans == nil {
			chans = []string{}
		}
		return env.Do(token, `mutation($in: SetSchoolChannelsInput!) { setSchoolChannels(input: $in) { channels } }`,
			map[string]any{"in": map[string]any{"schoolId": school, "channels": chans}})
	}
	if r := set(teacher, "EMAIL"); r.Code() != "FORBIDDEN" {
		t.Fatalf("a teacher chose the channels: %s", r.Body)
	}
	if r := set(admin, "EMAIL", "EMAIL"); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("a channel twice: %s", r.Body)
	}
	if r := set(admin, "EMAIL"); r.Code() != "" || !strings.Contains(r.Body, `"channels":["EMAIL"]`) {
		t.Fatalf("email only: %s", r.Body)
	}

	const mod = "active,2026-11-30T08:00:00Z"
	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("users"))},
		"users.csv": {Data: []byte(usersHeader +
			"newmom," + mod + ",true,school-wce,parent,newmom,,Lan,Nguyen,,,newmom@home.example,(415) 892-3020,,student-001,,\n")},
	}
	applyRoster(t, env, delta, domain.RosterImportOptions{DistrictID: districtID, Invite: true})
	env.WaitJobsSettled()
	mom := userByEmail(t, env, "newmom@home.example")
	announce := func(id string) {
		t.Helper()
		if r := env.Do(admin, `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id } } }`, map[string]any{"in": map[string]any{
			"clientMutationId": id, "schoolId": school, "audience": "SCHOOL", "title": "Early dismissal", "body": "School closes at noon today.", "urgent": true}}); r.Code() != "" {
			t.Fatal(r.Body)
		}
		env.WaitJobsSettled()
	}
	announce("email-only")
	var rows []string
	env.DB.Raw("SELECT purpose || ' ' || channel FROM outbound_messages WHERE user_id = ? ORDER BY created_at, channel", mom.ID).Scan(&rows)
	if strings.Join(rows, ",") != "INVITATION EMAIL,URGENT EMAIL" {
		t.Fatalf("what an email-only school sent the new guardian: %v", rows)
	}
	// The alert's email carries its deep link's https form (universal and
	// app links), in the text and the HTML.
	var urgent models.OutboundMessage
	env.DB.Where("user_id = ? AND purpose = 'URGENT'", mom.ID).Take(&urgent)
	var annID string
	env.DB.Raw("SELECT id FROM announcements WHERE title = 'Early dismissal'").Scan(&annID)
	if link := env.App.Config.PublicURL + "/app/announcements/" + annID; !strings.Contains(urgent.Body, "Open in SameSide: "+link) || !strings.Contains(urgent.HTML, `href="`+link+`"`) {
		t.Fatalf("the alert's email has no app link %s:\n%s\n%s", link, urgent.Body, urgent.HTML)
	}
	var asked int64
	env.DB.Model(&models.ContactPoint{}).Where("user_id = ? AND opt_in_sent_at IS NOT NULL", mom.ID).Count(&asked)
	if len(env.Twilio.Messages()) != 0 || asked != 0 {
		t.Fatalf("an email-only school texted: %+v (%d asked)", env.Twilio.Messages(), asked)
	}

	if r := set(admin); r.Code() != "" || !strings.Contains(r.Body, `"channels":[]`) {
		t.Fatalf("push only: %s", r.Body)
	}
	mails := len(env.SMTP.Mail())
	var before int64
	env.DB.Model(&models.OutboundMessage{}).Count(&before)
	var notified, notifiedAfter int64
	env.DB.Model(&models.NotificationRecipient{}).Count(&notified)
	announce("push-only")
	var after int64
	env.DB.Model(&models.OutboundMessage{}).Count(&after)
	if after != before || len(env.SMTP.Mail()) != mails || len(env.Twilio.Messages()) != 0 {
		t.Fatalf("a push-only school sent %d emails or texts", after-before)
	}
	env.DB.Model(&models.NotificationRecipient{}).Count(&notifiedAfter)
	if notifiedAfter <= notified {
		t.Fatal("the urgent alert went by no channel at all")
	}
	var audited int64
	env.DB.Raw("SELECT count(*) FROM audit_events WHERE operation = 'school.channels'").Scan(&audited)
	if audited != 2 {
		t.Fatalf("%d audit rows", audited)
	}
}

// TestRosterInvitationCode: a roster invitation's email and text carry a
// one-time code and an https link with it; whoever signs in — here with
// an identity that has neither the roster's email nor its number — and
// redeems the code becomes the guardian the roster recorded (its school,
// its child, its contact points). Retrying answers the same; the code is
// nobody else's; wrong codes are refused and, five in a row, rate limited.
func TestRosterInvitationCode(t *testing.T) {
	env, districtID := rosterEnv(t)
	const mod = "active,2026-11-30T08:00:00Z"
	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("users"))},
		"users.csv": {Data: []byte(usersHeader +
			"newmom," + mod + ",true,school-wce,parent,newmom,,Lan,Nguyen,,,newmom@home.example,(415) 892-3020,,student-001,,\n")},
	}
	applyRoster(t, env, delta, domain.RosterImportOptions{DistrictID: districtID, Invite: true})
	mails := env.SMTP.Await(1, 10*time.Second)
	texts := env.Twilio.Await(1, 10*time.Second)
	if len(mails) != 1 || len(texts) != 1 {
		t.Fatalf("%d invitation emails, %d texts", len(mails), len(texts))
	}
	code := regexp.MustCompile(`[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}`).FindString(mails[0].Body)
	link := env.App.Config.PublicURL + "/join?code=" + code
	if code == "" || !strings.Contains(mails[0].Body, link) || !strings.Contains(texts[0].Body, code) || !strings.Contains(texts[0].Body, link) {
		t.Fatalf("the invitation carries no code and link:\n%s\n%s", mails[0].Body, texts[0].Body)
	}
	placeholder := userByEmail(t, env, "newmom@home.example")
	var child string
	env.DB.Model(&models.RosterID{}).Where("kind = 'users' AND sourced_id = 'student-001'").Pluck("target_id", &child)

	const q = `mutation($in: ClaimRosterRecordInput!) { claimRosterRecord(input: $in) { memberships { role school { name } } children { id } } }`
	claim := func(token, code string) *apptest.Response {
		return env.Do(token, q, map[string]any{"in": map[string]any{"code": code}})
	}
	lan := env.TokenFor(&models.User{FirebaseUID: "lan-phone-login"})
	want := `{"claimRosterRecord":{"memberships":[{"role":"PARENT","school":{"name":"Willow Creek Elementary (demo)"}}],"children":[{"id":"` + child + `"}]}}`
	for _, try := range []string{"first", "retry"} {
		r := claim(lan, strings.ToLower(code))
		if r.Code() != "" || string(r.Data) != want {
			t.Fatalf("%s claim: %s", try, r.Body)
		}
	}
	var left, moved int64
	env.DB.Model(&models.User{}).Where("id = ?", placeholder.ID).Count(&left)
	env.DB.Model(&models.ContactPoint{}).Where("user_id = (SELECT id FROM users WHERE firebase_uid = 'lan-phone-login')").Count(&moved)
	if left != 0 || moved != 2 {
		t.Fatalf("the roster record stayed (%d) or its contact points did not move (%d)", left, moved)
	}

	other := env.TokenFor(&models.User{FirebaseUID: "someone-else"})
	if r := claim(other, code); r.Code() != "CONFLICT" {
		t.Fatalf("someone else redeemed the code: %s", r.Body)
	}
	if r := claim(other, ""); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("empty code: %s", r.Body)
	}
	for i := range 4 {
		if r := claim(other, "2345-6789-ABCD"); r.Code() != "NOT_FOUND" {
			t.Fatalf("wrong code %d: %s", i, r.Body)
		}
	}
	if r := claim(other, code); r.Code() != "RATE_LIMITED" {
		t.Fatalf("the sixth try: %s", r.Body)
	}
}
