package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/httperr"
)

// admission bounds the GraphQL requests one instance works on at once.
// A request waits for a place at most wait; past that the instance is
// overloaded and says so at once (HTTP 503, Retry-After, code
// UNAVAILABLE) rather than queueing it for tens of seconds until it times
// out: the app retries, and a mutation's clientMutationId makes the retry
// safe. Websocket upgrades are not counted (sockets have their own
// limits).
type admission struct {
	slots chan struct{}
	wait  time.Duration
	// shed counts refusals (metrics), when set.
	shed func()
}

func newAdmission(inFlight int, wait time.Duration, shed func()) *admission {
	if inFlight <= 0 {
		return nil
	}
	return &admission{slots: make(chan struct{}, inFlight), wait: wait, shed: shed}
}

func (a *admission) middleware(next http.Handler) http.Handler {
	if a == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case a.slots <- struct{}{}:
		default:
			t := time.NewTimer(a.wait)
			select {
			case a.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				a.refuse(w)
				return
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		defer func() { <-a.slots }()
		next.ServeHTTP(w, r)
	})
}

func (a *admission) refuse(w http.ResponseWriter) {
	if a.shed != nil {
		a.shed()
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(a.wait.Round(time.Second)/time.Second))))
	httperr.Code(w, http.StatusServiceUnavailable, models.CodeUnavailable, "the server is busy: retry in a second")
}
