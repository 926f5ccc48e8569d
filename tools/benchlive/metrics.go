package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sameside/sameside/tools/benchdb"
)

// series is one scrape of a server's /metrics: each series ("name{labels}")
// and its value.
type series map[string]float64

// scrape reads a server's /metrics (open in development) with
// Prometheus's own parser, and keys each series as the text format shows
// it: name{label="value",...}, labels in name order, a histogram as its
// _count and _sum.
func scrape(ctx context.Context, base string) (series, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return nil, fmt.Errorf("/metrics: %w", err)
	}
	out := series{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := m.GetLabel()
			slices.SortFunc(labels, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
			var b strings.Builder
			for i, l := range labels {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%s=%q", l.GetName(), l.GetValue())
			}
			key := func(n string) string {
				if b.Len() == 0 {
					return n
				}
				return n + "{" + b.String() + "}"
			}
			switch {
			case m.GetCounter() != nil:
				out[key(name)] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key(name)] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[key(name+"_count")] = float64(m.GetHistogram().GetSampleCount())
				out[key(name+"_sum")] = m.GetHistogram().GetSampleSum()
				for _, bk := range m.GetHistogram().GetBucket() {
					out[bucketKey(key(name), bk.GetUpperBound())] = float64(bk.GetCumulativeCount())
				}
			case m.GetUntyped() != nil:
				out[key(name)] = m.GetUntyped().GetValue()
			}
		}
	}
	return out, nil
}

// bucketKey is the key of a histogram's cumulative bucket with upper
// bound le in a series: the histogram's own key and the bound.
func bucketKey(histogram string, le float64) string {
	return fmt.Sprintf("%s bucket %g", histogram, le)
}

// median is the median over the measured run (after minus before) of the
// histogram keyed histogram (name{labels}) with count its _count series,
// interpolated within its bucket as Prometheus's histogram_quantile does;
// 0 without observations.
func median(before, after series, histogram, count string) float64 {
	type bucket struct{ le, n float64 }
	var bs []bucket
	prefix := histogram + " bucket "
	for k, v := range after {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			var le float64
			if _, err := fmt.Sscanf(rest, "%g", &le); err == nil {
				bs = append(bs, bucket{le, v - before[k]})
			}
		}
	}
	slices.SortFunc(bs, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
	total := after[count] - before[count]
	if len(bs) == 0 || total <= 0 {
		return 0
	}
	half, lower, below := total/2, 0.0, 0.0
	for _, b := range bs {
		if b.n >= half {
			if math.IsInf(b.le, 1) {
				return lower // past the last bound: its lower bound, as Prometheus says
			}
			if b.n == below {
				return b.le
			}
			return lower + (b.le-lower)*(half-below)/(b.n-below)
		}
		lower, below = b.le, b.n
	}
	return bs[len(bs)-1].le
}

// scrapeAll scrapes every server; a server that does not answer has no
// series (its figures print as zero).
func scrapeAll(ctx context.Context, servers []*benchdb.Process) []series {
	out := make([]series, len(servers))
	for i, s := range servers {
		if m, err := scrape(ctx, s.URL); err == nil {
			out[i] = m
		} else {
			out[i] = series{}
		}
	}
	return out
}

// serverSide prints, per server, what its own metrics say of the measured
// run (after minus before): sendMessage's time inside the server, how
// often and how long requests and jobs waited for one of the API pool's
// connections, and the requests refused for overload. Read beside the
// client's sendMessage latency, it says where the time went.
func serverSide(before, after []series) {
	for i := range after {
		d := func(name string) float64 { return after[i][name] - before[i][name] }
		ops := d(`sameside_graphql_operation_duration_seconds_count{operation="SendMessage",type="mutation"}`)
		secs := d(`sameside_graphql_operation_duration_seconds_sum{operation="SendMessage",type="mutation"}`)
		waits := d(`go_sql_wait_count_total{db_name="api"}`)
		waited := d(`go_sql_wait_duration_seconds_total{db_name="api"}`)
		mean := 0.0
		if ops > 0 {
			mean = secs / ops * 1000
		}
		fmt.Printf("server %d: SendMessage %.0f, mean %.1f ms inside the server; API pool: %.0f waits for a connection, %.1f s waited in all (%.1f ms a SendMessage if all were theirs); %.0f requests refused for overload\n",
			i+1, ops, mean, waits, waited, waited/max(ops, 1)*1000, d(`sameside_requests_shed_total`))
		// The message's own statement and a delivery's read, timed by the
		// server from asking for a connection to the last row.
		for _, st := range []struct{ name, what string }{{"send_message", "the message's statement"}, {"message_in", "a delivery's read"}} {
			name, labels := "sameside_db_statement_duration_seconds", `{statement="`+st.name+`"}`
			count := name + "_count" + labels
			n := d(count)
			fmt.Printf("server %d: %s (%s) %.0f times, p50 %.2f ms, mean %.2f ms\n",
				i+1, st.what, st.name, n, median(before[i], after[i], name+labels, count)*1000, d(name+"_sum"+labels)/max(n, 1)*1000)
		}
	}
}
