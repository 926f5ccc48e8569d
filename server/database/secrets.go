package database

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
)

// SharedSecret returns the 32-byte secret called name, made by the first
// process that asks and kept in the database, so that every process of
// the server signs and checks with the same key.
func SharedSecret(ctx context.Context, db *gorm.DB, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	s := models.ServerSecret{Name: name, Value: fresh, CreatedAt: time.Now().UTC()}
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&s).Error; err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	if err := db.WithContext(ctx).Take(&s, "name = ?", name).Error; err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return s.Value, nil
}
