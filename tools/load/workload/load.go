// Package workload drives a mixed mobile workload against running SameSide
// servers and measures it: parents read their feed, check unread counts,
// message their child's teacher and book (then cancel) conferences, each
// holding a live viewerEvents subscription; teachers post positive notes
// (pushed to families) and read their classroom feed. Requests are the
// app's own operations (mobile-contracts). With several servers each
// virtual user sticks to one, as behind a load balancer, and a request that
// cannot reach its server is retried on the next with the same
// clientMutationId, as the app retries on a flaky network.
//
// `go run ./tools/load` runs it against a server with the demo school;
// the three-instance test in server/ uses it as its workload.
package workload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/server/wsclient"
)

// Options configure a run.
type Options struct {
	// URLs are the servers' base URLs; virtual users are spread over them.
	URLs []string
	// Parents and Teachers sign in the virtual users (bearer tokens).
	Parents, Teachers []string
	// Duration of the measured run (after setup).
	Duration time.Duration
	// Think is each virtual user's pause between requests (0: none).
	Think time.Duration
	// NoSubscriptions leaves out the parents' websockets.
	NoSubscriptions bool
	// Client is the HTTP client (default: one with a 30 s timeout).
	Client *http.Client
	// Seed makes the mix repeatable.
	Seed uint64
	// Progress, when set, is called about once a second with the requests
	// done so far.
	Progress func(done int64)
}

// run state shared by the virtual users.
type run struct {
	o      Options
	ops    map[string]string
	client *http.Client

	mu        sync.Mutex
	stats     map[string]*OpStats
	committed map[string][]string
	done      atomic.Int64
	events    atomic.Int64
	rerouted  atomic.Int64
}

// Run sets the virtual users up (a device each, a conversation per parent
// with a teacher of their child), then runs the mix for o.Duration.
func Run(ctx context.Context, o Options) (*Report, error) {
	if len(o.URLs) == 0 || len(o.Parents)+len(o.Teachers) == 0 {
		return nil, errors.New("load: no servers or no users")
	}
	ops, err := contracts.Operations()
	if err != nil {
		return nil, err
	}
	r := &run{o: o, ops: ops, client: o.Client, stats: map[string]*OpStats{}, committed: map[string][]string{}}
	if r.client == nil {
		r.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	}
	var users []*user
	for i, tok := range o.Parents {
		users = append(users, &user{r: r, token: tok, parent: true, home: i % len(o.URLs), rnd: rand.New(rand.NewPCG(o.Seed, uint64(i)))})
	}
	for i, tok := range o.Teachers {
		users = append(users, &user{r: r, token: tok, home: (len(o.Parents) + i) % len(o.URLs), rnd: rand.New(rand.NewPCG(o.Seed, uint64(1000+i)))})
	}
	// Setup, a few users at a time.
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	errs := make(chan error, len(users))
	for _, u := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := u.setup(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("load: setup: %w", err)
	}
	// Subscriptions, then the timed mix.
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	subscribers := 0
	var subs sync.WaitGroup
	if !o.NoSubscriptions {
		for _, u := range users {
			if !u.parent {
				continue
			}
			ready := make(chan error, 1)
			subs.Add(1)
			go func() {
				defer subs.Done()
				u.subscribe(runCtx, ready)
			}()
			if err := <-ready; err == nil {
				subscribers++
			}
		}
	}
	// Start the clock only now, so setup and subscribing are not counted.
	r.resetStats()
	start := time.Now()
	if o.Progress != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-runCtx.Done():
					return
				case <-t.C:
					o.Progress(r.done.Load())
				}
			}
		}()
	}
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.loop(runCtx)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	subs.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return &Report{Elapsed: elapsed, Ops: r.stats, Subscribers: subscribers, Events: r.events.Load(),
		Rerouted: r.rerouted.Load(), Committed: r.committed}, nil
}

func (r *run) resetStats() {
	r.mu.Lock()
	r.stats = map[string]*OpStats{}
	r.mu.Unlock()
}

func (r *run) record(op string, d time.Duration, code string) {
	r.done.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats[op]
	if s == nil {
		s = &OpStats{Errors: map[string]int{}}
		r.stats[op] = s
	}
	if code == "" {
		s.OK++
		s.latencies = append(s.latencies, d)
	} else {
		s.Errors[code]++
	}
}

func (r *run) commit(kind, id string) {
	r.mu.Lock()
	r.committed[kind] = append(r.committed[kind], id)
	r.mu.Unlock()
}

