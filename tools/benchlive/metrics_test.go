package main

import (
	"math"
	"testing"
)

// TestMedian: the median of the run is the difference of two scrapes,
// interpolated within its bucket as histogram_quantile does.
func TestMedian(t *testing.T) {
	const h, count = `x{statement="s"}`, `x_count{statement="s"}`
	scrapeOf := func(n1, n2, n4, inf float64) series {
		return series{bucketKey(h, 0.001): n1, bucketKey(h, 0.002): n2, bucketKey(h, 0.004): n4, bucketKey(h, math.Inf(1)): inf, count: inf}
	}
	before := scrapeOf(10, 10, 10, 10) // earlier observations, not the run's
	for _, c := range []struct {
		after series
		want  float64
	}{
		// 4 in the run, all in (0.002, 0.004]: the median halfway there.
		{scrapeOf(10, 10, 14, 14), 0.003},
		// 2 in the first bucket, 2 in the third: the median at the first's top.
		{scrapeOf(12, 12, 14, 14), 0.001},
		// 10 in the run: 1 below 1 ms, 9 in (1, 2] ms: rank 5 is 4/9 in.
		{scrapeOf(11, 20, 20, 20), 0.001 + 0.001*4/9},
		// 4 in the run, 3 past the last bound: the last bound, as
		// histogram_quantile says (not +Inf).
		{scrapeOf(11, 11, 11, 14), 0.004},
		// None in the run.
		{before, 0},
	} {
		if got := median(before, c.after, h, count); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("median = %g, want %g", got, c.want)
		}
	}
}
