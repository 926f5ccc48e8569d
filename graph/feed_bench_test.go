package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"time"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/tools/benchdb"
)

// BenchmarkFeedPage: the demo school scaled to 1,000 students and 100,000
// observations; one parent's feed page (20 items) through the GraphQL
// handler over HTTP, as the app sends it (mobile-contracts Feed), against the
// same page by hand-written SQL on the same database (pgx, rows scanned
// into structs: the page in one statement, its attachments in a second, as
// the operation selects both): one client at a time, and 8 at once, and
// the two sides interleaved request by request (interleaved). Then
// the same page for a guardian reading Spanish, every item translated,
// interleaved with the untranslated page (translated-interleaved).
// `make bench-feed` prints medians and the ratios.
func BenchmarkFeedPage(b *testing.B) {
	env := apptest.New(b, apptest.Options{Seed: true, NoWorkers: true, Translate: true,
		// One client asks as fast as it can: rate limiting would answer 429.
		Env: map[string]string{"SAMESIDE_RATE_LIMIT": "0", "SAMESIDE_DB_MAX_CONNS": "20"}})
	ctx := context.Background()
	if err := benchdb.ScaleSchool(env.DB, 100, true); err != nil {
		b.Fatal(err)
	}
	parent := env.User("parent")
	token := env.TokenFor(parent)
	ops, err := contracts.Operations()
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": ops["Feed"], "operationName": "Feed", "variables": map[string]any{"first": 20}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	// A second guardian of the same children, reading Spanish: the same
	// page, every item translated.
	reader := &models.User{FirebaseUID: "bench-spanish-parent", DisplayName: "Lucía Parent", Locale: "es-MX", TimeZone: "UTC"}
	if err := env.DB.Create(reader).Error; err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO memberships (user_id, school_id, role) SELECT ?, school_id, role FROM memberships WHERE user_id = ?`,
		`INSERT INTO guardianships (school_id, student_id, user_id, relationship) SELECT school_id, student_id, ?, 'GUARDIAN' FROM guardianships WHERE user_id = ?`,
	} {
		if err := env.DB.Exec(q, reader.ID, parent.ID).Error; err != nil {
			b.Fatal(err)
		}
	}
	spanishToken := env.TokenFor(reader)
	pageAs := func(token string) error {
		raw, err := postGraphQL(client, env, token, body)
		if err != nil {
			return err
		}
		var out struct {
			Data struct {
				Feed struct{ Edges []json.RawMessage }
			}
			Errors []any
		}
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 || len(out.Data.Feed.Edges) != 20 {
			return fmt.Errorf("feed: %s", raw)
		}
		return nil
	}
	graphqlPage := func() error { return pageAs(token) }

	// The same session settings as the app's connections, as many (20).
	pool := appPool(b, env, 20)
	const page = `SELECT o.id, o.group_id, o.kind, o.body, o.skills, o.edited_after_sharing, o.shared_at, o.feed_at,
			u.id, u.display_name, s.id, s.first_name, s.preferred_name, s.last_name, a.reaction, a.created_at,
			(SELECT count(*) FROM observation_responses r WHERE r.observation_id = o.id AND r.author_id = $1)
		FROM observations o JOIN users u ON u.id = o.author_id JOIN students s ON s.id = o.student_id
		LEFT JOIN acknowledgements a ON a.observation_id = o.id AND a.user_id = $1
		WHERE o.state = 'SHARED' AND o.student_id IN (SELECT g.student_id FROM guardianships g WHERE g.user_id = $1 AND NOT g.restricted)
		ORDER BY o.feed_at DESC, o.id DESC LIMIT 21`
	type item struct {
		ID, Group, Kind, Body  string
		Skills                 []string
		Edited                 bool
		SharedAt, FeedAt       *time.Time
		AuthorID, Author       string
		StudentID, First, Last string
		Preferred, Reaction    *string
		AckAt                  *time.Time
		Responses              int64
	}
	rawPage := func() error {
		rows, err := pool.Query(ctx, page, parent.ID)
		if err != nil {
			return err
		}
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.ID, &it.Group, &it.Kind, &it.Body, &it.Skills, &it.Edited, &it.SharedAt, &it.FeedAt, &it.AuthorID, &it.Author,
				&it.StudentID, &it.First, &it.Preferred, &it.Last, &it.Reaction, &it.AckAt, &it.Responses); err != nil {
				rows.Close()
				return err
			}
			items = append(items, it)
		}
		if rows.Err() != nil || len(items) != 21 {
			return fmt.Errorf("raw page: %d rows, %v", len(items), rows.Err())
		}
		// The page's attachments, as the Feed operation selects them.
		groups := make([]string, 0, 20)
		for _, it := range items[:20] {
			groups = append(groups, it.Group)
		}
		att, err := pool.Query(ctx, `SELECT id, item_id, content_type, width, height FROM uploads
			WHERE item_type = 'OBSERVATION_GROUP' AND item_id = ANY($1::uuid[]) ORDER BY position`, groups)
		if err != nil {
			return err
		}
		for att.Next() {
			var id, item, contentType string
			var w, h *int32
			if err := att.Scan(&id, &item, &contentType, &w, &h); err != nil {
				att.Close()
				return err
			}
		}
		return att.Err()
	}

	// Warm both sides up first (the database's cache, the server's), so
	// that the case measured first is not measured cold.
	for range 200 {
		if err := graphqlPage(); err != nil {
			b.Fatal(err)
		}
		if err := rawPage(); err != nil {
			b.Fatal(err)
		}
	}
	// One client after another (latency), then 8 at once (throughput: the
	// machine's cores are busy, as a server's are under load).
	for _, side := range []struct {
		name string
		page func() error
	}{{"graphql-http", graphqlPage}, {"raw-sql", rawPage}} {
		b.Run(side.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := side.page(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
		b.Run(side.name+"-parallel", func(b *testing.B) {
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := side.page(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}

	// The two sides interleaved request by request, one client: the
	// machine's noise falls on both alike. Each request's time goes to its
	// side; the metrics are each side's pages per second of its own time
	// (make bench-feed prints the median of the runs' paired ratios).
	b.Run("interleaved", func(b *testing.B) {
		took, n := interleave(b, graphqlPage, rawPage)
		b.ReportMetric(float64(n[0])/took[0].Seconds(), "graphql-pages/s")
		b.ReportMetric(float64(n[1])/max(took[1].Seconds(), 1e-9), "raw-pages/s")
	})

	// Translated against untranslated, interleaved request by request (the
	// machine's noise falls on both alike): the English-reading parent's
	// page and the Spanish-reading guardian's, every item of it a
	// translation read from the server's memory. Each request's time goes
	// to its side; the metrics are each side's pages per second of its
	// own time.
	if err := checkTranslated(env, spanishToken, body); err != nil {
		b.Fatal(err)
	}
	b.Run("translated-interleaved", func(b *testing.B) {
		took, n := interleave(b, func() error { return pageAs(token) }, func() error { return pageAs(spanishToken) })
		b.ReportMetric(float64(n[0])/took[0].Seconds(), "untranslated-pages/s")
		b.ReportMetric(float64(n[1])/max(took[1].Seconds(), 1e-9), "translated-pages/s")
	})
}

// checkTranslated fails unless the feed page comes back translated.
func checkTranslated(env *apptest.Env, token string, body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if !bytes.Contains(raw, []byte(`"body":"Traducido: `)) || !bytes.Contains(raw, []byte(`"translated":true`)) {
		return fmt.Errorf("the page is not translated: %.300s", raw)
	}
	return nil
}