// user is one virtual phone or tablet.
type user struct {
	r      *run
	token  string
	parent bool
	home   int
	rnd    *rand.Rand
	seq    int

	id           string
	conversation string
	students     []string // a parent's children, or a teacher's class
	classroom    string
	// A parent's booking chances: the round, the child, slots to try.
	round, bookChild string
	slots            []string
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (res *response) code() string {
	if len(res.Errors) == 0 {
		return ""
	}
	c, _ := res.Errors[0].Extensions["code"].(string)
	if c == "" {
		c = "UNKNOWN"
	}
	return c
}

// do sends one operation to the user's server; a request that cannot reach
// it (refused, reset, timed out) is sent again to the next server: the
// same variables, so the same clientMutationId. It records the outcome under op.
func (u *user) do(ctx context.Context, op string, vars map[string]any, out any) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": u.r.ops[op], "operationName": op, "variables": vars})
	start := time.Now()
	var lastErr error
	for attempt := 0; attempt < 2*len(u.r.o.URLs); attempt++ {
		if ctx.Err() != nil && lastErr != nil {
			break
		}
		req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, u.r.o.URLs[u.home]+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+u.token)
		res, err := u.r.client.Do(req)
		if err != nil {
			lastErr = err
			u.home = (u.home + 1) % len(u.r.o.URLs) // the balancer moves us on
			u.r.rerouted.Add(1)
			continue
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode >= 500 && len(raw) == 0 {
			lastErr = fmt.Errorf("read: %v (status %d)", err, res.StatusCode)
			u.home = (u.home + 1) % len(u.r.o.URLs)
			u.r.rerouted.Add(1)
			continue
		}
		var gr response
		if err := json.Unmarshal(raw, &gr); err != nil {
			lastErr = fmt.Errorf("%s: status %d: %s", op, res.StatusCode, raw)
			break
		}
		code := gr.code()
		u.r.record(op, time.Since(start), code)
		if code == "" && out != nil {
			if err := json.Unmarshal(gr.Data, out); err != nil {
				return "", err
			}
		}
		if code != "" {
			return code, fmt.Errorf("%s: %s", op, gr.Errors[0].Message)
		}
		return "", nil
	}
	u.r.record(op, time.Since(start), "NETWORK")
	return "NETWORK", lastErr
}

func (u *user) cmid(kind string) string {
	u.seq++
	return fmt.Sprintf("load-%s-%s-%d-%d", kind, u.id[:8], time.Now().UnixNano()%1e9, u.seq)
}

func (u *user) setup(ctx context.Context) error {
	var v struct {
		Viewer struct {
			ID       string
			Children []struct {
				ID         string
				Classrooms []struct {
					ID       string
					Teachers []struct{ ID string }
				}
			}
			Classrooms []struct{ ID string }
		}
	}
	if _, err := u.do(ctx, "Viewer", nil, &v); err != nil {
		return err
	}
	u.id = v.Viewer.ID
	platform := "ANDROID"
	if u.rnd.IntN(2) == 0 {
		platform = "IOS"
	}
	if _, err := u.do(ctx, "RegisterDevice", map[string]any{"input": map[string]any{"token": "load-device-" + u.id, "platform": platform, "appVersion": "load"}}, nil); err != nil {
		return err
	}
	if u.parent {
		for _, c := range v.Viewer.Children {
			u.students = append(u.students, c.ID)
		}
		if len(v.Viewer.Children) == 0 || len(v.Viewer.Children[0].Classrooms) == 0 || len(v.Viewer.Children[0].Classrooms[0].Teachers) == 0 {
			return nil // a parent with nothing to do but read
		}
		child := v.Viewer.Children[0]
		teacher := child.Classrooms[0].Teachers[0].ID
		var c struct {
			StartConversation struct{ Conversation struct{ ID string } }
		}
		if _, err := u.do(ctx, "StartConversation", map[string]any{"input": map[string]any{"clientMutationId": "load-start-" + u.id,
			"studentId": child.ID, "participantIds": []string{teacher}, "subject": "Load test", "body": "Hello from the load test."}}, &c); err != nil {
			return err
		}
		u.conversation = c.StartConversation.Conversation.ID
		// The conference rounds this parent could book in.
		var rounds struct{ ConferenceRounds []struct{ ID string } }
		if _, err := u.do(ctx, "ConferenceRounds", nil, &rounds); err != nil {
			return err
		}
		for _, rd := range rounds.ConferenceRounds {
			var slots struct {
				ConferenceRound struct {
					Slots []struct{ ID string }
				}
			}
			if _, err := u.do(ctx, "ConferenceRound", map[string]any{"id": rd.ID, "teacherId": teacher}, &slots); err != nil {
				return err
			}
			if len(slots.ConferenceRound.Slots) > 0 {
				u.round, u.bookChild = rd.ID, child.ID
				for _, s := range slots.ConferenceRound.Slots {
					u.slots = append(u.slots, s.ID)
				}
				break
			}
		}
		return nil
	}
	if len(v.Viewer.Classrooms) == 0 {
		return nil
	}
	u.classroom = v.Viewer.Classrooms[0].ID
	var room struct {
		Classroom struct{ Students []struct{ ID string } }
	}
	if _, err := u.do(ctx, "Classroom", map[string]any{"id": u.classroom}, &room); err != nil {
		return err
	}
	for _, s := range room.Classroom.Students {
		u.students = append(u.students, s.ID)
	}
	return nil
}

