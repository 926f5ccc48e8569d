package domain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
	"github.com/sameside/sameside/models/texts"
)

// Outbound records emails and texts and sends them after the commit
// (server/outbound).
type Outbound interface {
	EnqueueTx(ctx context.Context, tx *gorm.DB, msgs []models.OutboundMessage) error
}

// Limits of one-time codes for contact points.
const (
	CodeTTL          = 10 * time.Minute
	CodeMaxAttempts  = 5
	CodeResendAfter  = 30 * time.Second
	CodesPerDay      = 5
	MaxContactPoints = 10
)

// NormalizeAddress checks an email address or phone number for a channel
// and returns it as stored: a lower-case address, or E.164 (a national
// number is read in region, e.g. "US").
func NormalizeAddress(channel models.Channel, address, region string) (string, error) {
	address = strings.TrimSpace(address)
	switch channel {
	case models.ChannelEmail:
		a, err := mail.ParseAddress(address)
		if err != nil || a.Address != address || len(address) > 254 || !strings.Contains(address[strings.LastIndexByte(address, '@')+1:], ".") {
			return "", models.InvalidField("address", "%q is not an email address", address)
		}
		return strings.ToLower(address), nil
	case models.ChannelSMS:
		if region == "" {
			region = "US"
		}
		n, err := phonenumbers.Parse(address, region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return "", models.InvalidField("address", "%q is not a phone number", address)
		}
		if t := phonenumbers.GetNumberType(n); t == phonenumbers.FIXED_LINE {
			return "", models.InvalidField("address", "%q is a landline: it cannot receive texts", address)
		}
		return phonenumbers.Format(n, phonenumbers.E164), nil
	}
	return "", models.InvalidField("channel", "channel must be EMAIL or SMS")
}

// regionOf is the country of a locale ("es-US" → "US").
func regionOf(locale string) string {
	if i := strings.LastIndexAny(locale, "-_"); i >= 0 && len(locale)-i == 3 {
		return strings.ToUpper(locale[i+1:])
	}
	return "US"
}

// ContactPoints lists the viewer's email addresses and phone numbers.
func (s *Service) ContactPoints(ctx context.Context, v *models.Viewer) ([]*models.ContactPoint, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	var out []*models.ContactPoint
	err := s.DB.WithContext(ctx).Where("user_id = ?", v.ID).Order("channel, created_at").Find(&out).Error
	return out, err
}

// AddContactPoint adds an email address or phone number to the viewer (or
// finds it) and sends it a one-time code; it is used once verified.
// Errors: BAD_USER_INPUT (address, too many points), RATE_LIMITED (codes).
func (s *Service) AddContactPoint(ctx context.Context, v *models.Viewer, channel models.Channel, address string) (*models.ContactPoint, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	addr, err := NormalizeAddress(channel, address, regionOf(v.Locale))
	if err != nil {
		return nil, err
	}
	var cp models.ContactPoint
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.ContactPoint{}).Where("user_id = ?", v.ID).Count(&n).Error; err != nil {
			return err
		}
		cp = models.ContactPoint{UserID: v.ID, Channel: channel, Address: addr, Source: models.SourceUser}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&cp)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 && n >= MaxContactPoints {
			return models.InvalidField("address", "at most %d email addresses and phone numbers", MaxContactPoints)
		}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&cp, "user_id = ? AND channel = ? AND address = ?", v.ID, channel, addr).Error; err != nil {
			return err
		}
		if cp.VerifiedAt != nil {
			return nil // nothing to prove
		}
		return s.sendCode(ctx, tx, &cp, v.Locale)
	})
	return &cp, err
}

// ResendContactCode sends a new code to one of the viewer's unverified points.
func (s *Service) ResendContactCode(ctx context.Context, v *models.Viewer, id string) (*models.ContactPoint, error) {
	return s.changeContactPoint(ctx, v, id, func(tx *gorm.DB, cp *models.ContactPoint) error {
		if cp.VerifiedAt != nil {
			return models.Errorf(models.CodeConflict, "the %s is verified already", strings.ToLower(string(cp.Channel)))
		}
		return s.sendCode(ctx, tx, cp, v.Locale)
	})
}

