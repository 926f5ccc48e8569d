// Package realtime carries live events between server instances through
// PostgreSQL LISTEN/NOTIFY, so any number of stateless instances can serve
// subscriptions behind a load balancer. Writers publish once their
// transaction has committed (the domain holds events until then); each
// instance sends what it publishes in batches, one short NOTIFY-only
// transaction per batch without waiting for the WAL flush, and listens on
// one connection, handing events to its local subscribers by topic.
//
// Why not NOTIFY inside the writing transaction: PostgreSQL serializes the
// commits of all notifying transactions on one lock held through the
// commit's WAL flush. With 200 messages a second that queue, not the work,
// set the latency (measured with make bench-live).
//
// It must not decide who may see an event: subscribers re-check that with
// policy when an event arrives.
package realtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sameside/sameside/models"
)

// Channel is the PostgreSQL notification channel.
const Channel = "sameside_events"

// Broker publishes and delivers events.
type Broker struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	out  chan models.Event

	mu    sync.Mutex
	subs  map[string]map[chan models.Event]struct{}
	ready chan struct{}
}

// New returns a broker listening through pool. Run must be started.
func New(pool *pgxpool.Pool, log *slog.Logger) *Broker {
	return &Broker{pool: pool, log: log, out: make(chan models.Event, outboxSize), subs: map[string]map[chan models.Event]struct{}{}}
}

const (
	// outboxSize bounds the events waiting to be sent; beyond it events
	// are dropped (and logged) rather than slowing writers down.
	outboxSize = 10000
	// maxBatch is the most events one NOTIFY transaction carries.
	maxBatch = 500
)

// Publish sends events to their topics' subscribers on every instance. It
// does not block; call it after the writes the events name have committed.
func (b *Broker) Publish(events ...models.Event) {
	for _, e := range events {
		select {
		case b.out <- e:
		default:
			b.log.Warn("realtime: outbox full, event dropped", "topic", e.Topic, "type", e.Type)
		}
	}
}

// send publishes the outbox in batches until ctx ends, then what is left
// in it (flush).
func (b *Broker) send(ctx context.Context) {
	batch := make([]string, 0, maxBatch)
	for {
		select {
		case <-ctx.Done():
			b.flush(batch[:0])
			return
		case e := <-b.out:
			batch = b.fill(b.appendEvent(batch[:0], e))
		}
		if len(batch) == 0 {
			continue
		}
		for attempt := 0; ; attempt++ {
			err := b.notify(ctx, batch)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				b.flush(batch)
				return
			}
			if attempt == 2 {
				b.log.Error("realtime: events lost", "count", len(batch), "err", err)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// fill adds to batch what is waiting in the outbox, up to maxBatch.
func (b *Broker) fill(batch []string) []string {
	for len(batch) < maxBatch {
		select {
		case e := <-b.out:
			batch = b.appendEvent(batch, e)
		default:
			return batch
		}
	}
	return batch
}

// flushWithin bounds how long a stopping broker spends sending what is
// left.
const flushWithin = 5 * time.Second

// flush sends pending, then everything left in the outbox, once the broker
// is stopping: the events of the last requests an instance finished while
// it drained, which other instances' subscribers must still hear of.
func (b *Broker) flush(pending []string) {
	ctx, cancel := context.WithTimeout(context.Background(), flushWithin)
	defer cancel()
	for batch := b.fill(pending); len(batch) > 0; batch = b.fill(batch[:0]) {
		if err := b.notify(ctx, batch); err != nil {
			b.log.Error("realtime: events lost at stop", "count", len(batch), "err", err)
			return
		}
	}
}

func (b *Broker) appendEvent(batch []string, e models.Event) []string {
	payload, err := json.Marshal(e)
	if err != nil || len(payload) > 7900 { // NOTIFY payloads are limited to 8000 bytes
		b.log.Error("realtime: event not sent", "topic", e.Topic, "type", e.Type, "size", len(payload), "err", err)
		return batch
	}
	return append(batch, string(payload))
}

// notify sends payloads in one statement, a transaction of its own. Its
// commit does not wait for the disk: a transaction that only notifies
// writes nothing to the WAL (pgbench: 2,000 of them, one WAL flush in
// all), so it needs neither SET LOCAL synchronous_commit nor a BEGIN and
// COMMIT of its own (four round trips a batch, now one).
func (b *Broker) notify(ctx context.Context, payloads []string) error {
	_, err := b.pool.Exec(ctx, "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, i) ORDER BY i", Channel, payloads)
	return err
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

// Sync returns once every event this instance published before the call
// has been delivered to its local subscribers: it sends a marker after
// them (one instance's events keep their order) and waits for it to come
// back through PostgreSQL. Tests use it before subscribing, so that earlier
// events are not taken for new ones.
func (b *Broker) Sync(ctx context.Context) error {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	topic := "sync:" + hex.EncodeToString(raw[:])
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := b.Subscribe(sctx, topic)
	b.Publish(models.Event{Topic: topic, Type: "SYNC"})
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Subscribers counts local subscriptions of the API's subscription
// operations (metrics, tests); each signed-in socket's own watch of its
// access topic is not one.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for topic, s := range b.subs {
		if !strings.HasPrefix(topic, models.AccessTopic("")) {
			n += len(s)
		}
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

// Run sends published events and listens until ctx ends, reconnecting
// after errors.
func (b *Broker) Run(ctx context.Context) {
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		b.send(ctx)
	}()
	defer func() { <-sent }()
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
