package outbound

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/texts"
	"github.com/sameside/sameside/server/jobs"
	"github.com/sameside/sameside/server/push"
)

// UnsubscribeMark stands in an email's text for its unsubscribe link,
// which the sender fills in.
const UnsubscribeMark = "__UNSUBSCRIBE__"

// Planner decides a notification's emails and texts; the push pipeline
// calls it as it plans the pushes (push.Channels).
//
//   - A category's email or SMS, when the person turned it on, goes with
//     the push to their usable points; texts wait for quiet hours to end.
//   - Urgent notifications go at once to every point not opted out or
//     undeliverable, whatever the preferences and the hour (a roster
//     number's missing consent included: safety alerts are exempt).
//   - Fallback: a note or message to someone with no device and neither
//     channel on, not opened within FallbackAfter, goes once by SMS (or
//     email when they have no usable number).
type Planner struct {
	S             *Service
	FallbackAfter time.Duration
	// AppLink is the https link into the app that texts and emails carry.
	AppLink string
	// PublicURL is the server's public https URL: an email carries its
	// notification's deep link in https form there (/app/…), which opens
	// the app where it is installed (universal links, app links).
	PublicURL string
	// Translate gives what people wrote in the reader's language (nil:
	// as written).
	Translate Translator
	// fixed is the digest's clock when a test sets it (SetClock).
	fixed atomic.Pointer[time.Time]
}

// Translator is what the planner needs of translation (server/translation).
type Translator interface {
	InLanguage(ctx context.Context, school, text string, names []string, lang string, wait time.Duration) (string, bool)
}

// translateWait bounds the wait for a translation an email or text needs:
// past it, the words go as written.
const translateWait = 3 * time.Second

// fallbackCategories are what a family must not miss for want of the app.
var fallbackCategories = map[models.NotificationCategory]bool{
	models.CategoryNewMessage: true, models.CategoryPositiveNote: true, models.CategoryObservation: true,
}

// ReachableSQL implements push.Channels: whether the user in column user
// has a contact point that school (an SQL expression of a uuid, NULL for
// any channel) sends on, neither opted out nor undeliverable.
func (pl *Planner) ReachableSQL(user, school string) string {
	return `EXISTS (SELECT 1 FROM contact_points cp WHERE cp.user_id = ` + user + ` AND ` + candidateSQL("cp", school) + `)`
}

// PlanTx implements push.Channels: in the fan-out's transaction it only
// schedules a job that plans the emails and texts (ChannelPlanArgs), so
// the pushes do not wait for them and no commit means no email either.
// users are those the fan-out found reachable (ReachableSQL), if any: most
// families have the app and no email or text to plan, and a job that
// would find nothing costs about ten statements.
func (pl *Planner) PlanTx(ctx context.Context, tx *gorm.DB, n *models.Notification, users []*models.User, pushOff []string) error {
	if len(users) == 0 || n.Category == models.CategorySystem {
		return nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return jobs.InsertTx(ctx, pl.S.inserter, tx, ChannelPlanArgs{NotificationID: n.ID, UserIDs: ids, PushOff: pushOff}, nil)
}

// ChannelPlanArgs is the River job that plans a notification's emails and
// texts for some of its recipients.
type ChannelPlanArgs struct {
	NotificationID string   `json:"notification_id"`
	UserIDs        []string `json:"user_ids"`
	PushOff        []string `json:"push_off,omitempty"`
}

// Kind implements river.JobArgs.
func (ChannelPlanArgs) Kind() string { return "outbound_plan" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ChannelPlanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound}
}

// ChannelPlanWorker works ChannelPlanArgs jobs.
type ChannelPlanWorker struct {
	river.WorkerDefaults[ChannelPlanArgs]
	P *Planner
}

// Work plans in one transaction; dedupe keys make a retried job record
// nothing twice.
func (w *ChannelPlanWorker) Work(ctx context.Context, job *river.Job[ChannelPlanArgs]) error {
	return w.P.S.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n models.Notification
		if err := tx.Take(&n, "id = ?", job.Args.NotificationID).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return nil // deleted since (a family's data removed)
			}
			return err
		}
		var users []*models.User
		if err := tx.Where("id IN ?", job.Args.UserIDs).Find(&users).Error; err != nil {
			return err
		}
		return w.P.plan(ctx, tx, &n, users, job.Args.PushOff)
	})
}

