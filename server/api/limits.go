package api

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/auth"
)

// Limits on what one request and one caller may ask.
const (
	// MaxDepth bounds how deeply a query nests selections.
	MaxDepth = 15
	// DefaultRateLimit is a signed-in user's requests per second per
	// instance (config.Config.RateLimit): bursts of twice that, and a fifth
	// of it per IP address for anonymous callers.
	DefaultRateLimit = 50
)

// depthLimit refuses operations nesting deeper than max, before they run.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth(oc.Operation.SelectionSet, 0, d.max) > d.max {
		return &gqlerror.Error{Message: "the query nests too deeply", Extensions: map[string]any{"code": "BAD_USER_INPUT", "reason": "QUERY_TOO_DEEP"}}
	}
	return nil
}

// depth is the deepest nesting of set, counting fields; it stops counting
// once past limit (so fragment cycles, which validation refuses anyway,
// cannot run away).
func depth(set ast.SelectionSet, at, limit int) int {
	deepest := at
	if at > limit {
		return at
	}
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			d = depth(s.SelectionSet, at+1, limit)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, at, limit)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = depth(s.Definition.SelectionSet, at, limit)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// rateLimiter keeps a token bucket per signed-in user, else per IP
// address, and answers 429 RATE_LIMITED when one is empty. The buckets of
// the 100,000 most recent callers are kept.
type rateLimiter struct {
	perUser int
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
}

func newRateLimiter(perUser int) *rateLimiter {
	c, _ := lru.New[string, *rate.Limiter](100_000)
	return &rateLimiter{perUser: perUser, buckets: c}
}

func (l *rateLimiter) allow(key string, r rate.Limit, burst int) bool {
	l.mu.Lock()
	b, ok := l.buckets.Get(key)
	if !ok {
		b = rate.NewLimiter(r, burst)
		l.buckets.Add(key, b)
	}
	l.mu.Unlock()
	return b.Allow()
}

// middleware runs after sign-in, so a signed-in user is limited as
// themselves wherever they come from.
func (l *rateLimiter) middleware(next http.Handler) http.Handler {
	if l.perUser <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ipRate := max(l.perUser/5, 1)
		key, lim, burst := "ip:"+host, rate.Limit(ipRate), 2*ipRate
		switch v := auth.ViewerFrom(r.Context()); {
		case websocketUpgrade(r):
			// A websocket signs in inside the socket (connection_init), so
			// its upgrade is anonymous, and phones behind one school's or
			// carrier's NAT reconnect together after a network blip: a
			// bucket of their own, 20 times the anonymous one. Open sockets
			// are bounded per user (socketLimiter); one that never signs in
			// is closed after InitTimeout.
			key, lim, burst = "ws:"+host, rate.Limit(20*ipRate), 20*2*ipRate
		case v != nil:
			key, lim, burst = "user:"+v.ID, rate.Limit(l.perUser), 2*l.perUser
		}
		if !l.allow(key, lim, burst) {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []map[string]any{{
				"message":    "too many requests; slow down and retry in a second",
				"extensions": map[string]any{"code": string(models.CodeRateLimited)},
			}}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func websocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
