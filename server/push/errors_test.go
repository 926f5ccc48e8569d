package push_test

import (
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push/fakefcm"
)

// clockSkew allows for River's clock (the Go process's, when it snoozes a
// job) against PostgreSQL's now() when a test reads how long the job
// sleeps: seen 13 ms ahead under the race detector on a busy machine.
const clockSkew = time.Second

// Each FCM error class, end to end through the real SDK against the fake.
func TestFCMErrorClasses(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	// The pipeline's clock stands still: retries fall due only when the
	// test says so, however slow the machine.
	clock := w.Clock
	clock.Set(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	p := w.App.Push
	p.Config.MaxAttempts = 3
	p.Config.BaseBackoff = 10 * time.Second
	p.Config.MaxBackoff = time.Minute

	u, tokens := w.user("UTC", "", "", 8)
	names := []string{"ok", "unregistered", "invalid", "quota", "unavailableLong", "internal", "thirdParty", "quotaForever"}
	tok := map[string]string{}
	dev := map[string]string{}
	for i, n := range names {
		tok[n] = tokens[i]
		var d models.Device
		w.DB.Take(&d, "token = ?", tokens[i])
		dev[n] = d.ID
	}
	w.FCM.Fail(tok["unregistered"], fakefcm.Rule{Error: fakefcm.Unregistered})
	w.FCM.Fail(tok["invalid"], fakefcm.Rule{Error: fakefcm.InvalidArgument})
	w.FCM.Fail(tok["quota"], fakefcm.Rule{Error: fakefcm.QuotaExceeded, Times: 1, RetryAfter: 30 * time.Second})
	// A 503 asking for ten minutes: past the SDK's own limit, so ours honours it.
	w.FCM.Fail(tok["unavailableLong"], fakefcm.Rule{Error: fakefcm.Unavailable, Times: 1, RetryAfter: 10 * time.Minute})
	w.FCM.Fail(tok["internal"], fakefcm.Rule{Error: fakefcm.Internal, Times: 1})
	w.FCM.Fail(tok["thirdParty"], fakefcm.Rule{Error: fakefcm.ThirdPartyAuth})
	w.FCM.Fail(tok["quotaForever"], fakefcm.Rule{Error: fakefcm.QuotaExceeded, RetryAfter: 7 * time.Second})

	start := clock.Now()
	w.enqueue(notice(models.CategoryObservation, false, u))
	w.eventually(20*time.Second, "the first pass", func() bool {
		// One statement: counted apart, the rows could be missing for the
		// first count and there, still being sent, for the second.
		var c struct{ Owed, All int64 }
		w.DB.Raw(`SELECT count(*) FILTER (WHERE attempts = 0 OR status = 'SENDING') AS owed, count(*) AS all
			FROM notification_deliveries`).Scan(&c)
		return c.Owed == 0 && c.All == 8
	})

	check := func(name, status, code string, devicePresent bool) models.NotificationDelivery {
		t.Helper()
		d := w.delivery(dev[name])
		if d.Status != status || (code != "" && (d.ErrorCode == nil || *d.ErrorCode != code)) {
			t.Fatalf("%s: status %s code %v, want %s %s", name, d.Status, d.ErrorCode, status, code)
		}
		var n int64
		w.DB.Model(&models.Device{}).Where("id = ?", dev[name]).Count(&n)
		if (n == 1) != devicePresent {
			t.Fatalf("%s: device present=%v, want %v", name, n == 1, devicePresent)
		}
		return d
	}
	within := func(name string, d models.NotificationDelivery, lo, hi time.Duration) {
		t.Helper()
		wait := d.NextAttemptAt.Sub(start)
		if wait < lo || wait > hi+5*time.Second {
			t.Fatalf("%s: retry in %v, want %v to %v", name, wait, lo, hi)
		}
	}
	check("ok", models.DeliverySent, "", true)
	check("unregistered", models.DeliveryFailed, "UNREGISTERED", false)
	check("invalid", models.DeliveryFailed, "INVALID_ARGUMENT", false)
	check("thirdParty", models.DeliveryFailed, "THIRD_PARTY_AUTH_ERROR", true)
	within("quota (Retry-After 30s)", check("quota", models.DeliveryPending, "QUOTA_EXCEEDED", true), 30*time.Second, 31*time.Second)
	within("unavailable (Retry-After 10m)", check("unavailableLong", models.DeliveryPending, "UNAVAILABLE", true), 10*time.Minute, 10*time.Minute+time.Second)
	within("internal (backoff 10s, jitter)", check("internal", models.DeliveryPending, "INTERNAL", true), 5*time.Second, 10*time.Second)
	within("quota forever (Retry-After 7s, backoff 5-10s)", check("quotaForever", models.DeliveryPending, "QUOTA_EXCEEDED", true), 7*time.Second, 10*time.Second)

	// The job sleeps until the earliest owed retry is due (less the time
	// since it fell asleep).
	var earliest time.Time
	w.DB.Raw(`SELECT min(next_attempt_at) FROM notification_deliveries WHERE status = 'PENDING'`).Scan(&earliest)
	due := earliest.Sub(start)
	if j := w.settledPushJob(); j.State == "completed" || j.Wakes > due+clockSkew || j.Wakes < due-5*time.Second {
		t.Fatalf("the job is %s, waking in %v; the earliest retry is due in %v", j.State, j.Wakes, due)
	}

	// Time passes: the retries go out; the endless quota error gives up at
	// MaxAttempts (3).
	for pass := 0; pass < 3; pass++ {
		w.fastForward()
		w.settledPushJob()
	}
	check("quota", models.DeliverySent, "", true)
	check("unavailableLong", models.DeliverySent, "", true)
	check("internal", models.DeliverySent, "", true)
	if d := check("quotaForever", models.DeliveryFailed, "QUOTA_EXCEEDED", true); d.Attempts != 3 {
		t.Fatalf("quotaForever: %d attempts, want 3", d.Attempts)
	}

	counts := w.FCM.CountByToken()
	for _, n := range []string{"ok", "quota", "unavailableLong", "internal"} {
		if counts[tok[n]] != 1 {
			t.Fatalf("%s got %d pushes, want 1", n, counts[tok[n]])
		}
	}
	for _, n := range []string{"unregistered", "invalid", "thirdParty", "quotaForever"} {
		if counts[tok[n]] != 0 {
			t.Fatalf("%s got %d pushes, want 0", n, counts[tok[n]])
		}
	}
	m := p.Metrics.Snapshot()
	if m["tokens_removed"] != 2 || m["sent"] != 4 || m["failed"] != 4 {
		t.Fatalf("metrics: %v", m)
	}
}

// Brief 503s without Retry-After are retried inside the SDK (its own
// backoff), so our pipeline sees one success and sends once.
func TestBriefUnavailableIsRetriedBySDK(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	u, tokens := w.user("UTC", "", "", 1)
	w.FCM.Fail(tokens[0], fakefcm.Rule{Error: fakefcm.Unavailable, Times: 2})
	w.enqueue(notice(models.CategoryObservation, false, u))
	w.WaitForPushes(1)
	var d models.NotificationDelivery
	// The answer is recorded just after the fake accepts the message.
	w.eventually(10*time.Second, "the delivery to be recorded", func() bool {
		w.DB.Take(&d)
		return d.Status != models.DeliverySending && d.Status != models.DeliveryPending
	})
	if d.Status != models.DeliverySent || d.Attempts != 1 {
		t.Fatalf("delivery %s after %d attempts, want SENT after 1", d.Status, d.Attempts)
	}
	if r := w.FCM.Requests(); r != 3 {
		t.Fatalf("fake saw %d requests, want 3 (two 503s, then the message)", r)
	}
}

// A job that slept until its first retry was due and finds others still
// owed for later sleeps again until those, even when everything it sent on
// that run went through (River puts a snoozed job's attempt back, so the
// run after a snooze is attempt 1 again).
func TestSnoozedRunKeepsLaterRetries(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	clock := w.Clock
	clock.Set(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	w.App.Push.Config.BaseBackoff = time.Second // Retry-After decides

	u, tokens := w.user("UTC", "", "", 2)
	soon, later := tokens[0], tokens[1]
	w.FCM.Fail(soon, fakefcm.Rule{Error: fakefcm.QuotaExceeded, Times: 1, RetryAfter: 20 * time.Second})
	w.FCM.Fail(later, fakefcm.Rule{Error: fakefcm.QuotaExceeded, Times: 1, RetryAfter: time.Hour})
	w.enqueue(notice(models.CategoryObservation, false, u))

	// The first run puts both back and sleeps until the sooner one.
	if j := w.settledPushJob(); j.State == "completed" || j.Wakes < 15*time.Second || j.Wakes > 20*time.Second+clockSkew {
		t.Fatalf("after the first run the job is %s, waking in %v; want asleep about 20s", j.State, j.Wakes)
	}
	// 30 s on: the sooner retry is due and goes through; the later one is
	// still owed in an hour, so the job sleeps again rather than ending.
	clock.Add(30 * time.Second)
	w.wakePushJobs()
	w.WaitForPushes(1)
	if j := w.settledPushJob(); j.State == "completed" || j.Wakes < 59*time.Minute || j.Wakes > time.Hour+clockSkew {
		t.Fatalf("after the second run the job is %s, waking in %v; want asleep until the retry due in 59m30s", j.State, j.Wakes)
	}
	clock.Add(time.Hour)
	w.wakePushJobs()
	w.WaitForPushes(2)
	if c := w.FCM.CountByToken(); c[soon] != 1 || c[later] != 1 {
		t.Fatalf("pushes by token: %v", c)
	}
	if j := w.settledPushJob(); j.State != "completed" {
		t.Fatalf("with nothing owed the job is %s, want completed", j.State)
	}
}
