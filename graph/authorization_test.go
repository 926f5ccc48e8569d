package graph_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/apptest"
)

// The matrix: every operation × PARENT/TEACHER/ADMIN (plus the restricted
// guardian) × own student / other student of the same school / student of
// another school. "" means allowed. For a parent "own" is their child; for
// a teacher a student of their classroom; for an admin any student of their
// school (so "other" is allowed too).
var asker = map[string]string{"PARENT": "parentA", "TEACHER": "teacherA", "ADMIN": "adminA", "RESTRICTED": "restrictedA"}

var targets = map[string]struct{ student, classroom string }{
	"own":          {"s1", "a1"},
	"other":        {"s2", "a2"},
	"other school": {"sB", "b1"},
}

type row struct {
	op, role, target, want string
}

var matrix = []row{
	{"student", "PARENT", "own", ""}, {"student", "PARENT", "other", "NOT_FOUND"}, {"student", "PARENT", "other school", "NOT_FOUND"},
	{"student", "TEACHER", "own", ""}, {"student", "TEACHER", "other", "NOT_FOUND"}, {"student", "TEACHER", "other school", "NOT_FOUND"},
	{"student", "ADMIN", "own", ""}, {"student", "ADMIN", "other", ""}, {"student", "ADMIN", "other school", "NOT_FOUND"},
	{"student", "RESTRICTED", "own", "NOT_FOUND"}, {"student", "RESTRICTED", "other", "NOT_FOUND"}, {"student", "RESTRICTED", "other school", "NOT_FOUND"},

	{"classroom", "PARENT", "own", ""}, {"classroom", "PARENT", "other", "NOT_FOUND"}, {"classroom", "PARENT", "other school", "NOT_FOUND"},
	{"classroom", "TEACHER", "own", ""}, {"classroom", "TEACHER", "other", "NOT_FOUND"}, {"classroom", "TEACHER", "other school", "NOT_FOUND"},
	{"classroom", "ADMIN", "own", ""}, {"classroom", "ADMIN", "other", ""}, {"classroom", "ADMIN", "other school", "NOT_FOUND"},
	{"classroom", "RESTRICTED", "own", "NOT_FOUND"}, {"classroom", "RESTRICTED", "other", "NOT_FOUND"}, {"classroom", "RESTRICTED", "other school", "NOT_FOUND"},

	{"createInvitation", "PARENT", "own", "FORBIDDEN"}, {"createInvitation", "PARENT", "other", "NOT_FOUND"}, {"createInvitation", "PARENT", "other school", "NOT_FOUND"},
	{"createInvitation", "TEACHER", "own", ""}, {"createInvitation", "TEACHER", "other", "NOT_FOUND"}, {"createInvitation", "TEACHER", "other school", "NOT_FOUND"},
	{"createInvitation", "ADMIN", "own", ""}, {"createInvitation", "ADMIN", "other", ""}, {"createInvitation", "ADMIN", "other school", "NOT_FOUND"},
	{"createInvitation", "RESTRICTED", "own", "NOT_FOUND"}, {"createInvitation", "RESTRICTED", "other", "NOT_FOUND"}, {"createInvitation", "RESTRICTED", "other school", "NOT_FOUND"},

	// Redeeming: the code is the credential, so anyone signed in may use one,
	// except for a child they already guard (restricted or not).
	{"redeemInvitation", "PARENT", "own", "CONFLICT"}, {"redeemInvitation", "PARENT", "other", ""}, {"redeemInvitation", "PARENT", "other school", ""},
	{"redeemInvitation", "TEACHER", "own", ""}, {"redeemInvitation", "TEACHER", "other", ""}, {"redeemInvitation", "TEACHER", "other school", ""},
	{"redeemInvitation", "ADMIN", "own", ""}, {"redeemInvitation", "ADMIN", "other", ""}, {"redeemInvitation", "ADMIN", "other school", ""},
	{"redeemInvitation", "RESTRICTED", "own", "CONFLICT"}, {"redeemInvitation", "RESTRICTED", "other", ""}, {"redeemInvitation", "RESTRICTED", "other school", ""},
}

