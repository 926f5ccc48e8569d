package push_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// A notice's recipient rows and a fan-out's delivery rows are written by
// the thousand; a foreign key checks each row by itself, one query a row.
// Their notification and their user are checked by the statements that
// write them instead (the notification written in the same statement or
// locked once, the users locked all at once), so neither table has a
// foreign key; their user columns say they name users, for the account
// merge.
func TestFanOutRowsCheckNoKeyRowByRow(t *testing.T) {
	w := newWorld(t, apptest.Options{NoWorkers: true})
	var keys, named []string
	if err := w.DB.Raw(`SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND conrelid IN ('notification_recipients'::regclass, 'notification_deliveries'::regclass)
		ORDER BY 1`).Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Fatalf("foreign keys %q, want none", keys)
	}
	if err := w.DB.Raw(`SELECT d.objoid::regclass::text || '.' || a.attname FROM pg_description d
		JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
		WHERE d.objoid IN ('notification_recipients'::regclass, 'notification_deliveries'::regclass) AND d.description LIKE 'references users (id)%'
		ORDER BY 1`).Scan(&named).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{"notification_deliveries.user_id", "notification_recipients.user_id"}; !slices.Equal(named, want) {
		t.Fatalf("columns naming users %q, want %q", named, want)
	}
}

// Deleting users (a family's erasure) deletes their recipient and delivery
// rows, and nobody else's.
func TestDeletedUsersTakeTheirRows(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	a, _ := w.user("UTC", "", "", 2)
	b, _ := w.user("UTC", "", "", 1)
	c, _ := w.user("UTC", "", "", 1)
	w.enqueue(notice(models.CategoryAnnouncement, false, a, b, c))
	w.enqueue(notice(models.CategoryAnnouncement, false, a))
	w.WaitForPushes(5)
	w.WaitJobsSettled()
	count := func(u models.User) (recipients, deliveries int64) {
		t.Helper()
		if err := w.DB.Raw(`SELECT (SELECT count(*) FROM notification_recipients WHERE user_id = @u), (SELECT count(*) FROM notification_deliveries WHERE user_id = @u)`,
			map[string]any{"u": u.ID}).Row().Scan(&recipients, &deliveries); err != nil {
			t.Fatal(err)
		}
		return recipients, deliveries
	}
	if r, d := count(a); r != 2 || d != 4 {
		t.Fatalf("before: %d recipients, %d deliveries of a", r, d)
	}
	w.exec(`DELETE FROM users WHERE id IN (?, ?)`, a.ID, b.ID)
	for _, u := range []models.User{a, b} {
		if r, d := count(u); r != 0 || d != 0 {
			t.Fatalf("%s deleted: %d recipients, %d deliveries left", u.DisplayName, r, d)
		}
	}
	if r, d := count(c); r != 1 || d != 1 {
		t.Fatalf("another user's rows: %d recipients, %d deliveries, want 1 and 1", r, d)
	}
}

// A user deleted while a notice naming them is written: whichever comes
// first, no row names the deleted user once both have committed. Deleted
// first (not yet committed), the notice's statement waits, then leaves
// them out; written first, the deletion waits, then takes their row. The
// other recipient is written either way.
func TestUserDeletedWhileANoticeIsWritten(t *testing.T) {
	w := newWorld(t, apptest.Options{NoWorkers: true})
	waiting := func(what string) {
		w.eventually(10*time.Second, what, func() bool {
			var n int64
			if err := w.DB.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n > 0
		})
	}
	rows := func(u models.User) int64 {
		var n int64
		if err := w.DB.Raw(`SELECT count(*) FROM notification_recipients WHERE user_id = ?`, u.ID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, deletionFirst := range []bool{true, false} {
		gone, _ := w.user("UTC", "", "", 1)
		other, _ := w.user("UTC", "", "", 1)
		first, second := w.DB.Begin(), w.DB.Begin()
		deletion, writer := first, second
		if !deletionFirst {
			deletion, writer = second, first
		}
		write := func() error {
			return w.App.Push.EnqueueTx(context.Background(), writer, notice(models.CategoryAnnouncement, false, gone, other))
		}
		del := func() error { return deletion.Exec(`DELETE FROM users WHERE id = ?`, gone.ID).Error }
		firstDo, secondDo := del, write
		if !deletionFirst {
			firstDo, secondDo = write, del
		}
		if err := firstDo(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			err := secondDo()
			if err == nil {
				err = second.Commit().Error
			}
			done <- err
		}()
		waiting("the second transaction to wait for the first")
		if err := first.Commit().Error; err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("deletion first %v: %v", deletionFirst, err)
		}
		if n := rows(gone); n != 0 {
			t.Errorf("deletion first %v: %d recipient rows name the deleted user", deletionFirst, n)
		}
		if n := rows(other); n != 1 {
			t.Errorf("deletion first %v: %d recipient rows for the other user, want 1", deletionFirst, n)
		}
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

// A notification deleted before its fan-out runs (its job committed with
// the deletion) ends the job cleanly, with nothing sent: the plan's first
// statement, which reads the notification, finds none.
func TestNotificationDeletedBeforeFanOut(t *testing.T) {
	w := newWorld(t, apptest.Options{})
	u, _ := w.user("UTC", "", "", 2)
	err := w.DB.Transaction(func(tx *gorm.DB) error {
		if err := w.App.Push.EnqueueTx(context.Background(), tx, notice(models.CategoryAnnouncement, false, u)); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM notifications`).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	w.WaitJobsSettled()
	var jobs []struct {
		State  string
		Errors *string
	}
	if err := w.DB.Raw(`SELECT state, errors::text AS errors FROM river_job WHERE kind = 'push_fan_out'`).Scan(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].State != "completed" || jobs[0].Errors != nil {
		t.Fatalf("push jobs %+v, want one completed without errors", jobs)
	}
	if n := w.FCM.Count(); n != 0 {
		t.Fatalf("%d pushes for a deleted notification", n)
	}
}
