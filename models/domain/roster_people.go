package domain

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/roster/oneroster"
)

// What each OneRoster user role becomes here.
func userKind(role string) string {
	switch role {
	case "student":
		return "students"
	case "teacher", "aide", "administrator":
		return "staff"
	case "parent", "guardian", "relative":
		return "guardians"
	}
	return "" // proctors: kept for references, no access
}

func relationship(role string) models.Relationship {
	switch role {
	case "parent":
		return models.RelationshipParent
	case "guardian":
		return models.RelationshipGuardian
	}
	return models.RelationshipOther
}

// districtSchools loads the ids of the district's schools and of its
// classrooms' schools (after orgs and classes ran).
func (im *importer) districtSchools() ([]string, map[string]string, error) {
	var schools []string
	if err := im.tx.Model(&models.School{}).Where("district_id = ?", im.district.ID).Pluck("id", &schools).Error; err != nil {
		return nil, nil, err
	}
	var rooms []struct{ ID, SchoolID string }
	if err := im.tx.Model(&models.Classroom{}).Where("school_id IN ?", schools).Select("id, school_id").Scan(&rooms).Error; err != nil {
		return nil, nil, err
	}
	roomSchool := make(map[string]string, len(rooms))
	for _, r := range rooms {
		roomSchool[r.ID] = r.SchoolID
	}
	return schools, roomSchool, nil
}

func (im *importer) users() error {
	schools, roomSchool, err := im.districtSchools()
	if err != nil {
		return err
	}
	im.schools, im.roomSchool = schools, roomSchool
	im.studentSchool = map[string]string{}
	present := map[string]bool{}
	var students []models.Student
	var people []models.User
	var members []models.Membership
	var admins []models.DistrictAdmin
	var points []models.ContactPoint
	// Rows go in as they fill a batch (people before their memberships), so
	// a district's hundred thousand people are never all in memory twice.
	flush := func() error {
		for _, err := range []error{createAll(im, students, 1000), createAll(im, people, 1000), createAll(im, members, 2000), createAll(im, admins, 2000),
			createAll(im, points, 2000)} {
			if err != nil {
				return err
			}
		}
		students, people, members, admins, points = students[:0], people[:0], members[:0], admins[:0], points[:0]
		return nil
	}
	for _, u := range im.set.Users {
		if len(students)+len(people) >= 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
		present[u.SourcedID] = true
		kind := userKind(u.Role)
		var orgSchools []string
		districtAdmin := false
		for _, o := range u.Orgs {
			if r := im.ids[oneroster.FileOrgs][o]; r != nil && r.Label == "school" && r.hasTarget() {
				orgSchools = append(orgSchools, r.target())
			} else if r != nil && r.Label == "district" {
				districtAdmin = u.Role == "administrator"
			}
		}
		phone := u.SMS
		if phone == "" {
			phone = u.Phone
		}
		email := strings.ToLower(u.Email)
		fields := []string{u.Role, u.GivenName, u.FamilyName, u.MiddleName, email, phone, strings.Join(u.Orgs, ","), strings.Join(u.Grades, ",")}
		if u.Language != "" { // only then: the digests of sets without it stay as they were
			fields = append(fields, "language:"+u.Language)
		}
		sum := digest(fields...)
		id := im.target(oneroster.FileUsers, u.SourcedID)
		isNew := id == ""
		if isNew {
			id = uuid.NewString()
		}
		ref, ch := im.note(oneroster.FileUsers, u.SourcedID, &id, u.Role, sum, u.Deleted || !u.Enabled)
		if kind == "" {
			continue
		}
		im.count(kind, ch)
		if kind == "students" && !u.Deleted {
			if len(orgSchools) == 0 {
				im.set.Problems = append(im.set.Problems, oneroster.Problem{File: "users.csv", Line: u.Line, Message: "student " + u.SourcedID + ": none of orgSourcedIds is a school"})
				continue
			}
			im.studentSchool[id] = orgSchools[0]
		}
		switch ch {
		case created, updated:
			if kind == "students" {
				if ch == created && isNew {
					students = append(students, models.Student{ID: id, SchoolID: orgSchools[0], FirstName: u.GivenName, LastName: u.FamilyName, Grade: grade(u.Grades)})
					continue
				}
				fields := map[string]any{"first_name": u.GivenName, "last_name": u.FamilyName, "grade": grade(u.Grades), "withdrawn_at": nil, "updated_at": im.now}
				res := im.tx.Model(&models.Student{}).Where("id = ? AND school_id = ?", id, orgSchools[0]).Updates(fields)
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 0 {
					// The student moved to another school of the district.
					if err := im.moveStudent(ref, id, orgSchools[0], fields); err != nil {
						return err
					}
				}
				continue
			}
			name := strings.TrimSpace(u.GivenName + " " + u.FamilyName)
			if ch == created && isNew {
				im.invitees = append(im.invitees, uuid.MustParse(id))
				p := placeholder(id, email, phone, name, im.district.TimeZone)
				if u.Language != "" {
					p.Locale, p.LocaleSource = u.Language, models.LocaleFromRoster
				}
				people = append(people, p)
			} else if err := im.updatePerson(id, name, email, phone, u.Language); err != nil {
				return err
			}
			if kind == "guardians" {
				// The family's email and number, vouched for by the school.
				kept, err := im.rosterPoints(id, email, phone, !(ch == created && isNew))
				if err != nil {
					return err
				}
				points = append(points, kept...)
			}
			if kind == "staff" {
				role := models.RoleTeacher
				if u.Role == "administrator" {
					role = models.RoleAdmin
				}
				if !isNew {
					// The roster says where they work now.
					q := im.tx.Where("user_id = ? AND school_id IN ? AND role IN ?", id, im.schools, []models.Role{models.RoleTeacher, models.RoleAdmin})
					if len(orgSchools) > 0 {
						q = q.Where("school_id NOT IN ?", orgSchools)
					}
					if err := q.Delete(&models.Membership{}).Error; err != nil {
						return err
					}
					im.access[id] = true
				}
				for _, sc := range orgSchools {
					members = append(members, models.Membership{ID: uuid.NewString(), UserID: id, SchoolID: sc, Role: role})
				}
				if districtAdmin {
					admins = append(admins, models.DistrictAdmin{DistrictID: im.district.ID, UserID: id})
				}
			}
		case withdrawn:
			if err := im.withdraw(kind, id); err != nil {
				return err
			}
		}
	}
	for _, r := range im.absent(oneroster.FileUsers, present) {
		_, ch := im.note(oneroster.FileUsers, r.SourcedID, nil, r.Label, r.Digest[:], true)
		if kind := userKind(r.Label); kind != "" {
			im.count(kind, ch)
			if err := im.withdraw(kind, r.target()); err != nil {
				return err
			}
		}
	}
	return flush()
}

