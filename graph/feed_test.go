package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database"
)

// threeChildren gives parentA two more children in classroom a1 and shares
// n observations spread over the three, one millisecond apart.
func (f *fixture) threeChildren(t *testing.T, n int) []string {
	t.Helper()
	kids := []string{f.students["s1"].ID}
	c := f.classrooms["a1"]
	for i := 0; i < 2; i++ {
		st := &models.Student{SchoolID: c.SchoolID, FirstName: fmt.Sprintf("Sib%d", i), LastName: "Kid", Grade: "2"}
		f.DB.Create(st)
		f.DB.Create(&models.Enrollment{ClassroomID: c.ID, StudentID: st.ID, SchoolID: c.SchoolID})
		f.DB.Create(&models.Guardianship{SchoolID: c.SchoolID, StudentID: st.ID, UserID: f.users["parentA"].ID, Relationship: models.RelationshipMother})
		kids = append(kids, st.ID)
	}
	base := time.Now().Add(-time.Hour)
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * time.Millisecond)
		o := models.Observation{SchoolID: c.SchoolID, StudentID: kids[i%3], AuthorID: f.users["teacherA"].ID, GroupID: "00000000-0000-4000-8000-000000000001",
			Kind: models.KindPositive, Body: fmt.Sprintf("note %d", i), Skills: []string{"FOCUS"}, State: models.StateShared, SharedAt: &at, FeedAt: at, CreatedAt: at, UpdatedAt: at}
		if err := f.DB.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
	}
	return kids
}

// The feed is N+1-free: a 20-item and a 50-item page across 3 children cost
// the same statements: one, the page, once the instance has signed the
// parent in (the page's statement checks their access version itself);
// the first request two, sign-in and the page. Only the request's own
// statements count: the server's other work on the same handle (here a
// goroutine running statements throughout) cannot change the figure.
func TestFeedStatements(t *testing.T) {
	f := newFixture(t)
	f.threeChildren(t, 60)
	tok := f.token("parentA")
	ctx, stop := context.WithCancel(context.Background())
	busy := make(chan struct{})
	go func() { // the server's own background work, on the same handle
		defer close(busy)
		for ctx.Err() == nil {
			f.App.DB.WithContext(ctx).Exec("SELECT 1")
		}
	}()
	defer func() { stop(); <-busy }()
	count := func(query string, first int) (int64, int) {
		var p feedPage
		res, n := f.DoCounting(tok, query, map[string]any{"first": first})
		res.Decode(t, &p)
		return n, len(p.Feed.Edges)
	}
	// The app's Feed selects the attachments too: they come in the page's
	// own statement.
	withFiles := strings.Replace(qFeed, "responseCount }", "responseCount attachments { id url } }", 1)
	if withFiles == qFeed {
		t.Fatal("qFeed changed: update this test")
	}
	if s, n := count(qFeed, 20); s != 2 || n != 20 {
		t.Fatalf("the first request: %d statements for %d items; want 2 (sign-in, the page) for 20", s, n)
	}
	for _, q := range []string{qFeed, withFiles} {
		s20, n20 := count(q, 20)
		s50, n50 := count(q, 50)
		t.Logf("attachments %v: page of %d: %d statements; page of %d: %d statements", q == withFiles, n20, s20, n50, s50)
		if n20 != 20 || n50 != 50 {
			t.Fatalf("pages of %d and %d items", n20, n50)
		}
		if s20 != 1 || s50 != 1 {
			t.Fatalf("statements: %d for 20 items, %d for 50; want 1 each (the page with its attachments, the sign-in checked in it)", s20, s50)
		}
	}
}

