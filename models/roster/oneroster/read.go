package oneroster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what a set may hold: a file larger than MaxFileBytes (checked
// before reading it, and while reading, as a zip's sizes may lie) or with
// more than MaxRows rows is refused with a problem. A district of 50,000
// students and 90,000 guardians has a users.csv of about 17 MB.
const (
	MaxFileBytes = 100 << 20
	MaxRows      = 1_000_000
	// MaxProblems is how many problems a set reports; beyond it, one more
	// says how many were left out.
	MaxProblems = 1000
)

// Problem is one thing wrong in a set, where it is.
type Problem struct {
	File    string // e.g. users.csv
	Line    int    // 1-based; 0 when it concerns the whole file
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// Record is what every row has.
type Record struct {
	SourcedID string
	// Deleted is status tobedeleted (delta files only).
	Deleted bool
	// Line is where the row is in its file.
	Line int
}

// Org is a row of orgs.csv.
type Org struct {
	Record
	Name, Type, Identifier, Parent string
}

// Session is a row of academicSessions.csv.
type Session struct {
	Record
	Title, Type, Parent, SchoolYear string
	Start, End                      time.Time
}

// Course is a row of courses.csv.
type Course struct {
	Record
	Title, Org, SchoolYear string
}

// Class is a row of classes.csv.
type Class struct {
	Record
	Title, Course, Type, School string
	Grades, Terms               []string
}

// User is a row of users.csv.
type User struct {
	Record
	Enabled                                                       bool
	Role, Username, GivenName, FamilyName, MiddleName, Identifier string
	Email, SMS, Phone                                             string
	Orgs, Agents, Grades                                          []string
	// Household is SameSide's extension column metadata.household on a
	// guardian's row: guardians with the same value live together.
	Household string
	// Language is the extension column metadata.language: the person's
	// language, BCP 47 (OneRoster 1.1 has no column for it).
	Language string
}

// Enrollment is a row of enrollments.csv.
type Enrollment struct {
	Record
	Class, School, User, Role string
	Primary                   bool
}

// Set is a read OneRoster set.
type Set struct {
	// Modes is each file's processing mode from the manifest.
	Modes       map[string]string
	Orgs        []Org
	Sessions    []Session
	Courses     []Course
	Classes     []Class
	Users       []User
	Enrollments []Enrollment
	Problems    []Problem
	dropped     int
}

// Mode is file's processing mode (absent when the manifest does not name it).
func (s *Set) Mode(file string) string {
	if m, ok := s.Modes[file]; ok {
		return m
	}
	return ModeAbsent
}

func (s *Set) problem(file string, line int, format string, args ...any) {
	if len(s.Problems) >= MaxProblems {
		s.dropped++
		return
	}
	s.Problems = append(s.Problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// Finish adds the count of problems left out, if any.
func (s *Set) finish() {
	if s.dropped > 0 {
		s.Problems = append(s.Problems, Problem{File: "manifest.csv", Message: fmt.Sprintf("%d more problems not listed", s.dropped)})
		s.dropped = 0
	}
}

// Read reads the set in fsys (manifest.csv at its root). The error is for
// a set that cannot be read at all; everything else is in Set.Problems.
func Read(fsys fs.FS) (*Set, error) {
	s := &Set{Modes: map[string]string{}}
	if err := s.readManifest(fsys); err != nil {
		return nil, err
	}
	for _, file := range order {
		mode := s.Mode(file)
		if mode == ModeAbsent {
			continue
		}
		if err := s.readFile(fsys, file, mode); err != nil {
			return nil, err
		}
	}
	s.finish()
	return s, nil
}

func (s *Set) readManifest(fsys fs.FS) error {
	f, err := fsys.Open("manifest.csv")
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("manifest.csv: missing (a OneRoster set starts with its manifest)")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := readAll(f)
	if err != nil {
		s.problem("manifest.csv", lineOf(err), "%v", cause(err))
		return nil
	}
	if len(rows) == 0 || len(rows[0]) != 2 || rows[0][0] != "propertyName" || rows[0][1] != "value" {
		s.problem("manifest.csv", 1, "the header must be propertyName,value")
		return nil
	}
	seen := map[string]bool{}
	for i, r := range rows[1:] {
		line := i + 2
		if len(r) != 2 {
			s.problem("manifest.csv", line, "want 2 fields, got %d", len(r))
			continue
		}
		key, value := r[0], r[1]
		if seen[key] {
			s.problem("manifest.csv", line, "%s given twice", key)
		}
		seen[key] = true
		switch {
		case key == "manifest.version" && value != "1.0":
			s.problem("manifest.csv", line, "manifest.version %q: this reader knows 1.0", value)
		case key == "oneroster.version" && value != "1.1":
			s.problem("manifest.csv", line, "oneroster.version %q: this reader knows 1.1", value)
		case strings.HasPrefix(key, "file."):
			file := strings.TrimPrefix(key, "file.")
			if value != ModeAbsent && value != ModeBulk && value != ModeDelta {
				s.problem("manifest.csv", line, "%s: %q is not absent, bulk or delta", key, value)
				continue
			}
			if _, known := columns[file]; !known && file != FileDemographics && value != ModeAbsent {
				s.problem("manifest.csv", line, "%s: SameSide does not read %s.csv; mark it absent", key, file)
				continue
			}
			s.Modes[file] = value
		}
	}
	if !seen["oneroster.version"] {
		s.problem("manifest.csv", 0, "oneroster.version is missing")
	}
	for _, file := range order {
		if s.Mode(file) == ModeAbsent {
			continue
		}
		if _, err := fs.Stat(fsys, file+".csv"); err != nil {
			s.problem("manifest.csv", 0, "file.%s is %s but %s.csv is not in the set", file, s.Mode(file), file)
			delete(s.Modes, file)
		}
	}
	return nil
}

// readAll reads a small file (the manifest) whole.
func readAll(r io.Reader) ([][]string, error) {
	cr := csv.NewReader(skipBOM(io.LimitReader(r, 1<<20)))
	cr.FieldsPerRecord = -1
	return cr.ReadAll()
}

// skipBOM drops a UTF-8 byte order mark at the start: spreadsheet programs
// write one, and the set is still UTF-8.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	return br
}

func lineOf(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func cause(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// errTooLarge ends reading a file over MaxFileBytes.
var errTooLarge = errors.New("too large")

type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// readFile streams one file, checking its header and each row, and adds
// its records to the set.
func (s *Set) readFile(fsys fs.FS, file, mode string) error {
	name := file + ".csv"
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileBytes {
		s.problem(name, 0, "%d MB: larger than %d MB", st.Size()>>20, MaxFileBytes>>20)
		return nil
	}
	cr := csv.NewReader(skipBOM(&limited{r: f, n: MaxFileBytes}))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		s.problem(name, 1, "empty file: the header is missing")
		return nil
	}
	if err != nil {
		s.readError(name, err)
		return nil
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := index[h]; dup {
			s.problem(name, 1, "column %q appears twice", h)
		}
		index[h] = i
	}
	known := set(columns[file]...)
	for _, c := range columns[file] {
		if _, ok := index[c]; !ok {
			s.problem(name, 1, "missing column %q (a 1.1 %s needs %s)", c, name, strings.Join(columns[file], ","))
		}
	}
	for h := range index {
		if !known[h] && !strings.HasPrefix(h, "metadata.") {
			s.problem(name, 1, "unknown column %q (extensions start with metadata.)", h)
		}
	}
	if len(s.Problems) > 0 && s.Problems[len(s.Problems)-1].File == name && s.Problems[len(s.Problems)-1].Line == 1 {
		return nil // the header is wrong: the rows cannot be read by it
	}
	seen := map[string]int{}
	for rows := 0; ; rows++ {
		fields, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			s.readError(name, err)
			return nil
		}
		if rows == MaxRows {
			s.problem(name, 0, "more than %d rows", MaxRows)
			return nil
		}
		line, _ := cr.FieldPos(0)
		r := &row{file: name, line: line, index: index, fields: fields, set: s}
		if !r.valid() {
			continue
		}
		rec := r.record(mode)
		if rec.SourcedID != "" {
			if first, dup := seen[rec.SourcedID]; dup {
				r.bad("sourcedId %q already on line %d", rec.SourcedID, first)
				continue
			}
			seen[rec.SourcedID] = line
		}
		if !rec.Deleted {
			for _, c := range required[file] {
				if r.get(c) == "" {
					r.bad("%s is required", c)
				}
			}
		}
		s.add(file, r, rec)
	}
}

func (s *Set) readError(name string, err error) {
	switch {
	case errors.Is(err, errTooLarge):
		s.problem(name, 0, "larger than %d MB", MaxFileBytes>>20)
	default:
		s.problem(name, lineOf(err), "not valid CSV: %v", cause(err))
	}
}

// valid checks the row's text is UTF-8.
func (r *row) valid() bool {
	for i, f := range r.fields {
		if !utf8.ValidString(f) {
			r.bad("field %d is not UTF-8 text (save the file as UTF-8)", i+1)
			return false
		}
	}
	return true
}

// record reads the columns every file has. In a bulk file status and
// dateLastModified may be empty; in a delta file both are required.
func (r *row) record(mode string) Record {
	rec := Record{SourcedID: r.get("sourcedId"), Line: r.line}
	status := r.get("status")
	switch {
	case status == StatusToBeDeleted && mode == ModeDelta:
		rec.Deleted = true
	case status == StatusToBeDeleted:
		r.bad("status tobedeleted in a bulk file: leave the row out instead")
	case status != "" && status != StatusActive:
		r.bad("status %q is not active or tobedeleted", status)
	case status == "" && mode == ModeDelta:
		r.bad("status is required in a delta file")
	}
	if m := r.get("dateLastModified"); m != "" {
		if _, err := time.Parse(time.RFC3339, m); err != nil {
			r.bad("dateLastModified %q is not an ISO 8601 date-time (e.g. 2026-08-01T12:00:00Z)", m)
		}
	} else if mode == ModeDelta {
		r.bad("dateLastModified is required in a delta file")
	}
	return rec
}

func (s *Set) add(file string, r *row, rec Record) {
	switch file {
	case FileOrgs:
		s.Orgs = append(s.Orgs, Org{Record: rec, Name: r.get("name"), Type: r.enum("type", orgTypes),
			Identifier: r.get("identifier"), Parent: r.get("parentSourcedId")})
	case FileSessions:
		ss := Session{Record: rec, Title: r.get("title"), Type: r.enum("type", sessionTypes), Parent: r.get("parentSourcedId"),
			SchoolYear: r.get("schoolYear"), Start: r.date("startDate"), End: r.date("endDate")}
		if !ss.Start.IsZero() && !ss.End.IsZero() && ss.End.Before(ss.Start) {
			r.bad("endDate is before startDate")
		}
		s.Sessions = append(s.Sessions, ss)
	case FileCourses:
		s.Courses = append(s.Courses, Course{Record: rec, Title: r.get("title"), Org: r.get("orgSourcedId"), SchoolYear: r.get("schoolYearSourcedId")})
	case FileClasses:
		s.Classes = append(s.Classes, Class{Record: rec, Title: r.get("title"), Course: r.get("courseSourcedId"), Type: r.enum("classType", classTypes),
			School: r.get("schoolSourcedId"), Grades: r.list("grades"), Terms: r.list("termSourcedIds")})
	case FileUsers:
		s.Users = append(s.Users, User{Record: rec, Enabled: r.boolean("enabledUser"), Role: r.enum("role", userRoles),
			Username: r.get("username"), GivenName: r.get("givenName"), FamilyName: r.get("familyName"), MiddleName: r.get("middleName"),
			Identifier: r.get("identifier"), Email: r.get("email"), SMS: r.get("sms"), Phone: r.get("phone"),
			Orgs: r.list("orgSourcedIds"), Agents: r.list("agentSourcedIds"), Grades: r.list("grades"), Household: r.household(), Language: r.language()})
	case FileEnrollments:
		s.Enrollments = append(s.Enrollments, Enrollment{Record: rec, Class: r.get("classSourcedId"), School: r.get("schoolSourcedId"),
			User: r.get("userSourcedId"), Role: r.enum("role", enrollRoles), Primary: r.boolean("primary")})
	}
}
