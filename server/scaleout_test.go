package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sameside/sameside/server/database/dbtest"
	"github.com/sameside/sameside/server/push/fakefcm"
	"github.com/sameside/sameside/tools/load/workload"
)

// TestThreeInstancesSurviveAKill: three server processes on one database
// (River workers and LISTEN/NOTIFY on each) take the load command's mixed
// workload; half-way one is killed with SIGKILL. The load balancer's part
// is played by the load clients: a request that cannot reach its instance
// is retried on the next with the same clientMutationId. Afterwards every
// message, note and booking the clients were told about is in the
// database once, none was written twice, and every push owed reached FCM
// (jobs the dead instance held are rescued by the others) exactly once, but
// for those in flight to FCM at the kill, which may arrive twice (see below).
//
// SAMESIDE_SCALEOUT_DURATION shortens the 60 s run (`make test` runs it
// 30 s on the local PostgreSQL and 15 s on the embedded one).
func TestThreeInstancesSurviveAKill(t *testing.T) {
	// Both kill tests mostly wait (on the clock, on the fake FCM): side by
	// side they take the time of the longer, not the sum.
	t.Parallel()
	duration := 60 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SAMESIDE_SCALEOUT_DURATION")); err == nil {
		duration = d
	}
	fcm := fakefcm.Start(fakefcm.Options{})
	defer fcm.Close()
	dbURL := dbtest.URL(t)
	// 10 API connections each: three instances, the push kill test's (it
	// runs beside this one) and the other packages' tests share the
	// machine's PostgreSQL (100 connections; about 70 at the peak of the two).
	env := []string{"SAMESIDE_FCM_ENDPOINT=" + fcm.Endpoint(), "SAMESIDE_JOB_RESCUE_AFTER=5s", "SAMESIDE_PUSH_POLL=200ms", "SAMESIDE_DB_MAX_CONNS=10"}
	first := startProcess(t, dbURL, env...) // seeds the demo school
	victim, second := startInstance(t, dbURL, env...)
	third := startProcess(t, dbURL, env...)

	// Tokens, and no quiet or office hours: every push is owed now.
	ctx := context.Background()
	a := openApp(t, dbURL)
	db := a.DB
	for _, q := range []string{`UPDATE users SET quiet_hours_start = NULL, quiet_hours_end = NULL`, `DELETE FROM office_hours`} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	var parents, teachers []string
	for i := 1; len(parents) < 30; i++ {
		if i == 14 {
			continue // the restricted guardian sees nothing
		}
		tok, err := a.DemoToken(ctx, fmt.Sprintf("parent%d@sameside-demo.example", i))
		if err != nil {
			t.Fatal(err)
		}
		parents = append(parents, tok)
	}
	for i := 1; i <= 4; i++ {
		tok, err := a.DemoToken(ctx, fmt.Sprintf("teacher%d@sameside-demo.example", i))
		if err != nil {
			t.Fatal(err)
		}
		teachers = append(teachers, tok)
	}

	// Kill the second instance half-way through the run, and note which
	// pushes were in flight to FCM then (claimed, not yet recorded): the
	// dead instance's among them stay SENDING until its jobs are rescued.
	killed := make(chan map[string]bool, 1)
	snapshotErr := make(chan error, 1)
	go func() {
		time.Sleep(duration / 2)
		victim.Kill() // dead: it claims and sends nothing more
		var rows []struct{ NotificationID, Token string }
		snapshotErr <- db.Raw(`SELECT nd.notification_id, d.token FROM notification_deliveries nd JOIN devices d ON d.id = nd.device_id
			WHERE nd.status = 'SENDING'`).Scan(&rows).Error
		inFlight := map[string]bool{}
		for _, r := range rows {
			inFlight[r.NotificationID+" "+r.Token] = true
		}
		killed <- inFlight
	}()
	rep, err := workload.Run(ctx, workload.Options{URLs: []string{first, second, third}, Parents: parents, Teachers: teachers,
		Duration: duration, Think: 20 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	inFlight := <-killed
	if err := <-snapshotErr; err != nil {
		t.Fatalf("in-flight snapshot: %v", err)
	}
	t.Logf("workload over %v, one instance killed half-way:\n%s", rep.Elapsed.Round(time.Millisecond), rep)
	if rep.Rerouted == 0 {
		t.Error("no request was rerouted: the kill did not hit the workload")
	}

	// Every committed write is there once.
	for kind, table := range map[string]string{"messages": "messages", "observations": "observations", "bookings": "conference_bookings"} {
		ids := rep.Committed[kind]
		if len(ids) == 0 {
			t.Errorf("no %s were committed", kind)
			continue
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s %s was answered twice", kind, id)
			}
			seen[id] = true
		}
		var n int64
		if err := db.Table(table).Where("id IN ?", ids).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != int64(len(seen)) {
			t.Errorf("%s: %d committed, %d in the database", kind, len(seen), n)
		}
		t.Logf("%s: %d committed, all in the database", kind, len(seen))
	}
	// Nothing written twice: the load's writes in the database are exactly
	// the committed ones, but for requests whose outcome the client never
	// learnt: NETWORK errors after every retry, and INTERNAL answers (a
	// failure after the commit, such as reading the payload back; the app
	// retries those with the same clientMutationId and gets the first
	// result).
	unknown := func(op string) int {
		if s := rep.Ops[op]; s != nil {
			return s.Errors["NETWORK"] + s.Errors["INTERNAL"]
		}
		return 0
	}
	for kind, q := range map[string]struct {
		sql string
		op  string
	}{
		"messages":     {`SELECT count(*) FROM messages WHERE body = 'Thanks for today! How did the reading go?'`, "SendMessage"},
		"observations": {`SELECT count(*) FROM observations WHERE body = 'Helped a classmate find the right page and waited their turn.'`, "PostObservation"},
	} {
		var n int
		if err := db.Raw(q.sql).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		committed := len(rep.Committed[kind])
		if n < committed || n > committed+unknown(q.op) {
			t.Errorf("%s in the database: %d; committed %d, unknown outcomes %d", kind, n, committed, unknown(q.op))
		}
	}
	var live int
	if err := db.Raw(`SELECT count(*) FROM (SELECT slot_id FROM conference_bookings WHERE cancelled_at IS NULL GROUP BY slot_id HAVING count(*) > 1) d`).Scan(&live).Error; err != nil {
		t.Fatal(err)
	}
	if live != 0 {
		t.Errorf("%d slots hold more than one live booking", live)
	}

	// Every owed push goes out once: wait until no delivery is owed (the
	// dead instance's jobs are rescued after 5 s by a live one).
	deadline := time.Now().Add(2 * time.Minute)
	var owed int64
	for {
		if err := db.Raw(`SELECT count(*) FROM notification_deliveries WHERE status IN ('PENDING', 'SENDING')`).Scan(&owed).Error; err != nil {
			t.Fatal(err)
		}
		var planning int64
		// (Conference reminders wait as jobs scheduled for later: not owed yet.)
		if err := db.Raw(`SELECT count(*) FROM river_job WHERE kind = 'push_fan_out'
			AND (state IN ('available', 'running', 'retryable') OR (state = 'scheduled' AND scheduled_at <= now()))`).Scan(&planning).Error; err != nil {
			t.Fatal(err)
		}
		if owed == 0 && planning == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still owed after 2 minutes: %d deliveries, %d fan-out jobs", owed, planning)
		}
		time.Sleep(500 * time.Millisecond)
	}
	var sent []struct {
		NotificationID string
		Token          string
	}
	if err := db.Raw(`SELECT nd.notification_id, d.token FROM notification_deliveries nd JOIN devices d ON d.id = nd.device_id
		WHERE nd.status = 'SENT'`).Scan(&sent).Error; err != nil {
		t.Fatal(err)
	}
	var failed int64
	db.Raw(`SELECT count(*) FROM notification_deliveries WHERE status = 'FAILED'`).Scan(&failed)
	got := map[string]int{}
	collapse := map[string]map[string]bool{} // per push, the collapse keys its copies carried
	for _, m := range fcm.Messages() {
		k := m.Data["notificationId"] + " " + m.Token
		got[k]++
		var msg struct {
			Android struct {
				CollapseKey string `json:"collapse_key"`
			}
			APNS struct {
				Headers map[string]string
			}
		}
		_ = json.Unmarshal(m.Raw, &msg)
		if collapse[k] == nil {
			collapse[k] = map[string]bool{}
		}
		collapse[k][msg.Android.CollapseKey+"|"+msg.APNS.Headers["apns-collapse-id"]] = true
	}
	// FCM has no idempotency key, so a push whose instance died after FCM
	// took it but before the database recorded it is sent again when the
	// job is rescued (at least once; never lost). Its collapse key is the
	// same, so the phone shows it once. Only those may arrive twice.
	dups, missing := 0, 0
	for k, n := range got {
		if n > 1 {
			dups++
			if !inFlight[k] || n > 2 {
				t.Errorf("push %s sent %d times, and it was not in flight at the kill", k, n)
			}
			if len(collapse[k]) != 1 {
				t.Errorf("push %s: its copies carry different collapse keys %v: the phone would show both", k, collapse[k])
			}
		}
	}
	for _, s := range sent {
		if got[s.NotificationID+" "+s.Token] == 0 {
			missing++
		}
	}
	if missing > 0 || failed > 0 || len(got) != len(sent) {
		t.Errorf("deliveries recorded SENT: %d, FAILED: %d; distinct pushes at FCM: %d; SENT but never at FCM: %d", len(sent), failed, len(got), missing)
	}
	var rescued int64
	db.Raw(`SELECT count(*) FROM river_job WHERE kind = 'push_fan_out' AND attempt > 1`).Scan(&rescued)
	t.Logf("pushes: %d deliveries SENT, %d distinct at FCM, %d missing, %d sent twice (all %d of them in flight at the kill, of %d in flight); %d fan-out jobs ran more than once",
		len(sent), len(got), missing, dups, dups, len(inFlight), rescued)
}
