package push_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
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
