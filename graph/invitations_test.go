package graph_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

func TestInvitationLifecycle(t *testing.T) {
	f := newFixture(t)
	s2 := f.students["s2"]

	// A teacher of the student invites; the code looks like XXXX-XXXX-XXXX and
	// is stored only as a hash.
	var created struct {
		CreateInvitation struct {
			Code       string
			Invitation struct {
				ID        string
				ExpiresAt time.Time
				CreatedBy struct{ ID string }
			}
		}
	}
	f.Do(f.token("teacherA2"), `mutation($s: ID!) { createInvitation(input: {studentId: $s, relationship: MOTHER, isPrimary: true, email: " Mom@Example.COM ", expiresInHours: 48}) {
		code invitation { id expiresAt createdBy { id } } } }`, map[string]any{"s": s2.ID}).Decode(t, &created)
	code := created.CreateInvitation.Code
	if len(code) != 14 || strings.Count(code, "-") != 2 {
		t.Fatalf("code %q is not XXXX-XXXX-XXXX", code)
	}
	if created.CreateInvitation.Invitation.CreatedBy.ID != f.users["teacherA2"].ID {
		t.Fatal("createdBy is not the teacher")
	}
	if d := time.Until(created.CreateInvitation.Invitation.ExpiresAt); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("expires in %v, want 48h", d)
	}
	var inv models.Invitation
	f.DB.Take(&inv, "id = ?", created.CreateInvitation.Invitation.ID)
	if strings.Contains(string(inv.CodeHash), strings.ReplaceAll(code, "-", "")) || len(inv.CodeHash) != 32 {
		t.Fatal("code is not stored as a SHA-256 hash")
	}
	if inv.Email == nil || *inv.Email != "mom@example.com" {
		t.Fatalf("email stored as %v", inv.Email)
	}

	// parentB (another school) redeems it typed sloppily: lower case, spaces.
	sloppy := " " + strings.ToLower(strings.ReplaceAll(code, "-", " ")) + " "
	tok := f.token("parentB")
	var redeemed struct {
		RedeemInvitation struct {
			Student  struct{ ID string }
			Guardian struct {
				Relationship string
				IsPrimary    bool
			}
			Membership struct{ Role string }
		}
	}
	f.Do(tok, `mutation($c: String!) { redeemInvitation(input: {code: $c}) { student { id } guardian { relationship isPrimary } membership { role } } }`,
		map[string]any{"c": sloppy}).Decode(t, &redeemed)
	r := redeemed.RedeemInvitation
	if r.Student.ID != s2.ID || r.Guardian.Relationship != "MOTHER" || !r.Guardian.IsPrimary || r.Membership.Role != "PARENT" {
		t.Fatalf("redeemed: %+v", r)
	}

	// The same parent retrying (flaky network) gets the same answer, no new rows.
	before := f.Snapshot()
	res := f.Do(tok, qRedeem, map[string]any{"c": code})
	if res.Code() != "" || !strings.Contains(string(res.Data), s2.ID) {
		t.Fatalf("retry: %s", res.Body)
	}
	apptest.SameCounts(t, before, f.Snapshot())

	// Anyone else: the code is used.
	res = f.Do(f.token("teacherB"), qRedeem, map[string]any{"c": code})
	if res.Code() != "CONFLICT" {
		t.Fatalf("reused code: %s", res.Body)
	}
	apptest.SameCounts(t, before, f.Snapshot())
}

func TestInvitationExpiry(t *testing.T) {
	f := newFixture(t)
	var created struct{ CreateInvitation struct{ Code string } }
	f.Do(f.token("adminA"), `mutation($s: ID!) { createInvitation(input: {studentId: $s, relationship: FATHER, expiresInHours: 1}) { code } }`,
		map[string]any{"s": f.students["s2"].ID}).Decode(t, &created)

	// An hour and a second later, by the domain's clock.
	f.Clock.Set(time.Now().Add(time.Hour + time.Second))
	before := f.Snapshot()
	res := f.Do(f.token("parentB"), qRedeem, map[string]any{"c": created.CreateInvitation.Code})
	if res.Code() != "NOT_FOUND" || !strings.Contains(res.Errors[0].Message, "expired") {
		t.Fatalf("expired code: %s", res.Body)
	}
	apptest.SameCounts(t, before, f.Snapshot())
}

