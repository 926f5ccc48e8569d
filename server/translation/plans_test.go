package translation

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// maxPlanNodes bounds the plan of each statement a drain runs. PostgreSQL
// sets up and tears down every node of a plan on each run, whether it runs
// or not: the claim that read the items of all thirteen kinds in one
// statement planned 586 nodes and ran about 2 ms on a warm connection with
// nothing queued, 2.5 ms with 20 messages; the claim and the messages'
// read now 0.02 ms and 0.5 ms (EXPLAIN ANALYZE on the demo school's
// database). A drain runs several times a second under load.
const maxPlanNodes = 150

// TestDrainStatementsStaySmall: the claim, and each kind's read of its
// claimed items, plan at most maxPlanNodes nodes.
func TestDrainStatementsStaySmall(t *testing.T) {
	ctx := context.Background()
	conn := dbtest.Conn(t)
	statements := map[string]string{"claim": claimSQL}
	for kind, sql := range itemsSQL {
		statements[kind] = sql
	}
	for _, name := range slices.Sorted(maps.Keys(statements)) {
		sql := statements[name]
		args := []any{}
		for n := 1; strings.Contains(sql, "?"); n++ {
			sql = strings.Replace(sql, "?", "$"+strconv.Itoa(n), 1)
			args = append(args, nil)
		}
		var plan []struct{ Plan node }
		if err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := plan[0].Plan.count(); n > maxPlanNodes {
			t.Errorf("%s: a plan of %d nodes, want at most %d", name, n, maxPlanNodes)
		}
	}
}

type node struct {
	Plans []node `json:"Plans"`
}

func (n node) count() int {
	c := 1
	for _, p := range n.Plans {
		c += p.count()
	}
	return c
}
