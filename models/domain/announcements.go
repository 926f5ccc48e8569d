package domain

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// maxSchedule is how far ahead an announcement may be scheduled.
const maxSchedule = 90 * 24 * time.Hour

// PostAnnouncement posts an announcement, or schedules it for publishAt,
// and pushes it then to every guardian in its audience. School-wide and
// grade announcements are for admins; a classroom's for its teachers and
// admins; urgent (which ignores quiet hours) for admins only. Errors:
// BAD_USER_INPUT, FORBIDDEN, NOT_FOUND (school or classroom).
func (s *Service) PostAnnouncement(ctx context.Context, v *models.Viewer, in models.PostAnnouncementInput) (*models.AnnouncementPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !policy.IsMember(v, in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if !in.Audience.Valid() {
		return nil, models.InvalidField("audience", "unknown audience")
	}
	title, err := models.CleanText("title", in.Title, models.MaxAnnouncementTitle, true)
	if err != nil {
		return nil, err
	}
	body, err := models.CleanBody("body", in.Body, models.MaxAnnouncementBody)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := &models.Announcement{SchoolID: in.SchoolID, Audience: in.Audience, Title: title, Body: body, AuthorID: v.ID, PublishAt: now, CreatedAt: now}
	if in.PublishAt != nil {
		if in.PublishAt.Before(now.Add(-time.Minute)) || in.PublishAt.After(now.Add(maxSchedule)) {
			return nil, models.InvalidField("publishAt", "publishAt must be between now and 90 days ahead")
		}
		if in.PublishAt.After(now) {
			a.PublishAt = in.PublishAt.UTC()
		}
	}
	admin := policy.IsAdmin(v, in.SchoolID)
	if in.Urgent != nil && *in.Urgent {
		if !admin {
			return nil, models.Errorf(models.CodeForbidden, "only admins send urgent announcements")
		}
		a.Urgent = true
	}
	switch in.Audience {
	case models.AudienceSchool, models.AudienceGrade:
		if in.ClassroomID != nil {
			return nil, models.InvalidField("classroomId", "classroomId is for a CLASSROOM audience")
		}
		if in.Audience == models.AudienceGrade {
			if in.Grade == nil {
				return nil, models.InvalidField("grade", "a GRADE audience needs its grade")
			}
			g, err := models.CleanText("grade", *in.Grade, 20, true)
			if err != nil {
				return nil, err
			}
			a.Grade = &g
		} else if in.Grade != nil {
			return nil, models.InvalidField("grade", "grade is for a GRADE audience")
		}
		if !admin {
			return nil, models.Errorf(models.CodeForbidden, "only admins post to the school or a grade")
		}
	case models.AudienceClassroom:
		if in.ClassroomID == nil || in.Grade != nil {
			return nil, models.InvalidField("classroomId", "a CLASSROOM audience needs its classroomId, and no grade")
		}
		c, err := policy.VisibleClassroom(ctx, s.DB, v, *in.ClassroomID)
		if err != nil || c.SchoolID != in.SchoolID {
			return nil, models.NotFound("classroom")
		}
		if !admin {
			var n int64
			if err := s.DB.WithContext(ctx).Model(&models.ClassroomStaff{}).Where("classroom_id = ? AND user_id = ?", c.ID, v.ID).Count(&n).Error; err != nil {
				return nil, internal(err)
			}
			if n == 0 || !policy.IsTeacher(v, in.SchoolID) {
				return nil, models.Errorf(models.CodeForbidden, "only the classroom's teachers and admins post to it")
			}
		}
		a.ClassroomID = &c.ID
	}
	res, err := once(ctx, s, v, "postAnnouncement", in.ClientMutationID, func(tx *gorm.DB) (*written, error) {
		if err := tx.Create(a).Error; err != nil {
			return nil, err
		}
		if err := s.translateTx(ctx, tx, "announcement", a.ID); err != nil {
			return nil, err
		}
		if err := s.attach(tx, v, models.ItemAnnouncement, a.ID, in.AttachmentIDs); err != nil {
			return nil, err
		}
		return &written{ID: a.ID}, s.announce(ctx, tx, a)
	})
	if err != nil {
		return nil, err
	}
	out, err := loadOne[models.Announcement](ctx, s.DB, res.ID)
	return &models.AnnouncementPayload{ClientMutationID: in.ClientMutationID, Announcement: out}, err
}

// announce schedules an announcement's push to its audience: now, or at
// its publish time, with a cancel key (an edit or a cancellation before
// then calls it off).
func (s *Service) announce(ctx context.Context, tx *gorm.DB, a *models.Announcement) error {
	var school models.School
	if err := tx.Take(&school, "id = ?", a.SchoolID).Error; err != nil {
		return err
	}
	key := "announcement:" + a.ID
	n := models.Notice{
		Type: models.NoticeAnnouncement, Category: models.CategoryAnnouncement, SchoolID: &a.SchoolID, Urgent: a.Urgent,
		// The audience is read in the statement that writes it down.
		RecipientsSQL:  `SELECT x.user_id FROM announcements a, LATERAL (` + policy.AnnouncementAudienceSQL("a") + `) x WHERE a.id = @announcement`,
		RecipientsArgs: map[string]any{"announcement": a.ID},
		Params:         map[string]string{"title": a.Title, "school": school.Name},
		Data:           map[string]string{"announcementId": a.ID, "urgent": map[bool]string{true: "true", false: "false"}[a.Urgent]},
		DeepLink:       "sameside://announcements/" + a.ID,
		CollapseKey:    "announcement-" + a.ID,
		CancelKey:      key,
	}
	if a.PublishAt.After(s.now()) {
		n.SendAt = &a.PublishAt
	}
	return s.notify(ctx, tx, n)
}

// UpdateAnnouncement changes an announcement before it goes out (its
// author or a school admin): title, body, publish time, attachments
// (replaced when given). Its push moves with it. Errors: NOT_FOUND,
// FORBIDDEN, CONFLICT (gone out or cancelled), BAD_USER_INPUT.
func (s *Service) UpdateAnnouncement(ctx context.Context, v *models.Viewer, in models.UpdateAnnouncementInput) (*models.Announcement, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	changes := map[string]any{}
	if in.Title != nil {
		title, err := models.CleanText("title", *in.Title, models.MaxAnnouncementTitle, true)
		if err != nil {
			return nil, err
		}
		changes["title"] = title
	}
	if in.Body != nil {
		body, err := models.CleanBody("body", *in.Body, models.MaxAnnouncementBody)
		if err != nil {
			return nil, err
		}
		changes["body"] = body
	}
	now := s.now()
	if in.PublishAt != nil {
		if !in.PublishAt.After(now.Add(-time.Minute)) || in.PublishAt.After(now.Add(maxSchedule)) {
			return nil, models.InvalidField("publishAt", "publishAt must be between now and 90 days ahead")
		}
		at := in.PublishAt.UTC()
		if at.Before(now) {
			at = now
		}
		changes["publish_at"] = at
	}
	return s.changeAnnouncement(ctx, v, in.ID, func(tx *gorm.DB, a *models.Announcement) error {
		changes["edited_at"] = now
		if err := tx.Model(a).Updates(changes).Error; err != nil {
			return err
		}
		if err := tx.Take(a, "id = ?", a.ID).Error; err != nil {
			return err
		}
		if in.AttachmentIDs != nil {
			if err := tx.Model(&models.Upload{}).Where("item_type = ? AND item_id = ?", models.ItemAnnouncement, a.ID).
				Updates(map[string]any{"item_type": nil, "item_id": nil, "attached_at": nil, "position": nil}).Error; err != nil {
				return err
			}
			if err := s.attach(tx, v, models.ItemAnnouncement, a.ID, in.AttachmentIDs); err != nil {
				return err
			}
		}
		if _, t := changes["title"]; t || changes["body"] != nil {
			if err := s.translateTx(ctx, tx, "announcement", a.ID); err != nil {
				return err
			}
		}
		if err := s.Notify.CancelTx(ctx, tx, "announcement:"+a.ID); err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, a.SchoolID, "", a.ID, "announcement.update"); err != nil {
			return err
		}
		return s.announce(ctx, tx, a)
	})
}

