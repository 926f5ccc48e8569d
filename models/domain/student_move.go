package domain

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// moveStudent moves a student to another school of their district, as the
// roster or an admin says. The new school gets a student row of its own:
// every row of a school keeps its school_id (the key a sharded database
// would split on), and the old school's history of the child stays with
// the old school, under its retention rules. The guardianships come along
// as they stand — a custody restriction and its reason, the household —
// and the guardians become PARENTs at the new school; the old row is
// withdrawn. It returns the new row and the guardians to tell.
func moveStudent(tx *gorm.DB, st *models.Student, school string, now time.Time) (*models.Student, []string, error) {
	moved := models.Student{ID: uuid.NewString(), SchoolID: school, FirstName: st.FirstName, LastName: st.LastName,
		PreferredName: st.PreferredName, Grade: st.Grade, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&moved).Error; err != nil {
		return nil, nil, err
	}
	if err := tx.Exec(`INSERT INTO guardianships (school_id, student_id, user_id, relationship, is_primary, restricted, restricted_reason, household, created_at, updated_at)
		SELECT @school, @moved, user_id, relationship, is_primary, restricted, restricted_reason, household, @now, @now
		FROM guardianships WHERE student_id = @old AND ended_at IS NULL`,
		map[string]any{"school": school, "moved": moved.ID, "old": st.ID, "now": now}).Error; err != nil {
		return nil, nil, err
	}
	if err := tx.Exec(`INSERT INTO memberships (user_id, school_id, role)
		SELECT DISTINCT user_id, CAST(@school AS uuid), CAST(@role AS text) FROM guardianships WHERE student_id = @moved AND grants_access
		ON CONFLICT DO NOTHING`, map[string]any{"school": school, "moved": moved.ID, "role": models.RoleParent}).Error; err != nil {
		return nil, nil, err
	}
	guardians, err := withdrawStudent(tx, st.ID, now)
	return &moved, guardians, err
}
