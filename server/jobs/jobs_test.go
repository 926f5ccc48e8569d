package jobs

import (
	"testing"

	"github.com/riverqueue/river/rivertype"
)

func TestRanBefore(t *testing.T) {
	for _, c := range []struct {
		attempt  int
		metadata string
		want     bool
	}{
		{1, "", false},
		{1, "{}", false},
		{1, `{"snoozes": 0}`, false},
		{1, `{"snoozes": 1}`, true}, // River put the attempt back
		{2, "{}", true},
		{1, "not json", true},
	} {
		job := &rivertype.JobRow{Attempt: c.attempt, Metadata: []byte(c.metadata)}
		if got := RanBefore(job); got != c.want {
			t.Errorf("attempt %d, metadata %q: %v, want %v", c.attempt, c.metadata, got, c.want)
		}
	}
}
