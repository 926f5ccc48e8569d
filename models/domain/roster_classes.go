package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/roster/oneroster"
	"gorm.io/gorm"
)

// grade is our grade for OneRoster's (CEDS codes: KG, 01 … 12, PK …).
func grade(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	g := codes[0]
	switch g {
	case "KG":
		return "K"
	case "PK", "IT", "PR", "TK":
		return g
	}
	return strings.TrimLeft(g, "0")
}

func (im *importer) classes() error {
	present := map[string]bool{}
	var create []models.Classroom
	for _, c := range im.set.Classes {
		present[c.SourcedID] = true
		year := ""
		if len(c.Terms) > 0 {
			if r := im.ids[oneroster.FileSessions][c.Terms[0]]; r != nil {
				year = r.Label
			}
		}
		id := im.target(oneroster.FileClasses, c.SourcedID)
		isNew := id == ""
		if isNew {
			id = uuid.NewString()
		}
		school := im.target(oneroster.FileOrgs, c.School)
		_, ch := im.note(oneroster.FileClasses, c.SourcedID, &id, "", digest(c.Title, c.School, strings.Join(c.Grades, ","), year), c.Deleted)
		im.count("classes", ch)
		switch {
		case ch == created && isNew:
			create = append(create, models.Classroom{ID: id, SchoolID: school, Name: c.Title, Grade: grade(c.Grades), SchoolYear: year})
		case ch == updated:
			if err := im.tx.Model(&models.Classroom{}).Where("id = ?", id).Updates(map[string]any{
				"name": c.Title, "grade": grade(c.Grades), "school_year": year, "archived_at": nil, "updated_at": im.now}).Error; err != nil {
				return err
			}
		case ch == withdrawn:
			if err := im.archiveClass(id); err != nil {
				return err
			}
		}
	}
	for _, r := range im.absent(oneroster.FileClasses, present) {
		_, ch := im.note(oneroster.FileClasses, r.SourcedID, nil, r.Label, r.Digest[:], true)
		im.count("classes", ch)
		if err := im.archiveClass(r.target()); err != nil {
			return err
		}
	}
	return im.tx.CreateInBatches(create, 500).Error
}

// archiveClass makes a class history: archived, read-only, out of its
// teachers' and students' current classes; its teachers no longer reach
// its students through it (policy), and what was written stays.
func (im *importer) archiveClass(id string) error {
	staff, err := archiveClassroom(im.tx, id, im.now)
	for _, u := range staff {
		im.access[u] = true
	}
	return err
}

// archiveClassroom archives a classroom (if it is not already) and returns
// its staff, whose access changed.
func archiveClassroom(tx *gorm.DB, id string, now time.Time) ([]string, error) {
	var staff []string
	if err := tx.Model(&models.ClassroomStaff{}).Where("classroom_id = ?", id).Pluck("user_id", &staff).Error; err != nil {
		return nil, err
	}
	return staff, tx.Model(&models.Classroom{}).Where("id = ? AND archived_at IS NULL", id).
		Updates(map[string]any{"archived_at": now, "updated_at": now}).Error
}