const (
	qStudent   = `query($id: ID!) { student(id: $id) { id displayName school { id } classrooms { id } guardians { id restricted user { id } } } }`
	qClassroom = `query($id: ID!) { classroom(id: $id) { id name school { id } students { id } teachers { id } } }`
	qCreate    = `mutation($s: ID!) { createInvitation(input: {studentId: $s, relationship: GUARDIAN}) { code invitation { id student { id } createdBy { id } } } }`
	qRedeem    = `mutation($c: String!) { redeemInvitation(input: {code: $c}) { student { id } guardian { id relationship } membership { role school { id } } } }`
	qViewer    = `{ viewer { id memberships { role school { id } } children { id } classrooms { id } } }`
	qProfile   = `mutation { updateProfile(input: {displayName: "Renamed"}) { displayName } }`
)

func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	for _, r := range matrix {
		if r.op == "redeemInvitation" {
			continue // below: each redemption changes who sees what
		}
		t.Run(r.op+"/"+r.role+"/"+r.target, func(t *testing.T) {
			tgt := targets[r.target]
			tok := f.token(asker[r.role])
			before := f.Snapshot()
			var res = f.Do(tok, map[string]string{"student": qStudent, "classroom": qClassroom, "createInvitation": qCreate}[r.op],
				map[string]any{"id": idFor(f, r.op, tgt), "s": f.students[tgt.student].ID})
			if got := res.Code(); got != r.want {
				t.Fatalf("code = %q, want %q; body %s", got, r.want, res.Body)
			}
			if r.want != "" {
				// A refusal writes nothing and returns no data.
				if strings.Contains(res.Body, f.students[tgt.student].ID) || res.Data != nil && string(res.Data) != "null" && strings.Contains(string(res.Data), `"id"`) {
					t.Fatalf("refusal carries data: %s", res.Body)
				}
				apptest.SameCounts(t, before, f.Snapshot())
				return
			}
			if r.op == "createInvitation" && f.Count("invitations") != before["invitations"]+1 {
				t.Fatalf("invitation not stored")
			}
		})
	}

	t.Run("redeemInvitation", func(t *testing.T) {
		for _, r := range matrix {
			if r.op != "redeemInvitation" {
				continue
			}
			t.Run(r.role+"/"+r.target, func(t *testing.T) {
				g := newFixture(t)
				s := g.students[targets[r.target].student]
				admin := map[bool]string{true: "adminA", false: "adminB"}[s.SchoolID == g.students["s1"].SchoolID]
				code := g.createCode(t, admin, s.ID)
				tok := g.token(asker[r.role])
				before := g.Snapshot()
				res := g.Do(tok, qRedeem, map[string]any{"c": code})
				if got := res.Code(); got != r.want {
					t.Fatalf("code = %q, want %q; body %s", got, r.want, res.Body)
				}
				if r.want != "" {
					apptest.SameCounts(t, before, g.Snapshot())
					return
				}
				// Now a guardian: the child is visible and the school membership exists.
				see := g.Do(tok, qStudent, map[string]any{"id": s.ID})
				if see.Code() != "" {
					t.Fatalf("after redeeming, student not visible: %s", see.Body)
				}
				var v struct {
					Viewer struct {
						Memberships []struct {
							Role   string
							School struct{ ID string }
						}
					}
				}
				g.Do(tok, qViewer, nil).Decode(t, &v)
				found := false
				for _, m := range v.Viewer.Memberships {
					found = found || (m.Role == "PARENT" && m.School.ID == s.SchoolID)
				}
				if !found {
					t.Fatalf("no PARENT membership in the student's school: %+v", v)
				}
			})
		}
	})

	t.Run("viewer and updateProfile are the asker's own", func(t *testing.T) {
		for role, name := range asker {
			t.Run(role, func(t *testing.T) {
				var v struct {
					Viewer struct {
						ID       string
						Children []struct{ ID string }
					}
				}
				f.Do(f.token(name), qViewer, nil).Decode(t, &v)
				if v.Viewer.ID != f.users[name].ID {
					t.Fatalf("viewer is %s, want %s", v.Viewer.ID, f.users[name].ID)
				}
				if role == "RESTRICTED" && len(v.Viewer.Children) != 0 {
					t.Fatalf("restricted guardian sees children: %+v", v)
				}
				if role == "PARENT" && (len(v.Viewer.Children) != 1 || v.Viewer.Children[0].ID != f.students["s1"].ID) {
					t.Fatalf("parent children: %+v", v)
				}
				res := f.Do(f.token(name), qProfile, nil)
				if res.Code() != "" {
					t.Fatalf("updateProfile: %s", res.Body)
				}
				var u models.User
				f.DB.Take(&u, "id = ?", f.users[name].ID)
				if u.DisplayName != "Renamed" {
					t.Fatalf("profile not changed: %q", u.DisplayName)
				}
			})
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		for op, q := range map[string]string{"viewer": qViewer, "student": qStudent, "classroom": qClassroom, "createInvitation": qCreate, "redeemInvitation": qRedeem, "updateProfile": qProfile} {
			res := f.Do("", q, map[string]any{"id": f.students["s1"].ID, "s": f.students["s1"].ID, "c": "ABCD-EFGH-JKMN"})
			if res.Code() != "UNAUTHENTICATED" {
				t.Errorf("%s anonymous: code %q, body %s", op, res.Code(), res.Body)
			}
		}
	})
}

