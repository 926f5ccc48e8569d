package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/auth"
	"github.com/sameside/sameside/server/database"
)

// pageSQL is the parent's feed page in one statement: the viewer by their
// sign-in uid ($1), each of their children's newest SHARED notes through
// the feed index (at most $2 each), merged, the first $2 of those, with
// author, child, the viewer's acknowledgement, their response count, the
// note's attachments and the body's stored translation into the viewer's
// language. The floor runs it, and PostGraphile's function is the same
// statement.
const pageSQL = `WITH viewer AS (SELECT id, lower(split_part(locale, '-', 1)) AS lang FROM users WHERE firebase_uid = $1),
page AS (
	SELECT o.* FROM unnest(ARRAY(SELECT g.student_id FROM guardianships g WHERE g.user_id = (SELECT id FROM viewer) AND g.grants_access)) AS vs(id)
	CROSS JOIN LATERAL (SELECT * FROM observations o WHERE o.state = 'SHARED' AND o.student_id = vs.id
		ORDER BY o.feed_at DESC, o.id DESC LIMIT $2) o
	ORDER BY o.feed_at DESC, o.id DESC LIMIT $2)
SELECT p.id, p.kind::text, CASE WHEN t.target <> t.source AND p.author_id <> (SELECT id FROM viewer) THEN t.text ELSE p.body END,
	p.body, t.source, coalesce(t.target <> t.source AND p.author_id <> (SELECT id FROM viewer), false),
	p.skills, p.edited_after_sharing, p.shared_at, p.feed_at,
	u.id, u.display_name, s.id, coalesce(nullif(s.preferred_name, ''), s.first_name) || ' ' || s.last_name,
	a.reaction::text, a.created_at,
	(SELECT count(*) FROM observation_responses r WHERE r.observation_id = p.id AND r.author_id = (SELECT id FROM viewer)),
	(SELECT coalesce(json_agg(json_build_object('id', f.id, 'contentType', f.content_type, 'width', f.width, 'height', f.height) ORDER BY f.position), '[]')
		FROM uploads f WHERE f.item_type = 'OBSERVATION_GROUP' AND f.item_id = p.group_id
		AND f.user_id IN (SELECT m.user_id FROM memberships m WHERE m.school_id = p.school_id))
FROM page p JOIN users u ON u.id = p.author_id JOIN students s ON s.id = p.student_id
LEFT JOIN acknowledgements a ON a.observation_id = p.id AND a.user_id = (SELECT id FROM viewer)
LEFT JOIN translations t ON t.hash = sha256(convert_to(p.body, 'UTF8')) AND t.target = (SELECT lang FROM viewer)
ORDER BY p.feed_at DESC, p.id DESC`

// The floor's answer: the Feed operation's JSON, field for field.
type (
	floorResponse struct {
		Data struct {
			Feed floorConnection `json:"feed"`
		} `json:"data"`
	}
	floorConnection struct {
		Edges    []floorEdge `json:"edges"`
		PageInfo struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
	}
	floorEdge struct {
		Cursor string    `json:"cursor"`
		Node   floorNode `json:"node"`
	}
	floorNode struct {
		ID                 string          `json:"id"`
		Kind               string          `json:"kind"`
		Body               string          `json:"body"`
		BodyOriginal       *floorOriginal  `json:"bodyOriginal"`
		Skills             []string        `json:"skills"`
		EditedAfterSharing bool            `json:"editedAfterSharing"`
		SharedAt           *time.Time      `json:"sharedAt"`
		Author             floorRef        `json:"author"`
		Student            floorRef        `json:"student"`
		Acknowledgement    *floorAck       `json:"acknowledgement"`
		ResponseCount      int             `json:"responseCount"`
		Attachments        json.RawMessage `json:"attachments"`
	}
	floorOriginal struct {
		Text       string  `json:"text"`
		Language   *string `json:"language"`
		Translated bool    `json:"translated"`
	}
	floorRef struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}
	floorAck struct {
		Reaction       *string    `json:"reaction"`
		AcknowledgedAt *time.Time `json:"acknowledgedAt"`
	}
)

