package domain

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// CreateSchoolEvent creates a parent-education event (admins of the
// school). Errors: BAD_USER_INPUT, FORBIDDEN, NOT_FOUND (school).
func (s *Service) CreateSchoolEvent(ctx context.Context, v *models.Viewer, in models.CreateSchoolEventInput) (*models.SchoolEvent, error) {
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "create events"); err != nil {
		return nil, err
	}
	title, err := models.CleanText("title", in.Title, 200, true)
	if err != nil {
		return nil, err
	}
	if !in.Topic.Valid() {
		return nil, models.InvalidField("topic", "unknown topic")
	}
	e := &models.SchoolEvent{SchoolID: in.SchoolID, Title: title, Topic: in.Topic, StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(),
		Capacity: in.Capacity, CreatedByID: v.ID, CreatedAt: s.now()}
	if e.Description, err = models.CleanOptionalBody("description", in.Description, 5000); err != nil {
		return nil, err
	}
	if in.Location != nil {
		if e.Location, err = models.CleanText("location", *in.Location, 200, false); err != nil {
			return nil, err
		}
	}
	if in.VideoURL != nil && strings.TrimSpace(*in.VideoURL) != "" {
		if e.VideoURL, err = httpsURL("videoUrl", *in.VideoURL, 500); err != nil {
			return nil, err
		}
	}
	switch {
	case !e.EndsAt.After(e.StartsAt) || e.EndsAt.Sub(e.StartsAt) > 12*time.Hour:
		return nil, models.InvalidField("endsAt", "an event ends after it starts, within 12 hours")
	case !e.StartsAt.After(s.now()):
		return nil, models.InvalidField("startsAt", "an event starts in the future")
	case e.Capacity < 1 || e.Capacity > 10000:
		return nil, models.InvalidField("capacity", "capacity is 1 to 10,000 people")
	case e.Location == "" && e.VideoURL == "":
		return nil, models.InvalidField("location", "give a location or a video link")
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		return s.translateTx(ctx, tx, "event", e.ID)
	})
	return e, internal(err)
}

// SchoolEvents lists the upcoming events of the viewer's schools, soonest
// first.
func (s *Service) SchoolEvents(ctx context.Context, v *models.Viewer) ([]*models.SchoolEvent, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.SchoolEvent
	err := s.DB.WithContext(ctx).Where("school_id IN ? AND ends_at > ?", orNone(v.SchoolIDs()), s.now()).Order("starts_at, id").Find(&out).Error
	return out, internal(err)
}

// SchoolEvent loads an event of one of the viewer's schools, else NOT_FOUND.
func (s *Service) SchoolEvent(ctx context.Context, v *models.Viewer, id string) (*models.SchoolEvent, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return s.event(s.DB.WithContext(ctx), v, id, false)
}

func (s *Service) event(tx *gorm.DB, v *models.Viewer, id string, lock bool) (*models.SchoolEvent, error) {
	q := tx.Where("id = ? AND school_id IN ?", id, orNone(v.SchoolIDs()))
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return findOne[models.SchoolEvent](q, "event")
}

// RsvpSchoolEvent answers an event for the viewer's family (parents of
// the school) with a head count. With seats left it is GOING, else the
// family joins the waitlist; answering again changes the head count (a
// GOING family that no longer fits gets CONFLICT and keeps its seats; a
// waitlisted one keeps its place). The event row is locked, so RSVPs at
// capacity never overbook.
func (s *Service) RsvpSchoolEvent(ctx context.Context, v *models.Viewer, in models.RsvpSchoolEventInput) (*models.EventRSVP, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if in.HeadCount < 1 || in.HeadCount > models.MaxHeadCount {
		return nil, models.InvalidField("headCount", "head count is 1 to %d", models.MaxHeadCount)
	}
	var r models.EventRSVP
	err := s.tx(ctx, func(tx *gorm.DB) error {
		e, err := s.event(tx, v, in.EventID, true)
		if err != nil {
			return err
		}
		if !policy.IsParent(v, e.SchoolID) {
			return models.Errorf(models.CodeForbidden, "RSVPs are for the school's families")
		}
		if !e.StartsAt.After(s.now()) {
			return models.Errorf(models.CodeConflict, "this event has started")
		}
		taken, err := seatsTaken(tx, e.ID)
		if err != nil {
			return err
		}
		now := s.now()
		res := tx.Where("event_id = ? AND user_id = ?", e.ID, v.ID).Limit(1).Find(&r)
		if res.Error != nil {
			return res.Error
		}
		switch {
		case res.RowsAffected > 0 && r.State == models.RSVPGoing:
			if taken-int(r.HeadCount)+int(in.HeadCount) > int(e.Capacity) {
				return models.Errorf(models.CodeConflict, "not enough seats for %d; you keep your %d", in.HeadCount, r.HeadCount)
			}
			r.HeadCount = in.HeadCount
		case res.RowsAffected > 0 && r.State == models.RSVPWaitlisted:
			r.HeadCount = in.HeadCount // keeps its place in line
		default: // new, or back after cancelling: the end of the line
			r = models.EventRSVP{EventID: e.ID, UserID: v.ID, HeadCount: in.HeadCount, State: models.RSVPWaitlisted, CreatedAt: now}
			inLine, err := waiting(tx, e.ID)
			if err != nil {
				return err
			}
			if taken+int(in.HeadCount) <= int(e.Capacity) && !inLine {
				r.State = models.RSVPGoing
			}
		}
		r.UpdatedAt = now
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		if r.State == models.RSVPGoing {
			return s.remindRSVP(ctx, tx, e, &r)
		}
		return nil
	})
	return &r, err
}