// sendCode makes a new code for cp (limits: one per CodeResendAfter,
// CodesPerDay a day) and records its message.
func (s *Service) sendCode(ctx context.Context, tx *gorm.DB, cp *models.ContactPoint, locale string) error {
	if s.Outbound == nil {
		return models.Errorf(models.CodeUnavailable, "email and SMS are not set up on this server")
	}
	now := s.now()
	if cp.CodesWindowStart == nil || now.Sub(*cp.CodesWindowStart) >= 24*time.Hour {
		cp.CodesWindowStart, cp.CodesSent = &now, 0
	}
	if cp.CodesSent >= CodesPerDay {
		return models.Errorf(models.CodeRateLimited, "too many codes today: try again tomorrow")
	}
	if cp.CodeExpiresAt != nil && now.Before(cp.CodeExpiresAt.Add(-CodeTTL+CodeResendAfter)) {
		return models.Errorf(models.CodeRateLimited, "a code was just sent: wait %d seconds", int(CodeResendAfter.Seconds()))
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	expires := now.Add(CodeTTL)
	cp.CodeHash, cp.CodeExpiresAt, cp.CodeAttempts, cp.CodesSent = codeHash(cp.ID, code), &expires, 0, cp.CodesSent+1
	if err := tx.Model(cp).Updates(map[string]any{"code_hash": cp.CodeHash, "code_expires_at": expires, "code_attempts": 0,
		"codes_sent": cp.CodesSent, "codes_window_start": cp.CodesWindowStart, "updated_at": now}).Error; err != nil {
		return err
	}
	text := texts.Text(locale, "contact.code", map[string]string{"code": code})
	return s.Outbound.EnqueueTx(ctx, tx, []models.OutboundMessage{{UserID: &cp.UserID, ContactPointID: &cp.ID, Channel: cp.Channel,
		Address: cp.Address, Purpose: models.PurposeVerify, Subject: texts.Text(locale, "contact.code.subject", nil), Body: text}})
}

func codeHash(id, code string) []byte {
	h := sha256.Sum256([]byte(id + ":" + code))
	return h[:]
}

// VerifyContactPoint checks a code sent to one of the viewer's points; a
// verified number has also agreed to texts. Errors: NOT_FOUND,
// BAD_USER_INPUT (wrong or expired code), RATE_LIMITED (too many tries).
func (s *Service) VerifyContactPoint(ctx context.Context, v *models.Viewer, id, code string) (*models.ContactPoint, error) {
	var wrong error
	cp, err := s.changeContactPoint(ctx, v, id, func(tx *gorm.DB, cp *models.ContactPoint) error {
		now := s.now()
		if cp.VerifiedAt != nil {
			return nil
		}
		if len(cp.CodeHash) == 0 || cp.CodeExpiresAt == nil || now.After(*cp.CodeExpiresAt) {
			return models.InvalidField("code", "the code has expired: ask for a new one")
		}
		if cp.CodeAttempts >= CodeMaxAttempts {
			return models.Errorf(models.CodeRateLimited, "too many wrong codes: ask for a new one")
		}
		if subtle.ConstantTimeCompare(codeHash(cp.ID, strings.TrimSpace(code)), cp.CodeHash) != 1 {
			// The wrong try counts even though the answer is an error.
			wrong = models.InvalidField("code", "that is not the code we sent")
			return tx.Model(cp).Updates(map[string]any{"code_attempts": cp.CodeAttempts + 1, "updated_at": now}).Error
		}
		fields := map[string]any{"verified_at": now, "code_hash": []byte{}, "code_expires_at": nil, "opted_out_at": nil, "updated_at": now}
		if cp.Channel == models.ChannelSMS {
			fields["consent_at"] = now
		}
		return tx.Model(cp).Updates(fields).Error
	})
	if err == nil && wrong != nil {
		return nil, wrong
	}
	return cp, err
}

// RemoveContactPoint deletes one of the viewer's points.
func (s *Service) RemoveContactPoint(ctx context.Context, v *models.Viewer, id string) (*models.ContactPoint, error) {
	return s.changeContactPoint(ctx, v, id, func(tx *gorm.DB, cp *models.ContactPoint) error {
		return tx.Delete(cp).Error
	})
}

// SetContactPointOptOut stops (or restarts) everything but urgent alerts
// to one of the viewer's points. Restarting a number is consent to texts.
func (s *Service) SetContactPointOptOut(ctx context.Context, v *models.Viewer, id string, optOut bool) (*models.ContactPoint, error) {
	return s.changeContactPoint(ctx, v, id, func(tx *gorm.DB, cp *models.ContactPoint) error {
		now := s.now()
		fields := map[string]any{"opted_out_at": nil, "updated_at": now}
		if optOut {
			fields["opted_out_at"] = now
		} else if cp.Channel == models.ChannelSMS {
			fields["consent_at"] = now
		}
		return tx.Model(cp).Updates(fields).Error
	})
}

func (s *Service) changeContactPoint(ctx context.Context, v *models.Viewer, id string, change func(*gorm.DB, *models.ContactPoint) error) (*models.ContactPoint, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, models.NotFound("contact point")
	}
	var cp models.ContactPoint
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&cp, "id = ? AND user_id = ?", id, v.ID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.NotFound("contact point")
			}
			return err
		}
		if err := change(tx, &cp); err != nil {
			return err
		}
		err := tx.Take(&cp, "id = ?", cp.ID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // removed
		}
		return err
	})
	return &cp, err
}

