package push_test

import (
	"context"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// No commit, no push; commit, then one push per device.
func TestNoCommitNoPushThenOnePerDevice(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	u, tokens := w.user("UTC", "", "", 3)

	tx := w.DB.Begin()
	if err := w.App.Push.EnqueueTx(context.Background(), tx, notice(models.CategoryPositiveNote, false, u)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	// Nothing was committed, so nothing can have been queued: no waiting.
	var n int64
	w.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = 'push_fan_out'`).Scan(&n)
	if n != 0 {
		t.Fatalf("rolled back, yet %d push jobs", n)
	}
	if n := w.Count("notifications"); n != 0 {
		t.Fatalf("rolled back, yet %d notifications", n)
	}
	if got := len(w.FCM.Messages()); got != 0 {
		t.Fatalf("rolled back, yet %d pushes", got)
	}

	w.enqueue(notice(models.CategoryPositiveNote, false, u))
	w.WaitForPushes(3)
	w.WaitJobsSettled() // the job is done: whatever it sent is at the fake
	counts := w.FCM.CountByToken()
	if len(counts) != 3 {
		t.Fatalf("pushes went to %d tokens, want 3: %v", len(counts), counts)
	}
	for _, tok := range tokens {
		if counts[tok] != 1 {
			t.Fatalf("token %s got %d pushes, want 1", tok, counts[tok])
		}
	}
	w.eventually(10*time.Second, "3 deliveries recorded SENT", func() bool {
		s := w.statuses()
		return s[models.DeliverySent] == 3 && len(s) == 1
	})
	w.eventually(5*time.Second, "metrics", func() bool {
		m := w.App.Push.Metrics.Snapshot()
		return m["sent"] == 3 && m["queued"] == 1
	})
}

// A worker stopped in the middle of a fan-out and a new one started: every
// device gets exactly one message, none twice.
func TestStoppedWorkerResumesWithoutDuplicates(t *testing.T) {
	w := newWorld(t, apptest.Options{NoWorkers: true})
	const users, perUser = 40, 50
	var recipients []models.User
	for i := 0; i < users; i++ {
		u, _ := w.user("UTC", "", "", perUser)
		recipients = append(recipients, u)
	}
	w.App.Push.Config.BatchSize = 100
	w.App.Push.Config.InFlight = 2
	w.FCM.SetDelay(20 * time.Millisecond)
	w.enqueue(notice(models.CategoryAnnouncement, true, recipients...))

	if err := w.App.StartWorkers(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.eventually(20*time.Second, "the first pushes", func() bool { return len(w.FCM.Messages()) >= 300 })
	if err := w.App.StopWorkers(20 * time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	before := len(w.FCM.Messages())
	if before >= users*perUser {
		t.Fatalf("the fan-out finished before the stop (%d): nothing to resume", before)
	}
	if s := w.statuses(); s[models.DeliverySending] != 0 || s[models.DeliverySent] != before {
		t.Fatalf("after a graceful stop: deliveries %v, pushes %d", s, before)
	}
	t.Logf("stopped after %d of %d pushes", before, users*perUser)

	second, err := w.App.NewWorkers()
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.StopAndCancel(context.Background()) })
	w.fastForward() // the stopped job snoozed; make it due without waiting for River's scheduler
	w.WaitForPushes(users * perUser)
	w.WaitJobsSettled()
	counts := w.FCM.CountByToken()
	if len(counts) != users*perUser {
		t.Fatalf("%d tokens got pushes, want %d", len(counts), users*perUser)
	}
	for tok, n := range counts {
		if n != 1 {
			t.Fatalf("token %s got %d pushes", tok, n)
		}
	}
	w.eventually(20*time.Second, "every delivery recorded SENT", func() bool {
		return w.statuses()[models.DeliverySent] == users*perUser
	})
}
