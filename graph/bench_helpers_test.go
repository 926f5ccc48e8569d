package graph_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database"
)

// interleave runs b.N calls, a and c in turn (a first), so that the
// machine's noise falls on both alike, and returns each side's total time
// and count: [0] is a's, [1] c's.
func interleave(b *testing.B, a, c func() error) (took [2]time.Duration, n [2]int) {
	b.Helper()
	for i := 0; i < b.N; i++ {
		side, call := i%2, a
		if side == 1 {
			call = c
		}
		start := time.Now()
		if err := call(); err != nil {
			b.Fatal(err)
		}
		took[side] += time.Since(start)
		n[side]++
	}
	return took, n
}

// appPool is a pgx pool of maxConns connections on env's database with the
// app's session settings: a benchmark's hand-written side, on the same
// footing as the server's.
func appPool(b *testing.B, env *apptest.Env, maxConns int32) *pgxpool.Pool {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(env.App.Config.DatabaseURL)
	if err != nil {
		b.Fatal(err)
	}
	for k, v := range database.SessionParams {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// postGraphQL posts body (a GraphQL request) to env's API as token's
// holder, as the app does, and returns the answer's body.
func postGraphQL(client *http.Client, env *apptest.Env, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}
