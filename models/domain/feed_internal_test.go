package domain

import (
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/sameside/sameside/models"
)

// TestFeedColumnsCoverModels: the feed page scans its rows by hand; a column
// added to Observation, User or Student must be added to feedRow.columns
// too, or the feed would hand resolvers a zero value.
func TestFeedColumnsCoverModels(t *testing.T) {
	var r feedRow
	cols, dsts := r.columns("COUNT", "ATTACHMENTS")
	got := map[string]bool{}
	for _, c := range strings.Split(cols, ", ") {
		got[c] = true
	}
	if len(dsts) != len(got) {
		t.Fatalf("%d columns, %d destinations", len(got), len(dsts))
	}
	for alias, model := range map[string]any{"observations": &models.Observation{}, "au": &models.User{}, "st": &models.Student{}} {
		s, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range s.DBNames {
			if !got[alias+"."+name] {
				t.Errorf("feedRow.columns misses %s.%s", alias, name)
			}
			delete(got, alias+"."+name)
		}
	}
	for _, extra := range []string{"a.reaction", "a.created_at", "COUNT", "ATTACHMENTS"} {
		if !got[extra] {
			t.Errorf("feedRow.columns misses %s", extra)
		}
		delete(got, extra)
	}
	if len(got) > 0 {
		t.Errorf("feedRow.columns has columns no model has: %v", got)
	}
}

// A live delivery's read (MessageIn) lists the message's columns itself:
// every column the model has.
func TestMessageColumnsCoverModel(t *testing.T) {
	var r messageRow
	cols, dsts := r.columns()
	got := map[string]bool{}
	for _, c := range strings.Split(cols, ", ") {
		got[c] = true
	}
	if len(dsts) != len(got) {
		t.Fatalf("%d columns, %d destinations", len(got), len(dsts))
	}
	s, err := schema.Parse(&models.Message{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range s.DBNames {
		if !got["messages."+name] {
			t.Errorf("messageRow.columns misses messages.%s", name)
		}
		delete(got, "messages."+name)
	}
	if len(got) > 0 {
		t.Errorf("messageRow.columns has columns the model has not: %v", got)
	}
}
