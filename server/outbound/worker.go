package outbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/jobs"
)

// Worker works BatchArgs jobs.
type Worker struct {
	river.WorkerDefaults[BatchArgs]
	S *Service
	// Links builds the unsubscribe link of an email (nil: none).
	Links *Links
}

// Work sends every message of the batch still owed now, Concurrency at a
// time, and snoozes until the earliest retry when some are put back.
func (w *Worker) Work(ctx context.Context, job *river.Job[BatchArgs]) error {
	s := w.S
	db := s.DB.WithContext(context.WithoutCancel(ctx))
	// What a run that died left on the wire is owed again.
	if err := db.Model(&models.OutboundMessage{}).Where("batch_id = ? AND status = ?", job.Args.BatchID, models.OutboundSending).
		Update("status", models.OutboundPending).Error; err != nil {
		return err
	}
	conc := max(1, s.Config.Concurrency)
	sent, failed := 0, 0
	for ctx.Err() == nil {
		var rows []models.OutboundMessage
		err := db.Raw(`UPDATE outbound_messages SET status = ?, attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM outbound_messages WHERE batch_id = ? AND status = ? AND next_attempt_at <= ?
				ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING *`, models.OutboundSending, s.Now(), job.Args.BatchID, models.OutboundPending, s.Now(), conc).Scan(&rows).Error
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		var wg sync.WaitGroup
		outcomes := make([]error, len(rows))
		for i := range rows {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outcomes[i] = w.send(ctx, &rows[i])
			}()
		}
		wg.Wait()
		for i := range rows {
			if outcomes[i] != nil {
				return outcomes[i]
			}
			if rows[i].Status == models.OutboundFailed || rows[i].Status == models.OutboundUndeliverable {
				failed++
			} else if rows[i].Status != models.OutboundPending {
				sent++
			}
		}
	}
	s.Log.Info("outbound batch", "batch", job.Args.BatchID, "job", job.ID, "sent", sent, "failed", failed)
	if ctx.Err() != nil {
		return river.JobSnooze(0)
	}
	var next sql.NullTime
	if err := db.Model(&models.OutboundMessage{}).Where("batch_id = ? AND status = ?", job.Args.BatchID, models.OutboundPending).
		Select("min(next_attempt_at)").Scan(&next).Error; err != nil {
		return err
	}
	if next.Valid {
		return river.JobSnooze(max(0, next.Time.Sub(s.Now())))
	}
	return nil
}

// send sends one claimed message and records what came of it; the error
// is the database's only.
func (w *Worker) send(ctx context.Context, m *models.OutboundMessage) error {
	s := w.S
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.SendTimeout)
	defer cancel()
	var providerID, status string
	var err error
	switch m.Channel {
	case models.ChannelEmail:
		mail := Mail{ID: m.ID, To: m.Address, Subject: m.Subject, Text: m.Body, HTML: m.HTML}
		if w.Links != nil && m.ContactPointID != nil && m.Purpose != models.PurposeVerify {
			mail.Unsubscribe = w.Links.Unsubscribe(*m.ContactPointID)
		}
		mail.Text = strings.ReplaceAll(mail.Text, UnsubscribeMark, mail.Unsubscribe)
		mail.HTML = strings.ReplaceAll(mail.HTML, UnsubscribeMark, html.EscapeString(mail.Unsubscribe))
		err = s.Mailer.SendMail(sctx, mail)
		providerID, status = "<"+m.ID+"@sameside>", models.OutboundSent
	case models.ChannelSMS:
		providerID, status, err = s.Texter.SendText(sctx, Text{ID: m.ID, To: m.Address, Body: m.Body})
	}
	now := s.Now()
	fields := map[string]any{"updated_at": now}
	var perm *PermanentError
	var later *RetryAfterError
	switch {
	case err == nil:
		m.Status = status
		fields["status"], fields["provider_id"] = status, providerID
		s.Metrics.accepted(m)
	case errors.As(err, &perm):
		m.Status = models.OutboundUndeliverable
		fields["status"], fields["error_code"] = m.Status, perm.Code
		s.Metrics.gaveUp(m, perm.Code)
		s.Log.Warn("outbound: undeliverable", "id", m.ID, "channel", m.Channel, "code", perm.Code, "err", perm.Err)
	case int(m.Attempts) >= s.Config.MaxAttempts:
		m.Status = models.OutboundFailed
		fields["status"], fields["error_code"] = m.Status, "GAVE_UP"
		s.Metrics.gaveUp(m, "gave_up")
		s.Log.Warn("outbound: gave up", "id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "err", err)
	default:
		wait := jobs.Backoff(s.Config.BaseBackoff, s.Config.MaxBackoff, int(m.Attempts))
		if errors.As(err, &later) && later.After > 0 {
			wait = later.After
		}
		m.Status = models.OutboundPending
		fields["status"], fields["next_attempt_at"], fields["error_code"] = m.Status, now.Add(wait), "RETRY"
		s.Log.Info("outbound: retry", "id", m.ID, "channel", m.Channel, "in", wait, "err", err)
	}
	return s.DB.WithContext(context.WithoutCancel(ctx)).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.OutboundMessage{}).Where("id = ?", m.ID).Updates(fields).Error; err != nil {
			return fmt.Errorf("outbound: record %s: %w", m.ID, err)
		}
		if m.Status == models.OutboundUndeliverable && m.ContactPointID != nil {
			return MarkUndeliverable(tx, *m.ContactPointID, now)
		}
		return nil
	})
}

// MarkUndeliverable stops further sends to a contact point that bounced or
// that a carrier rejected.
func MarkUndeliverable(tx *gorm.DB, contactPointID string, now time.Time) error {
	return tx.Model(&models.ContactPoint{}).Where("id = ? AND undeliverable_at IS NULL", contactPointID).
		Updates(map[string]any{"undeliverable_at": now, "updated_at": now}).Error
}

// Register returns what adds the batch worker to a jobs client.
func Register(s *Service, links *Links, p *Planner) func(*river.Workers) error {
	return func(w *river.Workers) error {
		if err := river.AddWorkerSafely(w, &Worker{S: s, Links: links}); err != nil {
			return err
		}
		return river.AddWorkerSafely(w, &FallbackWorker{P: p})
	}
}