// rosterPoints are a guardian's contact points from the roster: the email
// and the number (the sms column, else phone) when it is a valid mobile
// number. For a known guardian, roster points the roster no longer holds
// go (those the person added stay).
func (im *importer) rosterPoints(userID, email, phone string, known bool) ([]models.ContactPoint, error) {
	var out []models.ContactPoint
	var keep []string
	if a, err := NormalizeAddress(models.ChannelEmail, email, ""); email != "" && err == nil {
		out = append(out, models.ContactPoint{UserID: userID, Channel: models.ChannelEmail, Address: a, Source: models.SourceRoster})
		keep = append(keep, a)
	}
	// A national number is read as a US one; E.164 passes as it is.
	if a, err := NormalizeAddress(models.ChannelSMS, phone, "US"); phone != "" && err == nil {
		out = append(out, models.ContactPoint{UserID: userID, Channel: models.ChannelSMS, Address: a, Source: models.SourceRoster})
		keep = append(keep, a)
	}
	if known {
		q := im.tx.Where("user_id = ? AND source = ?", userID, models.SourceRoster)
		if len(keep) > 0 {
			q = q.Where("address NOT IN ?", keep)
		}
		if err := q.Delete(&models.ContactPoint{}).Error; err != nil {
			return nil, err
		}
	}
	return out, nil
}

