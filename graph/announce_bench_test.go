package graph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/push"
)

// BenchmarkUrgentAnnouncement: the demo school scaled by 2,000 families
// with 2 devices each; an admin posts an urgent school-wide announcement
// through the GraphQL handler over HTTP, timed until the fake FCM (20 ms an
// answer, as in bench-push) has a push for every device of every guardian.
// direct-SendEach is the floor: the messages one such announcement sent,
// prebuilt, sent by SendEach alone with the pipeline's batch size and
// batches in flight (direct-SendEach-minimal: as many of the smallest).
// interleaved alternates the two, an announcement then the floor, round
// after round. `make bench-announce` prints the medians and the ratios
// (msgs/s).
func BenchmarkUrgentAnnouncement(b *testing.B) {
	env := apptest.New(b, apptest.Options{Seed: true})
	env.FCM.SetDelay(20 * time.Millisecond)
	ctx := context.Background()
	if err := apptest.AddFamilies(env.DB, "bench", 2000, 2); err != nil {
		b.Fatal(err)
	}
	var devices int
	env.DB.Raw(`SELECT count(*) FROM devices d WHERE d.user_id IN (SELECT g.user_id FROM guardianships g WHERE NOT g.restricted)`).Scan(&devices)
	if devices < 4000 {
		b.Fatalf("%d devices in the audience", devices)
	}
	admin, school := env.Token("admin"), adminSchool(b, env, env.User("admin"))
	cfg := push.DefaultConfig()
	posts := 0 // every post its own clientMutationId: runs of the sub-benchmark share the database

	publish := func(b *testing.B) {
		posts++
		postSnowDay(b, env, admin, school, fmt.Sprintf("bench-%d", posts))
		wait, cancel := context.WithTimeout(ctx, 2*time.Minute)
		got, err := env.FCM.Await(wait, devices)
		cancel()
		if err != nil {
			b.Fatalf("only %d of %d pushes after 2 minutes", got, devices)
		}
	}
	b.Run("graphql-publish", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env.WaitPushesIdle()
			env.FCM.Reset()
			b.StartTimer()
			publish(b)
		}
		b.ReportMetric(float64(devices*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	// The floor sends what the pipeline sent: one more announcement's pushes.
	env.WaitPushesIdle()
	env.FCM.Reset()
	publish(b)
	env.WaitPushesIdle()
	msgs, err := apptest.SentMessages(env.FCM)
	if err != nil {
		b.Fatal(err)
	}
	apptest.BenchDirectSendEach(b, env.FCM, msgs, cfg)

	// The two sides interleaved, an announcement then the floor's send of
	// its messages, round after round: the machine's noise (and the
	// database's own background work) falls on both alike. Each side's
	// time is its own; make bench-announce prints the median of the runs'
	// paired ratios.
	direct, err := apptest.NewDirectSendEach(ctx, env.FCM.Endpoint(), msgs, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("interleaved", func(b *testing.B) {
		var took [2]time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env.WaitPushesIdle()
			env.FCM.Reset()
			b.StartTimer()
			start := time.Now()
			publish(b)
			took[0] += time.Since(start)
			b.StopTimer()
			env.WaitPushesIdle()
			env.FCM.Reset()
			b.StartTimer()
			start = time.Now()
			if err := direct.Send(ctx); err != nil {
				b.Fatal(err)
			}
			took[1] += time.Since(start)
			if got := env.FCM.Count(); got != len(msgs) {
				b.Fatalf("the floor sent %d messages, want %d", got, len(msgs))
			}
		}
		b.ReportMetric(float64(devices*b.N)/took[0].Seconds(), "publish-msgs/s")
		b.ReportMetric(float64(len(msgs)*b.N)/took[1].Seconds(), "direct-msgs/s")
	})
}

// postSnowDay posts the benchmarks' urgent school-wide announcement as
// admin, with clientID its clientMutationId (each post its own).
func postSnowDay(b *testing.B, env *apptest.Env, admin, school, clientID string) {
	b.Helper()
	res := env.Do(admin, `mutation($in: PostAnnouncementInput!) { postAnnouncement(input: $in) { announcement { id } } }`,
		map[string]any{"in": map[string]any{"clientMutationId": clientID, "schoolId": school, "audience": "SCHOOL",
			"title": "School closed today", "body": "Snow: the school is closed today.", "urgent": true}})
	if res.Code() != "" {
		b.Fatal(res.Body)
	}
}
