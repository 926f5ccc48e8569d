package push

import "sync/atomic"

// Metrics count what the pipeline did since the process started. They are
// logged with every fan-out; a /metrics endpoint can export them.
type Metrics struct {
	Queued        atomic.Int64 // recipients taken up by a fan-out (committed notices only)
	Sent          atomic.Int64 // messages FCM accepted
	Failed        atomic.Int64 // deliveries given up on
	Retried       atomic.Int64 // deliveries put back for a retry (429/5xx)
	TokensRemoved atomic.Int64 // devices deleted for dead tokens
	Deferred      atomic.Int64 // recipients held for quiet or office hours
	Skipped       atomic.Int64 // recipients with the category turned off
}

// Snapshot returns the counters as a map, for logs and tests.
func (m *Metrics) Snapshot() map[string]int64 {
	return map[string]int64{
		"queued": m.Queued.Load(), "sent": m.Sent.Load(), "failed": m.Failed.Load(), "retried": m.Retried.Load(),
		"tokens_removed": m.TokensRemoved.Load(), "deferred": m.Deferred.Load(), "skipped": m.Skipped.Load(),
	}
}
