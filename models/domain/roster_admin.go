package domain

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// A school's admins keep its people and classes by hand, for what a roster
// import does not bring (or for schools without one). Each change is
// audited; whoever loses access is told at once.

// person finds the account that holds email: a roster record not yet
// claimed, or a new one (claimed at its holder's first sign-in with the
// email verified). A signed-in account is never linked by an email an
// admin typed: its holder claims the record by signing in with the
// verified address.
func person(tx *gorm.DB, email, name, timeZone string) (string, error) {
	var id string
	if err := tx.Model(&models.User{}).Where("lower(email) = lower(?) AND firebase_uid LIKE ?", email, models.UnclaimedUIDPrefix+"%").
		Order("created_at").Limit(1).Pluck("id", &id).Error; err != nil || id != "" {
		return id, err
	}
	id = uuid.NewString()
	u := placeholder(id, email, "", name, timeZone)
	return id, tx.Create(&u).Error
}

// placeholder is the account of someone a school knows who has not signed
// in yet: its uid is no sign-in's, until a verified sign-in claims it.
func placeholder(id, email, phone, name, timeZone string) models.User {
	return models.User{ID: id, FirebaseUID: models.UnclaimedUIDPrefix + id, Email: nonEmpty(email), Phone: nonEmpty(phone),
		DisplayName: name, Locale: "en-US", TimeZone: timeZone}
}

func cleanPerson(email, name string) (string, string, error) {
	e, err := models.CleanEmail("email", email)
	if err != nil {
		return "", "", err
	}
	n, err := models.CleanText("displayName", name, 100, true)
	return e, n, err
}

// AddGuardian adds a guardian (by email) to a student of the admin's school.
func (s *Service) AddGuardian(ctx context.Context, v *models.Viewer, in models.AddGuardianInput) (*models.Guardianship, error) {
	email, name, err := cleanPerson(in.Email, in.DisplayName)
	if err != nil {
		return nil, err
	}
	if !in.Relationship.Valid() {
		return nil, models.InvalidField("relationship", "relationship is not valid")
	}
	household, err := cleanHousehold(in.Household)
	if err != nil {
		return nil, err
	}
	var g models.Guardianship
	_, err = s.adminStudentChange(ctx, v, in.StudentID, "guardian.add", func(tx *gorm.DB, st *models.Student) error {
		var school models.School
		if err := tx.Take(&school, "id = ?", st.SchoolID).Error; err != nil {
			return err
		}
		user, err := person(tx, email, name, school.TimeZone)
		if err != nil {
			return err
		}
		g = models.Guardianship{ID: uuid.NewString(), SchoolID: st.SchoolID, StudentID: st.ID, UserID: user, Relationship: in.Relationship, Household: household}
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "student_id"}, {Name: "user_id"}},
			DoUpdates: clause.Assignments(map[string]any{"ended_at": nil, "household": household, "updated_at": s.now()})}).Create(&g)
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.Membership{UserID: user, SchoolID: st.SchoolID, Role: models.RoleParent}).Error; err != nil {
			return err
		}
		if err := tx.Take(&g, "student_id = ? AND user_id = ?", st.ID, user).Error; err != nil {
			return err
		}
		return s.accessChanged(tx, user)
	})
	return &g, err
}

// AddStaff gives someone (by email) a staff role at the admin's school:
// TEACHER (of the classrooms given), ADMIN or MONITOR.
func (s *Service) AddStaff(ctx context.Context, v *models.Viewer, in models.AddStaffInput) (*models.User, error) {
	email, name, err := cleanPerson(in.Email, in.DisplayName)
	if err != nil {
		return nil, err
	}
	if !policy.IsStaffRole(in.Role) {
		return nil, models.InvalidField("role", "staff are TEACHER, ADMIN or MONITOR")
	}
	if !validID(in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "add staff"); err != nil {
		return nil, err
	}
	var u models.User
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var school models.School
		if err := tx.Take(&school, "id = ?", in.SchoolID).Error; err != nil {
			return err
		}
		id, err := person(tx, email, name, school.TimeZone)
		if err != nil {
			return err
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.Membership{UserID: id, SchoolID: in.SchoolID, Role: in.Role}).Error; err != nil {
			return err
		}
		for _, c := range dedupe(in.ClassroomIDs) {
			var n int64
			if !validID(c) {
				return models.NotFound("classroom")
			}
			if err := tx.Model(&models.Classroom{}).Where("id = ? AND school_id = ? AND archived_at IS NULL", c, in.SchoolID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.NotFound("classroom")
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.ClassroomStaff{ClassroomID: c, UserID: id, SchoolID: in.SchoolID}).Error; err != nil {
				return err
			}
		}
		if err := s.auditWrite(tx, v, in.SchoolID, "", id, "staff.add"); err != nil {
			return err
		}
		if err := s.accessChanged(tx, id); err != nil {
			return err
		}
		return tx.Take(&u, "id = ?", id).Error
	})
	return &u, err
}

