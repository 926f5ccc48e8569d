// Command rostergen writes a synthetic district as a OneRoster 1.1 CSV set
// (bulk), for the roster import's scale benchmark:
//
//	go run ./tools/rostergen -out DIR [-students 50000] [-guardians 90000] [-classes 2500] [-schools 25]
//
// Each school has its share of classes, each class a teacher and about
// students/classes students; each student has one or two guardians (a
// guardian of two students where the counts call for it). The same flags
// give the same files.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rostergen:", err)
		os.Exit(1)
	}
}

// Options size the district.
type Options struct {
	Students, Guardians, Classes, Schools int
}

func run() error {
	var o Options
	out := flag.String("out", "", "folder to write the set into (created)")
	flag.IntVar(&o.Students, "students", 50000, "students")
	flag.IntVar(&o.Guardians, "guardians", 90000, "guardians (parents and guardians)")
	flag.IntVar(&o.Classes, "classes", 2500, "classes, one teacher each")
	flag.IntVar(&o.Schools, "schools", 25, "schools")
	flag.Parse()
	if *out == "" || o.Students < 1 || o.Guardians < o.Students/2 || o.Classes < o.Schools || o.Schools < 1 {
		return fmt.Errorf("-out is required; guardians ≥ students/2, classes ≥ schools ≥ 1")
	}
	return Write(*out, o)
}

var (
	given  = []string{"Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kai", "Logan", "Morgan", "Noa", "Parker", "Quinn", "Riley", "Sage"}
	family = []string{"Garcia", "Smith", "Nguyen", "Okafor", "Müller", "Kowalski", "O'Brien", "Haddad", "Tanaka", "Silva", "Johnson", "Novak", "Chen", "Patel"}
)

// Write writes the set into dir.
func Write(dir string, o Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(uint64(o.Students), uint64(o.Guardians)))
	files := map[string]*csv.Writer{}
	var closers []*os.File
	open := func(name string, header ...string) (*csv.Writer, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		closers = append(closers, f)
		w := csv.NewWriter(f)
		files[name] = w
		return w, w.Write(header)
	}
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()
	manifest, err := open("manifest.csv", "propertyName", "value")
	if err != nil {
		return err
	}
	for _, kv := range [][]string{{"manifest.version", "1.0"}, {"oneroster.version", "1.1"}, {"file.academicSessions", "bulk"}, {"file.classes", "bulk"},
		{"file.courses", "bulk"}, {"file.enrollments", "bulk"}, {"file.orgs", "bulk"}, {"file.users", "bulk"}, {"file.demographics", "absent"},
		{"source.systemName", "rostergen"}} {
		_ = manifest.Write(kv)
	}
	orgs, err := open("orgs.csv", "sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId")
	if err != nil {
		return err
	}
	_ = orgs.Write([]string{"district", "", "", "Synthetic Unified School District", "district", "SUSD", ""})
	for s := range o.Schools {
		_ = orgs.Write([]string{fmt.Sprintf("school-%d", s), "", "", fmt.Sprintf("School %d", s+1), "school", "", "district"})
	}
	sessions, err := open("academicSessions.csv", "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear")
	if err != nil {
		return err
	}
	_ = sessions.Write([]string{"year", "", "", "2026-2027", "schoolYear", "2026-08-17", "2027-06-11", "", "2027"})
	courses, err := open("courses.csv", "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes")
	if err != nil {
		return err
	}
	classes, err := open("classes.csv", "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods")
	if err != nil {
		return err
	}
	users, err := open("users.csv", "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password")
	if err != nil {
		return err
	}
	enrollments, err := open("enrollments.csv", "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate")
	if err != nil {
		return err
	}
	grades := []string{"KG", "01", "02", "03", "04", "05"}
	schoolOf := func(class int) int { return class % o.Schools }
	for s := range o.Schools {
		for _, g := range grades {
			_ = courses.Write([]string{fmt.Sprintf("course-%d-%s", s, g), "", "", "year", "Grade " + g, "G" + g, g, fmt.Sprintf("school-%d", s), "", ""})
		}
	}
	for c := range o.Classes {
		s, g := schoolOf(c), grades[(c/o.Schools)%len(grades)]
		_ = classes.Write([]string{fmt.Sprintf("class-%d", c), "", "", fmt.Sprintf("Room %d", c/o.Schools+1), g, fmt.Sprintf("course-%d-%s", s, g),
			fmt.Sprintf("R%d", c), "homeroom", "", fmt.Sprintf("school-%d", s), "year", "", "", ""})
		t := fmt.Sprintf("teacher-%d", c)
		_ = users.Write([]string{t, "", "", "true", fmt.Sprintf("school-%d", s), "teacher", t, "", given[r.IntN(len(given))], family[r.IntN(len(family))], "", "",
			t + "@susd.example", "", "", "", "", ""})
		_ = enrollments.Write([]string{"enr-" + t, "", "", fmt.Sprintf("class-%d", c), fmt.Sprintf("school-%d", s), t, "teacher", "true", "", ""})
	}
	// Guardian g looks after student g % students (and, when there are
	// more guardians than students, a second guardian per student).
	agentsOf := make([][]string, o.Students)
	guardianOf := make([][]string, o.Guardians)
	for g := range o.Guardians {
		st := g % o.Students
		agentsOf[st] = append(agentsOf[st], fmt.Sprintf("guardian-%d", g))
		guardianOf[g] = append(guardianOf[g], fmt.Sprintf("student-%d", st))
	}
	for st := range o.Students {
		c := st % o.Classes
		s, g := schoolOf(c), grades[(c/o.Schools)%len(grades)]
		id := fmt.Sprintf("student-%d", st)
		_ = users.Write([]string{id, "", "", "true", fmt.Sprintf("school-%d", s), "student", id, "", given[r.IntN(len(given))], family[r.IntN(len(family))], "", "",
			"", "", "", strings.Join(agentsOf[st], ","), g, ""})
		_ = enrollments.Write([]string{"enr-" + id, "", "", fmt.Sprintf("class-%d", c), fmt.Sprintf("school-%d", s), id, "student", "false", "", ""})
	}
	for g := range o.Guardians {
		id := fmt.Sprintf("guardian-%d", g)
		st := g % o.Students
		s := schoolOf(st % o.Classes)
		role := "parent"
		if g%17 == 0 {
			role = "guardian"
		}
		_ = users.Write([]string{id, "", "", "true", fmt.Sprintf("school-%d", s), role, id, "", given[r.IntN(len(given))], family[r.IntN(len(family))], "", "",
			id + "@home.example", fmt.Sprintf("+1312%d%06d", 2+g/1000000, g%1000000), "", strings.Join(guardianOf[g], ","), "", ""})
	}
	for _, w := range files {
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
	}
	return nil
}