// moveStudent follows a student the roster places at another school of the
// district (moveStudent): their roster record points at the new row.
func (im *importer) moveStudent(ref *rosterRef, id, school string, fields map[string]any) error {
	var st models.Student
	if err := im.tx.Take(&st, "id = ?", id).Error; err != nil {
		return err
	}
	moved, guardians, err := moveStudent(im.tx, &st, school, im.now)
	if err != nil {
		return err
	}
	for _, g := range guardians {
		im.access[g] = true
	}
	delete(im.studentSchool, id)
	im.studentSchool[moved.ID] = school
	ref.Target, ref.dirty = uuid.MustParse(moved.ID), true
	return im.tx.Model(&models.Student{}).Where("id = ?", moved.ID).Updates(fields).Error
}

// createAll inserts rows in batches, leaving those that exist alone.
func createAll[T any](im *importer, rows []T, batch int) error {
	if len(rows) == 0 {
		return nil
	}
	return im.tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, batch).Error
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// updatePerson takes the roster's name, and its email and phone for people
// who have not signed in yet (a signed-in person's come from their sign-in).
func (im *importer) updatePerson(id, name, email, phone, lang string) error {
	if err := im.tx.Model(&models.User{}).Where("id = ?", id).Updates(map[string]any{"display_name": name, "updated_at": im.now}).Error; err != nil {
		return err
	}
	if lang != "" {
		// The roster's language, unless the person's phone or profile
		// said otherwise.
		if err := im.tx.Model(&models.User{}).Where("id = ? AND locale_source IN ('DEFAULT', ?)", id, models.LocaleFromRoster).
			Updates(map[string]any{"locale": lang, "locale_source": models.LocaleFromRoster}).Error; err != nil {
			return err
		}
	}
	return im.tx.Model(&models.User{}).Where("id = ? AND firebase_uid LIKE ?", id, models.UnclaimedUIDPrefix+"%").
		Updates(map[string]any{"email": nonEmpty(email), "phone": nonEmpty(phone)}).Error
}

// withdraw ends what a person has in the district: a student leaves (their
// guardians' access ends, their classes too; their history stays), staff
// lose their roles there, guardians their guardianships. Everyone whose
// access changed is told.
func (im *importer) withdraw(kind, id string) error {
	switch kind {
	case "students":
		guardians, err := withdrawStudent(im.tx, id, im.now)
		for _, g := range guardians {
			im.access[g] = true
		}
		return err
	case "staff":
		im.access[id] = true
		if err := im.tx.Where("user_id = ? AND school_id IN ? AND role IN ?", id, im.schools, []models.Role{models.RoleTeacher, models.RoleAdmin}).Delete(&models.Membership{}).Error; err != nil {
			return err
		}
		if err := im.tx.Where("user_id = ? AND school_id IN ?", id, im.schools).Delete(&models.ClassroomStaff{}).Error; err != nil {
			return err
		}
		return im.tx.Where("user_id = ? AND district_id = ?", id, im.district.ID).Delete(&models.DistrictAdmin{}).Error
	default:
		im.access[id] = true
		if err := im.tx.Model(&models.Guardianship{}).Where("user_id = ? AND school_id IN ? AND ended_at IS NULL", id, im.schools).
			Updates(map[string]any{"ended_at": im.now, "updated_at": im.now}).Error; err != nil {
			return err
		}
		return im.tx.Where("user_id = ? AND school_id IN ? AND role = ?", id, im.schools, models.RoleParent).Delete(&models.Membership{}).Error
	}
}

