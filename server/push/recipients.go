package push

import (
	"sync"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// recipientCache loads, once per fan-out, what messages need about each
// recipient: name and locale for the text, unread messages for the badge.
type recipientCache struct {
	db             *gorm.DB
	notificationID string
	mu             sync.Mutex
	m              map[string]recipientInfo
}

func newRecipientCache(db *gorm.DB, notificationID string) *recipientCache {
	return &recipientCache{db: db, notificationID: notificationID, m: map[string]recipientInfo{}}
}

// badgeSQL is a push's badge for the user in column user: their unread
// messages (Viewer.unreadCount).
func badgeSQL(user string) string { return policy.UnreadMessagesSQL(user) }

// put keeps what was read elsewhere (with the plan) for the sends.
func (c *recipientCache) put(who map[string]recipientInfo) {
	if len(who) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, r := range who {
		c.m[id] = r
	}
}

func (c *recipientCache) get(users []string) (map[string]recipientInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing []string
	seen := map[string]bool{}
	for _, u := range users {
		if _, ok := c.m[u]; !ok && !seen[u] {
			missing = append(missing, u)
			seen[u] = true
		}
	}
	if len(missing) > 0 {
		var rows []struct {
			ID, DisplayName, Locale, TimeZone string
			Unread                            int
		}
		err := c.db.Raw(`SELECT u.id, u.display_name, u.locale, u.time_zone, `+badgeSQL("u.id")+` AS unread
			FROM users u WHERE u.id = ANY(?::uuid[])`, models.Array[string](missing)).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			c.m[r.ID] = recipientInfo{name: r.DisplayName, locale: r.Locale, timeZone: r.TimeZone, badge: r.Unread}
		}
	}
	out := make(map[string]recipientInfo, len(users))
	for _, u := range users {
		out[u] = c.m[u]
	}
	return out, nil
}
