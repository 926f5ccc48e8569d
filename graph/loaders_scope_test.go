package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/sameside/sameside/graph/loaders"
	"github.com/sameside/sameside/models"
)

// The loaders of records reached through something already checked apply
// a scope of their own all the same: given another school's ids, they load
// nothing for a viewer of school B, whoever the caller.
func TestLoadersNeverCrossSchools(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	schoolA, schoolB := f.students["s1"].SchoolID, f.students["sB"].SchoolID
	// School A's records: a conference round and slot, a teacher, a file.
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	round := &models.ConferenceRound{SchoolID: schoolA, Name: "Fall", StartsOn: day, EndsOn: day.AddDate(0, 0, 1), SlotMinutes: 15,
		Mode: models.ConferenceInPerson, CreatedByID: f.users["adminA"].ID}
	if err := f.DB.Create(round).Error; err != nil {
		t.Fatal(err)
	}
	viewerOf := func(user, school string, role models.Role) *models.Viewer {
		return &models.Viewer{User: *f.users[user], Memberships: []models.Membership{{UserID: f.users[user].ID, SchoolID: school, Role: role}}}
	}
	for _, tc := range []struct {
		name string
		v    *models.Viewer
		want bool
	}{{"school A's teacher", viewerOf("teacherA", schoolA, models.RoleTeacher), true}, {"school B's parent", viewerOf("parentB", schoolB, models.RoleParent), false}} {
		l := loaders.New(f.DB, tc.v)
		st, err := l.StudentOfVisible.Load(ctx, f.students["s1"].ID)
		if err != nil && tc.want {
			t.Fatalf("%s: student: %v", tc.name, err)
		}
		r, _ := l.ConferenceRound.Load(ctx, round.ID)
		u, _ := l.User.Load(ctx, f.users["teacherA"].ID)
		got := []bool{st != nil, r != nil, u != nil}
		for i, g := range got {
			if g != tc.want {
				t.Errorf("%s: loader %d loaded=%v, want %v", tc.name, i, g, tc.want)
			}
		}
	}
}