// The parent's feed page, the app's hottest read, is written without GORM:
// rendering its statement (a GORM dry run, scopes and subqueries, for every
// page) took an eighth of the server's CPU a page in BenchmarkFeedPage's
// profile. GORM runs its query callbacks for each statement it builds, dry
// runs included; here none may run for any shape of the page. The domain
// runs on a GORM handle of the test's own (its callbacks see only the
// test's calls), on the same database as the server.
func TestFeedBuiltWithoutGORM(t *testing.T) {
	f := newFixture(t)
	kids := f.threeChildren(t, 30)
	ctx := context.Background()
	db, built := gormCounting(t, f)
	svc := *f.App.Domain
	svc.DB, svc.Pages = db, db
	v, err := svc.ViewerForIdentity(ctx, domain.Identity{UID: f.users["parentA"].FirebaseUID})
	if err != nil || v == nil {
		t.Fatalf("viewer: %v, %v", v, err)
	}
	first := 5
	page, err := svc.Feed(ctx, v, models.FeedArgs{First: &first})
	if err != nil || len(page.Items) != 5 || !page.HasNext {
		t.Fatalf("first page: %v", err)
	}
	after := page.Cursors[page.Items[4].ID]
	for _, args := range []models.FeedArgs{
		{First: &first, WithAttachments: true},
		{First: &first, After: &after, Kinds: []models.ObservationKind{models.KindPositive}},
		{First: &first, StudentIDs: kids[:2]},
	} {
		page, err := svc.Feed(ctx, v, args)
		if err != nil || len(page.Items) != 5 {
			t.Fatalf("%+v: %v", args, err)
		}
	}
	if n := built.Load(); n != 0 {
		t.Fatalf("GORM built %d statements for 4 feed pages; want 0", n)
	}
}

// Paging through the feed while new observations are shared between pages
// skips nothing and repeats nothing.
func TestFeedPaginationIsStable(t *testing.T) {
	f := newFixture(t)
	kids := f.threeChildren(t, 30)
	tok := f.token("parentA")
	seen := map[string]int{}
	var after *string
	pages := 0
	for {
		var p feedPage
		vars := map[string]any{"first": 7}
		if after != nil {
			vars["after"] = *after
		}
		f.Do(tok, qFeed, vars).Decode(t, &p)
		for _, e := range p.Feed.Edges {
			seen[e.Node.ID]++
		}
		pages++
		// New notes arrive between pages.
		f.post(t, "teacherA", fmt.Sprintf("between-%d", pages), "SHARED", "POSITIVE", kids[pages%3])
		if !p.Feed.PageInfo.HasNextPage {
			break
		}
		after = p.Feed.PageInfo.EndCursor
	}
	if len(seen) != 30 {
		t.Fatalf("saw %d distinct observations over %d pages, want the 30 that existed", len(seen), pages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("observation %s seen %d times", id, n)
		}
	}
	// The new ones are at the top of a fresh first page.
	var p feedPage
	f.Do(tok, qFeed, map[string]any{"first": pages}).Decode(t, &p)
	for _, e := range p.Feed.Edges {
		if seen[e.Node.ID] != 0 {
			t.Fatalf("a fresh first page shows an old observation before the %d new ones", pages)
		}
	}
	for _, bad := range []string{"nope", "djF8MXwy", ""} {
		if res := f.Do(tok, qFeed, map[string]any{"after": bad}); res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("cursor %q: %s", bad, res.Body)
		}
	}
	for _, first := range []int{0, 101, -1} {
		if res := f.Do(tok, qFeed, map[string]any{"first": first}); res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("first %d: %s", first, res.Body)
		}
	}
}