// subscribe holds a viewerEvents subscription until ctx ends, counting
// events; ready gets nil once it is acknowledged (or the error).
func (u *user) subscribe(ctx context.Context, ready chan<- error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := wsclient.Dial(dctx, u.r.o.URLs[u.home], map[string]any{"Authorization": "Bearer " + u.token})
	cancel()
	if err != nil {
		ready <- err
		return
	}
	defer conn.Close()
	if err := conn.Subscribe(ctx, "v", u.r.ops["ViewerEvents"], nil); err != nil {
		ready <- err
		return
	}
	ready <- nil
	for {
		m, err := conn.Next(ctx, "v")
		if err != nil || m.Type != "next" {
			return // the run ended, or the server went away
		}
		u.r.events.Add(1)
	}
}

// loop runs the user's mix until ctx ends.
func (u *user) loop(ctx context.Context) {
	for ctx.Err() == nil {
		if u.parent {
			u.parentStep(ctx)
		} else {
			u.teacherStep(ctx)
		}
		if u.r.o.Think > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(u.r.o.Think):
			}
		}
	}
}

// parentStep: feed 55%, unread count 15%, a message 15%, the conversation
// list 10%, a booking and its cancellation 5%.
func (u *user) parentStep(ctx context.Context) {
	switch x := u.rnd.IntN(100); {
	case x < 55:
		vars := map[string]any{"first": 20}
		_, _ = u.do(ctx, "Feed", vars, nil)
	case x < 70:
		_, _ = u.do(ctx, "Viewer", nil, nil)
	case x < 85 && u.conversation != "":
		var out struct {
			SendMessage struct{ Message struct{ ID string } }
		}
		if _, err := u.do(ctx, "SendMessage", map[string]any{"input": map[string]any{"clientMutationId": u.cmid("msg"),
			"conversationId": u.conversation, "body": "Thanks for today! How did the reading go?"}}, &out); err == nil {
			u.r.commit("messages", out.SendMessage.Message.ID)
		}
	case x < 95:
		_, _ = u.do(ctx, "Conversations", map[string]any{"first": 20}, nil)
	default:
		if len(u.slots) == 0 {
			_, _ = u.do(ctx, "Feed", map[string]any{"first": 20}, nil)
			return
		}
		var out struct {
			BookConferenceSlot struct{ Booking struct{ ID string } }
		}
		slot := u.slots[u.rnd.IntN(len(u.slots))]
		if _, err := u.do(ctx, "BookConferenceSlot", map[string]any{"input": map[string]any{"clientMutationId": u.cmid("book"),
			"slotId": slot, "studentId": u.bookChild}}, &out); err == nil {
			id := out.BookConferenceSlot.Booking.ID
			u.r.commit("bookings", id)
			_, _ = u.do(ctx, "CancelConferenceBooking", map[string]any{"input": map[string]any{"bookingId": id}}, nil)
		}
	}
}

// teacherStep: a positive note to a child (pushed to the family) 40%, the
// classroom feed 60%.
func (u *user) teacherStep(ctx context.Context) {
	if len(u.students) == 0 || u.rnd.IntN(100) >= 40 {
		if u.classroom != "" {
			_, _ = u.do(ctx, "ClassroomFeed", map[string]any{"id": u.classroom, "first": 20}, nil)
		} else {
			_, _ = u.do(ctx, "Viewer", nil, nil)
		}
		return
	}
	var out struct {
		PostObservation struct{ Observations []struct{ ID string } }
	}
	if _, err := u.do(ctx, "PostObservation", map[string]any{"input": map[string]any{"clientMutationId": u.cmid("note"),
		"studentIds": []string{u.students[u.rnd.IntN(len(u.students))]}, "kind": "POSITIVE", "state": "SHARED",
		"body": "Helped a classmate find the right page and waited their turn.", "skills": []string{"KINDNESS", "TAKING_TURNS"}}}, &out); err == nil {
		for _, o := range out.PostObservation.Observations {
			u.r.commit("observations", o.ID)
		}
	}
}