// Staff see every guardian of a student, restricted ones flagged; a parent
// sees only their own guardianship, never the other household's.
func TestGuardianVisibility(t *testing.T) {
	f := newFixture(t)
	type st struct {
		Student struct {
			Guardians []struct {
				Restricted bool
				User       struct{ ID string }
			}
		}
	}
	s1 := f.students["s1"].ID
	var asTeacher, asParent st
	f.Do(f.token("teacherA"), qStudent, map[string]any{"id": s1}).Decode(t, &asTeacher)
	if len(asTeacher.Student.Guardians) != 2 {
		t.Fatalf("teacher sees %d guardians, want 2", len(asTeacher.Student.Guardians))
	}
	restricted := 0
	for _, g := range asTeacher.Student.Guardians {
		if g.Restricted {
			restricted++
			if g.User.ID != f.users["restrictedA"].ID {
				t.Fatalf("wrong guardian flagged")
			}
		}
	}
	if restricted != 1 {
		t.Fatalf("teacher sees %d restricted guardians, want 1", restricted)
	}
	f.Do(f.token("parentA"), qStudent, map[string]any{"id": s1}).Decode(t, &asParent)
	if len(asParent.Student.Guardians) != 1 || asParent.Student.Guardians[0].User.ID != f.users["parentA"].ID {
		t.Fatalf("parent sees guardians %+v, want only themselves", asParent.Student.Guardians)
	}
	// A parent looking at their child's classroom sees only their own child.
	var c struct {
		Classroom struct{ Students []struct{ ID string } }
	}
	other := &models.Student{SchoolID: f.students["s1"].SchoolID, FirstName: "Classmate", LastName: "Kid", Grade: "2"}
	f.DB.Create(other)
	f.DB.Create(&models.Enrollment{ClassroomID: f.classrooms["a1"].ID, StudentID: other.ID, SchoolID: other.SchoolID})
	f.Do(f.token("parentA"), qClassroom, map[string]any{"id": f.classrooms["a1"].ID}).Decode(t, &c)
	if len(c.Classroom.Students) != 1 || c.Classroom.Students[0].ID != s1 {
		t.Fatalf("parent sees classmates: %+v", c)
	}
	f.Do(f.token("teacherA"), qClassroom, map[string]any{"id": f.classrooms["a1"].ID}).Decode(t, &c)
	if len(c.Classroom.Students) != 2 {
		t.Fatalf("teacher sees %d students, want 2", len(c.Classroom.Students))
	}
}

func idFor(f *fixture, op string, tgt struct{ student, classroom string }) string {
	if op == "classroom" {
		return f.classrooms[tgt.classroom].ID
	}
	return f.students[tgt.student].ID
}

func (f *fixture) createCode(t *testing.T, admin, studentID string) string {
	t.Helper()
	var out struct{ CreateInvitation struct{ Code string } }
	f.Do(f.token(admin), qCreate, map[string]any{"s": studentID}).Decode(t, &out)
	if out.CreateInvitation.Code == "" {
		t.Fatal("no code")
	}
	return out.CreateInvitation.Code
}
