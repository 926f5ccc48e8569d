package api

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	"github.com/sameside/sameside/graph"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/httperr"
)

// Limits on what one request and one caller may ask.
const (
	// MaxDepth bounds how deeply a query nests selections.
	MaxDepth = 15
	// DefaultRateLimit is a signed-in user's requests per second per
	// instance (config.Config.RateLimit): bursts of twice that, and a fifth
	// of it per IP address for anonymous callers.
	DefaultRateLimit = 50
	// MaxMutationFields bounds the mutation fields (aliases included) of
	// one request: the app sends one; a few leave room for a batch screen.
	MaxMutationFields = 10
	// CostPerToken is how much query complexity one rate-limit token
	// buys: a request pays one token on arrival and one more for every
	// CostPerToken of complexity beyond the first.
	CostPerToken = 100
	// DefaultListCost is the length assumed for a list field whose "first"
	// is not given and has no default.
	DefaultListCost = 20
)

// costedSchema prices list fields by what they ask for: a field with a
// "first" argument costs 1 + first × its selection, so asking for 100
// items of a connection costs 100 times one item, and aliasing a list
// field many times adds up. Everything else costs as gqlgen counts it.
type costedSchema struct{ graphql.ExecutableSchema }

func (c costedSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if n, ok := c.ExecutableSchema.Complexity(ctx, typeName, field, child, args); ok {
		return n, ok
	}
	first, ok := args["first"]
	if !ok {
		return 0, false
	}
	n := intArg(first)
	if n <= 0 {
		n = DefaultListCost
	}
	if child > (1<<31)/n {
		return 1 << 31, true // saturate rather than overflow
	}
	return 1 + n*max(child, 1), true
}

func intArg(v any) int {
	switch v := v.(type) {
	case int:
		return v
	case int32:
		return int(v)
	case int64:
		return int(min(v, 1<<20))
	case float64:
		return int(min(v, 1<<20))
	case json.Number:
		n, _ := v.Int64()
		return int(min(n, 1<<20))
	case *int:
		if v != nil {
			return *v
		}
	}
	return 0
}

// mutationLimit refuses operations with more than max mutation fields.
type mutationLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = mutationLimit{}

func (mutationLimit) ExtensionName() string                          { return "MutationLimit" }
func (mutationLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (m mutationLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	if n := len(graphql.CollectFields(oc, oc.Operation.SelectionSet, nil)); n > m.max {
		return graph.GQLError(&models.Error{Code: models.CodeBadUserInput, Reason: models.ReasonTooManyMutations,
			Message: fmt.Sprintf("a request may hold at most %d mutations (it has %d)", m.max, n)})
	}
	return nil
}

// complexityLimit is gqlgen's FixedComplexityLimit with its arithmetic
// remembered: an operation's complexity depends only on its text, its name
// and its variables, and the app sends the same few operations with the
// same variables over and over (gqlgen's walk of the feed's selection took
// 5% of the server's CPU a feed page in BenchmarkFeedPage's profile). The
// stats it records are gqlgen's own (extension.GetComplexityStats reads
// them), and an operation over the limit gets gqlgen's error.
type complexityLimit struct {
	max  int
	es   graphql.ExecutableSchema
	seed maphash.Seed
	// known maps the hash of (query, operation name, variables as JSON)
	// to the complexity calculated for them. The seed is the process's
	// own, chosen at random: no caller can aim for a collision.
	known *lru.Cache[uint64, int]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*complexityLimit)(nil)

func newComplexityLimit(max int) *complexityLimit {
	known, _ := lru.New[uint64, int](4096)
	return &complexityLimit{max: max, seed: maphash.MakeSeed(), known: known}
}

// ExtensionName is gqlgen's own, so that GetComplexityStats finds the stats.
func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

func (c *complexityLimit) Validate(schema graphql.ExecutableSchema) error {
	c.es = schema
	return nil
}

func (c *complexityLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	n, ok := 0, false
	var key uint64
	vars, err := json.Marshal(oc.Variables)
	if err == nil {
		var h maphash.Hash
		h.SetSeed(c.seed)
		h.WriteString(oc.RawQuery)
		h.WriteByte(0)
		h.WriteString(oc.OperationName)
		h.WriteByte(0)
		h.Write(vars)
		key = h.Sum64()
		n, ok = c.known.Get(key)
	}
	if !ok {
		n = complexity.Calculate(ctx, c.es, oc.Doc.Operations.ForName(oc.OperationName), oc.Variables)
		if err == nil {
			c.known.Add(key, n)
		}
	}
	oc.Stats.SetExtension(c.ExtensionName(), &extension.ComplexityStats{Complexity: n, ComplexityLimit: c.max})
	if n > c.max {
		e := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", n, c.max)
		errcode.Set(e, "COMPLEXITY_LIMIT_EXCEEDED")
		return e
	}
	return nil
}

// costCharge takes from the caller's rate-limit bucket what an operation
// costs beyond the token its request paid on arrival (see CostPerToken),
// once its complexity is known and before it runs; over a websocket, where
// no HTTP request pays, it charges the whole cost. A caller without the
// tokens gets RATE_LIMITED.
type costCharge struct{ limiter *rateLimiter }

func (costCharge) ExtensionName() string                          { return "CostCharge" }
func (costCharge) Validate(schema graphql.ExecutableSchema) error { return nil }

func (c costCharge) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	stats := extension.GetComplexityStats(ctx)
	user := models.SignedInUserID(ctx) // confirmed or not: a key, not access
	if stats == nil || user == "" || c.limiter.perUser <= 0 {
		return nil
	}
	tokens := (stats.Complexity + CostPerToken - 1) / CostPerToken
	if paid, _ := ctx.Value(paidKey{}).(bool); paid {
		tokens--
	}
	if tokens <= 0 || c.limiter.allowUser(user, tokens) {
		return nil
	}
	markStatus(ctx, http.StatusTooManyRequests, "1")
	return graph.GQLError(&models.Error{Code: models.CodeRateLimited, Reason: models.ReasonCost,
		Message: "too many requests; slow down and retry in a second"})
}

