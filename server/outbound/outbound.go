// Package outbound sends email and SMS: domain writes record each message
// (an outbound_messages row) and a River job inside their own transaction
// (EnqueueTx), and the job sends the batch through SMTP (go-mail) and
// Twilio (twilio-go), recording the provider's answer; the providers'
// status callbacks and the inbound SMS webhook come back through Handler.
//
// Guarantees, as for push: no commit, nothing sent; a row is claimed before
// it is sent and its outcome recorded after, so a retry sends only what is
// still owed; an address that bounces or a number a carrier rejects is
// marked undeliverable and gets nothing more. Who is told, and on which
// channel, is the caller's decision (preferences, consent, opt-outs).
package outbound

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/jobs"
)

// Mail is one email to send.
type Mail struct {
	// ID becomes the Message-ID, so a provider sees a resend as the same mail.
	ID, To, Subject, Text, HTML string
	// Unsubscribe is the signed one-click unsubscribe URL (RFC 8058), if any.
	Unsubscribe string
}

// Text is one SMS to send.
type Text struct {
	ID, To, Body string
}

// Mailer sends email; *SMTP is one.
type Mailer interface {
	SendMail(ctx context.Context, m Mail) error
}

// Texter sends SMS; *Twilio is one. It returns the provider's id and status.
type Texter interface {
	SendText(ctx context.Context, t Text) (sid, status string, err error)
}

// PermanentError is a send that retrying will not fix: a bad address, a
// number that cannot receive texts or opted out at the carrier.
type PermanentError struct {
	Code string
	Err  error
}

func (e *PermanentError) Error() string { return e.Code + ": " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// RetryAfterError is a send the provider asked to retry later (429).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string { return fmt.Sprintf("retry after %s: %v", e.After, e.Err) }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Config tunes sending.
type Config struct {
	// Concurrency is how many sends one batch job has on the wire.
	Concurrency int
	// MaxAttempts caps tries of one message on temporary errors.
	MaxAttempts int
	// BaseBackoff doubles per attempt up to MaxBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// SendTimeout bounds one send.
	SendTimeout time.Duration
	// SegmentPrice is what one SMS segment costs, in US dollars, for the
	// cost counter.
	SegmentPrice float64
}

// DefaultConfig is what production runs with.
func DefaultConfig() Config {
	return Config{Concurrency: 50, MaxAttempts: 6, BaseBackoff: 5 * time.Second, MaxBackoff: 30 * time.Minute,
		SendTimeout: 30 * time.Second, SegmentPrice: 0.0079}
}

// Service records and sends email and SMS.
type Service struct {
	DB     *gorm.DB
	Mailer Mailer
	Texter Texter
	Config Config
	Log    *slog.Logger
	// Now is the clock for retries.
	Now     func() time.Time
	Metrics *Metrics
	// inserter inserts jobs inside GORM's database/sql transactions.
	inserter *river.Client[*sql.Tx]
}

// New returns a service. inserter is a River client on the same database.
func New(db *gorm.DB, inserter *river.Client[*sql.Tx], mailer Mailer, texter Texter, cfg Config, log *slog.Logger) *Service {
	return &Service{DB: db, inserter: inserter, Mailer: mailer, Texter: texter, Config: cfg, Log: log, Now: time.Now, Metrics: NewMetrics(cfg.SegmentPrice)}
}

// BatchArgs is the River job that sends the messages recorded together.
type BatchArgs struct {
	BatchID string `json:"batch_id"`
}

// Kind implements river.JobArgs.
func (BatchArgs) Kind() string { return "outbound_batch" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (BatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound, MaxAttempts: 25}
}

// EnqueueTx records messages and schedules their sending in tx, the
// writer's transaction: one batch (and job) per channel, so email and SMS
// each have Concurrency sends on the wire. A message whose DedupeKey was
// recorded before is left out: a retried write never sends a second copy.
// SMS get their segment count.
func (s *Service) EnqueueTx(ctx context.Context, tx *gorm.DB, msgs []models.OutboundMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	batches := map[models.Channel]string{}
	now := s.Now()
	for i := range msgs {
		m := &msgs[i]
		if !m.Channel.Valid() {
			return fmt.Errorf("outbound: channel %q", m.Channel)
		}
		if batches[m.Channel] == "" {
			batches[m.Channel] = uuid.NewString()
		}
		m.ID, m.BatchID, m.Status = uuid.NewString(), batches[m.Channel], models.OutboundPending
		if m.NextAttemptAt.IsZero() { // else held back (quiet hours)
			m.NextAttemptAt = now
		}
		if m.Channel == models.ChannelSMS {
			n, _ := Segments(m.Body)
			m.Segments = int32(n)
		}
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&msgs, 500)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil
	}
	for _, batch := range batches {
		if err := jobs.InsertTx(ctx, s.inserter, tx, BatchArgs{BatchID: batch}, nil); err != nil {
			return err
		}
	}
	return nil
}

// Metrics count sends for /metrics.
type Metrics struct {
	sent, failed *prometheus.CounterVec
	segments     *prometheus.CounterVec
	cost         prometheus.Counter
	price        float64
}

// NewMetrics returns unregistered counters (Collectors registers them).
func NewMetrics(price float64) *Metrics {
	return &Metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "sameside", Name: "outbound_sent_total",
			Help: "Emails and texts the provider accepted, by channel and purpose."}, []string{"channel", "purpose"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "sameside", Name: "outbound_failed_total",
			Help: "Emails and texts given up on, by channel and reason."}, []string{"channel", "reason"}),
		segments: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "sameside", Name: "sms_segments_total",
			Help: "SMS segments sent, by encoding (GSM-7 or UCS-2)."}, []string{"encoding"}),
		cost: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "sameside", Name: "sms_cost_dollars_total",
			Help: "Estimated cost of the SMS segments sent, in US dollars."}),
		price: price,
	}
}

// Collectors are the counters to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.sent, m.failed, m.segments, m.cost}
}

func (m *Metrics) accepted(msg *models.OutboundMessage) {
	m.sent.WithLabelValues(string(msg.Channel), msg.Purpose).Inc()
	if msg.Channel == models.ChannelSMS {
		enc := "ucs2"
		if _, gsm := Segments(msg.Body); gsm {
			enc = "gsm7"
		}
		m.segments.WithLabelValues(enc).Add(float64(msg.Segments))
		m.cost.Add(float64(msg.Segments) * m.price)
	}
}

func (m *Metrics) gaveUp(msg *models.OutboundMessage, reason string) {
	m.failed.WithLabelValues(string(msg.Channel), reason).Inc()
}
