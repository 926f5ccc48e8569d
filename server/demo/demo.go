// Package demo loads the demo school a newcomer tries the API with, and finds
// demo users to sign tokens for. The data is deterministic: the same names,
// classes and families on every machine.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// EmailDomain is the demo users' email domain (reserved, never delivered).
const EmailDomain = "sameside-demo.example"

// Sizes of the demo school.
const (
	Teachers           = 4
	StudentsPerClass   = 20
	Families           = 60
	FamiliesOfSiblings = 20 // the first 20 families have two children
	SeparatedFamilies  = 6  // families 1..6 are two households
	RestrictedFamily   = 7  // family 7's second guardian is restricted (custody order)
)

var firstNames = []string{
	"Ava", "Mateo", "Olivia", "Liam", "Sofia", "Noah", "Isabella", "Elijah", "Mia", "Lucas",
	"Amara", "Kenji", "Zara", "Diego", "Priya", "Omar", "Leah", "Arjun", "Chloe", "Malik",
	"Hana", "Felix", "Nia", "Ezra", "Lucia", "Theo", "Aisha", "Jonah", "Maya", "Rafael",
}

var lastNames = []string{
	"Nguyen", "Garcia", "Smith", "Okafor", "Patel", "Kim", "Johnson", "Rossi", "Haddad", "Chen",
	"Lopez", "Williams", "Novak", "Brown", "Singh", "Tanaka", "Martin", "Silva", "Cohen", "Walker",
}

var classrooms = []struct{ name, grade string }{
	{"Kindergarten Sunflowers", "K"}, {"Grade 1 Otters", "1"}, {"Grade 2 Explorers", "2"}, {"Grade 3 Voyagers", "3"},
}

// Seed loads the demo school into an empty database. It reports whether it
// did anything: a database that already has a school is left alone. Safe to
// call from several processes at once.
func Seed(ctx context.Context, db *gorm.DB, now time.Time) (bool, error) {
	seeded := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One seeder at a time; the others find the school and stop.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(727001)").Error; err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&models.School{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		seeded = true
		return seed(tx, now.UTC())
	})
	return seeded, err
}

func seed(tx *gorm.DB, now time.Time) error {
	r := rand.New(rand.NewPCG(2026, 11))
	school := models.School{Name: "Willow Creek Elementary (demo)", TimeZone: "America/Los_Angeles"}
	if err := tx.Create(&school).Error; err != nil {
		return err
	}
	people, err := seedPeople(tx, r, &school)
	if err != nil {
		return err
	}
	rooms, err := seedClassrooms(tx, &school, people.teachers, now)
	if err != nil {
		return err
	}
	students, roomOf, err := seedStudents(tx, r, &school, rooms, people)
	if err != nil {
		return err
	}
	if err := seedObservations(tx, r, now, students, roomOf, people.teachers); err != nil {
		return err
	}
	return seedCommunity(tx, now, &school, &people.admin, people.teachers)
}

// demoPeople are the demo school's users: parents[2(f-1)] and
// parents[2(f-1)+1] are family f's guardians, familyName[f] its name.
type demoPeople struct {
	admin      models.User
	teachers   []models.User
	parents    []models.User
	familyName []string
}

