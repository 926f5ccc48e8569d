// Package realtime carries live events between server instances through
// PostgreSQL LISTEN/NOTIFY, so any number of stateless instances can serve
// subscriptions behind a load balancer. Writers publish inside their own
// transaction (NOTIFY is delivered on commit: no commit, no event); every
// instance listens on one connection and hands events to its local
// subscribers by topic.
//
// It must not decide who may see an event: subscribers re-check that with
// policy when an event arrives.
package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Channel is the PostgreSQL notification channel.
const Channel = "sameside_events"

// Broker publishes and delivers events.
type Broker struct {
	pool *pgxpool.Pool
	log  *slog.Logger

	mu    sync.Mutex
	subs  map[string]map[chan models.Event]struct{}
	ready chan struct{}
}

// New returns a broker listening through pool. Run must be started.
func New(pool *pgxpool.Pool, log *slog.Logger) *Broker {
	return &Broker{pool: pool, log: log, subs: map[string]map[chan models.Event]struct{}{}}
}

// PublishTx sends e to its topic's subscribers on every instance once tx
// commits.
func (b *Broker) PublishTx(ctx context.Context, tx *gorm.DB, e models.Event) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if len(payload) > 7900 { // NOTIFY payloads are limited to 8000 bytes
		return fmt.Errorf("realtime: event too large (%d bytes)", len(payload))
	}
	return tx.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", Channel, string(payload)).Error
}

// Subscribe returns a channel of the events of a topic until ctx ends.
// A slow subscriber loses events rather than slowing everyone down: the
// channel holds 64.
func (b *Broker) Subscribe(ctx context.Context, topic string) <-chan models.Event {
	ch := make(chan models.Event, 64)
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan models.Event]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs[topic], ch)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
		b.mu.Unlock()
		close(ch)
	}()
	return ch
}

// Subscribers counts local subscriptions (metrics, tests).
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, s := range b.subs {
		n += len(s)
	}
	return n
}

func (b *Broker) deliver(e models.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[e.Topic] {
		select {
		case ch <- e:
		default:
			b.log.Warn("realtime: subscriber too slow, event dropped", "topic", e.Topic, "type", e.Type)
		}
	}
}

// Run listens until ctx ends, reconnecting after errors.
func (b *Broker) Run(ctx context.Context) {
	for ctx.Err() == nil {
		err := b.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("realtime: listener lost, reconnecting", "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
	}
}

func (b *Broker) listen(ctx context.Context) error {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	b.markReady()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var e models.Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil {
			b.log.Warn("realtime: bad event", "err", err)
			continue
		}
		b.deliver(e)
	}
}

var errNotReady = errors.New("realtime: not listening yet")

func (b *Broker) markReady() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ready == nil {
		b.ready = make(chan struct{})
	}
	select {
	case <-b.ready:
	default:
		close(b.ready)
	}
}

// WaitReady waits until the broker listens, or ctx ends.
func (b *Broker) WaitReady(ctx context.Context) error {
	b.mu.Lock()
	if b.ready == nil {
		b.ready = make(chan struct{})
	}
	r := b.ready
	b.mu.Unlock()
	select {
	case <-r:
		return nil
	case <-ctx.Done():
		return errNotReady
	}
}
