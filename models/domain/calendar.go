package domain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// ResetCalendarFeed makes the viewer a new private calendar feed URL; an
// earlier one stops working. The path is returned once: only its hash is
// kept.
func (s *Service) ResetCalendarFeed(ctx context.Context, v *models.Viewer) (*models.CalendarFeedPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, models.Internal(err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(secret))
	feed := models.CalendarFeed{UserID: v.ID, SecretHash: sum[:], CreatedAt: s.now()}
	err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}}, DoUpdates: clause.AssignmentColumns([]string{"secret_hash", "created_at"})}).
		Create(&feed).Error
	if err != nil {
		return nil, models.Internal(err)
	}
	return &models.CalendarFeedPayload{Path: "/calendar/" + secret + ".ics"}, nil
}

// RevokeCalendarFeed stops the viewer's feed URL; it says whether there was
// one.
func (s *Service) RevokeCalendarFeed(ctx context.Context, v *models.Viewer) (bool, error) {
	if err := policy.RequireViewer(v); err != nil {
		return false, err
	}
	res := s.DB.WithContext(ctx).Where("user_id = ?", v.ID).Delete(&models.CalendarFeed{})
	return res.RowsAffected > 0, internal(res.Error)
}

// CalendarEvents returns the events of the feed whose secret is given, as
// its owner may see them now (their live conferences, scheduled
// meetings with the school, and the events they are going to), or NOT_FOUND for a
// secret that is unknown or revoked.
func (s *Service) CalendarEvents(ctx context.Context, secret string) (*models.User, []models.CalendarEvent, error) {
	if len(secret) != 43 { // 32 bytes, base64url without padding
		return nil, nil, models.NotFound("calendar")
	}
	sum := sha256.Sum256([]byte(secret))
	var feed models.CalendarFeed
	res := s.DB.WithContext(ctx).Where("secret_hash = ?", sum[:]).Limit(1).Find(&feed)
	if res.Error != nil {
		return nil, nil, internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil, models.NotFound("calendar")
	}
	v := &models.Viewer{}
	if err := s.DB.WithContext(ctx).Take(&v.User, "id = ?", feed.UserID).Error; err != nil {
		return nil, nil, internal(err)
	}
	if err := s.DB.WithContext(ctx).Where("user_id = ?", v.ID).Find(&v.Memberships).Error; err != nil {
		return nil, nil, internal(err)
	}
	bookings, err := s.MyConferences(ctx, v, nil)
	if err != nil {
		return nil, nil, err
	}
	var rows []struct {
		BookingID, StudentFirst, TeacherName, RoundName, Location, VideoURL string
		StudentPreferred                                                    *string
		StartsAt, EndsAt, CreatedAt                                         time.Time
	}
	ids := make([]string, len(bookings))
	for i, b := range bookings {
		ids[i] = b.ID
	}
	if len(ids) > 0 {
		err = s.DB.WithContext(ctx).Raw(`SELECT b.id AS booking_id, st.first_name AS student_first, st.preferred_name AS student_preferred,
				u.display_name AS teacher_name, r.name AS round_name, r.location, r.video_url, cs.starts_at, cs.ends_at, b.created_at
			FROM conference_bookings b JOIN conference_slots cs ON cs.id = b.slot_id JOIN conference_rounds r ON r.id = b.round_id
			JOIN students st ON st.id = b.student_id JOIN users u ON u.id = cs.teacher_id
			WHERE b.id IN ? ORDER BY cs.starts_at`, ids).Scan(&rows).Error
		if err != nil {
			return nil, nil, internal(err)
		}
	}
	events := make([]models.CalendarEvent, 0, len(rows))
	for _, r := range rows {
		student := r.StudentFirst
		if r.StudentPreferred != nil && strings.TrimSpace(*r.StudentPreferred) != "" {
			student = *r.StudentPreferred
		}
		where := r.Location
		if r.VideoURL != "" {
			where = r.VideoURL
		}
		events = append(events, models.CalendarEvent{
			UID:         "conference-" + r.BookingID + "@sameside",
			Summary:     fmt.Sprintf("Conference: %s with %s", student, r.TeacherName),
			Description: r.RoundName,
			Location:    where,
			URL:         "sameside://conferences/" + r.BookingID,
			StartsAt:    r.StartsAt, EndsAt: r.EndsAt, UpdatedAt: r.CreatedAt,
		})
	}
	var meetings []struct {
		RequestID, StudentFirst, Topic string
		StudentPreferred               *string
		StartsAt, EndsAt, CreatedAt    time.Time
	}
	err = s.DB.WithContext(ctx).Table("conference_requests").Scopes(policy.ConferenceRequests(v)).
		Select(`conference_requests.id AS request_id, st.first_name AS student_first, st.preferred_name AS student_preferred,
			conference_requests.topic, o.starts_at, o.ends_at, o.created_at`).
		Joins("JOIN conference_request_options o ON o.id = conference_requests.accepted_option_id").
		Joins("JOIN students st ON st.id = conference_requests.student_id").
		Where("conference_requests.state = ?", models.RequestScheduled).Order("o.starts_at").Scan(&meetings).Error
	if err != nil {
		return nil, nil, internal(err)
	}
	for _, m := range meetings {
		student := m.StudentFirst
		if m.StudentPreferred != nil && strings.TrimSpace(*m.StudentPreferred) != "" {
			student = *m.StudentPreferred
		}
		events = append(events, models.CalendarEvent{
			UID:         "conference-request-" + m.RequestID + "@sameside",
			Summary:     fmt.Sprintf("Meeting with the school about %s", student),
			Description: m.Topic,
			URL:         "sameside://conference-requests/" + m.RequestID,
			StartsAt:    m.StartsAt, EndsAt: m.EndsAt, UpdatedAt: m.CreatedAt,
		})
	}
	var going []models.SchoolEvent
	err = s.DB.WithContext(ctx).Where("id IN (SELECT event_id FROM event_rsvps WHERE user_id = ? AND state = ?) AND school_id IN ?",
		v.ID, models.RSVPGoing, orNone(v.SchoolIDs())).Order("starts_at").Find(&going).Error
	if err != nil {
		return nil, nil, internal(err)
	}
	for _, e := range going {
		where := e.Location
		if e.VideoURL != "" {
			where = e.VideoURL
		}
		events = append(events, models.CalendarEvent{
			UID: "event-" + e.ID + "@sameside", Summary: e.Title, Description: e.Description, Location: where,
			URL: "sameside://events/" + e.ID, StartsAt: e.StartsAt, EndsAt: e.EndsAt, UpdatedAt: e.CreatedAt,
		})
	}
	return &v.User, events, nil
}
