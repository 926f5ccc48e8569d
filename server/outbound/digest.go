package outbound

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/texts"
	"github.com/sameside/sameside/server/push"
)

// DigestChore names the digest's periodic run; DigestEvery is how often
// it looks for schools whose digest time has come.
const (
	DigestChore = "daily_digest"
	DigestEvery = 5 * time.Minute
)

// digestCategories are what a digest lists.
var digestCategories = []models.NotificationCategory{models.CategoryNewMessage, models.CategoryPositiveNote,
	models.CategoryObservation, models.CategoryAnnouncement}

// SetClock makes the digest see now as t (tests: the digest hour comes
// without waiting for it).
func (pl *Planner) SetClock(t time.Time) { pl.fixed.Store(&t) }

func (pl *Planner) clock() time.Time {
	if t := pl.fixed.Load(); t != nil {
		return *t
	}
	return pl.S.Now()
}

// SendDigests sends, for each school whose digest time (in its own zone)
// has come today and whose digest has not gone today, one digest to each
// of its guardians who chose it: the notes, messages and announcements
// they were told of since the digest time the day before, by email (SMS
// without a usable address). It returns how many it recorded. Clock: the
// service's Now, so a test moves time without waiting; a school's day is
// its local calendar day, whatever its UTC offset does in between.
func (pl *Planner) SendDigests(ctx context.Context) (int, error) {
	s := pl.S
	now := pl.clock()
	var schools []models.School
	if err := s.DB.WithContext(ctx).Find(&schools).Error; err != nil {
		return 0, err
	}
	sent := 0
	for i := range schools {
		sc := &schools[i]
		loc := sc.Location()
		local := now.In(loc)
		h, m := int(sc.DigestTime)/60, int(sc.DigestTime)%60
		due := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, loc)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		if local.Before(due) || (sc.DigestSentOn != nil && sc.DigestSentOn.Equal(today)) {
			continue
		}
		since := time.Date(local.Year(), local.Month(), local.Day()-1, h, m, 0, 0, loc)
		n, err := pl.digestSchool(ctx, sc, since, due, today)
		if err != nil {
			return sent, fmt.Errorf("digest of %s: %w", sc.ID, err)
		}
		sent += n
	}
	return sent, nil
}

// digestSchool records one school's digests and marks its day done, in
// one transaction (dedupe keys make a rerun send nothing twice).
func (pl *Planner) digestSchool(ctx context.Context, sc *models.School, since, until, day time.Time) (int, error) {
	s := pl.S
	var msgs []models.OutboundMessage
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var users []*models.User
		if err := tx.Where(`id IN (SELECT user_id FROM digest_subscribers) AND id IN (SELECT g.user_id FROM guardianships g
			WHERE g.school_id = ? AND g.grants_access)`, sc.ID).Find(&users).Error; err != nil {
			return err
		}
		if len(users) > 0 {
			ids := make([]string, len(users))
			for i, u := range users {
				ids[i] = u.ID
			}
			var items []struct {
				models.Notification `gorm:"embedded"`
				UserID              string
			}
			if err := tx.Raw(`SELECT n.*, r.user_id FROM notifications n JOIN notification_recipients r ON r.notification_id = n.id
				WHERE r.user_id IN ? AND n.school_id = ? AND n.category IN ? AND n.created_at >= ? AND n.created_at < ?
				ORDER BY n.created_at`, ids, sc.ID, digestCategories, since, until).Scan(&items).Error; err != nil {
				return err
			}
			byUser := map[string][]*models.Notification{}
			for i := range items {
				byUser[items[i].UserID] = append(byUser[items[i].UserID], &items[i].Notification)
			}
			points, err := usablePoints(tx, &sc.ID, ids, false)
			if err != nil {
				return err
			}
			c := newComposer(ctx, tx, pl.Translate, pl.PublicURL)
			for _, u := range users {
				ns := byUser[u.ID]
				if len(ns) == 0 || len(points[u.ID]) == 0 {
					continue // no empty digests
				}
				cp := points[u.ID][len(points[u.ID])-1] // email first (channel DESC puts SMS first)
				m, err := pl.digest(c, sc, u, cp, ns, day)
				if err != nil {
					return err
				}
				msgs = append(msgs, m)
			}
		}
		if err := s.EnqueueTx(ctx, tx, msgs); err != nil {
			return err
		}
		return tx.Model(&models.School{}).Where("id = ?", sc.ID).Update("digest_sent_on", day).Error
	})
	return len(msgs), err
}

var digestHTML = template.Must(template.New("digest").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; max-width: 36em">
<h1 style="font-size: 1.2em">{{.Subject}}</h1>
{{range .Items}}<h2 style="font-size: 1em">{{.Title}}</h2><p>{{.Body}}</p>
{{end}}<hr><p style="font-size: 0.8em; color: #555">{{.Footer}} <a href="{{.Unsubscribe}}">{{.UnsubscribeLabel}}</a></p>
</body></html>`))

// digest writes one person's digest for one point.
func (pl *Planner) digest(c *composer, sc *models.School, u *models.User, cp *models.ContactPoint, ns []*models.Notification, day time.Time) (models.OutboundMessage, error) {
	type item struct{ Title, Body string }
	items := make([]item, 0, len(ns))
	for _, n := range ns {
		m, err := c.compose(n, u, cp)
		if err != nil {
			return models.OutboundMessage{}, err
		}
		title, _ := push.Render(n, u)
		body := m.Body
		if i := strings.Index(body, "\n\n--\n"); cp.Channel == models.ChannelEmail && i >= 0 {
			body = strings.TrimSpace(body[:i]) // the footer comes once, at the end
		}
		items = append(items, item{title, body})
	}
	params := map[string]string{"school": sc.Name, "count": fmt.Sprint(len(items))}
	key := "digest:" + sc.ID + ":" + day.Format(time.DateOnly) + ":" + u.ID
	msg := models.OutboundMessage{SchoolID: &sc.ID, UserID: &u.ID, ContactPointID: &cp.ID, Channel: cp.Channel, Address: cp.Address,
		Purpose: models.PurposeDigest, DedupeKey: &key, Subject: texts.Plural(u.Locale, "digest.subject", len(items), params)}
	if cp.Channel == models.ChannelSMS {
		titles := make([]string, len(items))
		for i, it := range items {
			titles[i] = "- " + it.Title
		}
		msg.Body = texts.Text(u.Locale, "digest.sms", params) + "\n" + strings.Join(titles, "\n")
		return msg, nil
	}
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.Title + "\n" + it.Body + "\n\n")
	}
	footer := texts.Text(u.Locale, "email.footer", map[string]string{"school": sc.Name})
	msg.Body = b.String() + "--\n" + footer + " " + UnsubscribeMark
	var h strings.Builder
	err := digestHTML.Execute(&h, map[string]any{"Lang": texts.Lang(u.Locale), "Subject": msg.Subject, "Items": items, "Footer": footer,
		"Unsubscribe": template.URL(UnsubscribeMark), "UnsubscribeLabel": texts.Text(u.Locale, "email.unsubscribe", nil)})
	msg.HTML = h.String()
	return msg, err
}
