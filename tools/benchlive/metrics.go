package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sameside/sameside/tools/benchdb"
)

// series is one scrape of a server's /metrics: each series ("name{labels}")
// and its value.
type series map[string]float64

// scrape reads a server's /metrics (open in development).
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
	out := series{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
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
	}
}