// seedPeople creates the admin, the teachers and two guardians per family,
// with their memberships.
func seedPeople(tx *gorm.DB, r *rand.Rand, school *models.School) (demoPeople, error) {
	mkUser := func(local, name string) models.User {
		email := local + "@" + EmailDomain
		return models.User{FirebaseUID: "demo-" + local, Email: &email, DisplayName: name, Locale: "en-US", TimeZone: school.TimeZone}
	}
	var users []models.User
	users = append(users, mkUser("admin", "Dana Whitfield"))
	for i := 1; i <= Teachers; i++ {
		users = append(users, mkUser(fmt.Sprintf("teacher%d", i), fmt.Sprintf("%s %s", firstNames[(i*7)%len(firstNames)], lastNames[(i*3)%len(lastNames)])))
	}
	// Separated families' guardians have different last names; everyone
	// else shares the family name.
	familyName := make([]string, Families+1)
	for f := 1; f <= Families; f++ {
		familyName[f] = lastNames[r.IntN(len(lastNames))]
		for g := 1; g <= 2; g++ {
			last := familyName[f]
			if g == 2 && f <= SeparatedFamilies {
				last = lastNames[(r.IntN(len(lastNames)-1)+1+indexOf(lastNames, last))%len(lastNames)]
			}
			n := (f-1)*2 + g
			u := mkUser(fmt.Sprintf("parent%d", n), firstNames[r.IntN(len(firstNames))]+" "+last)
			if n%5 == 0 {
				u.Locale = "es-US" // some families read in Spanish
			}
			users = append(users, u)
		}
	}
	if err := tx.CreateInBatches(&users, 200).Error; err != nil {
		return demoPeople{}, err
	}
	p := demoPeople{admin: users[0], teachers: users[1 : 1+Teachers], parents: users[1+Teachers:], familyName: familyName}
	members := []models.Membership{{UserID: p.admin.ID, SchoolID: school.ID, Role: models.RoleAdmin}}
	for _, t := range p.teachers {
		members = append(members, models.Membership{UserID: t.ID, SchoolID: school.ID, Role: models.RoleTeacher})
	}
	for _, u := range p.parents {
		members = append(members, models.Membership{UserID: u.ID, SchoolID: school.ID, Role: models.RoleParent})
	}
	return p, tx.CreateInBatches(&members, 200).Error
}

// seedClassrooms creates the classrooms, a teacher each.
func seedClassrooms(tx *gorm.DB, school *models.School, teachers []models.User, now time.Time) ([]models.Classroom, error) {
	rooms := make([]models.Classroom, len(classrooms))
	for i, c := range classrooms {
		rooms[i] = models.Classroom{SchoolID: school.ID, Name: c.name, Grade: c.grade, SchoolYear: schoolYear(now)}
	}
	if err := tx.Create(&rooms).Error; err != nil {
		return nil, err
	}
	var staff []models.ClassroomStaff
	for i, t := range teachers {
		staff = append(staff, models.ClassroomStaff{ClassroomID: rooms[i].ID, UserID: t.ID, SchoolID: school.ID})
	}
	return rooms, tx.Create(&staff).Error
}

// seedStudents creates the children, enrolled and with their guardians:
// families 1..FamiliesOfSiblings have two (in neighbouring grades), the
// rest one, filling classrooms in order so each gets StudentsPerClass.
// roomOf[i] is the index in rooms of students[i]'s classroom.
func seedStudents(tx *gorm.DB, r *rand.Rand, school *models.School, rooms []models.Classroom, p demoPeople) (students []models.Student, roomOf []int, err error) {
	type child struct {
		family int
		room   int
	}
	var kids []child
	perRoom := make([]int, len(rooms))
	place := func(f, want int) {
		for k := 0; k < len(rooms); k++ {
			room := (want + k) % len(rooms)
			if perRoom[room] < StudentsPerClass {
				perRoom[room]++
				kids = append(kids, child{f, room})
				return
			}
		}
	}
	for f := 1; f <= Families; f++ {
		place(f, (f-1)%len(rooms))
		if f <= FamiliesOfSiblings {
			place(f, f%len(rooms))
		}
	}
	students = make([]models.Student, len(kids))
	roomOf = make([]int, len(kids))
	for i, k := range kids {
		s := models.Student{SchoolID: school.ID, FirstName: firstNames[r.IntN(len(firstNames))], LastName: p.familyName[k.family], Grade: rooms[k.room].Grade}
		if i%9 == 0 {
			nick := s.FirstName[:min(3, len(s.FirstName))]
			s.PreferredName = &nick
		}
		students[i], roomOf[i] = s, k.room
	}
	if err := tx.CreateInBatches(&students, 200).Error; err != nil {
		return nil, nil, err
	}
	var enrollments []models.Enrollment
	var guardians []models.Guardianship
	for i, k := range kids {
		s := students[i]
		enrollments = append(enrollments, models.Enrollment{ClassroomID: rooms[k.room].ID, StudentID: s.ID, SchoolID: school.ID})
		for g := 1; g <= 2; g++ {
			rel := models.RelationshipMother
			if g == 2 {
				rel = models.RelationshipFather
			}
			// A household per family; separated families' guardians each
			// have their own.
			household := fmt.Sprintf("household-%d", k.family)
			if k.family <= SeparatedFamilies {
				household += string(rune('a' + g - 1))
			}
			guardians = append(guardians, models.Guardianship{
				SchoolID: school.ID, StudentID: s.ID, UserID: p.parents[(k.family-1)*2+g-1].ID, Relationship: rel,
				IsPrimary: g == 1, Restricted: g == 2 && k.family == RestrictedFamily, Household: &household,
			})
		}
	}
	if err := tx.CreateInBatches(&enrollments, 200).Error; err != nil {
		return nil, nil, err
	}
	return students, roomOf, tx.CreateInBatches(&guardians, 200).Error
}

