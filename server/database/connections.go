package database

import (
	"context"

	"gorm.io/gorm"
)

// Connections is what the database has for clients' connections:
// max_connections less those kept for superusers (Limit), how many client
// backends are connected now (InUse), and the difference (Room).
type Connections struct {
	Limit, InUse, Room int
}

// ClientConnections reads the database's Connections.
func ClientConnections(ctx context.Context, db *gorm.DB) (Connections, error) {
	var c Connections
	err := db.WithContext(ctx).Raw(`SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS limit,
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use`).Scan(&c).Error
	c.Room = c.Limit - c.InUse
	return c, err
}