// BenchmarkFeedHistory: the parent's feed page (the app's Feed) on a
// school with 10,000 observations and on one with 1,000,000 (10 and 1,000
// a student), two servers on two databases, requests interleaved one by
// one (the machine's noise falls on both alike), in 5 rounds. Each round
// reports both sides' median latency; `make bench-history` prints the
// medians and the median of the rounds' ratios of 1M to 10k.
func BenchmarkFeedHistory(b *testing.B) {
	type side struct {
		name  string
		env   *apptest.Env
		token string
	}
	opts := apptest.Options{Seed: true, NoWorkers: true,
		Env: map[string]string{"SAMESIDE_RATE_LIMIT": "0", "SAMESIDE_DB_MAX_CONNS": "20"}}
	var sides []*side
	for _, s := range []struct {
		name       string
		perStudent int
	}{{"10k", 10}, {"1M", 1000}} {
		env := apptest.New(b, opts)
		if err := benchdb.ScaleSchool(env.DB, s.perStudent, false); err != nil {
			b.Fatal(err)
		}
		var n int64
		env.DB.Table("observations").Count(&n)
		b.Logf("%s: %d observations", s.name, n)
		sides = append(sides, &side{s.name, env, env.TokenFor(env.User("parent"))})
	}
	ops, err := contracts.Operations()
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": ops["Feed"], "operationName": "Feed", "variables": map[string]any{"first": 20}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	page := func(s *side) (time.Duration, error) {
		req, _ := http.NewRequest(http.MethodPost, s.env.Server.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		took := time.Since(start)
		var out struct {
			Data struct {
				Feed struct{ Edges []json.RawMessage }
			}
			Errors []any
		}
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 || len(out.Data.Feed.Edges) != 20 {
			return 0, fmt.Errorf("%s feed: %d edges, errors %v: %.200s", s.name, len(out.Data.Feed.Edges), out.Errors, raw)
		}
		return took, nil
	}
	for range 200 { // warm both up
		for _, s := range sides {
			if _, err := page(s); err != nil {
				b.Fatal(err)
			}
		}
	}
	// The rounds are here, not -count's: each count would build the
	// million rows again.
	for range 5 {
		b.Run("interleaved", func(b *testing.B) {
			took := make([][]time.Duration, len(sides))
			for i := 0; i < b.N; i++ {
				s := i % len(sides)
				d, err := page(sides[s])
				if err != nil {
					b.Fatal(err)
				}
				took[s] = append(took[s], d)
			}
			for i, s := range sides {
				if len(took[i]) == 0 {
					return
				}
				slices.Sort(took[i])
				b.ReportMetric(float64(took[i][len(took[i])/2].Microseconds())/1000, s.name+"-p50-ms")
			}
		})
	}
}