// The feed reads a page per child, however long the children's history: a
// parent of three children with 400 shared notes each, and a teacher's
// classroom feed, read at most (page + 1) observations per student, on the
// first page and after a cursor. The page statement the server sent is
// run again under EXPLAIN ANALYZE, and the rows its scans of observations
// produced are summed.
func TestFeedReadsAPagePerChild(t *testing.T) {
	f := newFixture(t)
	kids := f.threeChildren(t, 0)
	if err := f.DB.Exec(`INSERT INTO observations (school_id, student_id, author_id, group_id, kind, body, skills, state, shared_at, feed_at, created_at, updated_at)
		SELECT ?, k.id, ?, gen_random_uuid(), 'POSITIVE', 'note ' || g, ARRAY['FOCUS'], 'SHARED', t, t, t, t
		FROM unnest(?::uuid[]) AS k(id), generate_series(1, 400) g, LATERAL (SELECT now() - g * interval '1 minute' AS t) at`,
		f.classrooms["a1"].SchoolID, f.users["teacherA"].ID, "{"+strings.Join(kids, ",")+"}").Error; err != nil {
		t.Fatal(err)
	}
	if err := f.DB.Exec(`ANALYZE observations`).Error; err != nil {
		t.Fatal(err)
	}
	var classroomStudents int64
	f.DB.Table("enrollments").Where("classroom_id = ?", f.classrooms["a1"].ID).Count(&classroomStudents)

	// read runs query and returns the rows the page statement's scans of
	// observations produced, and the page's end cursor.
	read := func(tok, query string, vars map[string]any, field string) (int, string) {
		t.Helper()
		res, sent := f.DoRecording(tok, query, vars)
		var out map[string]struct {
			Edges    []any
			PageInfo struct{ EndCursor string }
			Feed     *struct {
				Edges    []any
				PageInfo struct{ EndCursor string }
			}
		}
		res.Decode(t, &out)
		edges, end := out[field].Edges, out[field].PageInfo.EndCursor
		if out[field].Feed != nil {
			edges, end = out[field].Feed.Edges, out[field].Feed.PageInfo.EndCursor
		}
		if len(edges) != 20 {
			t.Fatalf("%s: %d items, want 20", field, len(edges))
		}
		var page *apptest.Statement
		for i := range sent {
			if strings.Contains(sent[i].SQL, "acknowledgements a ON") {
				page = &sent[i]
			}
		}
		if page == nil {
			t.Fatalf("%s: no page statement among %d", field, len(sent))
		}
		var plan []byte
		if err := f.DB.Raw("EXPLAIN (ANALYZE, FORMAT JSON) "+page.SQL, page.Vars...).Row().Scan(&plan); err != nil {
			t.Fatal(err)
		}
		var root []struct{ Plan planNode }
		if err := json.Unmarshal(plan, &root); err != nil {
			t.Fatal(err)
		}
		return root[0].Plan.rowsOf("observations"), end
	}
	tok := f.token("parentA")
	q := `query($after: String) { feed(first: 20, after: $after) { edges { node { id } } pageInfo { endCursor } } }`
	rows, end := read(tok, q, map[string]any{}, "feed")
	t.Logf("parent of 3 children with 400 notes each: first page read %d observations", rows)
	if rows > 3*21 {
		t.Errorf("the first page read %d observations; want at most %d (21 per child)", rows, 3*21)
	}
	rows, _ = read(tok, q, map[string]any{"after": end}, "feed")
	t.Logf("second page read %d observations", rows)
	if rows > 3*21 {
		t.Errorf("the second page read %d observations; want at most %d", rows, 3*21)
	}
	cq := `query($id: ID!) { classroom(id: $id) { feed(first: 20) { edges { node { id } } pageInfo { endCursor } } } }`
	rows, _ = read(f.token("teacherA"), cq, map[string]any{"id": f.classrooms["a1"].ID}, "classroom")
	t.Logf("classroom of %d students: first page read %d observations", classroomStudents, rows)
	if rows > int(classroomStudents)*21 {
		t.Errorf("the classroom's page read %d observations; want at most %d", rows, classroomStudents*21)
	}
}

// planNode is a node of EXPLAIN's JSON plan.
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	ActualRows   float64    `json:"Actual Rows"`
	ActualLoops  float64    `json:"Actual Loops"`
	Plans        []planNode `json:"Plans"`
}

// rowsOf sums the rows the plan's scans of table produced, over all loops.
func (n planNode) rowsOf(table string) int {
	total := 0
	if n.RelationName == table {
		total += int(n.ActualRows * n.ActualLoops)
	}
	for _, c := range n.Plans {
		total += c.rowsOf(table)
	}
	return total
}

