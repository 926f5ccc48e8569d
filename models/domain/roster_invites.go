package domain

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/texts"
)

// rosterClaimTTL is how long a roster invitation's code stays valid.
const rosterClaimTTL = 30 * 24 * time.Hour

// inviteTx invites people a roster import created, in its transaction: an
// email to each one's address, and to a guardian's number one text asking
// for consent (YES) before anything else is texted (recorded as the
// point's opt_in_sent_at), each with a one-time code (a RosterClaim) and
// an https link into the app that carries it. Dedupe keys make an
// invitation go once.
func (s *Service) inviteTx(ctx context.Context, tx *gorm.DB, invitees []uuid.UUID) error {
	userIDs := make([]string, len(invitees))
	for i, u := range invitees {
		userIDs[i] = u.String()
	}
	if len(userIDs) == 0 {
		return nil
	}
	if s.Outbound == nil {
		return errors.New("roster: invitations need email and SMS set up")
	}
	link := s.PublicURL + "/join"
	now := s.now()
	for lo := 0; lo < len(userIDs); lo += 1000 {
		ids := userIDs[lo:min(lo+1000, len(userIDs))]
		var rows []struct {
			ID, DisplayName, Locale string
			Email                   *string
			School                  string
			Channels                models.Array[string] `gorm:"type:text[]"`
		}
		if err := tx.Raw(`SELECT DISTINCT ON (u.id) u.id, u.display_name, u.locale, u.email, s.name AS school, s.channels
			FROM users u JOIN memberships m ON m.user_id = u.id JOIN schools s ON s.id = m.school_id
			WHERE u.id IN ? AND u.firebase_uid LIKE ? ORDER BY u.id, m.created_at`, ids, models.UnclaimedUIDPrefix+"%").Scan(&rows).Error; err != nil {
			return err
		}
		var points []models.ContactPoint
		if err := tx.Where("user_id IN ? AND source = ? AND opted_out_at IS NULL AND undeliverable_at IS NULL", ids, models.SourceRoster).
			Find(&points).Error; err != nil {
			return err
		}
		byUser := map[string][]models.ContactPoint{}
		for _, p := range points {
			byUser[p.UserID] = append(byUser[p.UserID], p)
		}
		var msgs []models.OutboundMessage
		var asked []string
		var claims []models.RosterClaim
		for _, r := range rows {
			// The code that lets whoever signs in, with any email or
			// number, claim this record (the link carries it too).
			code := NewInvitationCode()
			normalized, _ := NormalizeInvitationCode(code)
			claims = append(claims, models.RosterClaim{UserID: r.ID, CodeHash: hashCode(normalized), ExpiresAt: now.Add(rosterClaimTTL), CreatedAt: now})
			params := map[string]string{"name": r.DisplayName, "school": r.School, "code": code, "link": link + "?code=" + code}
			allowed := map[string]bool{}
			for _, c := range r.Channels {
				allowed[c] = true
			}
			emailed := false
			for _, p := range byUser[r.ID] {
				if !allowed[string(p.Channel)] {
					continue // the school does not send on it
				}
				key := "invite:" + p.ID
				m := models.OutboundMessage{UserID: &r.ID, ContactPointID: &p.ID, Channel: p.Channel, Address: p.Address,
					Purpose: models.PurposeInvitation, DedupeKey: &key}
				if p.Channel == models.ChannelEmail {
					params["address"] = p.Address
					m.Subject, m.Body = texts.Text(r.Locale, "invite.email.subject", params), texts.Text(r.Locale, "invite.email", params)
					emailed = true
				} else {
					m.Purpose, m.Body = models.PurposeOptIn, texts.Text(r.Locale, "invite.sms.code", params)
					asked = append(asked, p.ID)
				}
				msgs = append(msgs, m)
			}
			if !emailed && r.Email != nil && allowed[string(models.ChannelEmail)] { // staff: their school address
				key := "invite:" + r.ID
				params["address"] = *r.Email
				msgs = append(msgs, models.OutboundMessage{UserID: &r.ID, Channel: models.ChannelEmail, Address: *r.Email, Purpose: models.PurposeInvitation,
					DedupeKey: &key, Subject: texts.Text(r.Locale, "invite.email.subject", params), Body: texts.Text(r.Locale, "invite.email", params)})
			}
		}
		if len(claims) > 0 {
			if err := tx.CreateInBatches(&claims, 1000).Error; err != nil {
				return err
			}
		}
		if len(asked) > 0 {
			if err := tx.Model(&models.ContactPoint{}).Where("id IN ? AND opt_in_sent_at IS NULL", asked).
				Updates(map[string]any{"opt_in_sent_at": now, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if err := s.Outbound.EnqueueTx(ctx, tx, msgs); err != nil {
			return err
		}
	}
	return nil
}
