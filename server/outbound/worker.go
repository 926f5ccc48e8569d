package outbound

import (
	"context"
	"database/sql"
	"encoding/json"
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
	// Sends run conc at a time; a slot frees once its outcome is written.
	// Outcomes that arrive together are written together, while the next
	// sends are on the wire.
	slots := make(chan struct{}, conc)
	outcomes := make(chan outcome, conc)
	recorded := make(chan error, 1)
	sent, failed := 0, 0
	go func() {
		var firstErr error
		for o := range outcomes {
			batch := []outcome{o}
			for more := true; more; {
				select {
				case o, ok := <-outcomes:
					if !ok {
						more = false
						break
					}
					batch = append(batch, o)
				default:
					more = false
				}
			}
			if err := w.record(db, batch); err != nil && firstErr == nil {
				firstErr = err
			}
			for _, o := range batch {
				if o.status == models.OutboundFailed || o.status == models.OutboundUndeliverable {
					failed++
				} else if o.status != models.OutboundPending {
					sent++
				}
				<-slots
			}
		}
		recorded <- firstErr
	}()
	var wg sync.WaitGroup
	var claimErr error
	// Claim once a quarter of the slots are free, not for each one that
	// frees: fewer, larger claims (as push does).
	chunk := max(1, conc/4)
	for ctx.Err() == nil {
		for range chunk {
			slots <- struct{}{}
		}
		free := chunk
		for more := true; more && free < conc; {
			select {
			case slots <- struct{}{}:
				free++
			default:
				more = false
			}
		}
		var rows []models.OutboundMessage
		claimErr = db.Raw(`UPDATE outbound_messages SET status = ?, attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM outbound_messages WHERE batch_id = ? AND status = ? AND next_attempt_at <= ?
				ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING *`, models.OutboundSending, s.Now(), job.Args.BatchID, models.OutboundPending, s.Now(), free).Scan(&rows).Error
		for range free - len(rows) {
			<-slots
		}
		if claimErr != nil || len(rows) == 0 {
			if len(rows) == 0 && claimErr == nil {
				// Nothing due now: wait for what is on the wire, then look
				// once more (a send put back for later is not due now).
				wg.Wait()
				if len(slots) > 0 {
					continue
				}
			}
			break
		}
		for i := range rows {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outcomes <- w.send(ctx, &rows[i])
			}()
		}
	}
	wg.Wait()
	close(outcomes)
	if err := <-recorded; err != nil {
		return err
	}
	if claimErr != nil {
		return claimErr
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

// outcome is what came of one send, to be recorded.
type outcome struct {
	id, channel, status, providerID, errorCode string
	contactPointID                             *string
	nextAttempt                                *time.Time
}

// send sends one claimed message and says what came of it.
func (w *Worker) send(ctx context.Context, m *models.OutboundMessage) outcome {
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
	o := outcome{id: m.ID, channel: string(m.Channel), contactPointID: m.ContactPointID}
	var perm *PermanentError
	var later *RetryAfterError
	switch {
	case err == nil:
		o.status, o.providerID = status, providerID
		s.Metrics.accepted(m)
	case errors.As(err, &perm):
		o.status, o.errorCode = models.OutboundUndeliverable, perm.Code
		s.Metrics.gaveUp(m, perm.Code)
		s.Log.Warn("outbound: undeliverable", "id", m.ID, "channel", m.Channel, "code", perm.Code, "err", perm.Err)
	case int(m.Attempts) >= s.Config.MaxAttempts:
		o.status, o.errorCode = models.OutboundFailed, "GAVE_UP"
		s.Metrics.gaveUp(m, "gave_up")
		s.Log.Warn("outbound: gave up", "id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "err", err)
	default:
		wait := jobs.Backoff(s.Config.BaseBackoff, s.Config.MaxBackoff, int(m.Attempts))
		if errors.As(err, &later) && later.After > 0 {
			wait = later.After
		}
		next := s.Now().Add(wait)
		o.status, o.errorCode, o.nextAttempt = models.OutboundPending, "RETRY", &next
		s.Log.Info("outbound: retry", "id", m.ID, "channel", m.Channel, "in", wait, "err", err)
	}
	return o
}

// record writes outcomes in one transaction: each row's status, and the
// points that turned out undeliverable.
func (w *Worker) record(db *gorm.DB, batch []outcome) error {
	type row struct {
		ID          string     `json:"id"`
		Status      string     `json:"status"`
		ProviderID  *string    `json:"provider_id"`
		ErrorCode   *string    `json:"error_code"`
		NextAttempt *time.Time `json:"next_attempt_at"`
	}
	rows := make([]row, len(batch))
	var dead []string
	for i, o := range batch {
		rows[i] = row{ID: o.id, Status: o.status, NextAttempt: o.nextAttempt}
		if o.providerID != "" {
			rows[i].ProviderID = &o.providerID
		}
		if o.errorCode != "" {
			rows[i].ErrorCode = &o.errorCode
		}
		if o.status == models.OutboundUndeliverable && o.contactPointID != nil {
			dead = append(dead, *o.contactPointID)
		}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	now := w.S.Now()
	return db.Transaction(func(tx *gorm.DB) error {
		// A status callback may have come before the send's answer (it
		// finds the row by our id): a row it moved on from SENDING keeps
		// what the callback said.
		if err := tx.Exec(`UPDATE outbound_messages m SET
			status = CASE WHEN m.status <> @sending AND r.provider_id IS NOT NULL THEN m.status ELSE r.status END,
			provider_id = COALESCE(r.provider_id, m.provider_id),
			error_code = CASE WHEN m.status <> @sending AND r.provider_id IS NOT NULL THEN m.error_code ELSE r.error_code END,
			next_attempt_at = COALESCE(r.next_attempt_at, m.next_attempt_at), updated_at = @now
			FROM jsonb_to_recordset(CAST(@rows AS jsonb)) AS r(id uuid, status text, provider_id text, error_code text, next_attempt_at timestamptz)
			WHERE m.id = r.id`, map[string]any{"sending": models.OutboundSending, "now": now, "rows": string(b)}).Error; err != nil {
			return fmt.Errorf("outbound: record: %w", err)
		}
		for _, id := range dead {
			if err := MarkUndeliverable(tx, id, now); err != nil {
				return err
			}
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
		if err := river.AddWorkerSafely(w, &ChannelPlanWorker{P: p}); err != nil {
			return err
		}
		return river.AddWorkerSafely(w, &FallbackWorker{P: p})
	}
}
