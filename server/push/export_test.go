package push

import (
	"time"

	"gorm.io/gorm"
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
