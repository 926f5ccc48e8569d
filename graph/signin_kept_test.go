package graph_test

import (
	"testing"

	"github.com/sameside/sameside/models"
)

// An instance keeps the viewer it signed a user in with, and their feed's
// page (one statement) checks in its own snapshot that nothing a sign-in
// reads has changed. Whoever changes a user's access (an admin, the
// roster, another instance: here the database directly), the next page
// counts it.
func TestFeedSeesAccessChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	f.threeChildren(t, 6)
	feed := func(tok string) (items int, statements int64) {
		t.Helper()
		var p feedPage
		res, n := f.DoCounting(tok, qFeed, map[string]any{"first": 20})
		res.Decode(t, &p)
		return len(p.Feed.Edges), n
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := f.DB.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	parent, school := f.users["parentA"], f.classrooms["a1"].SchoolID
	tok := f.token("parentA")
	feed(tok) // signs in
	if items, n := feed(tok); items != 6 || n != 1 {
		t.Fatalf("signed in before: %d items in %d statements, want 6 in 1", items, n)
	}

	exec(`DELETE FROM memberships WHERE user_id = ?`, parent.ID)
	if items, _ := feed(tok); items != 0 {
		t.Fatalf("the parent's membership taken away: the feed still shows %d notes", items)
	}
	exec(`INSERT INTO memberships (user_id, school_id, role) VALUES (?, ?, 'PARENT')`, parent.ID, school)
	if items, _ := feed(tok); items != 6 {
		t.Fatalf("the membership given back: %d notes, want 6", items)
	}

	// Someone with no school yet, made the district's admin.
	newcomer := &models.User{FirebaseUID: "fx-newcomer", DisplayName: "Newcomer", Locale: "en-US", TimeZone: "UTC"}
	if err := f.DB.Create(newcomer).Error; err != nil {
		t.Fatal(err)
	}
	ntok := f.TokenFor(newcomer)
	for range 2 { // signed in, then kept
		if items, _ := feed(ntok); items != 0 {
			t.Fatalf("the newcomer sees %d notes", items)
		}
	}
	district := &models.District{Name: "North", TimeZone: "UTC"}
	if err := f.DB.Create(district).Error; err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO district_admins (district_id, user_id) VALUES (?, ?)`, district.ID, newcomer.ID)
	exec(`UPDATE schools SET district_id = ? WHERE id = ?`, district.ID, school)
	if items, _ := feed(ntok); items != 6 {
		t.Fatalf("made the admin of the school's district: %d notes, want 6", items)
	}
	exec(`UPDATE schools SET district_id = NULL WHERE id = ?`, school)
	if items, _ := feed(ntok); items != 0 {
		t.Fatalf("the school gone from the district: its admin still sees %d notes", items)
	}

	// The newcomer's account merged into the parent's: their sign-in now
	// leads to the parent.
	exec(`INSERT INTO user_aliases (firebase_uid, user_id) VALUES ('fx-newcomer', ?)`, parent.ID)
	exec(`DELETE FROM users WHERE id = ?`, newcomer.ID)
	if items, _ := feed(ntok); items != 6 {
		t.Fatalf("merged into the parent's account: %d notes, want the parent's 6", items)
	}
}
