package api

import (
	"fmt"
	"log/slog"
	"testing"

	"golang.org/x/time/rate"
)

// BenchmarkRateLimitAllow is what the rate limit costs a request on its
// path: local buckets only, and with the shared limits recording what each
// request spent (the exchange with PostgreSQL runs apart, one statement per
// instance every SyncEvery, whatever the traffic).
func BenchmarkRateLimitAllow(b *testing.B) {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("user:%d", i)
	}
	run := func(b *testing.B, l *rateLimiter) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			l.allowN(keys[i%len(keys)], rate.Inf, 100, 1)
		}
	}
	b.Run("local", func(b *testing.B) { run(b, newRateLimiter(50, nil)) })
	b.Run("shared", func(b *testing.B) {
		run(b, newRateLimiter(50, NewSharedLimits(nil, slog.New(slog.DiscardHandler), 0)))
	})
}
