package graph_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/server/apptest"
)

// Staff curate resources; parents see those for their children's grades;
// other schools see nothing; refusals write nothing.
func TestResources(t *testing.T) {
	f := newFixture(t)
	school := f.students["s1"].SchoolID
	f.DB.Exec(`UPDATE students SET grade = '3' WHERE id = ?`, f.students["s2"].ID) // s1 is in grade 2, s2 in grade 3
	add := func(who, title string, grades []string, topic string) string {
		var out struct{ CreateResource struct{ ID string } }
		res := f.Do(f.token(who), `mutation($in: CreateResourceInput!) { createResource(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"schoolId": school, "title": title, "url": "https://example.org/" + strings.ReplaceAll(title, " ", "-"), "topic": topic, "grades": grades}})
		if res.Code() == "" {
			res.Decode(t, &out)
		}
		return out.CreateResource.ID + res.Code()
	}
	add("adminA", "Talking about feelings", nil, "COMMUNICATION")
	add("teacherA", "Reading in grade 2", []string{"2"}, "LEARNING_AT_HOME")
	grade3 := add("adminA", "Homework routines in grade 3", []string{"3"}, "SELF_RELIANCE")
	for who, code := range map[string]string{"parentA": "FORBIDDEN", "adminB": "NOT_FOUND"} {
		before := f.Snapshot()
		if got := add(who, "Nope", nil, "OTHER"); !strings.HasSuffix(got, code) {
			t.Errorf("%s adding: %s", who, got)
		}
		apptest.SameCounts(t, before, f.Snapshot())
	}
	if res := f.Do(f.token("adminA"), `mutation { createResource(input: {schoolId: "`+school+`", title: "x", url: "http://insecure.example", topic: OTHER}) { id } }`, nil); res.Code() != "BAD_USER_INPUT" {
		t.Errorf("http link: %s", res.Body)
	}
	list := func(who, topic string) string {
		var out struct{ Resources []struct{ Title string } }
		vars := map[string]any{}
		q := `{ resources { title } }`
		if topic != "" {
			q, vars["t"] = `query($t: EventTopic) { resources(topic: $t) { title } }`, topic
		}
		f.Do(f.token(who), q, vars).Decode(t, &out)
		var ts []string
		for _, r := range out.Resources {
			ts = append(ts, r.Title)
		}
		return strings.Join(ts, "|")
	}
	for who, want := range map[string]string{
		"parentA":     "Reading in grade 2|Talking about feelings",
		"parentA2":    "Homework routines in grade 3|Talking about feelings",
		"restrictedA": "",
		"parentB":     "",
		"teacherA2":   "Homework routines in grade 3|Reading in grade 2|Talking about feelings",
	} {
		if got := list(who, ""); got != want {
			t.Errorf("%s sees %q, want %q", who, got, want)
		}
	}
	if got := list("parentA", "COMMUNICATION"); got != "Talking about feelings" {
		t.Errorf("by topic: %q", got)
	}
	// Deleting: a teacher not the author cannot; an admin can.
	if res := f.Do(f.token("teacherA"), `mutation($id: ID!) { deleteResource(input: {id: $id}) }`, map[string]any{"id": grade3}); res.Code() != "NOT_FOUND" {
		t.Errorf("teacher deleting another's: %s", res.Body)
	}
	if res := f.Do(f.token("adminA"), `mutation($id: ID!) { deleteResource(input: {id: $id}) }`, map[string]any{"id": grade3}); res.Code() != "" {
		t.Errorf("admin deleting: %s", res.Body)
	}
	if got := list("parentA2", ""); got != "Talking about feelings" {
		t.Errorf("after deleting: %q", got)
	}
}
