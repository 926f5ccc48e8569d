package graph_test

import (
	"net/http"
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
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	var school string
	env.DB.Raw("SELECT id FROM schools LIMIT 1").Scan(&school)
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