type paidKey struct{}

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
		return graph.GQLError(&models.Error{Code: models.CodeBadUserInput, Reason: models.ReasonQueryTooDeep, Message: "the query nests too deeply"})
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
	// shared, when set, makes the buckets hold across instances.
	shared  *SharedLimits
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
}

func newRateLimiter(perUser int, shared *SharedLimits) *rateLimiter {
	c, _ := lru.New[string, *rate.Limiter](100_000)
	return &rateLimiter{perUser: perUser, shared: shared, buckets: c}
}

func (l *rateLimiter) allow(key string, r rate.Limit, burst int) bool {
	return l.allowN(key, r, burst, 1)
}

// allowN takes n tokens from key's bucket, telling the other instances.
func (l *rateLimiter) allowN(key string, r rate.Limit, burst, n int) bool {
	b := l.bucket(key, r, burst)
	if !b.AllowN(time.Now(), n) {
		return false
	}
	if l.shared != nil {
		l.shared.spent(key, n, b, burst)
	}
	return true
}

func (l *rateLimiter) bucket(key string, r rate.Limit, burst int) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets.Get(key)
	if !ok {
		b = rate.NewLimiter(r, burst)
		l.buckets.Add(key, b)
	}
	return b
}

// allowUser takes n tokens from a signed-in user's bucket.
func (l *rateLimiter) allowUser(id string, n int) bool {
	return l.allowN("user:"+id, rate.Limit(l.perUser), 2*l.perUser, n)
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
		switch user := models.SignedInUserID(r.Context()); {
		case websocketUpgrade(r):
			// A websocket signs in inside the socket (connection_init), so
			// its upgrade is anonymous, and phones behind one school's or
			// carrier's NAT reconnect together after a network blip: a
			// bucket of their own, 20 times the anonymous one. Open sockets
			// are bounded per user (socketLimiter); one that never signs in
			// is closed after InitTimeout.
			key, lim, burst = "ws:"+host, rate.Limit(20*ipRate), 20*2*ipRate
		case user != "":
			key, lim, burst = "user:"+user, rate.Limit(l.perUser), 2*l.perUser
		}
		if !l.allow(key, lim, burst) {
			w.Header().Set("Retry-After", "1")
			httperr.Code(w, http.StatusTooManyRequests, models.CodeRateLimited, "too many requests; slow down and retry in a second")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), paidKey{}, true)))
	})
}

func websocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
