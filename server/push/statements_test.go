package push_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push"
)

// A notice to one person (a message, a note) is the fan-out's commonest
// job: its work runs at most fanOutStatements statements (BEGIN and COMMIT
// included) when they have a device, and fewer when they have none,
// counted on the wire for that job alone. River's own fetch and completion
// are not counted. At 200 messages a second (make bench-live) each is paid
// per message.
func TestFanOutStatements(t *testing.T) {
	const fanOutStatements = 7
	w := newWorld(t, apptest.Options{})
	jobs := w.RecordJobs("push_fan_out")
	withDevice, _ := w.user("UTC", "", "", 1)
	without, _ := w.user("UTC", "", "", 0)

	count := func(who models.User) int {
		t.Helper()
		before := len(jobs())
		w.enqueue(notice(models.CategoryNewMessage, false, who))
		w.WaitPushesIdle()
		var failed int64
		w.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = 'push_fan_out' AND (state <> 'completed' OR errors IS NOT NULL)`).Scan(&failed)
		if failed > 0 {
			t.Fatalf("%d fan-out jobs did not complete cleanly", failed)
		}
		got := jobs()
		if len(got) != before+1 {
			t.Fatalf("%d fan-out jobs recorded, want %d", len(got), before+1)
		}
		var newest int64
		for id := range got {
			newest = max(newest, id)
		}
		for _, s := range got[newest] {
			line := strings.Join(strings.Fields(s.SQL), " ")
			t.Logf("  %s", line[:min(110, len(line))])
		}
		return len(got[newest])
	}
	n := count(withDevice)
	if c := w.FCM.CountByToken(); len(c) != 1 {
		t.Fatalf("pushes: %v, want one to the device", c)
	}
	t.Logf("one recipient with a device: %d statements", n)
	if n > fanOutStatements {
		t.Errorf("one recipient with a device: %d statements, want at most %d", n, fanOutStatements)
	}
	m := count(without)
	t.Logf("one recipient without: %d statements", m)
	if m >= n {
		t.Errorf("one recipient without a device: %d statements, want fewer than with one (%d)", m, n)
	}
}

// A fan-out's outcomes are written a batch at a time, not one statement
// per answer or two as they come in: at most one write per
// push.OutcomeGap while the job runs, one more when a sender's worth of
// answers waits (push.Config's concurrency, 200 here), and the last.
// Written as soon as the last write ended, a school-wide announcement's
// outcomes took 250 statements of 16 rows, about a third of the
// database's work for it.
func TestFanOutOutcomesWrittenTogether(t *testing.T) {
	const devices = 1000
	w := newWorld(t, apptest.Options{})
	w.FCM.SetDelay(5 * time.Millisecond)
	jobs := w.RecordJobs("push_fan_out")
	u, _ := w.user("UTC", "", "", devices)
	w.enqueue(notice(models.CategoryNewMessage, true, u))
	w.WaitPushesIdle()
	if got := w.FCM.Count(); got != devices {
		t.Fatalf("%d pushes, want %d", got, devices)
	}
	var sent int64
	w.DB.Model(&models.NotificationDelivery{}).Where("status = ?", models.DeliverySent).Count(&sent)
	if sent != devices {
		t.Fatalf("%d deliveries recorded as sent, want %d", sent, devices)
	}
	var ran float64 // the job's run, in seconds
	if err := w.DB.Raw(`SELECT extract(epoch FROM finalized_at - attempted_at) FROM river_job WHERE kind = 'push_fan_out'`).Scan(&ran).Error; err != nil {
		t.Fatal(err)
	}
	writes := 0
	for _, ss := range jobs() {
		for _, s := range ss {
			if strings.Contains(s.SQL, "WITH outcome AS") {
				writes++
			}
		}
	}
	limit := int(time.Duration(ran*float64(time.Second))/push.OutcomeGap) + devices/push.DefaultConfig().Concurrency() + 1
	t.Logf("%d outcome writes for %d devices in a run of %.0f ms (at most %d)", writes, devices, ran*1000, limit)
	if writes == 0 || writes > limit {
		t.Errorf("%d outcome writes for %d devices in %.0f ms, want 1 to %d", writes, devices, ran*1000, limit)
	}
}