// guardianships links guardians and students as the users file's
// agentSourcedIds say (in either direction). In bulk mode the file is the
// whole truth: a roster guardian's link it no longer holds ends.
func (im *importer) guardianships() error {
	// Ids as 16-byte arrays, not strings: at district scale these maps
	// hold a hundred thousand pairs, and arrays are neither allocated one
	// by one nor scanned by the collector.
	type pair struct{ student, guardian uuid.UUID }
	id := func(sourcedID string) uuid.UUID {
		if r := im.ids[oneroster.FileUsers][sourcedID]; r != nil {
			return r.Target
		}
		return uuid.Nil
	}
	want := map[pair]string{} // → the guardian's role
	role := func(sourcedID string) string {
		if r := im.ids[oneroster.FileUsers][sourcedID]; r != nil && !r.Withdrawn {
			return r.Label
		}
		return ""
	}
	// The household of each guardian whose row this file holds: a delta
	// without the guardian's row leaves theirs as it is.
	household := map[uuid.UUID]*string{}
	for _, u := range im.set.Users {
		if u.Deleted || !u.Enabled {
			continue
		}
		if userKind(u.Role) == "guardians" {
			var h *string
			if u.Household != "" {
				h = &u.Household
			}
			household[id(u.SourcedID)] = h
		}
		for _, a := range u.Agents {
			switch {
			case u.Role == "student" && userKind(role(a)) == "guardians":
				want[pair{id(u.SourcedID), id(a)}] = role(a)
			case userKind(u.Role) == "guardians" && role(a) == "student":
				want[pair{id(a), id(u.SourcedID)}] = u.Role
			}
		}
	}
	// The roster's guardians' links in the district as they stand.
	var guardianIDs []uuid.UUID
	for _, r := range im.ids[oneroster.FileUsers] {
		if userKind(r.Label) == "guardians" && r.hasTarget() {
			guardianIDs = append(guardianIDs, r.Target)
		}
	}
	have := map[pair]*models.Guardianship{}
	for lo := 0; lo < len(guardianIDs); lo += 10000 {
		chunk := make([]string, 0, 10000)
		for _, g := range guardianIDs[lo:min(lo+10000, len(guardianIDs))] {
			chunk = append(chunk, g.String())
		}
		var rows []*models.Guardianship
		if err := im.tx.Where("user_id IN ? AND school_id IN ?", chunk, im.schools).Find(&rows).Error; err != nil {
			return err
		}
		for _, g := range rows {
			have[pair{uuid.MustParse(g.StudentID), uuid.MustParse(g.UserID)}] = g
		}
	}
	var create []models.Guardianship
	var members []models.Membership
	var reopen []string
	type move struct {
		ID string  `json:"id"`
		H  *string `json:"h"`
	}
	var moves []move
	for p, r := range want {
		if len(create) >= 1000 {
			if err := createAll(im, create, 1000); err != nil {
				return err
			}
			if err := createAll(im, members, 2000); err != nil {
				return err
			}
			create, members = create[:0], members[:0]
		}
		student, guardian := p.student.String(), p.guardian.String()
		school := im.studentSchool[student]
		if school == "" {
			if err := im.tx.Model(&models.Student{}).Where("id = ?", student).Pluck("school_id", &school).Error; err != nil {
				return err
			}
		}
		g := have[p]
		h, said := household[p.guardian]
		switch {
		case g == nil:
			create = append(create, models.Guardianship{ID: uuid.NewString(), SchoolID: school, StudentID: student, UserID: guardian,
				Relationship: relationship(r), Household: h})
			im.count("guardianships", created)
		case g.EndedAt != nil:
			reopen = append(reopen, g.ID)
			im.count("guardianships", updated)
		case said && !sameKey(g.Household, h):
			im.count("guardianships", updated)
		default:
			im.count("guardianships", same)
		}
		if g != nil && said && !sameKey(g.Household, h) {
			moves = append(moves, move{g.ID, h})
		}
		if g == nil || g.EndedAt != nil {
			members = append(members, models.Membership{ID: uuid.NewString(), UserID: guardian, SchoolID: school, Role: models.RoleParent})
			im.access[guardian] = true
		}
	}
	if im.set.Mode(oneroster.FileUsers) == oneroster.ModeBulk {
		var end []string
		for p, g := range have {
			if _, ok := want[p]; !ok && g.EndedAt == nil {
				end = append(end, g.ID)
				im.access[g.UserID] = true
				im.count("guardianships", withdrawn)
			}
		}
		if len(end) > 0 {
			if err := im.tx.Model(&models.Guardianship{}).Where("id IN ?", end).Updates(map[string]any{"ended_at": im.now, "updated_at": im.now}).Error; err != nil {
				return err
			}
		}
	}
	if len(reopen) > 0 {
		if err := im.tx.Model(&models.Guardianship{}).Where("id IN ?", reopen).Updates(map[string]any{"ended_at": nil, "updated_at": im.now}).Error; err != nil {
			return err
		}
	}
	for lo := 0; lo < len(moves); lo += 10000 {
		b, err := json.Marshal(moves[lo:min(lo+10000, len(moves))])
		if err != nil {
			return err
		}
		if err := im.tx.Exec(`UPDATE guardianships g SET household = m.h, updated_at = ?
			FROM jsonb_to_recordset(CAST(? AS jsonb)) AS m(id uuid, h text) WHERE g.id = m.id`, im.now, string(b)).Error; err != nil {
			return err
		}
	}
	if err := createAll(im, create, 1000); err != nil {
		return err
	}
	return createAll(im, members, 2000)
}