// Observation pages are read on connections where PostgreSQL keeps one
// generic plan for the page statement: run 7 times there it is never
// planned again after preparing (BenchmarkFeedHistory measures what that
// is worth on a long history), while on the API's other connections
// PostgreSQL's default plans it afresh (5 custom plans at least), which on
// a long history cost as much as running it.
func TestFeedPagesKeepOneGenericPlan(t *testing.T) {
	f := newFixture(t)
	f.threeChildren(t, 30)
	_, sent := f.DoRecording(f.token("parentA"), qFeed, map[string]any{"first": 20})
	var page *apptest.Statement
	for i := range sent {
		if strings.Contains(sent[i].SQL, "acknowledgements a ON") {
			page = &sent[i]
		}
	}
	if page == nil {
		t.Fatalf("no page statement among %d", len(sent))
	}
	plans := func(db *gorm.DB) (generic, custom int64) {
		t.Helper()
		err := db.Connection(func(conn *gorm.DB) error {
			for range 7 {
				rows, err := conn.Raw(page.SQL, page.Vars...).Rows()
				if err != nil {
					return err
				}
				for rows.Next() {
				}
				rows.Close()
			}
			return conn.Raw(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%acknowledgements a ON%'`).
				Row().Scan(&generic, &custom)
		})
		if err != nil {
			t.Fatal(err)
		}
		return generic, custom
	}
	if f.App.Domain.Pages == nil {
		t.Fatal("the domain reads its pages on the API's connections")
	}
	if g, c := plans(f.App.Domain.Pages); c != 0 || g < 7 { // 8: the request's own run too, on the same connection
		t.Errorf("page connections: %d generic and %d custom plans in 7 runs; want at least 7 and 0", g, c)
	}
	if g, c := plans(f.App.DB); c < 5 {
		t.Errorf("other connections: %d generic and %d custom plans in 7 runs; PostgreSQL's default makes 5 custom ones first", g, c)
	}
}

// A message, the hottest write, is written without GORM too: building its
// statement through GORM's named parameters and scanning its rows was most
// of sendMessage's own CPU in the server (make bench-live's profile). No
// GORM callback of any kind may run for a message to a conversation the
// instance knows, nor for a live subscriber's read of it.
func TestMessageBuiltWithoutGORM(t *testing.T) {
	f := newFixture(t)
	c := f.start(t, "teacherA", "s1", "parentA") // the instance knows it
	ctx := context.Background()
	db, built := gormCounting(t, f)
	svc := *f.App.Domain
	svc.DB = db
	v, err := svc.ViewerForIdentity(ctx, domain.Identity{UID: f.users["teacherA"].FirebaseUID})
	if err != nil || v == nil {
		t.Fatalf("viewer: %v, %v", v, err)
	}
	built.Store(0)
	var sent []string
	for i := range 3 {
		p, err := svc.SendMessage(ctx, v, models.SendMessageInput{ClientMutationID: fmt.Sprintf("plain-%d", i), ConversationID: c, Body: "Reading log signed."})
		if err != nil || p.Message.Seq == 0 {
			t.Fatalf("message %d: %+v, %v", i, p, err)
		}
		sent = append(sent, p.Message.ID)
	}
	// And a live delivery's read of each, with and without a language.
	for i, lang := range []string{"", "es", ""} {
		m, err := svc.MessageIn(ctx, v, c, sent[i], lang)
		if err != nil || m.ID != sent[i] || m.Body != "Reading log signed." || m.ReadIn != lang {
			t.Fatalf("delivery %d: %+v, %v", i, m, err)
		}
	}
	if n := built.Load(); n != 0 {
		t.Fatalf("GORM built %d statements for 3 messages and their deliveries; want 0", n)
	}
}

// gormCounting opens a GORM handle of the test's own on the server's
// database, and counts the statements GORM builds on it, of every kind
// (its callbacks see only the test's calls).
func gormCounting(t *testing.T, f *fixture) (*gorm.DB, *atomic.Int32) {
	t.Helper()
	db, err := database.Open(context.Background(), f.App.Config.DatabaseURL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	built := new(atomic.Int32)
	count := func(*gorm.DB) { built.Add(1) }
	cb := db.Callback()
	for name, err := range map[string]error{
		"query": cb.Query().Before("gorm:query").Register("test:built", count), "row": cb.Row().Before("gorm:row").Register("test:built", count),
		"raw": cb.Raw().Before("gorm:raw").Register("test:built", count), "create": cb.Create().Before("gorm:create").Register("test:built", count),
		"update": cb.Update().Before("gorm:update").Register("test:built", count), "delete": cb.Delete().Before("gorm:delete").Register("test:built", count),
	} {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return db, built
}