// CancelAnnouncement calls off an announcement before it goes out (its
// author or a school admin): families never see it or hear of it.
// Errors: NOT_FOUND, FORBIDDEN, CONFLICT (gone out, or cancelled already).
func (s *Service) CancelAnnouncement(ctx context.Context, v *models.Viewer, in models.AnnouncementIDInput) (*models.Announcement, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return s.changeAnnouncement(ctx, v, in.ID, func(tx *gorm.DB, a *models.Announcement) error {
		now := s.now()
		a.CancelledAt, a.CancelledByID = &now, &v.ID
		if err := tx.Model(a).Updates(map[string]any{"cancelled_at": now, "cancelled_by_id": v.ID}).Error; err != nil {
			return err
		}
		if err := s.Notify.CancelTx(ctx, tx, "announcement:"+a.ID); err != nil {
			return err
		}
		return s.auditWrite(tx, v, a.SchoolID, "", a.ID, "announcement.cancel")
	})
}

// changeAnnouncement runs fn on an announcement still to go out, locked,
// for its author or a school admin.
func (s *Service) changeAnnouncement(ctx context.Context, v *models.Viewer, id string, fn func(tx *gorm.DB, a *models.Announcement) error) (*models.Announcement, error) {
	var a *models.Announcement
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		a, err = findOne[models.Announcement](tx.Scopes(policy.Announcements(v, s.now())).Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("announcements.id = ?", id), "announcement")
		if err != nil {
			return err
		}
		if a.AuthorID != v.ID && !policy.IsAdmin(v, a.SchoolID) {
			return models.Errorf(models.CodeForbidden, "its author or a school admin changes an announcement")
		}
		if a.CancelledAt != nil {
			return models.Errorf(models.CodeConflict, "this announcement was cancelled")
		}
		if !a.PublishAt.After(s.now()) {
			return models.Errorf(models.CodeConflict, "this announcement has gone out; post a correction instead")
		}
		return fn(tx, a)
	})
	return a, err
}

