package push_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type world struct {
	*apptest.Env
	t *testing.T
	n int
}

func newWorld(t *testing.T, o apptest.Options) *world {
	return &world{Env: apptest.New(t, o), t: t}
}

// user makes a user in a time zone, with quiet hours ("" for none) and
// devices push tokens; it returns the user and its tokens.
func (w *world) user(tz, quietStart, quietEnd string, devices int) (models.User, []string) {
	w.t.Helper()
	w.n++
	u := models.User{FirebaseUID: fmt.Sprintf("push-%d-%d", w.n, time.Now().UnixNano()), DisplayName: fmt.Sprintf("User %d", w.n), Locale: "en-US", TimeZone: tz}
	if quietStart != "" {
		a, _ := models.ParseClock("start", quietStart)
		b, _ := models.ParseClock("end", quietEnd)
		s, e := int16(a), int16(b)
		u.QuietHoursStart, u.QuietHoursEnd = &s, &e
	}
	if err := w.DB.Create(&u).Error; err != nil {
		w.t.Fatal(err)
	}
	var tokens []string
	var rows []models.Device
	for i := 0; i < devices; i++ {
		tok := fmt.Sprintf("tok-%d-%d-%d", w.n, i, time.Now().UnixNano())
		tokens = append(tokens, tok)
		rows = append(rows, models.Device{UserID: u.ID, Token: tok, Platform: models.PlatformIOS, Locale: "en-US"})
	}
	if len(rows) > 0 {
		if err := w.DB.CreateInBatches(&rows, 1000).Error; err != nil {
			w.t.Fatal(err)
		}
	}
	return u, tokens
}

// notice is a TEST notice for users (TEST has a payload schema).
func notice(category models.NotificationCategory, urgent bool, users ...models.User) models.Notice {
	n := models.Notice{Type: models.NoticeTest, Category: category, Urgent: urgent, DeepLink: "sameside://settings/notifications", CollapseKey: "test"}
	for _, u := range users {
		n.Recipients = append(n.Recipients, u.ID)
	}
	return n
}

// sendToAll makes users users with devices devices each, commits an
// announcement to all of them and waits until every device has its push
// and every delivery is recorded as sent.
func (w *world) sendToAll(users, devices int) {
	w.t.Helper()
	var who []models.User
	for range users {
		u, _ := w.user("UTC", "", "", devices)
		who = append(who, u)
	}
	w.enqueue(notice(models.CategoryAnnouncement, false, who...))
	w.WaitPushesIdle()
	if got := w.FCM.Count(); got != users*devices {
		w.t.Fatalf("%d pushes, want %d", got, users*devices)
	}
	if s := w.statuses(); s[models.DeliverySent] != users*devices {
		w.t.Fatalf("deliveries %v, want %d sent", s, users*devices)
	}
}

// enqueue commits a notice the way a domain write does.
func (w *world) enqueue(n models.Notice) {
	w.t.Helper()
	err := w.DB.Transaction(func(tx *gorm.DB) error { return w.App.Push.EnqueueTx(context.Background(), tx, n) })
	if err != nil {
		w.t.Fatal(err)
	}
}

// fastForward makes every retry and scheduled push job due now (River's
// scheduler would otherwise wait for the real time).
func (w *world) fastForward() {
	w.t.Helper()
	now := w.App.Push.Now().UTC()
	w.exec(`UPDATE notification_deliveries SET next_attempt_at = ? WHERE status = 'PENDING'`, now)
	w.wakePushJobs()
}

// wakePushJobs makes every push job asleep until later (scheduled, waiting
// to retry, or snoozed briefly) due now, for River's real clock.
func (w *world) wakePushJobs() {
	w.t.Helper()
	w.exec(`UPDATE river_job SET state = 'available', scheduled_at = now()
		WHERE kind = 'push_fan_out' AND state IN ('available', 'scheduled', 'retryable') AND scheduled_at > now()`)
}

// pushJob is the state of the test's one push fan-out job once it is
// neither running nor due: asleep until wakes, or finished.
type pushJob struct {
	State string
	Wakes time.Duration // from now, while asleep
}

// settledPushJob waits until the test's push job has stopped running and is
// not due, and says how it stands.
func (w *world) settledPushJob() pushJob {
	w.t.Helper()
	var j struct {
		State string
		Wakes float64
		Busy  bool
	}
	w.eventually(20*time.Second, "the push job to settle", func() bool {
		err := w.DB.Raw(`SELECT state, extract(epoch FROM scheduled_at - now()) AS wakes, ` + apptest.JobBusySQL + ` AS busy
			FROM river_job WHERE kind = 'push_fan_out'`).Scan(&j).Error
		if err != nil {
			w.t.Fatal(err)
		}
		return j.State != "" && !j.Busy
	})
	return pushJob{State: j.State, Wakes: time.Duration(j.Wakes * float64(time.Second))}
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if err := w.DB.Exec(sql, args...).Error; err != nil {
		w.t.Fatal(err)
	}
}

// statuses counts deliveries by status.
func (w *world) statuses() map[string]int {
	w.t.Helper()
	var rows []struct {
		Status string
		N      int
	}
	w.DB.Raw(`SELECT status, count(*) AS n FROM notification_deliveries GROUP BY status`).Scan(&rows)
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

// delivery returns the delivery row of a token's device (by token, even if
// the device was since deleted: tokens are unique per test).
func (w *world) delivery(deviceID string) models.NotificationDelivery {
	w.t.Helper()
	var d models.NotificationDelivery
	if err := w.DB.Take(&d, "device_id = ?", deviceID).Error; err != nil {
		w.t.Fatalf("delivery of %s: %v", deviceID, err)
	}
	return d
}

// eventually polls cond until it holds or fails after timeout.
func (w *world) eventually(timeout time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