// seedCommunity gives the playground something in every tab: a welcome
// announcement, a parent-education evening, two resources, and a
// conference round next week with the first teacher's afternoon open.
func seedCommunity(tx *gorm.DB, now time.Time, school *models.School, admin *models.User, teachers []models.User) error {
	loc, err := models.LoadZone(school.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	day := func(d int) time.Time { return time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, loc) }
	rows := []any{
		&models.Announcement{SchoolID: school.ID, Audience: models.AudienceSchool, Title: "Welcome to SameSide",
			Body:     "This is where we share what we see your children do well, and where you can tell us what you see at home. Thank you for being on the same side.",
			AuthorID: admin.ID, PublishAt: now.Add(-48 * time.Hour), CreatedAt: now.Add(-48 * time.Hour)},
		&models.SchoolEvent{SchoolID: school.ID, Title: "Raising resilient kids", Topic: models.TopicResilience,
			Description: "An evening with our school counselor on helping children keep trying when things get hard.",
			StartsAt:    day(14).Add(18*time.Hour + 30*time.Minute), EndsAt: day(14).Add(20 * time.Hour), Location: "Library",
			Capacity: 40, CreatedByID: admin.ID, CreatedAt: now},
		&models.Resource{SchoolID: school.ID, Title: "Praise the effort, not the result", URL: "https://www.example.org/praise-effort",
			Summary: "Why naming what a child did helps more than telling them they are smart.", Topic: models.TopicResilience,
			Grades: []string{}, CreatedByID: admin.ID, CreatedAt: now},
		&models.Resource{SchoolID: school.ID, Title: "Reading together at bedtime", URL: "https://www.example.org/bedtime-reading",
			Summary: "Ten minutes a night, and questions to ask.", Topic: models.TopicLearningAtHome,
			Grades: []string{"K", "1"}, CreatedByID: admin.ID, CreatedAt: now},
	}
	for _, row := range rows {
		if err := tx.Create(row).Error; err != nil {
			return err
		}
	}
	round := models.ConferenceRound{SchoolID: school.ID, Name: "Fall conferences", StartsOn: day(7), EndsOn: day(9), SlotMinutes: 15,
		Mode: models.ConferenceInPerson, Location: "Your child's classroom", CreatedByID: admin.ID, CreatedAt: now}
	if err := tx.Create(&round).Error; err != nil {
		return err
	}
	var slots []models.ConferenceSlot
	for at := day(7).Add(15 * time.Hour); at.Before(day(7).Add(17 * time.Hour)); at = at.Add(15 * time.Minute) {
		slots = append(slots, models.ConferenceSlot{RoundID: round.ID, SchoolID: school.ID, TeacherID: teachers[0].ID,
			StartsAt: at.UTC(), EndsAt: at.Add(15 * time.Minute).UTC(), CreatedAt: now})
	}
	return tx.Create(&slots).Error
}

var demoNotes = []struct {
	kind   models.ObservationKind
	body   string
	skills []string
}{
	{models.KindPositive, "Noticed a classmate sitting alone at snack time and invited them to join the group.", []string{"KINDNESS"}},
	{models.KindPositive, "Kept trying on a tricky puzzle after two false starts, then showed a friend how it worked.", []string{"OVERCOMING_SETBACKS", "RESILIENCE"}},
	{models.KindPositive, "Waited for a turn with the tablet and handed it on without a reminder.", []string{"TAKING_TURNS", "COOPERATION"}},
	{models.KindPositive, "Followed the three-step directions for the science station all on their own.", []string{"FOLLOWING_DIRECTIONS", "SELF_RELIANCE"}},
	{models.KindPositive, "Asked three thoughtful questions about how plants drink water.", []string{"CURIOSITY"}},
	{models.KindPositive, "Led the clean-up song and got the whole table tidying.", []string{"LEADERSHIP"}},
	{models.KindObservation, "Chose the quiet corner during free play most days this week. What do you notice at home?", []string{"SELF_RELIANCE"}},
	{models.KindObservation, "Worked with focus for twenty minutes on a drawing of the class garden.", []string{"FOCUS", "CREATIVITY"}},
	{models.KindConcern, "Twice this week left the reading rug during story time and found it hard to come back. Have you noticed anything similar at bedtime reading?", []string{"FOCUS"}},
}

