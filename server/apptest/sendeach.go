package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"firebase.google.com/go/v4/messaging"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/push"
	"github.com/sameside/sameside/server/push/fakefcm"
)

// DirectSendEach is the benchmarks' floor: prebuilt messages sent to
// endpoint by firebase-admin-go SendEach alone, with the pipeline's batch
// size and batches in flight, and nothing else (no database, no planning).
type DirectSendEach struct {
	client *messaging.Client
	msgs   []*messaging.Message
	cfg    push.Config
}

// NewDirectSendEach prepares msgs for endpoint: the pipeline's own, as
// SentMessages read them from the fake, so that the floor sends the very
// payloads the pipeline sent (its size is the floor's cost too).
func NewDirectSendEach(ctx context.Context, endpoint string, msgs []*messaging.Message, cfg push.Config) (*DirectSendEach, error) {
	client, err := push.NewFCM(ctx, "demo-sameside", endpoint)
	if err != nil {
		return nil, err
	}
	return &DirectSendEach{client: client, msgs: msgs, cfg: cfg}, nil
}

// SentMessages are the messages fcm accepted, as the SDK's messages again
// (each marshals back to the bytes that arrived: checked).
func SentMessages(fcm *fakefcm.Server) ([]*messaging.Message, error) {
	got := fcm.Messages()
	msgs := make([]*messaging.Message, len(got))
	for i, m := range got {
		msgs[i] = new(messaging.Message)
		if err := json.Unmarshal(m.Raw, msgs[i]); err != nil {
			return nil, err
		}
		again, err := json.Marshal(msgs[i])
		if err != nil {
			return nil, err
		}
		var a, b bytes.Buffer
		if err := errors.Join(json.Compact(&a, m.Raw), json.Compact(&b, again)); err != nil {
			return nil, err
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			return nil, fmt.Errorf("message %d does not marshal back as it arrived:\n%s\n%s", i, a.Bytes(), b.Bytes())
		}
	}
	return msgs, nil
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

// MinimalMessages are n messages with a title, a body and a type: the
// smallest a notice can be, a floor that leaves the payload's own cost out.
func MinimalMessages(n int) []*messaging.Message {
	msgs := make([]*messaging.Message, n)
	for i := range msgs {
		msgs[i] = &messaging.Message{Token: fmt.Sprintf("direct-%d", i), Notification: &messaging.Notification{Title: "t", Body: "b"},
			Data: map[string]string{"type": models.NoticeTest}}
	}
	return msgs
}

// BenchDirectSendEach is the floor a fan-out benchmark is measured against,
// as its "direct-SendEach" sub-benchmark: msgs (the pipeline's, from
// SentMessages) sent with the SDK's SendEach straight to the fake FCM and
// nothing else, reported in msgs/s. "direct-SendEach-minimal" sends as
// many MinimalMessages the same way (what the payload itself costs is
// the difference). The minimal messages have no schema: the fake is reset
// after them, before the environment's cleanup validates what it recorded.
func BenchDirectSendEach(b *testing.B, fcm *fakefcm.Server, msgs []*messaging.Message, cfg push.Config) {
	benchSend(b, "direct-SendEach", fcm, msgs, cfg)
	benchSend(b, "direct-SendEach-minimal", fcm, MinimalMessages(len(msgs)), cfg)
	fcm.Reset()
}

func benchSend(b *testing.B, name string, fcm *fakefcm.Server, msgs []*messaging.Message, cfg push.Config) {
	n := len(msgs)
	b.Run(name, func(b *testing.B) {
		direct, err := NewDirectSendEach(b.Context(), fcm.Endpoint(), msgs, cfg)
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