// runFloor is the hand-written server: POST /graphql answers the Feed
// operation's request (variables.first) for the signed-in parent with the
// same JSON SameSide gives, from one statement. It verifies the demo token
// as SameSide does. DATABASE_URL and PORT from the environment.
func runFloor() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	for k, v := range database.SessionParams { // as SameSide's connections
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	var seed []byte
	if err := pool.QueryRow(ctx, `SELECT private_key FROM demo_signing_keys WHERE id = 1`).Scan(&seed); err != nil || len(seed) != ed25519.SeedSize {
		return fmt.Errorf("floor: the demo signing key: %v", err)
	}
	signer := auth.NewDemoSigner(ed25519.NewKeyFromSeed(seed), nil)
	h := &floorHandler{pool: pool, verify: func(ctx context.Context, token string) (string, error) {
		id, err := signer.Verify(ctx, token)
		return id.UID, err
	}}
	return serve(ctx, h)
}

// floorHandler answers the feed page.
type floorHandler struct {
	pool   *pgxpool.Pool
	verify func(ctx context.Context, token string) (string, error)
}

func (h *floorHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/readyz" {
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
		http.NotFound(w, r)
		return
	}
	uid, err := h.verify(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if err != nil {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
		return
	}
	var req struct {
		Variables struct {
			First *int `json:"first"`
		} `json:"variables"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	n := 20
	if req.Variables.First != nil {
		n = *req.Variables.First
	}
	if n < 1 || n > models.MaxPageSize {
		http.Error(w, "first: 1 to 100", http.StatusBadRequest)
		return
	}
	rows, err := h.pool.Query(r.Context(), pageSQL, uid, n+1)
	if err != nil {
		http.Error(w, "internal", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out floorResponse
	out.Data.Feed.Edges = make([]floorEdge, 0, n+1)
	for rows.Next() {
		var e floorEdge
		var feedAt time.Time
		var ack floorAck
		var count int64
		node := &e.Node
		orig := &floorOriginal{}
		if err := rows.Scan(&node.ID, &node.Kind, &node.Body, &orig.Text, &orig.Language, &orig.Translated,
			&node.Skills, &node.EditedAfterSharing, &node.SharedAt, &feedAt,
			&node.Author.ID, &node.Author.DisplayName, &node.Student.ID, &node.Student.DisplayName,
			&ack.Reaction, &ack.AcknowledgedAt, &count, &node.Attachments); err != nil {
			http.Error(w, "internal", http.StatusInternalServerError)
			return
		}
		node.BodyOriginal = orig
		if ack.AcknowledgedAt != nil {
			node.Acknowledgement = &ack
		}
		node.ResponseCount = int(count)
		e.Cursor = base64.RawURLEncoding.EncodeToString([]byte("v1|" + strconv.FormatInt(feedAt.UnixNano(), 10) + "|" + node.ID))
		out.Data.Feed.Edges = append(out.Data.Feed.Edges, e)
	}
	if rows.Err() != nil {
		http.Error(w, "internal", http.StatusInternalServerError)
		return
	}
	if len(out.Data.Feed.Edges) > n {
		out.Data.Feed.PageInfo.HasNextPage = true
		out.Data.Feed.Edges = out.Data.Feed.Edges[:n]
	}
	if k := len(out.Data.Feed.Edges); k > 0 {
		out.Data.Feed.PageInfo.EndCursor = &out.Data.Feed.Edges[k-1].Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(&out); err != nil {
		log.Print(err)
	}
}

// serve runs h on PORT until ctx ends.
func serve(ctx context.Context, h http.Handler) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return fmt.Errorf("floor: %w", err)
	}
	return nil
}
