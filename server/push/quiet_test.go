package push_test

import (
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// Quiet hours with an injected clock, in two time zones; urgent notices go
// at once; a category turned off sends nothing.
func TestQuietHoursAndPreferences(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	// The deferred jobs are scheduled in River's real time, so the day must
	// be ahead of the wall clock: 15 January next year (winter: LA is UTC-8,
	// Tokyo UTC+9 all year).
	y := time.Now().Year() + 1
	at := func(h, m, s int) time.Time { return time.Date(y, 1, 15, h, m, s, 0, time.UTC) }
	set := func(t time.Time) time.Time { w.Clock.Set(t); return t } // the injected clock, read by the workers
	clock := set(at(6, 0, 0))                                       // 22:00 in LA, 15:00 in Tokyo

	la, laTok := w.user("America/Los_Angeles", "21:00", "07:00", 1) // quiet until 15:00Z
	tokyo, tokyoTok := w.user("Asia/Tokyo", "22:00", "06:30", 1)    // awake
	tokyoNap, napTok := w.user("Asia/Tokyo", "14:00", "16:00", 1)   // quiet until 07:00Z
	off, offTok := w.user("UTC", "", "", 1)                         // POSITIVE_NOTE off
	if err := w.DB.Create(&models.NotificationPreference{UserID: off.ID, Category: models.CategoryPositiveNote, Push: false}).Error; err != nil {
		t.Fatal(err)
	}

	w.enqueue(notice(models.CategoryPositiveNote, false, la, tokyo, tokyoNap, off))
	w.WaitForPushes(1)
	state := func(u models.User) (string, *time.Time) {
		var r models.NotificationRecipient
		w.DB.Take(&r, "user_id = ?", u.ID)
		return r.State, r.DeferredUntil
	}
	w.eventually(5*time.Second, "planning", func() bool { s, _ := state(off); return s == models.RecipientSkipped })
	if s, until := state(la); s != models.RecipientDeferred || !until.Equal(at(15, 0, 0)) {
		t.Fatalf("LA: %s until %v", s, until)
	}
	if s, until := state(tokyoNap); s != models.RecipientDeferred || !until.Equal(at(7, 0, 0)) {
		t.Fatalf("Tokyo nap: %s until %v", s, until)
	}
	counts := w.FCM.CountByToken()
	if counts[tokyoTok[0]] != 1 || len(counts) != 1 {
		t.Fatalf("at 06:00Z only the awake Tokyo user is told: %v", counts)
	}
	// One scheduled job per window end, for real time (River's clock).
	var scheduled []time.Time
	w.DB.Raw(`SELECT scheduled_at FROM river_job WHERE kind = 'push_fan_out' AND state = 'scheduled' ORDER BY scheduled_at`).Scan(&scheduled)
	if len(scheduled) != 2 || !scheduled[0].Equal(at(7, 0, 0)) || !scheduled[1].Equal(at(15, 0, 0)) {
		t.Fatalf("deferred jobs at %v", scheduled)
	}

	// 07:00:01Z: the Tokyo nap is over; LA still sleeps.
	clock = set(at(7, 0, 1))
	w.exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled' AND scheduled_at <= ?`, clock)
	w.WaitForPushes(2)
	if c := w.FCM.CountByToken(); c[napTok[0]] != 1 || c[laTok[0]] != 0 {
		t.Fatalf("at 07:00Z: %v", c)
	}
	// 15:00:01Z: LA wakes up.
	clock = set(at(15, 0, 1))
	w.exec(`UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'scheduled' AND scheduled_at <= ?`, clock)
	w.WaitForPushes(3)
	w.WaitJobsSettled()
	c := w.FCM.CountByToken()
	if c[laTok[0]] != 1 || c[offTok[0]] != 0 || len(w.FCM.Messages()) != 3 {
		t.Fatalf("at 15:00Z: %v", c)
	}

	// Urgent, back at 06:00Z: everyone whose category is on, now.
	clock = set(at(6, 0, 0))
	w.FCM.Reset()
	w.enqueue(notice(models.CategoryPositiveNote, true, la, tokyo, tokyoNap, off))
	w.WaitForPushes(3)
	w.WaitJobsSettled()
	c = w.FCM.CountByToken()
	if c[laTok[0]] != 1 || c[napTok[0]] != 1 || c[tokyoTok[0]] != 1 || c[offTok[0]] != 0 {
		t.Fatalf("urgent: %v", c)
	}
	m := w.App.Push.Metrics.Snapshot()
	if m["deferred"] != 2 || m["skipped"] != 2 {
		t.Fatalf("metrics: %v", m)
	}
}
