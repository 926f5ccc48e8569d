package apptest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"firebase.google.com/go/v4/messaging"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/push"
	"github.com/sameside/sameside/server/push/fakefcm"
)

// DirectSendEach is the benchmarks' floor: n prebuilt messages sent to
// endpoint by firebase-admin-go SendEach alone, with the pipeline's batch
// size and batches in flight, and nothing else (no database, no planning).
type DirectSendEach struct {
	client *messaging.Client
	msgs   []*messaging.Message
	cfg    push.Config
}

// NewDirectSendEach prepares n messages for endpoint.
func NewDirectSendEach(ctx context.Context, endpoint string, n int, cfg push.Config) (*DirectSendEach, error) {
	client, err := push.NewFCM(ctx, "demo-sameside", endpoint)
	if err != nil {
		return nil, err
	}
	msgs := make([]*messaging.Message, n)
	for i := range msgs {
		msgs[i] = &messaging.Message{Token: fmt.Sprintf("direct-%d", i), Notification: &messaging.Notification{Title: "t", Body: "b"},
			Data: map[string]string{"type": models.NoticeTest}}
	}
	return &DirectSendEach{client: client, msgs: msgs, cfg: cfg}, nil
}

// Send sends them all once and returns the first error.
func (d *DirectSendEach) Send(ctx context.Context) error {
	sem := make(chan struct{}, d.cfg.InFlight)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for lo := 0; lo < len(d.msgs); lo += d.cfg.BatchSize {
		batch := d.msgs[lo:min(lo+d.cfg.BatchSize, len(d.msgs))]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := d.client.SendEach(ctx, batch); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	return first
}

// BenchDirectSendEach is the floor a fan-out benchmark is measured against,
// as its "direct-SendEach" sub-benchmark: n messages sent with the SDK's
// SendEach straight to the fake FCM and nothing else, reported in msgs/s.
// The floor's messages have no schema: the caller resets the fake before
// the environment's cleanup validates what it recorded.
func BenchDirectSendEach(b *testing.B, fcm *fakefcm.Server, n int, cfg push.Config) {
	b.Run("direct-SendEach", func(b *testing.B) {
		direct, err := NewDirectSendEach(b.Context(), fcm.Endpoint(), n, cfg)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			fcm.Reset()
			b.StartTimer()
			if err := direct.Send(b.Context()); err != nil {
				b.Fatal(err)
			}
			if got := fcm.Count(); got != n {
				b.Fatalf("%d messages, want %d", got, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
