// Package oneroster reads a OneRoster 1.1 CSV set (the files a student
// information system exports: manifest.csv, orgs.csv, academicSessions.csv,
// courses.csv, classes.csv, users.csv, enrollments.csv) from a folder or a
// zip, streaming each file through encoding/csv, and checks it against the
// standard: required columns and values, enumerations, dates, duplicate
// sourcedIds and references between files. Every problem is reported with
// its file and line; nothing here touches a database.
package oneroster

// The files this package reads, by their manifest key (file.<key>).
const (
	FileOrgs        = "orgs"
	FileSessions    = "academicSessions"
	FileCourses     = "courses"
	FileClasses     = "classes"
	FileUsers       = "users"
	FileEnrollments = "enrollments"
	// FileDemographics is allowed in a set and ignored.
	FileDemographics = "demographics"
)

// The processing modes of a file in the manifest.
const (
	ModeAbsent = "absent"
	ModeBulk   = "bulk"
	ModeDelta  = "delta"
)

// The status of a record in a delta file.
const (
	StatusActive      = "active"
	StatusToBeDeleted = "tobedeleted"
)

// columns are the 1.1 columns of each file, in the standard's order. A file
// must have every one in its header (in any order); a column beyond them
// must be an extension ("metadata.…").
var columns = map[string][]string{
	FileOrgs:        {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
	FileSessions:    {"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
	FileCourses:     {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
	FileClasses:     {"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"},
	FileUsers:       {"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"},
	FileEnrollments: {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"},
}

// required are the columns whose value may not be empty.
var required = map[string][]string{
	FileOrgs:        {"sourcedId", "name", "type"},
	FileSessions:    {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
	FileCourses:     {"sourcedId", "title", "orgSourcedId"},
	FileClasses:     {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
	FileUsers:       {"sourcedId", "enabledUser", "role", "username", "givenName", "familyName"},
	FileEnrollments: {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
}

// The enumerations of the standard.
var (
	orgTypes     = set("department", "school", "district", "local", "state", "national")
	sessionTypes = set("gradingPeriod", "semester", "schoolYear", "term")
	classTypes   = set("homeroom", "scheduled")
	userRoles    = set("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
	enrollRoles  = set("administrator", "proctor", "student", "teacher")
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// order is the order files are read and applied in: each refers only to
// those before it (users' agents refer to other users of the same file).
var order = []string{FileOrgs, FileSessions, FileCourses, FileClasses, FileUsers, FileEnrollments}