func TestInvitationInputRefused(t *testing.T) {
	f := newFixture(t)
	tok := f.token("adminA")
	s := f.students["s1"].ID
	cases := []struct {
		name, input, code, field string
	}{
		{"expiry too long", `{studentId: "` + s + `", relationship: PARENT, expiresInHours: 721}`, "BAD_USER_INPUT", "expiresInHours"},
		{"expiry zero", `{studentId: "` + s + `", relationship: PARENT, expiresInHours: 0}`, "BAD_USER_INPUT", "expiresInHours"},
		{"bad email", `{studentId: "` + s + `", relationship: PARENT, email: "not-an-email"}`, "BAD_USER_INPUT", "email"},
		{"unknown relationship", `{studentId: "` + s + `", relationship: COUSIN}`, "BAD_USER_INPUT", ""},
		{"malformed student id", `{studentId: "robert'); DROP TABLE students;--", relationship: PARENT}`, "NOT_FOUND", ""},
		{"unknown student", `{studentId: "00000000-0000-4000-8000-000000000000", relationship: PARENT}`, "NOT_FOUND", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.Snapshot()
			res := f.Do(tok, `mutation { createInvitation(input: `+tc.input+`) { code } }`, nil)
			if res.Code() != tc.code {
				t.Fatalf("code %q, want %q: %s", res.Code(), tc.code, res.Body)
			}
			if tc.field != "" && res.Errors[0].Extensions["field"] != tc.field {
				t.Fatalf("field %v, want %s", res.Errors[0].Extensions["field"], tc.field)
			}
			apptest.SameCounts(t, before, f.Snapshot())
		})
	}
	for _, c := range []struct{ name, code, want string }{
		{"empty", "   ", "BAD_USER_INPUT"},
		{"over-long", strings.Repeat("A", 33), "BAD_USER_INPUT"},
	} {
		t.Run("redeem "+c.name, func(t *testing.T) {
			before := f.Snapshot()
			res := f.Do(f.token("parentB"), qRedeem, map[string]any{"c": c.code})
			if res.Code() != c.want {
				t.Fatalf("code %q, want %q: %s", res.Code(), c.want, res.Body)
			}
			apptest.SameCounts(t, before, f.Snapshot())
		})
	}
}

// Five wrong codes in 15 minutes lock the user out, even for a right code;
// the lock is per user and ends with the window.
func TestInvitationRateLimit(t *testing.T) {
	f := newFixture(t)
	good := f.createCode(t, "adminA", f.students["s2"].ID)
	tok := f.token("parentB")
	wrong := []string{"AAAA-AAAA-AAAA", "zzzz zzzz zzzz", "not a code!!", "2345-6789-ABCD", "BBBB-BBBB-BBBB"}
	// Concurrent wrong tries are counted exactly (the user row is locked).
	var wg sync.WaitGroup
	codes := make([]string, len(wrong))
	for i, c := range wrong {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.Do(tok, qRedeem, map[string]any{"c": c}).Code()
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != "NOT_FOUND" {
			t.Fatalf("wrong code %q: %s, want NOT_FOUND", wrong[i], c)
		}
	}
	before := f.Snapshot()
	if res := f.Do(tok, qRedeem, map[string]any{"c": good}); res.Code() != "RATE_LIMITED" {
		t.Fatalf("sixth try: %s", res.Body)
	}
	apptest.SameCounts(t, before, f.Snapshot())
	// Someone else is not affected.
	if res := f.Do(f.token("teacherB"), qRedeem, map[string]any{"c": "CCCC-CCCC-CCCC"}); res.Code() != "NOT_FOUND" {
		t.Fatalf("other user: %s", res.Body)
	}
	// Sixteen minutes later the right code works.
	f.Clock.Set(time.Now().Add(16 * time.Minute))
	if res := f.Do(tok, qRedeem, map[string]any{"c": good}); res.Code() != "" {
		t.Fatalf("after the window: %s", res.Body)
	}
}

// Two parents racing for one code: exactly one gets it.
func TestInvitationSingleUseUnderRace(t *testing.T) {
	f := newFixture(t)
	code := f.createCode(t, "adminA", f.students["s2"].ID)
	names := []string{"parentA", "parentB", "teacherB", "adminB"}
	results := make([]string, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.Do(f.token(n), qRedeem, map[string]any{"c": code}).Code()
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, c := range results {
		switch c {
		case "":
			ok++
		case "CONFLICT":
			conflict++
		}
	}
	if ok != 1 || conflict != len(names)-1 {
		t.Fatalf("results %v: want one success and the rest CONFLICT", results)
	}
	var n int64
	f.DB.Model(&models.Guardianship{}).Where("student_id = ?", f.students["s2"].ID).Count(&n)
	if n != 2 { // parentA2 and the winner
		t.Fatalf("guardianships of s2: %d, want 2", n)
	}
}