// enrollments places students in classes and teachers in front of them.
func (im *importer) enrollments() error {
	present := map[string]bool{}
	var students []models.Enrollment
	var staff []models.ClassroomStaff
	var members []models.Membership
	add := func(role, class, user string) {
		school := im.roomSchool[class]
		switch role {
		case "student":
			students = append(students, models.Enrollment{ClassroomID: class, StudentID: user, SchoolID: school})
		case "teacher":
			staff = append(staff, models.ClassroomStaff{ClassroomID: class, UserID: user, SchoolID: school})
			members = append(members, models.Membership{ID: uuid.NewString(), UserID: user, SchoolID: school, Role: models.RoleTeacher})
			im.access[user] = true
		}
	}
	for _, e := range im.set.Enrollments {
		present[e.SourcedID] = true
		class, user := im.target(oneroster.FileClasses, e.Class), im.target(oneroster.FileUsers, e.User)
		_, ch := im.note(oneroster.FileEnrollments, e.SourcedID, nil, e.Role+"|"+e.Class+"|"+e.User, digest(e.Class, e.User, e.Role), e.Deleted)
		if e.Role != "student" && e.Role != "teacher" {
			continue
		}
		im.count("enrollments", ch)
		switch ch {
		case created, updated:
			add(e.Role, class, user)
		case withdrawn:
			if err := im.unenroll(e.Role, class, user); err != nil {
				return err
			}
		}
	}
	for _, r := range im.absent(oneroster.FileEnrollments, present) {
		_, ch := im.note(oneroster.FileEnrollments, r.SourcedID, nil, r.Label, r.Digest[:], true)
		parts := strings.SplitN(r.Label, "|", 3)
		if len(parts) != 3 || (parts[0] != "student" && parts[0] != "teacher") {
			continue
		}
		im.count("enrollments", ch)
		if err := im.unenroll(parts[0], im.target(oneroster.FileClasses, parts[1]), im.target(oneroster.FileUsers, parts[2])); err != nil {
			return err
		}
	}
	if err := createAll(im, students, 3000); err != nil {
		return err
	}
	if err := createAll(im, staff, 3000); err != nil {
		return err
	}
	return createAll(im, members, 2000)
}

func (im *importer) unenroll(role, class, user string) error {
	if role == "student" {
		return im.tx.Where("classroom_id = ? AND student_id = ?", class, user).Delete(&models.Enrollment{}).Error
	}
	im.access[user] = true
	return im.tx.Where("classroom_id = ? AND user_id = ?", class, user).Delete(&models.ClassroomStaff{}).Error
}

// withdrawStudent records that a student left the school at now: their
// guardianships end (the guardians who had access are returned, to be told),
// their enrollments go; their history stays, for the retention rules.
func withdrawStudent(tx *gorm.DB, id string, now time.Time) ([]string, error) {
	var guardians []string
	if err := tx.Model(&models.Guardianship{}).Where("student_id = ? AND grants_access", id).Pluck("user_id", &guardians).Error; err != nil {
		return nil, err
	}
	if err := tx.Model(&models.Guardianship{}).Where("student_id = ? AND ended_at IS NULL", id).Updates(map[string]any{"ended_at": now, "updated_at": now}).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("student_id = ?", id).Delete(&models.Enrollment{}).Error; err != nil {
		return nil, err
	}
	return guardians, tx.Model(&models.Student{}).Where("id = ?", id).Updates(map[string]any{"withdrawn_at": now, "updated_at": now}).Error
}

func sameKey(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
