package push_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push"
)

// The benchmark: one notice fanned out to 10,000 devices through the
// fake FCM answering each request after 20 ms.
const (
	benchDevices = 10000
	benchUsers   = 100
	benchDelay   = 20 * time.Millisecond
)

// BenchmarkFanOut10k/pipeline: commit a notice, wait until the fake FCM has
// every message. BenchmarkFanOut10k/direct-SendEach: the floor, the same
// fake driven by SendEach alone (the same client, batch size and batches in
// flight) with the messages a fan-out sent, prebuilt; direct-SendEach-minimal
// the same with the smallest messages. Compare msgs/s: `make bench-push`
// prints the medians and their ratios.
func BenchmarkFanOut10k(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	env.FCM.SetDelay(benchDelay)
	cfg := push.DefaultConfig()
	env.App.Push.Config = cfg
	w := &world{Env: env}
	var users []models.User
	var tokens []string
	for i := 0; i < benchUsers; i++ {
		u, toks := w.userB(b, benchDevices/benchUsers)
		users = append(users, u)
		tokens = append(tokens, toks...)
	}

	fanOut := func(b *testing.B) {
		if err := env.DB.Transaction(func(tx *gorm.DB) error {
			return env.App.Push.EnqueueTx(context.Background(), tx, notice(models.CategoryAnnouncement, true, users...))
		}); err != nil {
			b.Fatal(err)
		}
		wait, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		got, err := env.FCM.Await(wait, benchDevices)
		cancel()
		if err != nil {
			b.Fatalf("only %d of %d pushes after 2 minutes", got, benchDevices)
		}
	}
	b.Run("pipeline", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env.FCM.Reset()
			b.StartTimer()
			fanOut(b)
		}
		b.ReportMetric(float64(benchDevices*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	// The floor sends what the pipeline sent: one more fan-out's messages.
	env.FCM.Reset()
	fanOut(b)
	msgs, err := apptest.SentMessages(env.FCM)
	if err != nil {
		b.Fatal(err)
	}
	apptest.BenchDirectSendEach(b, env.FCM, msgs, cfg)
}

func (w *world) userB(b *testing.B, devices int) (models.User, []string) {
	w.n++
	u := models.User{FirebaseUID: fmt.Sprintf("bench-%d", w.n), DisplayName: fmt.Sprintf("Family %d", w.n), Locale: "en-US", TimeZone: "UTC"}
	if err := w.DB.Create(&u).Error; err != nil {
		b.Fatal(err)
	}
	rows := make([]models.Device, devices)
	tokens := make([]string, devices)
	for i := range rows {
		tokens[i] = fmt.Sprintf("bench-%d-%d", w.n, i)
		rows[i] = models.Device{UserID: u.ID, Token: tokens[i], Platform: models.PlatformAndroid, Locale: "en-US"}
	}
	if err := w.DB.CreateInBatches(&rows, 1000).Error; err != nil {
		b.Fatal(err)
	}
	return u, tokens
}
