package push_test

import (
	"context"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push"
)

// The daily purge deletes the final deliveries of notifications older than
// push.DeliveryRetention and nothing else: not one still owed, not one
// changed since, not a recent notification's.
func TestPurgeDeliveries(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	ctx := context.Background()
	then := time.Now().UTC().Add(-push.DeliveryRetention - 3*24*time.Hour)
	// noticeAt sends a notice at the clock's time t to a new user with
	// devices devices, and waits until all sent so far is recorded sent.
	sent := 0
	noticeAt := func(t time.Time, devices int) models.User {
		w.Clock.Set(t)
		u, _ := w.user("UTC", "", "", devices)
		w.enqueue(notice(models.CategoryAnnouncement, false, u))
		sent += devices
		w.WaitForPushes(sent)
		w.WaitJobsSettled()
		w.eventually(10*time.Second, "the deliveries recorded SENT", func() bool { return w.statuses()[models.DeliverySent] == sent })
		return u
	}
	oldUser := noticeAt(then, 3)
	now := then.Add(push.DeliveryRetention + 3*24*time.Hour)
	noticeAt(now, 1)

	// Of the old notification's three deliveries: one owed again (its
	// status back to PENDING), one changed yesterday, one left as sent.
	var old []models.NotificationDelivery
	if err := w.DB.Order("device_id").Find(&old, "user_id = ?", oldUser.ID).Error; err != nil || len(old) != 3 {
		t.Fatalf("old deliveries %d, %v", len(old), err)
	}
	w.exec(`UPDATE notification_deliveries SET status = 'PENDING' WHERE device_id = ?`, old[0].DeviceID)
	w.exec(`UPDATE notification_deliveries SET updated_at = ? WHERE device_id = ?`, now.Add(-24*time.Hour), old[1].DeviceID)

	// Notification ids are time-ordered: the old one sorts first.
	var ids []string
	w.DB.Raw(`SELECT id::text FROM notifications ORDER BY id`).Scan(&ids)
	if len(ids) != 2 || ids[0] != old[0].NotificationID {
		t.Fatalf("notifications by id %v, want the old one (%s) first", ids, old[0].NotificationID)
	}
	for _, id := range ids {
		if id[14] != '7' {
			t.Fatalf("notification id %s is not of version 7", id)
		}
	}

	n, err := w.App.Push.PurgeDeliveries(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("purged %d rows, want 1", n)
	}
	var left []string
	w.DB.Raw(`SELECT device_id::text FROM notification_deliveries ORDER BY device_id`).Scan(&left)
	if len(left) != 3 {
		t.Fatalf("%d deliveries left, want 3: %v", len(left), left)
	}
	for _, d := range left {
		if d == old[2].DeviceID {
			t.Fatalf("the old sent delivery %s is still there", d)
		}
	}
	// A second run finds nothing more.
	if n, err := w.App.Push.PurgeDeliveries(ctx, now); err != nil || n != 0 {
		t.Fatalf("second purge: %d, %v", n, err)
	}
}