// SMS keywords carriers require (CTIA): opting out, back in, and help.
var (
	stopWords  = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true, "OPTOUT": true, "REVOKE": true}
	startWords = map[string]bool{"START": true, "YES": true, "UNSTOP": true, "OPTIN": true}
	helpWords  = map[string]bool{"HELP": true, "INFO": true}
)

// Keyword is what an inbound text asks for: "STOP", "START", "HELP", or ""
// for a message to pass on.
func Keyword(body string) string {
	w := strings.ToUpper(strings.Trim(strings.TrimSpace(body), ".!"))
	switch {
	case stopWords[w]:
		return "STOP"
	case startWords[w]:
		return "START"
	case helpWords[w]:
		return "HELP"
	}
	return ""
}

// SetTextConsent records STOP (nothing more is texted to the number, urgent
// alerts included: carriers hold STOP absolute) or START (consent, with its
// time) from a number, for every person who holds it. It returns how many
// points changed.
func (s *Service) SetTextConsent(ctx context.Context, number string, stop bool) (int64, error) {
	now := s.now()
	fields := map[string]any{"opted_out_at": now, "updated_at": now}
	if !stop {
		fields = map[string]any{"opted_out_at": nil, "consent_at": now, "updated_at": now}
	}
	res := s.DB.WithContext(ctx).Model(&models.ContactPoint{}).Where("channel = ? AND address = ?", models.ChannelSMS, number).Updates(fields)
	return res.RowsAffected, res.Error
}

// UnsubscribeContactPoint opts a point out (a signed one-click link).
func (s *Service) UnsubscribeContactPoint(ctx context.Context, id string) error {
	if !validID(id) {
		return models.NotFound("contact point")
	}
	now := s.now()
	return s.DB.WithContext(ctx).Model(&models.ContactPoint{}).Where("id = ? AND opted_out_at IS NULL", id).
		Updates(map[string]any{"opted_out_at": now, "updated_at": now}).Error
}

// InboundTextWindow is how long after a text about a conversation a reply
// from that number goes into it.
const InboundTextWindow = 30 * 24 * time.Hour

// MaxInboundText bounds what a text reply may carry into a conversation.
const MaxInboundText = 1600

