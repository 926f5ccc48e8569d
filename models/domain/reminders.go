package domain

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// The teachers' weekly reminder: on Monday from 08:00 in the school's time
// zone, each teacher is told which of their students have had no shared
// positive note in the last seven days (none at all: no reminder). It is
// a notification of category WEEKLY_REMINDER, which a teacher turns off
// to opt out. A school's reminder goes once a week (schools.reminder_sent_on).
const (
	NoticeWeeklyReminder = "POSITIVE_NOTE_REMINDER"
	// ReminderChore names the reminder's periodic run; ReminderEvery is how
	// often it looks for schools whose Monday 08:00 has come.
	ReminderChore = "weekly_reminder"
	ReminderEvery = 15 * time.Minute
	reminderHour  = 8
	reminderNames = 5
)

// SendWeeklyReminders sends the reminders of every school whose Monday
// 08:00 has come this week and whose reminder has not gone, and returns
// how many teachers it told. Clock: the service's Now.
func (s *Service) SendWeeklyReminders(ctx context.Context) (int, error) {
	now := s.now()
	var schools []models.School
	if err := s.DB.WithContext(ctx).Find(&schools).Error; err != nil {
		return 0, err
	}
	told := 0
	for i := range schools {
		sc := &schools[i]
		loc := sc.Location()
		local := now.In(loc)
		back := (int(local.Weekday()) + 6) % 7 // days since Monday
		monday := time.Date(local.Year(), local.Month(), local.Day()-back, 0, 0, 0, 0, loc)
		due := monday.Add(reminderHour * time.Hour)
		day := time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, time.UTC)
		if local.Before(due) || (sc.ReminderSentOn != nil && sc.ReminderSentOn.Equal(day)) {
			continue
		}
		n, err := s.remindSchool(ctx, sc, now, day)
		if err != nil {
			return told, fmt.Errorf("weekly reminder of %s: %w", sc.ID, err)
		}
		told += n
	}
	return told, nil
}

// remindSchool tells one school's teachers and marks its week done, in one
// transaction; the school row's lock keeps two workers from both sending.
func (s *Service) remindSchool(ctx context.Context, sc *models.School, now, day time.Time) (int, error) {
	told := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var locked models.School
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "reminder_sent_on").Take(&locked, "id = ?", sc.ID).Error; err != nil {
			return err
		}
		if locked.ReminderSentOn != nil && locked.ReminderSentOn.Equal(day) {
			return nil // another worker did it
		}
		var rows []struct {
			TeacherID string
			StudentID string
			FirstName string
			Preferred *string
		}
		if err := tx.Raw(`SELECT DISTINCT cs.user_id AS teacher_id, st.id AS student_id, st.first_name, st.preferred_name AS preferred
			FROM `+policy.Teaching+` JOIN students st ON st.id = e.student_id
			JOIN memberships m ON m.user_id = cs.user_id AND m.school_id = cs.school_id AND m.role = 'TEACHER'
			WHERE cs.school_id = ? AND st.withdrawn_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.student_id = st.id AND o.kind = 'POSITIVE' AND o.state = 'SHARED' AND o.shared_at >= ?)
			ORDER BY cs.user_id, st.first_name, st.id`, sc.ID, now.Add(-7*24*time.Hour)).Scan(&rows).Error; err != nil {
			return err
		}
		names := map[string][]string{}
		var order []string
		for _, r := range rows {
			if _, ok := names[r.TeacherID]; !ok {
				order = append(order, r.TeacherID)
			}
			first := r.FirstName
			if r.Preferred != nil && *r.Preferred != "" {
				first = *r.Preferred
			}
			names[r.TeacherID] = append(names[r.TeacherID], first)
		}
		school := sc.ID
		for _, teacher := range order {
			list := names[teacher]
			shown := list
			if len(shown) > reminderNames {
				shown = shown[:reminderNames]
			}
			students := strings.Join(shown, ", ")
			if len(list) > len(shown) {
				students += ", …"
			}
			if err := s.notify(ctx, tx, models.Notice{
				Type: NoticeWeeklyReminder, Category: models.CategoryWeeklyReminder, SchoolID: &school, Recipients: []string{teacher},
				Params:      map[string]string{"students": students, "count": strconv.Itoa(len(list))},
				Data:        map[string]string{"count": strconv.Itoa(len(list)), "week": day.Format(time.DateOnly)},
				DeepLink:    "sameside://coaching/positive-notes",
				CollapseKey: "weekly-reminder",
			}); err != nil {
				return err
			}
			told++
		}
		return tx.Model(&models.School{}).Where("id = ?", sc.ID).Update("reminder_sent_on", day).Error
	})
	return told, err
}
