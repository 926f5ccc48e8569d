package oneroster

// Known says whether a record of file with sourcedID exists from an earlier
// import (a delta file may refer to it). Nil knows nothing.
type Known func(file, sourcedID string) bool

// Check adds a problem for every reference to a record that is neither in
// the set (and not being deleted) nor known, and for every class left
// without a teacher. Call it once, after Read.
func (s *Set) Check(known Known) {
	if known == nil {
		known = func(string, string) bool { return false }
	}
	ids := map[string]map[string]string{} // file → sourcedId → type or role
	live := func(file string, rec Record, kind string) {
		if ids[file] == nil {
			ids[file] = map[string]string{}
		}
		if !rec.Deleted {
			ids[file][rec.SourcedID] = kind
		}
	}
	for _, o := range s.Orgs {
		live(FileOrgs, o.Record, o.Type)
	}
	for _, x := range s.Sessions {
		live(FileSessions, x.Record, x.Type)
	}
	for _, c := range s.Courses {
		live(FileCourses, c.Record, "")
	}
	for _, c := range s.Classes {
		live(FileClasses, c.Record, "")
	}
	for _, u := range s.Users {
		live(FileUsers, u.Record, u.Role)
	}
	exists := func(file, id string) bool {
		_, in := ids[file][id]
		return in || known(file, id)
	}
	ref := func(from string, line int, col, file, id string) {
		if id != "" && !exists(file, id) {
			s.problem(from, line, "%s %q: no such row in %s.csv", col, id, file)
		}
	}
	for _, o := range s.Orgs {
		if !o.Deleted {
			ref("orgs.csv", o.Line, "parentSourcedId", FileOrgs, o.Parent)
		}
	}
	for _, x := range s.Sessions {
		if !x.Deleted {
			ref("academicSessions.csv", x.Line, "parentSourcedId", FileSessions, x.Parent)
		}
	}
	for _, c := range s.Courses {
		if !c.Deleted {
			ref("courses.csv", c.Line, "orgSourcedId", FileOrgs, c.Org)
			ref("courses.csv", c.Line, "schoolYearSourcedId", FileSessions, c.SchoolYear)
		}
	}
	for _, c := range s.Classes {
		if c.Deleted {
			continue
		}
		ref("classes.csv", c.Line, "courseSourcedId", FileCourses, c.Course)
		ref("classes.csv", c.Line, "schoolSourcedId", FileOrgs, c.School)
		if t, in := ids[FileOrgs][c.School]; in && t != "school" {
			s.problem("classes.csv", c.Line, "schoolSourcedId %q is a %s, not a school", c.School, t)
		}
		for _, t := range c.Terms {
			ref("classes.csv", c.Line, "termSourcedIds", FileSessions, t)
		}
	}
	for _, u := range s.Users {
		if u.Deleted {
			continue
		}
		for _, o := range u.Orgs {
			ref("users.csv", u.Line, "orgSourcedIds", FileOrgs, o)
		}
		for _, a := range u.Agents {
			ref("users.csv", u.Line, "agentSourcedIds", FileUsers, a)
		}
		if u.Role == "student" && len(u.Orgs) == 0 {
			s.problem("users.csv", u.Line, "student %q has no orgSourcedIds: which school?", u.SourcedID)
		}
	}
	teachers := map[string]bool{}
	for _, e := range s.Enrollments {
		if e.Deleted {
			continue
		}
		ref("enrollments.csv", e.Line, "classSourcedId", FileClasses, e.Class)
		ref("enrollments.csv", e.Line, "schoolSourcedId", FileOrgs, e.School)
		ref("enrollments.csv", e.Line, "userSourcedId", FileUsers, e.User)
		role, in := ids[FileUsers][e.User]
		switch {
		case !in:
		case e.Role == "student" && role != "student":
			s.problem("enrollments.csv", e.Line, "user %q enrolled as a student is a %s", e.User, role)
		case e.Role == "teacher" && role == "student":
			s.problem("enrollments.csv", e.Line, "user %q enrolled as a teacher is a student", e.User)
		}
		if e.Role == "teacher" {
			teachers[e.Class] = true
		}
	}
	if s.Mode(FileEnrollments) == ModeBulk {
		for _, c := range s.Classes {
			if !c.Deleted && !teachers[c.SourcedID] {
				s.problem("classes.csv", c.Line, "class %q has no teacher in enrollments.csv", c.SourcedID)
			}
		}
	}
	s.finish()
}
