package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// BenchmarkSendMessage: a teacher's message to a parent through the
// GraphQL handler over HTTP, as the app sends it (mobile-contracts
// SendMessage, with a clientMutationId), against a bare INSERT of a message
// row and its COMMIT on the same database (pgx, one statement outside a
// transaction: the disk's floor), one client, the two sides interleaved
// call by call so that the machine's noise falls on both alike. Each
// call's time goes to its side; the metrics are each side's mean
// milliseconds a call. `make bench-send` prints the median of the runs'
// ratios.
//
// It is sendMessage's own cost on a quiet machine: make bench-live
// measures it again among 1,000 subscribers, two instances and the push
// workers, where the machine's two cores are busy and every round trip
// waits its turn. The workers are stopped here (the pushes' cost is
// make bench-push's).
func BenchmarkSendMessage(b *testing.B) {
	env := apptest.New(b, apptest.Options{Seed: true, NoWorkers: true,
		Env: map[string]string{"SAMESIDE_RATE_LIMIT": "0"}})
	ctx := context.Background()
	parent := env.User("parent")
	// A child of the parent's and one of the child's teachers.
	var pair struct{ Student, Teacher string }
	if err := env.DB.Raw(`SELECT g.student_id AS student, cs.user_id AS teacher FROM guardianships g
		JOIN enrollments e ON e.student_id = g.student_id JOIN classroom_staff cs ON cs.classroom_id = e.classroom_id
		WHERE g.user_id = ? ORDER BY g.student_id, cs.user_id LIMIT 1`, parent.ID).Scan(&pair).Error; err != nil || pair.Teacher == "" {
		b.Fatalf("a child's teacher: %v", err)
	}
	var teacher models.User
	if err := env.DB.Take(&teacher, "id = ?", pair.Teacher).Error; err != nil {
		b.Fatal(err)
	}
	token := env.TokenFor(&teacher)
	var started struct {
		StartConversation struct{ Conversation struct{ ID string } }
	}
	env.Do(token, qStart, map[string]any{"in": map[string]any{"clientMutationId": "bench-start", "studentId": pair.Student,
		"participantIds": []string{parent.ID}, "subject": "Reading at home", "body": "Could we talk about reading?"}}).Decode(b, &started)
	conversation := started.StartConversation.Conversation.ID
	if conversation == "" {
		b.Fatal("no conversation started")
	}

	ops, err := contracts.Operations()
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	sent := 0
	send := func() error {
		sent++
		n := strconv.Itoa(sent)
		body, _ := json.Marshal(map[string]any{"query": ops["SendMessage"], "operationName": "SendMessage",
			"variables": map[string]any{"input": map[string]any{"clientMutationId": "bench-" + n, "conversationId": conversation, "body": "bench " + n}}})
		raw, err := postGraphQL(client, env, token, body)
		if err != nil {
			return err
		}
		var out struct {
			Data struct {
				SendMessage struct{ Message struct{ Body string } }
			}
			Errors []any
		}
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 || out.Data.SendMessage.Message.Body != "bench "+n {
			return fmt.Errorf("sendMessage: %s", raw)
		}
		return nil
	}

	// The floor: the app's session settings, a conversation of its own
	// (the app's sequence counter untouched), one row a call.
	pool := appPool(b, env, 0)
	var probe string
	if err := pool.QueryRow(ctx, `INSERT INTO conversations (school_id, subject, created_by_id)
		SELECT school_id, 'Probe', created_by_id FROM conversations WHERE id = $1 RETURNING id`, conversation).Scan(&probe); err != nil {
		b.Fatal(err)
	}
	seq := 0
	insert := func() error {
		seq++
		_, err := pool.Exec(ctx, `INSERT INTO messages (conversation_id, seq, sender_id, body) VALUES ($1, $2, $3, $4)`,
			probe, seq, teacher.ID, "probe "+strconv.Itoa(seq))
		return err
	}

	// Warm both sides up (connections, prepared statements, caches).
	for range 100 {
		if err := send(); err != nil {
			b.Fatal(err)
		}
		if err := insert(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("interleaved", func(b *testing.B) {
		took, n := interleave(b, send, insert)
		ms := func(side int) float64 {
			return took[side].Seconds() * 1000 / float64(max(n[side], 1))
		}
		b.ReportMetric(ms(0), "sendMessage-ms")
		b.ReportMetric(ms(1), "insert-ms")
	})
}
