package graph_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/outbound"
	"github.com/sameside/sameside/server/push"
)

// BenchmarkUrgentAllChannels: 2,000 families, each guardian with 2 devices,
// 2 consenting numbers and 2 verified addresses (4,000 of each); an admin
// posts an urgent school-wide announcement through GraphQL, timed until
// the fake FCM, the fake Twilio and the SMTP server (each answering after
// 20 ms) have every push, text and email. direct is the floor: the same
// 12,000 sends made straight through the same clients (firebase-admin-go's
// SendEach, twilio-go, go-mail) with the pipeline's concurrency, all three
// at once, and nothing else: the very pushes, emails and texts the pipeline
// sent for a first announcement (payloads, HTML, unsubscribe links and all). `make bench-urgent` prints the medians and
// the ratio (msgs/s); each run also checks that nothing went twice.
func BenchmarkUrgentAllChannels(b *testing.B) {
	// The production pool size (tests use 6 connections so that packages
	// can run side by side).
	env := apptest.New(b, apptest.Options{Seed: true, Env: map[string]string{"SAMESIDE_DB_MAX_CONNS": "20"}})
	const latency = 20 * time.Millisecond
	env.FCM.SetDelay(latency)
	env.Twilio.SetLatency(latency)
	env.SMTP.SetDelay(latency)
	if err := apptest.AddFamilies(env.DB, "urgent", 2000, 2); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO contact_points (user_id, channel, address, source, verified_at, consent_at)
		 SELECT u.id, 'SMS', '+1202' || lpad((5000000 + (row_number() OVER (ORDER BY u.id)) * 2 + k)::text, 7, '0'), 'USER', now(), now()
		 FROM users u, generate_series(0, 1) k WHERE u.firebase_uid LIKE 'urgent-family-%'`,
		`INSERT INTO contact_points (user_id, channel, address, source, verified_at)
		 SELECT u.id, 'EMAIL', 'family' || (row_number() OVER (ORDER BY u.id)) || '-' || k || '@home.example', 'USER', now()
		 FROM users u, generate_series(0, 1) k WHERE u.firebase_uid LIKE 'urgent-family-%'`,
		`ANALYZE`,
	} {
		if err := env.DB.Exec(q).Error; err != nil {
			b.Fatal(err)
		}
	}
	var devices, phones, emails int
	env.DB.Raw(`SELECT count(*) FROM devices d WHERE d.user_id IN (SELECT g.user_id FROM guardianships g WHERE g.grants_access)`).Scan(&devices)
	env.DB.Raw(`SELECT count(*) FROM contact_points WHERE channel = 'SMS'`).Scan(&phones)
	env.DB.Raw(`SELECT count(*) FROM contact_points WHERE channel = 'EMAIL'`).Scan(&emails)
	if devices < 4000 || phones != 4000 || emails != 4000 {
		b.Fatalf("%d devices, %d phones, %d emails", devices, phones, emails)
	}
	total := devices + phones + emails
	admin, school := env.Token("admin"), adminSchool(b, env, env.User("admin"))
	reset := func() { env.FCM.Reset(); env.Twilio.Reset(); env.SMTP.Reset() }
	// exactlyOnce fails the run unless every point got exactly one send.
	exactlyOnce := func(b *testing.B) {
		seen := map[string]int{}
		for _, m := range env.Twilio.Messages() {
			seen[m.To]++
		}
		for _, m := range env.SMTP.Mail() {
			seen[m.To[0]]++
		}
		for to, n := range seen {
			if n != 1 {
				b.Fatalf("%s got %d", to, n)
			}
		}
		if len(seen) != phones+emails {
			b.Fatalf("%d of %d points reached", len(seen), phones+emails)
		}
	}
	wait := func(b *testing.B) {
		start := time.Now()
		deadline := time.Now().Add(3 * time.Minute)
		// When each channel was done, for reading the figures.
		var tp, ts, te time.Duration
		defer func() {
			for _, d := range []*time.Duration{&tp, &ts, &te} {
				if *d == 0 {
					*d = time.Since(start)
				}
			}
			b.Logf("done: pushes %v, texts %v, emails %v", tp.Round(time.Millisecond), ts.Round(time.Millisecond), te.Round(time.Millisecond))
		}()
		// Counts, not copies of what arrived: the polling must not take
		// the CPU the sends need.
		for env.FCM.Count() < devices || env.Twilio.Count() < phones || env.SMTP.Count() < emails {
			if tp == 0 && env.FCM.Count() >= devices {
				tp = time.Since(start)
			}
			if ts == 0 && env.Twilio.Count() >= phones {
				ts = time.Since(start)
			}
			if te == 0 && env.SMTP.Count() >= emails {
				te = time.Since(start)
			}
			if time.Now().After(deadline) {
				b.Fatalf("after 3 minutes: %d pushes, %d texts, %d emails", env.FCM.Count(), env.Twilio.Count(), env.SMTP.Count())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	posts := 0
	post := func(b *testing.B) {
		posts++
		postSnowDay(b, env, admin, school, fmt.Sprintf("urgent-%d", posts))
	}
	// One announcement first: it warms both paths up, and its emails and
	// texts, as the pipeline wrote them, are what the floor sends.
	post(b)
	wait(b)
	exactlyOnce(b)
	var sent []struct {
		Channel, Address, Subject, Body, HTML string
		ContactPointID                        string
	}
	env.DB.Raw(`SELECT channel, address, subject, body, html, contact_point_id FROM outbound_messages WHERE purpose = 'URGENT'`).Scan(&sent)
	if len(sent) != phones+emails {
		b.Fatalf("%d emails and texts recorded", len(sent))
	}
	pushes, err := apptest.SentMessages(env.FCM)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("graphql-publish", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env.WaitPushesIdle()
			reset()
			b.StartTimer()
			post(b)
			wait(b)
			b.StopTimer()
			exactlyOnce(b)
			b.StartTimer()
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("direct", func(b *testing.B) {
		ctx := context.Background()
		pcfg, ocfg := push.DefaultConfig(), outbound.DefaultConfig()
		fcm, err := apptest.NewDirectSendEach(ctx, env.FCM.Endpoint(), pushes, pcfg)
		if err != nil {
			b.Fatal(err)
		}
		cfg := env.App.Config
		tw, err := outbound.NewTwilio(cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.SMSFrom, cfg.TwilioAPIURL, "")
		if err != nil {
			b.Fatal(err)
		}
		mailer, err := outbound.NewSMTP(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			b.Fatal(err)
		}
		links := env.App.Links
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			reset()
			b.StartTimer()
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			wg.Add(1)
			go func() { defer wg.Done(); errs <- fcm.Send(ctx) }()
			for _, channel := range []string{"SMS", "EMAIL"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					sem := make(chan struct{}, ocfg.Concurrency)
					var inner sync.WaitGroup
					for _, m := range sent {
						if m.Channel != channel {
							continue
						}
						sem <- struct{}{}
						inner.Add(1)
						go func() {
							defer func() { <-sem; inner.Done() }()
							var err error
							if channel == "SMS" {
								_, _, err = tw.SendText(ctx, outbound.Text{To: m.Address, Body: m.Body})
							} else {
								// The same mail the pipeline sends: its text and
								// HTML, with the point's own unsubscribe link.
								unsubscribe := links.Unsubscribe(m.ContactPointID)
								err = mailer.SendMail(ctx, outbound.Mail{ID: fmt.Sprint(i, m.Address), To: m.Address, Subject: m.Subject,
									Text: strings.ReplaceAll(m.Body, outbound.UnsubscribeMark, unsubscribe),
									HTML: strings.ReplaceAll(m.HTML, outbound.UnsubscribeMark, html.EscapeString(unsubscribe)), Unsubscribe: unsubscribe})
							}
							if err != nil {
								select {
								case errs <- err:
								default:
								}
							}
						}()
					}
					inner.Wait()
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
			wait(b)
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	reset()
}
