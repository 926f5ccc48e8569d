package push_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// A notice's recipient rows and a fan-out's delivery rows are written by
// the thousand; a foreign key checks each row by itself. The notification
// they belong to is checked by the statement that writes them (written in
// the same statement, or locked once), so only the user is checked per
// row: the user's key stays, the notification's is not a foreign key.
func TestFanOutRowsCheckOnlyTheirUserRowByRow(t *testing.T) {
	w := newWorld(t, apptest.Options{NoWorkers: true})
	var keys []string
	if err := w.DB.Raw(`SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND conrelid IN ('notification_recipients'::regclass, 'notification_deliveries'::regclass)
		ORDER BY 1`).Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	want := []string{"notification_deliveries -> users", "notification_recipients -> users"}
	if !slices.Equal(keys, want) {
		t.Fatalf("foreign keys %q, want %q", keys, want)
	}
}

// Deleting notifications, by themselves or with their school, deletes
// their recipients and deliveries, and nothing of another notification.
func TestDeletedNotificationsTakeTheirRows(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	u, _ := w.user("UTC", "", "", 2)
	var school string
	if err := w.DB.Raw(`INSERT INTO schools (name, time_zone) VALUES ('Push test school', 'UTC') RETURNING id`).Scan(&school).Error; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		n := notice(models.CategoryAnnouncement, false, u)
		if i == 2 {
			n.SchoolID = &school
		}
		w.enqueue(n)
	}
	w.WaitForPushes(6)
	w.WaitJobsSettled()
	rows := func() (recipients, deliveries int64) {
		t.Helper()
		return w.Count("notification_recipients"), w.Count("notification_deliveries")
	}
	if r, d := rows(); r != 3 || d != 6 {
		t.Fatalf("before: %d recipients, %d deliveries", r, d)
	}
	w.exec(`DELETE FROM notifications WHERE id = (SELECT id FROM notifications WHERE school_id IS NULL ORDER BY created_at, id LIMIT 1)`)
	if r, d := rows(); r != 2 || d != 4 {
		t.Fatalf("one notification deleted: %d recipients, %d deliveries left, want 2 and 4", r, d)
	}
	w.exec(`DELETE FROM schools WHERE id = ?`, school)
	if r, d := rows(); r != 1 || d != 2 {
		t.Fatalf("the school deleted: %d recipients, %d deliveries left, want 1 and 2", r, d)
	}
	var orphans int64
	if err := w.DB.Raw(`SELECT (SELECT count(*) FROM notification_recipients r WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = r.notification_id))
		+ (SELECT count(*) FROM notification_deliveries d WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = d.notification_id))`).Scan(&orphans).Error; err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Fatalf("%d rows of deleted notifications left", orphans)
	}
}

// A notification deleted while its fan-out is sending (a family's data
// erased) takes its rows with it; the fan-out ends without error and
// writes none back.
func TestNotificationDeletedMidFanOut(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	w.App.Push.Config.InFlight = 1
	w.FCM.SetDelay(200 * time.Millisecond)
	var users []models.User
	for i := 0; i < 100; i++ {
		u, _ := w.user("UTC", "", "", 10)
		users = append(users, u)
	}
	w.enqueue(notice(models.CategoryAnnouncement, true, users...))
	w.eventually(20*time.Second, "the first pushes", func() bool { return len(w.FCM.Messages()) > 0 })
	w.exec(`DELETE FROM notifications`)
	w.WaitJobsSettled()
	if sent := len(w.FCM.Messages()); sent >= 1000 {
		t.Fatalf("the fan-out finished (%d pushes) before the deletion: nothing tested", sent)
	}
	if r, d := w.Count("notification_recipients"), w.Count("notification_deliveries"); r != 0 || d != 0 {
		t.Fatalf("after the deletion: %d recipients, %d deliveries", r, d)
	}
	var states []string
	if err := w.DB.Raw(`SELECT state FROM river_job WHERE kind = 'push_fan_out'`).Scan(&states).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(states, []string{"completed"}) {
		t.Fatalf("push job states %v, want one completed", states)
	}
}
