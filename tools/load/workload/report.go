package workload

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Report is what a run did and how fast.
type Report struct {
	Elapsed time.Duration
	Ops     map[string]*OpStats
	// Subscribers is how many websockets were open; Events how many
	// subscription events they received.
	Subscribers int
	Events      int64
	// Rerouted counts requests sent again to another server because theirs
	// could not be reached.
	Rerouted int64
	// Committed are the ids the servers answered for writes: messages,
	// observations and bookings (each booking was then cancelled).
	Committed map[string][]string
}

// OpStats are one operation's outcomes and latencies.
type OpStats struct {
	OK        int
	Errors    map[string]int // by extensions.code, or NETWORK
	latencies []time.Duration
}

// Percentile returns the p-th percentile (0–100) of successful latencies.
func (o *OpStats) Percentile(p float64) time.Duration {
	if len(o.latencies) == 0 {
		return 0
	}
	l := slices.Clone(o.latencies)
	slices.Sort(l)
	i := int(float64(len(l)-1) * p / 100)
	return l[i]
}

// Total is every outcome counted.
func (o *OpStats) Total() int {
	n := o.OK
	for _, e := range o.Errors {
		n += e
	}
	return n
}

// Requests is every request of the run.
func (r *Report) Requests() int {
	n := 0
	for _, o := range r.Ops {
		n += o.Total()
	}
	return n
}

// All is every operation's outcomes together.
func (r *Report) All() *OpStats {
	all := &OpStats{Errors: map[string]int{}}
	for _, o := range r.Ops {
		all.OK += o.OK
		all.latencies = append(all.latencies, o.latencies...)
		for k, v := range o.Errors {
			all.Errors[k] += v
		}
	}
	return all
}

// String is the report as a table.
func (r *Report) String() string {
	var b strings.Builder
	names := make([]string, 0, len(r.Ops))
	for n := range r.Ops {
		names = append(names, n)
	}
	sort.Strings(names)
	all := &OpStats{Errors: map[string]int{}}
	fmt.Fprintf(&b, "%-24s %8s %8s %9s %9s %9s  %s\n", "operation", "ok", "req/s", "p50", "p95", "p99", "errors")
	for _, n := range names {
		o := r.Ops[n]
		all.OK += o.OK
		all.latencies = append(all.latencies, o.latencies...)
		for k, v := range o.Errors {
			all.Errors[k] += v
		}
		fmt.Fprintf(&b, "%-24s %8d %8.1f %9s %9s %9s  %v\n", n, o.OK, float64(o.Total())/r.Elapsed.Seconds(),
			ms(o.Percentile(50)), ms(o.Percentile(95)), ms(o.Percentile(99)), o.Errors)
	}
	fmt.Fprintf(&b, "%-24s %8d %8.1f %9s %9s %9s  %v\n", "ALL", all.OK, float64(all.Total())/r.Elapsed.Seconds(),
		ms(all.Percentile(50)), ms(all.Percentile(95)), ms(all.Percentile(99)), all.Errors)
	fmt.Fprintf(&b, "%d websocket subscribers received %d events in %v\n", r.Subscribers, r.Events, r.Elapsed.Round(time.Millisecond))
	if r.Rerouted > 0 {
		fmt.Fprintf(&b, "%d requests rerouted to another server (theirs could not be reached)\n", r.Rerouted)
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
