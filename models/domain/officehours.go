package domain

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// SetOfficeHours replaces the viewer's weekly office hours (staff only), in
// the viewer's time zone. An empty list clears them.
func (s *Service) SetOfficeHours(ctx context.Context, v *models.Viewer, in models.SetOfficeHoursInput) ([]*models.OfficeHours, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if len(policy.StaffSchools(v)) == 0 {
		return nil, models.Errorf(models.CodeForbidden, "only school staff have office hours")
	}
	hours, err := models.ParseOfficeHours(in.Hours)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", v.ID).Delete(&models.OfficeHours{}).Error; err != nil {
			return err
		}
		for i := range hours {
			hours[i].UserID = v.ID
		}
		if len(hours) == 0 {
			return nil
		}
		return tx.Create(&hours).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]*models.OfficeHours, len(hours))
	for i := range hours {
		out[i] = &hours[i]
	}
	return out, nil
}

// ExpectedReplyAfter says when someone writing to a conversation at now may
// expect an answer: nil when one of the other participants with office
// hours is in them (or none has office hours), else when the earliest of
// them next starts.
func (s *Service) ExpectedReplyAfter(ctx context.Context, conversationID, senderID string, now time.Time) (*time.Time, error) {
	var rows []struct {
		models.OfficeHours
		TimeZone string
	}
	err := s.DB.WithContext(ctx).Table("office_hours oh").
		Select("oh.user_id, oh.weekday, oh.start_minute, oh.end_minute, u.time_zone").
		Joins("JOIN conversation_participants cp ON cp.user_id = oh.user_id AND cp.conversation_id = ?", conversationID).
		Joins("JOIN users u ON u.id = oh.user_id").
		Where("oh.user_id <> ?", senderID).Scan(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	hours := map[string][]models.OfficeHours{}
	zones := map[string]string{}
	for _, r := range rows {
		hours[r.UserID] = append(hours[r.UserID], r.OfficeHours)
		zones[r.UserID] = r.TimeZone
	}
	return replyAfter(hours, zones, now), nil
}

// replyAfter is ExpectedReplyAfter's answer from the other participants'
// office hours and time zones (those without office hours left out).
func replyAfter(hours map[string][]models.OfficeHours, zones map[string]string, now time.Time) *time.Time {
	var earliest time.Time
	for u, h := range hours {
		open, next := models.NextOfficeHours(h, zones[u], now)
		if open {
			return nil
		}
		if !next.IsZero() && (earliest.IsZero() || next.Before(earliest)) {
			earliest = next
		}
	}
	if earliest.IsZero() {
		return nil
	}
	return &earliest
}