// CancelRsvp withdraws the viewer's RSVP; the seats go to the waitlist in
// order, as far as the first in line fits, and each family promoted is
// told.
func (s *Service) CancelRsvp(ctx context.Context, v *models.Viewer, in models.EventIDInput) (*models.EventRSVP, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var r models.EventRSVP
	err := s.tx(ctx, func(tx *gorm.DB) error {
		e, err := s.event(tx, v, in.EventID, true)
		if err != nil {
			return err
		}
		res := tx.Where("event_id = ? AND user_id = ?", e.ID, v.ID).Limit(1).Find(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("RSVP")
		}
		if r.State == models.RSVPCancelled {
			return nil
		}
		was := r.State
		r.State, r.UpdatedAt = models.RSVPCancelled, s.now()
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		if err := s.Notify.CancelTx(ctx, tx, rsvpKey(e.ID, v.ID)); err != nil {
			return err
		}
		if was != models.RSVPGoing || !e.StartsAt.After(s.now()) {
			return nil
		}
		return s.promote(ctx, tx, e)
	})
	return &r, err
}

// promote moves waitlisted families to GOING, first in line first, while
// the first fits.
func (s *Service) promote(ctx context.Context, tx *gorm.DB, e *models.SchoolEvent) error {
	taken, err := seatsTaken(tx, e.ID)
	if err != nil {
		return err
	}
	var line []models.EventRSVP
	if err := tx.Where("event_id = ? AND state = ?", e.ID, models.RSVPWaitlisted).Order("created_at, user_id").Find(&line).Error; err != nil {
		return err
	}
	for i := range line {
		r := &line[i]
		if taken+int(r.HeadCount) > int(e.Capacity) {
			break
		}
		taken += int(r.HeadCount)
		r.State, r.UpdatedAt = models.RSVPGoing, s.now()
		if err := tx.Save(r).Error; err != nil {
			return err
		}
		if err := s.notify(ctx, tx, eventNotice(e, "PROMOTED", []string{r.UserID})); err != nil {
			return err
		}
		if err := s.remindRSVP(ctx, tx, e, r); err != nil {
			return err
		}
	}
	return nil
}

// remindRSVP schedules the day-before reminder of a family that is going.
func (s *Service) remindRSVP(ctx context.Context, tx *gorm.DB, e *models.SchoolEvent, r *models.EventRSVP) error {
	if err := s.Notify.CancelTx(ctx, tx, rsvpKey(e.ID, r.UserID)); err != nil {
		return err
	}
	at := e.StartsAt.Add(-24 * time.Hour)
	if !at.After(s.now()) {
		return nil
	}
	n := eventNotice(e, "REMINDER_DAY", []string{r.UserID})
	n.SendAt, n.CancelKey = &at, rsvpKey(e.ID, r.UserID)
	return s.notify(ctx, tx, n)
}

func rsvpKey(eventID, userID string) string { return "event-rsvp:" + eventID + ":" + userID }

func seatsTaken(tx *gorm.DB, eventID string) (int, error) {
	var n int
	err := tx.Raw(`SELECT coalesce(sum(head_count), 0) FROM event_rsvps WHERE event_id = ? AND state = 'GOING'`, eventID).Scan(&n).Error
	return n, err
}

// waiting reports whether anyone is in line (newcomers go behind them).
func waiting(tx *gorm.DB, eventID string) (bool, error) {
	var n int64
	err := tx.Model(&models.EventRSVP{}).Where("event_id = ? AND state = ?", eventID, models.RSVPWaitlisted).Count(&n).Error
	return n > 0, err
}

func eventNotice(e *models.SchoolEvent, kind string, to []string) models.Notice {
	school := e.SchoolID
	return models.Notice{
		Type: models.NoticeEvent, Category: models.CategoryEvent, SchoolID: &school, Recipients: to,
		Params:      map[string]string{"kind": kind, "title": e.Title, "startsAt": e.StartsAt.UTC().Format(time.RFC3339)},
		Data:        map[string]string{"kind": kind, "eventId": e.ID, "startsAt": e.StartsAt.UTC().Format(time.RFC3339)},
		DeepLink:    "sameside://events/" + e.ID,
		CollapseKey: "event-" + e.ID,
	}
}

// EventSeats counts the seats taken and the families waiting.
func (s *Service) EventSeats(ctx context.Context, eventID string) (taken, waitlisted int, err error) {
	var row struct{ Taken, Waiting int }
	err = s.DB.WithContext(ctx).Raw(`SELECT coalesce(sum(head_count) FILTER (WHERE state = 'GOING'), 0) AS taken,
		count(*) FILTER (WHERE state = 'WAITLISTED') AS waiting FROM event_rsvps WHERE event_id = ?`, eventID).Scan(&row).Error
	return row.Taken, row.Waiting, internal(err)
}

// MyRsvp returns the viewer's RSVP to an event, or nil.
func (s *Service) MyRsvp(ctx context.Context, v *models.Viewer, eventID string) (*models.EventRSVP, error) {
	var r models.EventRSVP
	res := s.DB.WithContext(ctx).Where("event_id = ? AND user_id = ?", eventID, v.ID).Limit(1).Find(&r)
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, internal(res.Error)
	}
	return &r, nil
}

// WaitlistPosition is a waitlisted RSVP's place in line (1 is next), or
// nil for one that is not waiting.
func (s *Service) WaitlistPosition(ctx context.Context, r *models.EventRSVP) (*int, error) {
	if r.State != models.RSVPWaitlisted {
		return nil, nil
	}
	var ahead int64
	err := s.DB.WithContext(ctx).Model(&models.EventRSVP{}).Where("event_id = ? AND state = ? AND (created_at, user_id) < (?, ?)",
		r.EventID, models.RSVPWaitlisted, r.CreatedAt, r.UserID).Count(&ahead).Error
	pos := int(ahead) + 1
	return &pos, internal(err)
}
