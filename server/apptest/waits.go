package apptest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/push/fakefcm"
)

// SettleEvents waits until the live events this instance published so far
// have reached its subscribers, so that a subscription opened next sees
// only what comes after.
func (e *Env) SettleEvents() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.App.Events.Sync(ctx); err != nil {
		e.t.Fatalf("apptest: events did not settle: %v", err)
	}
}

// WaitSubscribers waits until n live subscriptions listen on this instance
// (a subscription starts asynchronously after the client's subscribe).
func (e *Env) WaitSubscribers(n int) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.App.Events.Subscribers() < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%d live subscriptions after 10s, want %d", e.App.Events.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// JobBusySQL is true of a river_job row that is running or due to run. A
// job asleep until later is not: River leaves a job it snoozes for less
// than its scheduler's interval 'available' with scheduled_at ahead, and
// fetches it only once that time has come.
const JobBusySQL = `(state IN ('running', 'pending') OR (state IN ('available', 'scheduled', 'retryable') AND scheduled_at <= now()))`

// WaitPushesIdle waits until no push job is due or running: every push the
// test caused so far has been sent (or given up).
func (e *Env) WaitPushesIdle() {
	e.t.Helper()
	e.waitNone("push jobs still due", `SELECT count(*) FROM river_job WHERE `+JobBusySQL)
}

// WaitJobsSettled waits until no background job is waiting to run or
// running and nothing is queued for translation but what failed before
// (jobs scheduled for later, such as a push held for quiet hours, jobs and
// translations waiting to be tried again may remain): everything the test
// set in motion so far has done what it would do. A test proving that
// something did not happen waits for this first, rather than sleeping.
func (e *Env) WaitJobsSettled() {
	e.t.Helper()
	e.waitNone("jobs or translations still waiting or running", `SELECT (SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'pending'))
		+ (SELECT count(*) FROM translation_queue WHERE attempts = 0)`)
}

// WaitTranslationQueueEmpty waits until nothing is queued for
// translation, retries included.
func (e *Env) WaitTranslationQueueEmpty() {
	e.t.Helper()
	e.waitNone("items still queued for translation", `SELECT count(*) FROM translation_queue`)
}

// waitNone waits up to 20 s until count, a SELECT count(*), is 0.
func (e *Env) waitNone(what, count string) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int64
		if err := e.DB.Raw(count).Scan(&n).Error; err != nil {
			e.t.Fatalf("apptest: %s: %v", what, err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d %s after 20s", n, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitForPushes waits until the fake FCM has accepted n messages, or fails.
func (e *Env) WaitForPushes(n int) []fakefcm.Message {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if got, err := e.FCM.Await(ctx, n); err != nil {
		e.t.Fatalf("fake FCM has %d messages after 20s, want %d", got, n)
	}
	return e.FCM.Messages()
}

// RegisterDevice registers a push token for the holder of userToken.
func (e *Env) RegisterDevice(userToken, pushToken string) {
	e.t.Helper()
	res := e.Do(userToken, `mutation($t: String!) { registerDevice(input: {token: $t, platform: ANDROID, appVersion: "1.0.0"}) { id } }`, map[string]any{"t": pushToken})
	if res.Code() != "" {
		e.t.Fatalf("registerDevice: %s", res.Body)
	}
}

// Clock is the server's clock in a test (Env.Clock): the domain and the
// push pipeline read it from the start, before the server and its workers
// run, so a test moves it with Set and Add while they read it, never by
// replacing the functions they call. It follows the wall clock until Set,
// and again after Reset.
type Clock struct{ t atomic.Pointer[time.Time] }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	if t := c.t.Load(); t != nil {
		return *t
	}
	return time.Now()
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) { c.t.Store(&t) }

// Add moves the clock by d from where it is and stops it there; it
// returns the new time.
func (c *Clock) Add(d time.Duration) time.Time {
	t := c.Now().Add(d)
	c.Set(t)
	return t
}

// Reset puts the clock back on the wall clock.
func (c *Clock) Reset() { c.t.Store(nil) }

// drive makes a's domain and push pipeline read c; call it before a runs.
func (c *Clock) drive(a *app.App) { a.Domain.Now, a.Push.Now = c.Now, c.Now }
