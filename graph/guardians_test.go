package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

const (
	qRestrict = `mutation($in: SetGuardianRestrictedInput!) { setGuardianRestricted(input: $in) { id restricted restrictedReason endedAt } }`
	qRemove   = `mutation($id: ID!) { removeGuardian(input: {guardianId: $id}) { id endedAt } }`
)

// TestGuardianRestrictionAndRemoval: a school's admin restricts a guardian
// (custody) with a reason: the guardian's socket closes and the child
// disappears for them; clearing it gives the child back; removing the
// guardian ends it for good. Each change is audited; teachers, parents and
// other schools' admins cannot.
func TestGuardianRestrictionAndRemoval(t *testing.T) {
	env, _ := rosterEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := env.TokenFor(userByEmail(t, env, "admin@sameside-demo.example"))
	teacher := env.TokenFor(userByEmail(t, env, "teacher2@sameside-demo.example")) // teaches class-1, student-001's class
	parentUser := userByEmail(t, env, "parent43@sameside-demo.example")
	parent := env.TokenFor(parentUser)
	children := func() []string {
		var v struct {
			Viewer struct{ Children []struct{ ID string } }
		}
		env.Do(parent, `{ viewer { children { id } } }`, nil).Decode(t, &v)
		var ids []string
		for _, c := range v.Viewer.Children {
			ids = append(ids, c.ID)
		}
		return ids
	}
	kids := children()
	if len(kids) == 0 {
		t.Fatal("no child")
	}
	// An admin of another school.
	elsewhere := &models.School{Name: "Elsewhere Elementary", TimeZone: "UTC"}
	stranger := &models.User{FirebaseUID: "stranger-admin", DisplayName: "Other Admin", Locale: "en-US", TimeZone: "UTC"}
	if err := env.DB.Create(elsewhere).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.DB.Create(stranger).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.DB.Create(&models.Membership{UserID: stranger.ID, SchoolID: elsewhere.ID, Role: models.RoleAdmin}).Error; err != nil {
		t.Fatal(err)
	}
	otherAdmin := env.TokenFor(stranger)
	var st struct {
		Student struct {
			Guardians []struct {
				ID   string
				User struct{ ID string }
			}
		}
	}
	env.Do(admin, `query($id: ID!) { student(id: $id) { guardians { id user { id } } } }`, map[string]any{"id": kids[0]}).Decode(t, &st)
	guardian := ""
	for _, g := range st.Student.Guardians {
		if g.User.ID == parentUser.ID {
			guardian = g.ID
		}
	}
	if guardian == "" {
		t.Fatal("the parent's guardianship is not listed")
	}

	for who, c := range map[string]struct {
		token string
		in    map[string]any
		code  string
	}{
		"no reason":    {admin, map[string]any{"guardianId": guardian, "restricted": true}, "BAD_USER_INPUT"},
		"blank reason": {admin, map[string]any{"guardianId": guardian, "restricted": true, "reason": "   "}, "BAD_USER_INPUT"},
		"long reason":  {admin, map[string]any{"guardianId": guardian, "restricted": true, "reason": strings.Repeat("x", 501)}, "BAD_USER_INPUT"},
		"teacher":      {teacher, map[string]any{"guardianId": guardian, "restricted": true, "reason": "court order"}, "FORBIDDEN"},
		"the guardian": {parent, map[string]any{"guardianId": guardian, "restricted": true, "reason": "court order"}, "FORBIDDEN"},
		"other school": {otherAdmin, map[string]any{"guardianId": guardian, "restricted": true, "reason": "court order"}, "NOT_FOUND"},
		"no such id":   {admin, map[string]any{"guardianId": "00000000-0000-4000-8000-000000000000", "restricted": true, "reason": "x"}, "NOT_FOUND"},
		"not an id":    {admin, map[string]any{"guardianId": "nope", "restricted": true, "reason": "x"}, "NOT_FOUND"},
	} {
		if r := env.Do(c.token, qRestrict, map[string]any{"in": c.in}); r.Code() != c.code {
			t.Errorf("%s: want %s, got %s", who, c.code, r.Body)
		}
	}
	if got := children(); len(got) != len(kids) {
		t.Fatalf("a refused restriction changed access: %v", got)
	}

	ws := listening(t, ctx, env, parent)
	var restricted struct {
		SetGuardianRestricted struct {
			Restricted       bool
			RestrictedReason *string
		}
	}
	env.Do(admin, qRestrict, map[string]any{"in": map[string]any{"guardianId": guardian, "restricted": true, "reason": "Court order of 2026-11-02"}}).Decode(t, &restricted)
	if !restricted.SetGuardianRestricted.Restricted || restricted.SetGuardianRestricted.RestrictedReason == nil || *restricted.SetGuardianRestricted.RestrictedReason != "Court order of 2026-11-02" {
		t.Fatalf("restricted: %+v", restricted)
	}
	_, err := ws.Next(ctx, "v")
	var ce *apptest.CloseError
	if !errors.As(err, &ce) || ce.Code != 4401 {
		t.Fatalf("the restricted guardian's socket: %v", err)
	}
	if got := children(); len(got) != len(kids)-1 {
		t.Fatalf("restricted guardian sees %v", got)
	}
	// Only the school's admins read the reason.
	var seen struct {
		Student struct {
			Guardians []struct {
				ID               string
				Restricted       bool
				RestrictedReason *string
			}
		}
	}
	env.Do(teacher, `query($id: ID!) { student(id: $id) { guardians { id restricted restrictedReason } } }`, map[string]any{"id": kids[0]}).Decode(t, &seen)
	for _, g := range seen.Student.Guardians {
		if g.ID == guardian && (!g.Restricted || g.RestrictedReason != nil) {
			t.Fatalf("a teacher sees %+v", g)
		}
	}

	env.Do(admin, qRestrict, map[string]any{"in": map[string]any{"guardianId": guardian, "restricted": false}}).Decode(t, &restricted)
	if restricted.SetGuardianRestricted.Restricted || restricted.SetGuardianRestricted.RestrictedReason != nil {
		t.Fatalf("cleared: %+v", restricted)
	}
	if got := children(); len(got) != len(kids) {
		t.Fatalf("after clearing the guardian sees %v", got)
	}
	var removed struct{ RemoveGuardian struct{ EndedAt *time.Time } }
	env.Do(admin, qRemove, map[string]any{"id": guardian}).Decode(t, &removed)
	if removed.RemoveGuardian.EndedAt == nil {
		t.Fatalf("removed: %+v", removed)
	}
	if got := children(); len(got) != len(kids)-1 {
		t.Fatalf("removed guardian sees %v", got)
	}
	var ops []string
	env.DB.Raw("SELECT operation FROM audit_events WHERE item_id = ? ORDER BY at", guardian).Scan(&ops)
	if strings.Join(ops, ",") != "guardian.restrict,guardian.unrestrict,guardian.remove" {
		t.Fatalf("audit log: %v", ops)
	}
}