// Announcements lists the announcements the viewer may see, newest first
// (keyset on publish time, id).
func (s *Service) Announcements(ctx context.Context, v *models.Viewer, size *int, after *string) (*models.AnnouncementConnection, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	n, err := pageSize(size)
	if err != nil {
		return nil, err
	}
	q := s.DB.WithContext(ctx).Scopes(policy.Announcements(v, s.now()))
	if after != nil {
		at, id, err := decodeCursor("after", *after)
		if err != nil {
			return nil, err
		}
		q = q.Where("(announcements.publish_at, announcements.id) < (?, ?)", at, id)
	}
	return keysetPage(q, "announcements.publish_at DESC, announcements.id DESC", n,
		func(a *models.Announcement) string { return encodeCursor(a.PublishAt, a.ID) })
}

// Announcement loads one the viewer may see, else NOT_FOUND.
func (s *Service) Announcement(ctx context.Context, v *models.Viewer, id string) (*models.Announcement, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	return findOne[models.Announcement](s.DB.WithContext(ctx).Scopes(policy.Announcements(v, s.now())).Where("announcements.id = ?", id), "announcement")
}

// AcknowledgeAnnouncement records that the viewer read an announcement
// they may see (once; again is harmless).
func (s *Service) AcknowledgeAnnouncement(ctx context.Context, v *models.Viewer, in models.AnnouncementIDInput) (*models.Announcement, error) {
	a, err := s.Announcement(ctx, v, in.ID)
	if err != nil {
		return nil, err
	}
	if a.PublishAt.After(s.now()) {
		return nil, models.Errorf(models.CodeConflict, "this announcement is not published yet")
	}
	err = s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&models.AnnouncementRead{AnnouncementID: a.ID, UserID: v.ID, ReadAt: s.now()}).Error
	return a, internal(err)
}
