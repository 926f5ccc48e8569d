package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/demo"
	"github.com/sameside/sameside/server/push/fakefcm"
)

// TestPushFanOutSurvivesAKill: a server process fans an urgent
// announcement out to 4,000 devices (2,000 families, two phones each) while
// the fake FCM answers each request after 150 ms; the process is killed
// with SIGKILL at a random moment of the fan-out and another is started on
// the same database. Every device gets the push (none lost); a device gets
// it twice only if its send was in flight at the kill (claimed and not
// recorded: FCM has no idempotency key, so a send it took just before the
// kill cannot be told from one it never got), so duplicates are bounded by
// the rows claimed and not yet recorded at once (at most twice the 200
// sends on the wire), not by whole batches; both copies
// carry one collapse key, so the phone shows it once.
func TestPushFanOutSurvivesAKill(t *testing.T) {
	t.Parallel()
	fcm := fakefcm.Start(fakefcm.Options{})
	defer fcm.Close()
	fcm.SetDelay(150 * time.Millisecond)
	dbURL := dbtest.URL(t)
	env := []string{"SAMESIDE_FCM_ENDPOINT=" + fcm.Endpoint(), "SAMESIDE_JOB_RESCUE_AFTER=5s", "SAMESIDE_PUSH_POLL=100ms", "SAMESIDE_DB_MAX_CONNS=10"}
	victim, base := startInstance(t, dbURL, env...) // seeds the demo school

	ctx := context.Background()
	a := openApp(t, dbURL)
	db := a.DB
	if err := db.Exec(`DELETE FROM devices`).Error; err != nil {
		t.Fatal(err)
	}
	if err := apptest.AddFamilies(db, "kill", 2000, 2); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE users SET quiet_hours_start = NULL, quiet_hours_end = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	admin, err := a.DemoToken(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	// The admin's own school (not whichever school a scan returns first).
	adminUser, err := demo.FindUser(ctx, db, "admin")
	if err != nil {
		t.Fatal(err)
	}
	var school string
	if err := db.Raw(`SELECT school_id FROM memberships WHERE user_id = ? AND role = 'ADMIN' ORDER BY created_at LIMIT 1`, adminUser.ID).Scan(&school).Error; err != nil || school == "" {
		t.Fatalf("the admin's school: %q %v", school, err)
	}

	var out struct {
		PostAnnouncement struct{ Announcement struct{ ID string } }
	}
	post(t, base, admin, `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": "kill-1", "schoolId": school, "audience": "SCHOOL",
			"title": "School closed today", "body": "Snow: the school is closed today.", "urgent": true}}, &out)

	// Kill it somewhere between a fifth and three quarters of the way.
	target := 800 + rand.IntN(2200)
	deadline := time.Now().Add(time.Minute)
	for fcm.Count()+int(fcm.InFlight()) < target {
		if time.Now().After(deadline) {
			t.Fatalf("the fan-out never reached %d sends (%d)", target, fcm.Count())
		}
		time.Sleep(time.Millisecond)
	}
	onWire := fcm.InFlight()
	victim.Kill()
	atKill := fcm.Count() + int(onWire)
	var claimed int64 // sends started and not recorded: what a rescue sends again
	if err := db.Raw(`SELECT count(*) FROM notification_deliveries WHERE status = 'SENDING'`).Scan(&claimed).Error; err != nil {
		t.Fatal(err)
	}
	startProcess(t, dbURL, env...) // the survivor: rescues the dead one's job

	deadline = time.Now().Add(2 * time.Minute)
	for {
		var owed, jobs int64
		db.Raw(`SELECT count(*) FROM notification_deliveries WHERE status IN ('PENDING', 'SENDING')`).Scan(&owed)
		db.Raw(`SELECT count(*) FROM river_job WHERE kind = 'push_fan_out' AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&jobs)
		if owed == 0 && jobs == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes: %d deliveries owed, %d fan-out jobs left", owed, jobs)
		}
		time.Sleep(100 * time.Millisecond) // waiting for the rescued job to finish
	}
	var devices []string
	db.Raw(`SELECT token FROM devices`).Scan(&devices)
	var failed int64
	db.Raw(`SELECT count(*) FROM notification_deliveries WHERE status <> 'SENT'`).Scan(&failed)
	got := map[string]int{}
	keys := map[string]map[string]bool{}
	for _, m := range fcm.Messages() {
		got[m.Token]++
		var msg struct {
			Android struct {
				CollapseKey string `json:"collapse_key"`
			}
			APNS struct{ Headers map[string]string }
		}
		_ = json.Unmarshal(m.Raw, &msg)
		if keys[m.Token] == nil {
			keys[m.Token] = map[string]bool{}
		}
		keys[m.Token][msg.Android.CollapseKey+"|"+msg.APNS.Headers["apns-collapse-id"]] = true
	}
	missing, twice, more := 0, 0, 0
	for _, d := range devices {
		switch n := got[d]; {
		case n == 0:
			missing++
		case n == 2:
			twice++
		case n > 2:
			more++
		}
		if len(keys[d]) > 1 {
			t.Errorf("device %s: copies with different collapse keys %v", d, keys[d])
		}
	}
	t.Logf("killed after %d of %d sends had reached FCM, %d of them on the wire (unanswered) and %d claimed and not recorded; "+
		"after the restart: %d devices, %d missing, %d with two copies, %d with more; %d deliveries not SENT",
		atKill, len(devices), onWire, claimed, len(devices), missing, twice, more, failed)
	if len(devices) != 4000 || missing > 0 || more > 0 || failed > 0 {
		t.Fatalf("lost or over-sent pushes (see above)")
	}
	if int64(twice) > claimed {
		t.Fatalf("%d devices got two copies, but only %d sends were in flight at the kill", twice, claimed)
	}
	if owed := 2 * 4 * 50; twice > owed {
		t.Fatalf("%d devices got two copies: more than the %d rows a fan-out has claimed and not recorded at once", twice, owed)
	}
	_ = fmt.Sprint
}
