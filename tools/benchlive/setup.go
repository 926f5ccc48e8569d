package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/app"
	"github.com/sameside/sameside/server/config"
)

func (r *recorder) delivered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type conv struct {
	id      string
	teacher int
}

type tokens struct{ parents, teachers []string }

// setup fills the database: one school, a teacher per 25 students, each
// student with one parent and a conversation between parent and teacher.
func setup(ctx context.Context, dbURL string, n int, log *slog.Logger) ([]conv, tokens, error) {
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "SAMESIDE_SEED": "false", "LOG_LEVEL": "warn"}[k]
	})
	if err != nil {
		return nil, tokens{}, err
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return nil, tokens{}, err
	}
	defer a.Close()
	var convs []conv
	var tk tokens
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		school := &models.School{Name: "Bench School", TimeZone: "America/New_York"}
		if err := tx.Create(school).Error; err != nil {
			return err
		}
		user := func(uid, name string, role models.Role) (*models.User, error) {
			u := &models.User{FirebaseUID: uid, DisplayName: name, Locale: "en-US", TimeZone: "America/New_York"}
			if err := tx.Create(u).Error; err != nil {
				return nil, err
			}
			return u, tx.Create(&models.Membership{UserID: u.ID, SchoolID: school.ID, Role: role}).Error
		}
		var teachers []*models.User
		var rooms []*models.Classroom
		for i := 0; i*25 < n; i++ {
			t, err := user(fmt.Sprintf("bench-teacher-%d", i), fmt.Sprintf("Teacher %d", i), models.RoleTeacher)
			if err != nil {
				return err
			}
			c := &models.Classroom{SchoolID: school.ID, Name: fmt.Sprintf("Room %d", i), Grade: "3", SchoolYear: "2026-2027"}
			if err := tx.Create(c).Error; err != nil {
				return err
			}
			if err := tx.Create(&models.ClassroomStaff{ClassroomID: c.ID, UserID: t.ID, SchoolID: school.ID}).Error; err != nil {
				return err
			}
			teachers, rooms = append(teachers, t), append(rooms, c)
		}
		for i := range n {
			p, err := user(fmt.Sprintf("bench-parent-%d", i), fmt.Sprintf("Parent %d", i), models.RoleParent)
			if err != nil {
				return err
			}
			s := &models.Student{SchoolID: school.ID, FirstName: fmt.Sprintf("Kid%d", i), LastName: "Bench", Grade: "3"}
			if err := tx.Create(s).Error; err != nil {
				return err
			}
			r := i / 25
			if err := tx.Create(&models.Enrollment{ClassroomID: rooms[r].ID, StudentID: s.ID, SchoolID: school.ID}).Error; err != nil {
				return err
			}
			if err := tx.Create(&models.Guardianship{SchoolID: school.ID, StudentID: s.ID, UserID: p.ID, Relationship: models.RelationshipParent, IsPrimary: true}).Error; err != nil {
				return err
			}
			c := &models.Conversation{SchoolID: school.ID, StudentID: &s.ID, Subject: "Bench", CreatedByID: p.ID, LastMessageAt: time.Now(), CreatedAt: time.Now()}
			if err := tx.Create(c).Error; err != nil {
				return err
			}
			for _, u := range []string{p.ID, teachers[r].ID} {
				if err := tx.Create(&models.ConversationParticipant{ConversationID: c.ID, UserID: u, JoinedAt: time.Now()}).Error; err != nil {
					return err
				}
			}
			tok, err := a.Demo.Sign(p.FirebaseUID, 2*time.Hour)
			if err != nil {
				return err
			}
			tk.parents = append(tk.parents, tok)
			convs = append(convs, conv{id: c.ID, teacher: r})
		}
		for _, t := range teachers {
			tok, err := a.Demo.Sign(t.FirebaseUID, 2*time.Hour)
			if err != nil {
				return err
			}
			tk.teachers = append(tk.teachers, tok)
		}
		return nil
	})
	if err != nil {
		return nil, tokens{}, err
	}
	// Statistics, as a school's database has them: on fresh tables the
	// planner guesses, and reads a whole table where an index would do.
	return convs, tk, a.DB.WithContext(ctx).Exec("ANALYZE").Error
}