// InboundText posts a text a person sent from their phone into the
// conversation the latest text to that number was about (when that number
// shares a phone with another guardian, the one that text went to), as
// that person; Twilio's retries of one message post it once (its sid is
// the client mutation id). It reports whether it was posted: a number with
// no such text, or opted out, is ignored and nothing is revealed.
func (s *Service) InboundText(ctx context.Context, from, sid, body string) (bool, error) {
	var last models.OutboundMessage
	err := s.DB.WithContext(ctx).Where(`channel = ? AND address = ? AND conversation_id IS NOT NULL AND user_id IS NOT NULL AND created_at > ?
		AND contact_point_id IN (SELECT id FROM contact_points WHERE opted_out_at IS NULL)`, models.ChannelSMS, from, s.now().Add(-InboundTextWindow)).
		Order("created_at DESC").Take(&last).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var u models.User
	if err := s.DB.WithContext(ctx).Take(&u, "id = ?", *last.UserID).Error; err != nil {
		return false, err
	}
	v, _, err := s.loadViewer(ctx, Identity{UID: u.FirebaseUID})
	if err != nil || v == nil {
		return false, err
	}
	body = strings.TrimSpace(body)
	if r := []rune(body); len(r) > MaxInboundText {
		body = string(r[:MaxInboundText])
	}
	if body == "" {
		return false, nil
	}
	_, err = s.SendMessage(ctx, v, models.SendMessageInput{ClientMutationID: "sms:" + sid, ConversationID: *last.ConversationID, Body: body})
	var me *models.Error
	if errors.As(err, &me) && (me.Code == models.CodeNotFound || me.Code == models.CodeForbidden) {
		return false, nil // no longer theirs (the guardianship ended)
	}
	return err == nil, err
}

// UndeliverableContacts lists the school's guardians whose email or number
// stopped working, newest first. ADMIN of the school.
func (s *Service) UndeliverableContacts(ctx context.Context, v *models.Viewer, schoolID string) ([]*models.UndeliverableContact, error) {
	if err := policy.RequireSchoolAdmin(v, schoolID, "see which families cannot be reached"); err != nil {
		return nil, err
	}
	var rows []struct {
		models.User `gorm:"embedded"`
		Channel     models.Channel
		Since       time.Time
	}
	err := s.DB.WithContext(ctx).Raw(`SELECT u.*, cp.channel, cp.undeliverable_at AS since FROM contact_points cp JOIN users u ON u.id = cp.user_id
		WHERE cp.undeliverable_at IS NOT NULL AND cp.user_id IN (SELECT g.user_id FROM guardianships g WHERE g.school_id = ? AND g.grants_access)
		ORDER BY cp.undeliverable_at DESC LIMIT 500`, schoolID).Scan(&rows).Error
	out := make([]*models.UndeliverableContact, len(rows))
	for i := range rows {
		out[i] = &models.UndeliverableContact{Guardian: &rows[i].User, Channel: rows[i].Channel, Since: rows[i].Since}
	}
	return out, internal(err)
}

// SetSchoolDigestTime sets when the school's daily digest goes (HH:MM,
// local). ADMIN; audited.
func (s *Service) SetSchoolDigestTime(ctx context.Context, v *models.Viewer, in models.SetSchoolDigestTimeInput) (*models.School, error) {
	m, err := models.ParseClock("time", in.Time)
	if err != nil {
		return nil, err
	}
	if !validID(in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "set the digest time"); err != nil {
		return nil, err
	}
	var sc models.School
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.School{}).Where("id = ?", in.SchoolID).Updates(map[string]any{"digest_time": m, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, in.SchoolID, "", in.SchoolID, "school.digest_time"); err != nil {
			return err
		}
		return tx.Take(&sc, "id = ?", in.SchoolID).Error
	})
	return &sc, err
}

// SetSchoolChannels sets the channels besides push a school sends on.
// ADMIN; audited.
func (s *Service) SetSchoolChannels(ctx context.Context, v *models.Viewer, in models.SetSchoolChannelsInput) (*models.School, error) {
	chans := models.Array[string]{}
	seen := map[models.Channel]bool{}
	for _, c := range in.Channels {
		if !c.Valid() || seen[c] {
			return nil, models.InvalidField("channels", "each of EMAIL and SMS at most once")
		}
		seen[c] = true
		chans = append(chans, string(c))
	}
	if !validID(in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "choose the school's channels"); err != nil {
		return nil, err
	}
	var sc models.School
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.School{}).Where("id = ?", in.SchoolID).Updates(map[string]any{"channels": chans, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, in.SchoolID, "", in.SchoolID, "school.channels"); err != nil {
			return err
		}
		return tx.Take(&sc, "id = ?", in.SchoolID).Error
	})
	return &sc, err
}
