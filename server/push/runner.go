package push

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Register returns what adds p's fan-out worker to a jobs client (see
// server/jobs), after checking that a fan-out's run stays below the time
// after which the job counts as abandoned and runs again elsewhere.
func Register(p *Pipeline, rescueAfter time.Duration) func(*river.Workers) error {
	return func(w *river.Workers) error {
		if p.Config.JobTimeout >= rescueAfter {
			return fmt.Errorf("push: job timeout %v must be below the rescue time %v", p.Config.JobTimeout, rescueAfter)
		}
		return river.AddWorkerSafely(w, &Worker{P: p})
	}
}
