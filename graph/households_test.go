package graph_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sameside/sameside/models/domain"
)

const qHousehold = `mutation($in: SetGuardianHouseholdInput!) { setGuardianHousehold(input: $in) { id household } }`

// TestHouseholds: separated parents are two households, from the roster's
// metadata.household; staff see each guardian's, a parent only their own;
// an admin moves a guardian between households (audited, bounded), adds a
// guardian to one, and a roster that changes a household updates it in
// place.
func TestHouseholds(t *testing.T) {
	env, _ := rosterEnv(t)
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	parent1, parent2 := userByEmail(t, env, "parent1@sameside-demo.example"), userByEmail(t, env, "parent2@sameside-demo.example")
	type guardian struct {
		ID, Household string
		User          struct{ ID string }
	}
	var kids struct {
		Viewer struct{ Children []struct{ ID string } }
	}
	env.Do(env.TokenFor(parent1), `{ viewer { children { id } } }`, nil).Decode(t, &kids)
	if len(kids.Viewer.Children) == 0 {
		t.Fatal("parent1 has no child")
	}
	child := kids.Viewer.Children[0].ID
	guardians := func(token string) map[string]guardian {
		var st struct {
			Student struct{ Guardians []guardian }
		}
		env.Do(token, `query($id: ID!) { student(id: $id) { guardians { id household user { id } } } }`, map[string]any{"id": child}).Decode(t, &st)
		out := map[string]guardian{}
		for _, g := range st.Student.Guardians {
			out[g.User.ID] = g
		}
		return out
	}
	staff := guardians(admin)
	if staff[parent1.ID].Household != "household-1a" || staff[parent2.ID].Household != "household-1b" {
		t.Fatalf("the separated family's households: %+v", staff)
	}
	if own := guardians(env.TokenFor(parent1)); len(own) != 1 || own[parent1.ID].Household != "household-1a" {
		t.Fatalf("parent1 sees %+v", own)
	}

	// The admin moves parent2 into parent1's household, then clears it.
	g2 := staff[parent2.ID].ID
	for _, h := range []any{"household-1a", nil} {
		var got struct{ SetGuardianHousehold struct{ Household *string } }
		env.Do(admin, qHousehold, map[string]any{"in": map[string]any{"guardianId": g2, "household": h}}).Decode(t, &got)
		if (h == nil) != (got.SetGuardianHousehold.Household == nil) || (h != nil && *got.SetGuardianHousehold.Household != h) {
			t.Fatalf("household %v: got %+v", h, got)
		}
	}
	if r := env.Do(admin, qHousehold, map[string]any{"in": map[string]any{"guardianId": g2, "household": strings.Repeat("h", 65)}}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("a 65-byte household: %s", r.Body)
	}
	var audit []string
	env.DB.Raw("SELECT operation FROM audit_events WHERE item_id = ? ORDER BY at", g2).Scan(&audit)
	if !slices.Equal(audit, []string{"guardian.household", "guardian.household"}) {
		t.Fatalf("audit: %v", audit)
	}

	// A grandparent added into household-1a.
	var added struct{ AddGuardian struct{ Household string } }
	env.Do(admin, `mutation($in: AddGuardianInput!) { addGuardian(input: $in) { household } }`, map[string]any{"in": map[string]any{
		"studentId": child, "email": "nana@home.example", "displayName": "Nana Rossi", "relationship": "GRANDPARENT", "household": " household-1a "}}).Decode(t, &added)
	if added.AddGuardian.Household != "household-1a" {
		t.Fatalf("added guardian's household: %+v", added)
	}

	// The roster says parent2 moved to a new household: re-importing it
	// updates each of parent2's guardianships, and only those.
	fsys := fstest.MapFS{}
	for _, name := range []string{"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"} {
		b, err := os.ReadFile(demoRosterDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "users.csv" {
			b = []byte(strings.Replace(string(b), ",household-1b\n", ",household-new\n", 1))
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	res := applyRoster(t, env, fsys, domain.RosterImportOptions{})
	var n2 int64
	env.DB.Raw("SELECT count(*) FROM guardianships WHERE user_id = ?", parent2.ID).Scan(&n2)
	for _, c := range res.Changes {
		if c.Kind == "guardianships" && c.Updated != int(n2) {
			t.Errorf("guardianships updated: %+v, want %d", c, n2)
		}
	}
	if staff := guardians(admin); staff[parent2.ID].Household != "household-new" || staff[parent1.ID].Household != "household-1a" {
		t.Fatalf("after the import: %+v", staff)
	}
}
