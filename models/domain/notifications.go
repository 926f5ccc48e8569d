package domain

import (
	"context"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Notifier schedules push notifications inside a domain transaction; the
// push pipeline (server/push) implements it. A rolled-back write sends nothing.
type Notifier interface {
	EnqueueTx(ctx context.Context, tx *gorm.DB, n models.Notice) error
	// NoticeSQL is notice n for a writer's own statement: CTEs writing it
	// (recipients: a subquery of user ids in that statement; data: a jsonb
	// expression added to n.Data), their arguments and the notification's
	// id. (SELECT count(*) FROM notice_w) is how many recipients it wrote.
	// Without n.SendAt the statement also schedules the delivery, so it
	// needs no transaction around it; with n.SendAt, when it wrote any
	// recipient, the writer calls NoticedTx in the same transaction.
	NoticeSQL(n models.Notice, recipients, data string) (cte string, args map[string]any, id string, err error)
	// NoticedTx schedules the delivery of a notification written with
	// NoticeSQL with a SendAt: now, or at sendAt when later.
	NoticedTx(ctx context.Context, tx *gorm.DB, id string, sendAt *time.Time) error
	// CancelTx calls off scheduled notices enqueued with cancelKey.
	CancelTx(ctx context.Context, tx *gorm.DB, cancelKey string) error
}

// RegisterDevice adds the viewer's push token, or refreshes it (platform, app
// version, locale). Registering again is harmless; a token last registered
// by another user moves to the viewer (a shared tablet changed hands).
// Each user keeps at most MaxDevicesPerUser devices: the least recently
// registered go. Any signed-in user. Errors: BAD_USER_INPUT.
func (s *Service) RegisterDevice(ctx context.Context, v *models.Viewer, in models.RegisterDeviceInput) (*models.Device, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	token := strings.TrimSpace(in.Token)
	if token == "" || len(token) > models.MaxTokenLength || strings.IndexFunc(token, unicode.IsSpace) >= 0 {
		return nil, models.InvalidField("token", "token must be an FCM registration token (1 to %d characters, no spaces)", models.MaxTokenLength)
	}
	if !in.Platform.Valid() {
		return nil, models.InvalidField("platform", "platform must be IOS, ANDROID or WEB")
	}
	version, err := models.CleanText("appVersion", in.AppVersion, 32, false)
	if err != nil {
		return nil, err
	}
	locale := v.Locale
	if in.Locale != nil && strings.TrimSpace(*in.Locale) != "" {
		if locale, err = models.CleanLocale("locale", *in.Locale); err != nil {
			return nil, err
		}
	}
	now := s.now()
	d := &models.Device{UserID: v.ID, Token: token, Platform: in.Platform, AppVersion: version, Locale: locale, CreatedAt: now, UpdatedAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "token"}},
			DoUpdates: clause.AssignmentColumns([]string{"user_id", "platform", "app_version", "locale", "updated_at"}),
		}).Create(d).Error; err != nil {
			return err
		}
		if err := tx.Take(d, "token = ?", token).Error; err != nil {
			return err
		}
		if in.Locale != nil && locale != v.Locale {
			// The phone's language is the person's until they choose one
			// in their profile.
			if err := tx.Model(&models.User{}).Where("id = ? AND locale_source <> ?", v.ID, models.LocaleFromProfile).
				Updates(map[string]any{"locale": locale, "locale_source": models.LocaleFromDevice, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`DELETE FROM devices WHERE user_id = ? AND id NOT IN
			(SELECT id FROM devices WHERE user_id = ? ORDER BY updated_at DESC, id LIMIT ?)`, v.ID, v.ID, models.MaxDevicesPerUser).Error
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UnregisterDevice removes one of the viewer's tokens (sign-out). A token
// that is not the viewer's is left alone and reported as not removed.
func (s *Service) UnregisterDevice(ctx context.Context, v *models.Viewer, in models.UnregisterDeviceInput) (*models.UnregisterDevicePayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	token := strings.TrimSpace(in.Token)
	if token == "" || len(token) > models.MaxTokenLength {
		return nil, models.InvalidField("token", "token must be 1 to %d characters", models.MaxTokenLength)
	}
	res := s.DB.WithContext(ctx).Where("token = ? AND user_id = ?", token, v.ID).Delete(&models.Device{})
	if res.Error != nil {
		return nil, models.Internal(res.Error)
	}
	return &models.UnregisterDevicePayload{Removed: res.RowsAffected > 0}, nil
}

// Devices lists the viewer's devices, most recently registered first.
func (s *Service) Devices(ctx context.Context, v *models.Viewer) ([]*models.Device, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.Device
	err := s.DB.WithContext(ctx).Where("user_id = ?", v.ID).Order("updated_at DESC, id").Find(&out).Error
	return out, internal(err)
}

// NotificationPreferences returns the viewer's settings; categories never
// set are on.
func (s *Service) NotificationPreferences(ctx context.Context, v *models.Viewer) (*models.NotificationPreferences, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var rows []models.NotificationPreference
	if err := s.DB.WithContext(ctx).Where("user_id = ?", v.ID).Find(&rows).Error; err != nil {
		return nil, models.Internal(err)
	}
	set := map[models.NotificationCategory]models.NotificationPreference{}
	for _, r := range rows {
		set[r.Category] = r
	}
	out := &models.NotificationPreferences{TimeZone: v.TimeZone}
	for _, c := range models.Categories() {
		r, ok := set[c]
		out.Categories = append(out.Categories, &models.CategoryPreference{Category: c, Push: r.Push || !ok, Email: r.Email, Sms: r.SMS})
	}
	if q, ok := v.QuietHours(); ok {
		out.QuietHours = &q
	}
	var n int64
	if err := s.DB.WithContext(ctx).Model(&models.DigestSubscriber{}).Where("user_id = ?", v.ID).Count(&n).Error; err != nil {
		return nil, models.Internal(err)
	}
	out.Digest = n > 0
	return out, nil
}

// UpdateNotificationPreferences turns categories on or off and sets or clears
// quiet hours (in the viewer's time zone). All or nothing.
// Errors: BAD_USER_INPUT.
func (s *Service) UpdateNotificationPreferences(ctx context.Context, v *models.Viewer, in models.UpdateNotificationPreferencesInput) (*models.NotificationPreferences, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if len(in.Categories) > len(models.Categories()) {
		return nil, models.InvalidField("categories", "at most %d categories", len(models.Categories()))
	}
	seen := map[models.NotificationCategory]bool{}
	for _, c := range in.Categories {
		if c == nil || !c.Category.Valid() {
			return nil, models.InvalidField("categories", "unknown category")
		}
		if seen[c.Category] {
			return nil, models.InvalidField("categories", "%s is given twice", c.Category)
		}
		seen[c.Category] = true
	}
	clear := in.ClearQuietHours != nil && *in.ClearQuietHours
	if clear && in.QuietHours != nil {
		return nil, models.InvalidField("quietHours", "give quietHours or clearQuietHours, not both")
	}
	var start, end int16
	if in.QuietHours != nil {
		a, err := models.ParseClock("quietHours.start", in.QuietHours.Start)
		if err != nil {
			return nil, err
		}
		b, err := models.ParseClock("quietHours.end", in.QuietHours.End)
		if err != nil {
			return nil, err
		}
		if a == b {
			return nil, models.InvalidField("quietHours", "quiet hours must start and end at different times")
		}
		start, end = int16(a), int16(b)
	}
	now := s.now()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		for _, c := range in.Categories {
			p := models.NotificationPreference{UserID: v.ID, Category: c.Category, Push: c.Push, UpdatedAt: now}
			cols := []string{"push", "updated_at"}
			if c.Email != nil {
				p.Email, cols = *c.Email, append(cols, "email")
			}
			if c.Sms != nil {
				p.SMS, cols = *c.Sms, append(cols, "sms")
			}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}, {Name: "category"}},
				DoUpdates: clause.AssignmentColumns(cols)}).Create(&p).Error; err != nil {
				return err
			}
		}
		if in.Digest != nil {
			q := tx.Where("user_id = ?", v.ID).Delete(&models.DigestSubscriber{})
			if *in.Digest {
				q = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.DigestSubscriber{UserID: v.ID, CreatedAt: now})
			}
			if q.Error != nil {
				return q.Error
			}
		}
		switch {
		case clear:
			return tx.Model(&models.User{}).Where("id = ?", v.ID).
				Updates(map[string]any{"quiet_hours_start": nil, "quiet_hours_end": nil, "updated_at": now}).Error
		case in.QuietHours != nil:
			return tx.Model(&models.User{}).Where("id = ?", v.ID).
				Updates(map[string]any{"quiet_hours_start": start, "quiet_hours_end": end, "updated_at": now}).Error
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.DB.WithContext(ctx).Take(&v.User, "id = ?", v.ID).Error; err != nil {
		return nil, models.Internal(err)
	}
	return s.NotificationPreferences(ctx, v)
}