// seedObservations gives each student a few weeks of notes from their
// teacher, mostly positive; every tenth student has none recently (so the
// positive-note nudge has something to show), and there are a few drafts
// and one concern waiting for review. They are written directly: seeding
// sends no pushes.
func seedObservations(tx *gorm.DB, r *rand.Rand, now time.Time, students []models.Student, roomOf []int, teachers []models.User) error {
	var obs []models.Observation
	for i, st := range students {
		teacher := teachers[roomOf[i]]
		count := 1 + r.IntN(4)
		if i%10 == 9 {
			count = 0
		}
		for k := 0; k < count; k++ {
			n := demoNotes[r.IntN(len(demoNotes))]
			at := now.Add(-time.Duration(1+r.IntN(21*24)) * time.Hour)
			o := models.Observation{SchoolID: st.SchoolID, StudentID: st.ID, AuthorID: teacher.ID, GroupID: uuidFor(i, k),
				Kind: n.kind, Body: n.body, Skills: n.skills, State: models.StateShared, SharedAt: &at, FeedAt: at, CreatedAt: at, UpdatedAt: at}
			if i%17 == 3 && k == 0 {
				o.State, o.SharedAt = models.StateDraft, nil
			}
			obs = append(obs, o)
		}
	}
	review := demoNotes[len(demoNotes)-1]
	at := now.Add(-2 * time.Hour)
	obs = append(obs, models.Observation{SchoolID: students[1].SchoolID, StudentID: students[1].ID, AuthorID: teachers[roomOf[1]].ID,
		GroupID: uuidFor(9999, 0), Kind: models.KindConcern, Body: review.body, Skills: review.skills, State: models.StateInReview,
		FeedAt: at, CreatedAt: at, UpdatedAt: at})
	return tx.CreateInBatches(&obs, 200).Error
}

// uuidFor makes a stable group id for a demo note.
func uuidFor(i, k int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", i, k)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return 0
}

// schoolYear names the school year that contains now (August to July).
func schoolYear(now time.Time) string {
	y := now.Year()
	if now.Month() < time.August {
		y--
	}
	return fmt.Sprintf("%d-%d", y, y+1)
}

// ErrNoSuchUser is returned when no demo user matches.
var ErrNoSuchUser = errors.New("no such demo user")

// shortName is a demo user's name without the domain: teacher3, parent12.
var shortName = regexp.MustCompile(`^(admin|teacher[0-9]+|parent[0-9]+)$`)

// FindUser returns the first user of a role ("admin", "teacher", "parent":
// admin, teacher1, parent1 in the demo school), a demo user by short name
// ("teacher3", "parent12"), the user with an id, or the user with an email. On a database without
// the demo school it says how to load it.
func FindUser(ctx context.Context, db *gorm.DB, who string) (*models.User, error) {
	var u models.User
	q := db.WithContext(ctx)
	name := strings.ToLower(strings.TrimSpace(who))
	switch {
	case name == "admin" || name == "teacher" || name == "parent":
		role := models.Role(strings.ToUpper(name))
		q = q.Where("id IN (SELECT user_id FROM memberships WHERE role = ?)", role).
			Where("NOT EXISTS (SELECT 1 FROM guardianships g WHERE g.user_id = users.id AND g.restricted)").
			Order("length(email), email")
	case shortName.MatchString(name):
		q = q.Where("lower(email) = ?", name+"@"+EmailDomain)
	case uuid.Validate(name) == nil:
		q = q.Where("id = ?", name)
	default:
		q = q.Where("lower(email) = lower(?)", who)
	}
	err := q.Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		var schools int64
		if err := db.WithContext(ctx).Model(&models.School{}).Count(&schools).Error; err == nil && schools == 0 {
			return nil, fmt.Errorf("%w: %q: the database has no school yet; load the demo school with `go run ./server seed`", ErrNoSuchUser, who)
		}
		return nil, fmt.Errorf("%w: %q (try admin, teacher, parent, teacher3, parent12 or a demo user's email)", ErrNoSuchUser, who)
	}
	return &u, err
}