// plan records a notification's emails and texts for users, and schedules
// the fallback.
func (pl *Planner) plan(ctx context.Context, tx *gorm.DB, n *models.Notification, users []*models.User, pushOff []string) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	var prefs []models.NotificationPreference
	if err := tx.Where("user_id IN ? AND category = ?", ids, n.Category).Find(&prefs).Error; err != nil {
		return err
	}
	pref := map[string]models.NotificationPreference{}
	for _, p := range prefs {
		pref[p.UserID] = p
	}
	points, err := usablePoints(tx, n.SchoolID, ids, n.Urgent)
	if err != nil {
		return err
	}
	var devices []string
	if err := tx.Model(&models.Device{}).Where("user_id IN ?", ids).Distinct("user_id").Pluck("user_id", &devices).Error; err != nil {
		return err
	}
	hasDevice := set(devices)
	// Digest subscribers get the day's items in one message instead.
	var digest []string
	if err := tx.Model(&models.DigestSubscriber{}).Where("user_id IN ?", ids).Pluck("user_id", &digest).Error; err != nil {
		return err
	}
	inDigest := set(digest)
	off := set(pushOff)
	now := pl.S.Now()
	var msgs []models.OutboundMessage
	var fallback []string
	c := newComposer(ctx, tx, pl.Translate, pl.PublicURL)
	for _, u := range users {
		p := pref[u.ID]
		if inDigest[u.ID] && !n.Urgent {
			continue
		}
		for _, cp := range points[u.ID] {
			if !n.Urgent && !((cp.Channel == models.ChannelEmail && p.Email) || (cp.Channel == models.ChannelSMS && p.SMS)) {
				continue
			}
			m, err := c.compose(n, u, cp)
			if err != nil {
				return err
			}
			if end, quiet := push.QuietUntil(u, now); quiet && !n.Urgent && cp.Channel == models.ChannelSMS {
				m.NextAttemptAt = end // no texts in quiet hours
			}
			msgs = append(msgs, m)
		}
		if !n.Urgent && fallbackCategories[n.Category] && !off[u.ID] && !hasDevice[u.ID] && !p.Email && !p.SMS && len(points[u.ID]) > 0 {
			fallback = append(fallback, u.ID)
		}
	}
	if err := pl.S.EnqueueTx(ctx, tx, msgs); err != nil {
		return err
	}
	if len(fallback) == 0 || pl.FallbackAfter <= 0 {
		return nil
	}
	return jobs.InsertTx(ctx, pl.S.inserter, tx, FallbackArgs{NotificationID: n.ID, UserIDs: fallback}, &river.InsertOpts{
		Queue: jobs.QueueOutbound, ScheduledAt: now.Add(pl.FallbackAfter)})
}

// usablePoints are each user's points a notification may use: for urgent
// ones, every point not opted out or undeliverable (proven or the
// roster's); else only usable ones (consenting numbers).
// Only the channels school sends on count (any, when school is nil).
func usablePoints(tx *gorm.DB, school *string, ids []string, urgent bool) (map[string][]*models.ContactPoint, error) {
	var cps []*models.ContactPoint
	if err := candidatePoints(tx, school, ids).Order("channel DESC, created_at").Find(&cps).Error; err != nil {
		return nil, err
	}
	out := map[string][]*models.ContactPoint{}
	for _, cp := range cps {
		if cp.Usable() || (urgent && (cp.VerifiedAt != nil || cp.Source == models.SourceRoster)) {
			out[cp.UserID] = append(out[cp.UserID], cp)
		}
	}
	return out, nil
}

// candidatePoints are the users' contact points school sends on that are
// neither opted out nor undeliverable: those a notification may use are
// among them (usablePoints).
func candidatePoints(tx *gorm.DB, school *string, ids []string) *gorm.DB {
	return tx.Model(&models.ContactPoint{}).Where("user_id IN ?", ids).
		Where(candidateSQL("contact_points", "@school"), map[string]any{"school": school})
}

// candidateSQL is the rule of candidatePoints for a contact point in table
// cp and a school given as an SQL expression of a uuid (NULL: any channel).
func candidateSQL(cp, school string) string {
	school = `CAST(` + school + ` AS uuid)`
	return cp + `.opted_out_at IS NULL AND ` + cp + `.undeliverable_at IS NULL AND (` + school + ` IS NULL OR ` +
		cp + `.channel = ANY (SELECT unnest(channels) FROM schools WHERE id = ` + school + `))`
}