// RemoveStaff ends someone's staff roles and classes at the admin's school.
func (s *Service) RemoveStaff(ctx context.Context, v *models.Viewer, in models.RemoveStaffInput) (bool, error) {
	if !validID(in.SchoolID) {
		return false, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "remove staff"); err != nil {
		return false, err
	}
	if !validID(in.UserID) {
		return false, models.NotFound("user")
	}
	if in.UserID == v.ID {
		return false, models.InvalidField("userId", "an admin does not remove themselves; another admin can")
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND school_id = ? AND role IN ?", in.UserID, in.SchoolID,
			[]models.Role{models.RoleTeacher, models.RoleAdmin, models.RoleMonitor}).Delete(&models.Membership{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.NotFound("user")
		}
		if err := tx.Where("user_id = ? AND school_id = ?", in.UserID, in.SchoolID).Delete(&models.ClassroomStaff{}).Error; err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, in.SchoolID, "", in.UserID, "staff.remove"); err != nil {
			return err
		}
		return s.accessChanged(tx, in.UserID)
	})
	return err == nil, err
}

// CreateClassroom adds a classroom to the admin's school.
func (s *Service) CreateClassroom(ctx context.Context, v *models.Viewer, in models.CreateClassroomInput) (*models.Classroom, error) {
	if !validID(in.SchoolID) {
		return nil, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "create classrooms"); err != nil {
		return nil, err
	}
	name, err := models.CleanText("name", in.Name, 100, true)
	if err != nil {
		return nil, err
	}
	grade, err := models.CleanText("grade", in.Grade, 10, true)
	if err != nil {
		return nil, err
	}
	year, err := models.CleanText("schoolYear", in.SchoolYear, 20, true)
	if err != nil {
		return nil, err
	}
	c := &models.Classroom{ID: uuid.NewString(), SchoolID: in.SchoolID, Name: name, Grade: grade, SchoolYear: year}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		return s.auditWrite(tx, v, in.SchoolID, "", c.ID, "classroom.create")
	})
	return c, err
}

// ArchiveClassroom makes a classroom history (see the roster's rollover).
func (s *Service) ArchiveClassroom(ctx context.Context, v *models.Viewer, in models.ClassroomIDInput) (*models.Classroom, error) {
	c, err := s.Classroom(ctx, v, in.ClassroomID)
	if err != nil {
		return nil, err
	}
	if err := policy.RequireSchoolAdmin(v, c.SchoolID, "archive classrooms"); err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		staff, err := archiveClassroom(tx, c.ID, s.now())
		if err != nil {
			return err
		}
		if err := s.accessChanged(tx, staff...); err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, c.SchoolID, "", c.ID, "classroom.archive"); err != nil {
			return err
		}
		return tx.Take(c, "id = ?", c.ID).Error
	})
	return c, err
}

// TransferStudent moves a student to a current classroom: of their school
// (replacing their current classes), or of another school of the district
// whose admin the viewer also is (a district admin), where the student
// continues as a new row of that school with their guardians (moveStudent)
// and the old school keeps the history. Audited at both schools.
func (s *Service) TransferStudent(ctx context.Context, v *models.Viewer, in models.TransferStudentInput) (*models.Student, error) {
	if !validID(in.ClassroomID) {
		return nil, models.NotFound("classroom")
	}
	return s.adminStudentChange(ctx, v, in.StudentID, "student.transfer", func(tx *gorm.DB, st *models.Student) error {
		if st.WithdrawnAt != nil {
			return models.Errorf(models.CodeConflict, "the student has left the school")
		}
		var room models.Classroom
		if err := tx.Scopes(policy.Classrooms(v)).Where("classrooms.id = ? AND classrooms.archived_at IS NULL", in.ClassroomID).Take(&room).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return models.NotFound("classroom")
			}
			return err
		}
		teachers, err := policy.TeachersOf(tx, st.ID)
		if err != nil {
			return err
		}
		if room.SchoolID != st.SchoolID {
			if err := policy.RequireSchoolAdmin(v, room.SchoolID, "take in a student"); err != nil {
				return err
			}
			var same int64
			if err := tx.Table("schools a").Joins("JOIN schools b ON b.district_id = a.district_id").
				Where("a.id = ? AND b.id = ?", st.SchoolID, room.SchoolID).Count(&same).Error; err != nil {
				return err
			}
			if same == 0 {
				return models.InvalidField("classroomId", "a student moves only between schools of one district")
			}
			if err := s.auditWrite(tx, v, st.SchoolID, st.ID, st.ID, "student.transfer.out"); err != nil {
				return err
			}
			moved, guardians, err := moveStudent(tx, st, room.SchoolID, s.now())
			if err != nil {
				return err
			}
			// A roster's record of the student follows them.
			if err := tx.Table("roster_ids").Where("kind = ? AND target_id = ?", "users", st.ID).
				Update("target_id", moved.ID).Error; err != nil {
				return err
			}
			*st = *moved
			teachers = append(teachers, guardians...)
		} else if err := tx.Where("student_id = ? AND classroom_id IN (SELECT id FROM classrooms WHERE archived_at IS NULL)", st.ID).Delete(&models.Enrollment{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.Enrollment{ClassroomID: room.ID, StudentID: st.ID, SchoolID: st.SchoolID}).Error; err != nil {
			return err
		}
		return s.accessChanged(tx, teachers...)
	})
}