// SendTestNotification pushes a test notification to the viewer's own
// devices now (it ignores quiet hours and categories). At most
// MaxTestPushesPer10Min in ten minutes. Errors: RATE_LIMITED.
func (s *Service) SendTestNotification(ctx context.Context, v *models.Viewer) (*models.SendTestNotificationPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	out := &models.SendTestNotificationPayload{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockUser(tx, v.ID); err != nil {
			return err
		}
		var recent int64
		if err := tx.Table("notification_recipients r").Joins("JOIN notifications n ON n.id = r.notification_id").
			Where("r.user_id = ? AND n.type = ? AND n.created_at > ?", v.ID, models.NoticeTest, s.now().Add(-10*time.Minute)).
			Count(&recent).Error; err != nil {
			return err
		}
		if recent >= models.MaxTestPushesPer10Min {
			return models.Errorf(models.CodeRateLimited, "at most %d test notifications in ten minutes", models.MaxTestPushesPer10Min)
		}
		var devices int64
		if err := tx.Model(&models.Device{}).Where("user_id = ?", v.ID).Count(&devices).Error; err != nil {
			return err
		}
		out.DeviceCount = int(devices)
		if devices == 0 {
			return nil
		}
		return s.notify(ctx, tx, models.Notice{
			Type: models.NoticeTest, Category: models.CategorySystem, Recipients: []string{v.ID},
			Urgent: true, DeepLink: "sameside://settings/notifications", CollapseKey: "test",
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notify hands a notice to the push pipeline inside tx.
func (s *Service) notify(ctx context.Context, tx *gorm.DB, n models.Notice) error {
	if s.Notify == nil {
		return models.Internal(errNoNotifier)
	}
	return s.Notify.EnqueueTx(ctx, tx, n)
}