// schoolAllows narrows a query of contact points to the channels school
// sends on.
func schoolAllows(tx *gorm.DB, school *string) *gorm.DB {
	if school == nil {
		return tx
	}
	return tx.Where("channel = ANY (SELECT unnest(channels) FROM schools WHERE id = ?)", *school)
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; max-width: 36em">
<h1 style="font-size: 1.2em">{{.Title}}</h1>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Open}}<p><a href="{{.Open}}">{{.OpenLabel}}</a></p>
{{end}}<hr><p style="font-size: 0.8em; color: #555">{{.Footer}} <a href="{{.Unsubscribe}}">{{.UnsubscribeLabel}}</a></p>
</body></html>`))

// composer writes emails and texts in one transaction, reading each
// notification's own words and each school's name once however many
// people they go to.
type composer struct {
	ctx    context.Context
	tr     Translator
	tx     *gorm.DB
	own    map[string]string
	school map[string]string
	// renderers render each notification once for all who read it alike
	// (push.Renderer); html is each distinct email page (most recipients
	// of one notice read the same).
	renderers map[string]*push.Renderer
	html      map[string]string
	// inLang is each notification's own words per language (one lookup
	// for the thousands of families an announcement reaches).
	inLang map[[2]string]string
	// publicURL is where /app/… links point ("": emails carry none).
	publicURL string
}

// appLink is a deep link's https form (sameside://x/y is
// PUBLIC_URL/app/x/y), "" without a public URL or a deep link.
func (c *composer) appLink(deep string) string {
	rest, ok := strings.CutPrefix(deep, "sameside://")
	if !ok || rest == "" || c.publicURL == "" {
		return ""
	}
	return c.publicURL + "/app/" + rest
}

func newComposer(ctx context.Context, tx *gorm.DB, tr Translator, publicURL string) *composer {
	return &composer{ctx: ctx, tr: tr, tx: tx, publicURL: publicURL, own: map[string]string{}, school: map[string]string{}, renderers: map[string]*push.Renderer{}, html: map[string]string{}, inLang: map[[2]string]string{}}
}

func (c *composer) render(n *models.Notification, u *models.User) (string, string) {
	r, ok := c.renderers[n.ID]
	if !ok {
		r = push.NewRenderer(n)
		c.renderers[n.ID] = r
	}
	return r.Render(u)
}

// ownWords is what the notification is about in its author's words: a
// message, an announcement or a shared note ("" for anything else).
func (c *composer) ownWords(n *models.Notification) (string, error) {
	if s, ok := c.own[n.ID]; ok {
		return s, nil
	}
	var own string
	var err error
	switch {
	case n.Type == models.NoticeNewMessage && n.Data["messageId"] != "":
		err = c.tx.Model(&models.Message{}).Where("id = ?", n.Data["messageId"]).Pluck("body", &own).Error
	case n.Data["announcementId"] != "":
		err = c.tx.Model(&models.Announcement{}).Where("id = ?", n.Data["announcementId"]).Pluck("body", &own).Error
	case n.Data["observationId"] != "":
		err = c.tx.Model(&models.Observation{}).Where("id = ?", n.Data["observationId"]).Pluck("body", &own).Error
	}
	c.own[n.ID] = own
	return own, err
}

func (c *composer) schoolName(id *string) (string, error) {
	if id == nil {
		return "", nil
	}
	if s, ok := c.school[*id]; ok {
		return s, nil
	}
	var name string
	err := c.tx.Model(&models.School{}).Where("id = ?", *id).Pluck("name", &name).Error
	c.school[*id] = name
	return name, err
}

// compose writes one notification's email or text for one point. A
// message, an announcement or a shared note goes in its own words: the
// family reads it in the text, not behind a link to an app they may not
// have (and answers a message by replying).
func (c *composer) compose(n *models.Notification, u *models.User, cp *models.ContactPoint) (models.OutboundMessage, error) {
	title, body := c.render(n, u)
	own, err := c.ownWords(n)
	if err != nil {
		return models.OutboundMessage{}, err
	}
	if c.tr != nil && own != "" {
		// In the reader's language; the names the notice carries (the
		// child, the author, the school) as they are.
		names := make([]string, 0, len(n.Params))
		for _, v := range n.Params {
			names = append(names, v)
		}
		k := [2]string{n.ID, u.Locale}
		t, ok := c.inLang[k]
		if !ok {
			school := ""
			if n.SchoolID != nil {
				school = *n.SchoolID
			}
			t, _ = c.tr.InLanguage(c.ctx, school, own, names, u.Locale, translateWait)
			c.inLang[k] = t
		}
		own = t
	}
	switch {
	case own != "" && n.Data["observationId"] != "":
		body = body + "\n\n" + own
	case own != "":
		body = own
	}
	purpose := models.PurposeNotification
	if n.Urgent {
		purpose = models.PurposeUrgent
	}
	dedupe := "n:" + n.ID + ":" + cp.ID
	msg := models.OutboundMessage{SchoolID: n.SchoolID, UserID: &u.ID, ContactPointID: &cp.ID, Channel: cp.Channel, Address: cp.Address,
		Purpose: purpose, NotificationID: &n.ID, DedupeKey: &dedupe}
	if c := n.Data["conversationId"]; c != "" {
		msg.ConversationID = &c
	}
	open := c.appLink(n.DeepLink)
	if cp.Channel == models.ChannelSMS {
		if msg.ConversationID != nil {
			// Answered by replying: no link.
			msg.Body = texts.Text(u.Locale, "sms.message", map[string]string{"sender": title, "body": body})
		} else {
			msg.Body = texts.Text(u.Locale, "sms.notification", map[string]string{"title": title, "body": body})
			if open != "" {
				msg.Body += " " + open
			}
		}
		return msg, nil
	}
	school, err := c.schoolName(n.SchoolID)
	if err != nil {
		return msg, err
	}
	footer := texts.Text(u.Locale, "email.footer", map[string]string{"school": school})
	openLabel := texts.Text(u.Locale, "email.open", nil)
	msg.Subject = title
	msg.Body = body
	if open != "" {
		msg.Body += "\n\n" + openLabel + ": " + open
	}
	msg.Body += "\n\n--\n" + footer + " " + UnsubscribeMark
	lang := texts.Lang(u.Locale)
	key := lang + "\x00" + title + "\x00" + body + "\x00" + footer + "\x00" + open
	if h, ok := c.html[key]; ok {
		msg.HTML = h
		return msg, nil
	}
	var b strings.Builder
	err = mailHTML.Execute(&b, map[string]any{"Lang": lang, "Title": title, "Paragraphs": strings.Split(body, "\n"),
		"Footer": footer, "Unsubscribe": template.URL(UnsubscribeMark), "UnsubscribeLabel": texts.Text(u.Locale, "email.unsubscribe", nil),
		"Open": open, "OpenLabel": openLabel})
	msg.HTML = b.String()
	c.html[key] = msg.HTML
	return msg, err
}

// FallbackArgs is the River job that sends a notification's fallback to
// those of UserIDs who have not opened it.
type FallbackArgs struct {
	NotificationID string   `json:"notification_id"`
	UserIDs        []string `json:"user_ids"`
}

// Kind implements river.JobArgs.
func (FallbackArgs) Kind() string { return "outbound_fallback" }

// FallbackWorker works FallbackArgs jobs.
type FallbackWorker struct {
	river.WorkerDefaults[FallbackArgs]
	P *Planner
}

// Work sends one SMS (or email) to each user still not opened; the dedupe
// key makes a retried job send nothing twice.
func (w *FallbackWorker) Work(ctx context.Context, job *river.Job[FallbackArgs]) error {
	s := w.P.S
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n models.Notification
		if err := tx.Take(&n, "id = ?", job.Args.NotificationID).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return nil // deleted since
			}
			return err
		}
		var users []*models.User
		if err := tx.Where(`id IN ? AND id IN (SELECT user_id FROM notification_recipients
			WHERE notification_id = ? AND read_at IS NULL AND state <> 'SKIPPED')`, job.Args.UserIDs, n.ID).Find(&users).Error; err != nil {
			return err
		}
		if len(users) == 0 {
			return nil
		}
		ids := make([]string, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		points, err := usablePoints(tx, n.SchoolID, ids, false)
		if err != nil {
			return err
		}
		var msgs []models.OutboundMessage
		var asked []string
		c := newComposer(ctx, tx, w.P.Translate, w.P.PublicURL)
		for _, u := range users {
			if len(points[u.ID]) == 0 {
				// Only a roster number that has not agreed to texts: ask it
				// once, instead of texting it anything else.
				var cp models.ContactPoint
				err := schoolAllows(tx, n.SchoolID).Where("user_id = ? AND channel = ? AND source = ? AND consent_at IS NULL AND opt_in_sent_at IS NULL AND opted_out_at IS NULL AND undeliverable_at IS NULL",
					u.ID, models.ChannelSMS, models.SourceRoster).Take(&cp).Error
				if err == gorm.ErrRecordNotFound {
					continue
				}
				if err != nil {
					return err
				}
				key := "invite:" + cp.ID
				school, err := c.schoolName(n.SchoolID)
				if err != nil {
					return err
				}
				msgs = append(msgs, models.OutboundMessage{UserID: &u.ID, ContactPointID: &cp.ID, Channel: cp.Channel, Address: cp.Address,
					Purpose: models.PurposeOptIn, DedupeKey: &key, Body: texts.Text(u.Locale, "invite.sms", map[string]string{"school": school, "link": w.P.AppLink})})
				asked = append(asked, cp.ID)
				continue
			}
			cp := points[u.ID][0] // SMS first (channel DESC), then email
			m, err := c.compose(&n, u, cp)
			if err != nil {
				return err
			}
			dedupe := "fallback:" + n.ID + ":" + u.ID
			m.DedupeKey = &dedupe
			msgs = append(msgs, m)
		}
		if len(asked) > 0 {
			if err := tx.Model(&models.ContactPoint{}).Where("id IN ?", asked).Updates(map[string]any{"opt_in_sent_at": s.Now(), "updated_at": s.Now()}).Error; err != nil {
				return err
			}
		}
		if err := s.EnqueueTx(ctx, tx, msgs); err != nil {
			return fmt.Errorf("fallback: %w", err)
		}
		return nil
	})
}
