package push

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// SaveSent writes, as one outcome write of the fan-out's sender, that the
// deliveries of notificationID to devices were sent.
func SaveSent(db *gorm.DB, notificationID string, devices []string) error {
	r := newRecorder(notificationID)
	for _, d := range devices {
		r.sent(d, "projects/p/messages/"+d)
	}
	return r.save(db, &Pipeline{Now: time.Now})
}

// PlanChunk plans up to size recipients of notification id, those after
// after ("": from the first), as the fan-out job with id job does, with p's
// settings on db; it returns how many it planned and the last of them.
func PlanChunk(p *Pipeline, db *gorm.DB, id string, job int64, after string, size int) (int, string, error) {
	q := *p
	q.DB = db
	n := models.Notification{ID: id}
	c, err := q.planChunk(context.Background(), &n, true, job, nil, after, size)
	return c.got, c.last, err
}
