package oneroster_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sameside/sameside/models/roster/oneroster"
)

const manifest = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n" +
	"file.academicSessions,bulk\nfile.categories,absent\nfile.classes,bulk\nfile.classResources,absent\n" +
	"file.courses,bulk\nfile.courseResources,absent\nfile.demographics,absent\nfile.enrollments,bulk\n" +
	"file.lineItems,absent\nfile.orgs,bulk\nfile.resources,absent\nfile.results,absent\nfile.users,bulk\n"

// small is a valid set: a district, a school, a year, a course, a class
// with its teacher and one student with a parent.
func small() fstest.MapFS {
	return fstest.MapFS{
		"manifest.csv": {Data: []byte(manifest)},
		"orgs.csv": {Data: []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n" +
			"d1,,,Valley District,district,,\ns1,,,Willow Creek,school,WC,d1\n")},
		"academicSessions.csv": {Data: []byte("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n" +
			"y1,,,2026-2027,schoolYear,2026-08-17,2027-06-11,,2027\n")},
		"courses.csv": {Data: []byte("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\n" +
			"c1,,,y1,Grade 2,G2,02,s1,,\n")},
		"classes.csv": {Data: []byte("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n" +
			"k1,,,Room 2A,02,c1,2A,homeroom,,s1,y1,,,\n")},
		"users.csv": {Data: []byte("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
			"t1,,,true,s1,teacher,tlee,,Jordan,Lee,,,jlee@school.example,,,,,\n" +
			"u1,,,true,s1,student,asmith,,Avery,\"Smith, Jr.\",,,,,,p1,02,\n" +
			"p1,,,true,s1,parent,csmith,,Casey,Smith,,,casey@home.example,,+15555550101,u1,,\n")},
		"enrollments.csv": {Data: []byte("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
			"e1,,,k1,s1,t1,teacher,true,,\ne2,,,k1,s1,u1,student,false,,\n")},
	}
}

func read(t *testing.T, fsys fstest.MapFS) *oneroster.Set {
	t.Helper()
	s, err := oneroster.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	s.Check(nil)
	return s
}

func TestReadsAValidSet(t *testing.T) {
	s := read(t, small())
	if len(s.Problems) > 0 {
		t.Fatalf("problems in a valid set: %v", s.Problems)
	}
	if len(s.Orgs) != 2 || len(s.Users) != 3 || len(s.Enrollments) != 2 || len(s.Classes) != 1 {
		t.Fatalf("read %d orgs, %d users, %d enrollments, %d classes", len(s.Orgs), len(s.Users), len(s.Enrollments), len(s.Classes))
	}
	if u := s.Users[1]; u.FamilyName != "Smith, Jr." || u.Line != 3 || len(u.Agents) != 1 || u.Grades[0] != "02" {
		t.Fatalf("student read as %+v", u)
	}
}

// TestByteOrderMarkIsAccepted: spreadsheet programs save UTF-8 with a BOM;
// the set is still UTF-8 and reads the same.
func TestByteOrderMarkIsAccepted(t *testing.T) {
	fsys := small()
	fsys["users.csv"] = &fstest.MapFile{Data: append([]byte("\xEF\xBB\xBF"), fsys["users.csv"].Data...)}
	fsys["manifest.csv"] = &fstest.MapFile{Data: append([]byte("\xEF\xBB\xBF"), fsys["manifest.csv"].Data...)}
	if s := read(t, fsys); len(s.Problems) > 0 || len(s.Users) != 3 {
		t.Fatalf("with a BOM: %v", s.Problems)
	}
}

// TestEveryPlantedProblemIsReported: each planted mistake comes back as
// file:line: message.
func TestEveryPlantedProblemIsReported(t *testing.T) {
	fsys := small()
	fsys["users.csv"] = &fstest.MapFile{Data: []byte("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
		"t1,,,true,s1,teacher,tlee,,Jordan,Lee,,,,,,,,\n" +
		"u1,,,true,s9,student,asmith,,Avery,Smith,,,,,,p1,02,\n" + // line 3: unknown school
		"u1,,,true,s1,student,dup,,Dup,Licate,,,,,,,02,\n" + // line 4: duplicate
		"p1,,,maybe,s1,parent,csmith,,Casey,,,,,,,u1,,\n" + // line 5: bad boolean, no familyName
		"x1,,,true,s1,janitor,x,,X,Y,,,,,,,,\n" + // line 6: unknown role
		"bad\xffname,,,true,s1,teacher,y,,Y,Z,,,,,,,,\n")} // line 7: not UTF-8
	fsys["academicSessions.csv"] = &fstest.MapFile{Data: []byte("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n" +
		"y1,,,2026-2027,schoolYear,2026-13-01,2027-06-11,,2027\n")} // line 2: bad date
	fsys["enrollments.csv"] = &fstest.MapFile{Data: []byte("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
		"e2,,,k1,s1,u1,student,false,,\n")} // k1 has no teacher now
	fsys["courses.csv"] = &fstest.MapFile{Data: []byte("sourcedId,status,dateLastModified,schoolYearSourcedId,title,grades,orgSourcedId,subjects,subjectCodes\n" +
		"c1,,,y1,Grade 2,02,s1,,\n")} // courseCode column missing
	s := read(t, fsys)
	got := map[string]bool{}
	for _, p := range s.Problems {
		got[p.String()] = true
	}
	for _, want := range []string{
		`users.csv:3: orgSourcedIds "s9": no such row in orgs.csv`,
		`users.csv:4: sourcedId "u1" already on line 3`,
		`users.csv:5: enabledUser "maybe" is not true or false`,
		`users.csv:5: familyName is required`,
		`users.csv:6: role "janitor" is not one of the standard's values`,
		`users.csv:7: field 1 is not UTF-8 text (save the file as UTF-8)`,
		`academicSessions.csv:2: startDate "2026-13-01" is not a date (YYYY-MM-DD)`,
		`classes.csv:2: class "k1" has no teacher in enrollments.csv`,
	} {
		if !got[want] {
			t.Errorf("missing problem %s", want)
		}
	}
	var header bool
	for _, p := range s.Problems {
		header = header || (p.File == "courses.csv" && p.Line == 1 && strings.Contains(p.Message, `missing column "courseCode"`))
	}
	if !header {
		t.Errorf("missing column not reported: %v", s.Problems)
	}
}

func TestBadCSVAndHeaders(t *testing.T) {
	fsys := small()
	fsys["orgs.csv"] = &fstest.MapFile{Data: []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n" +
		"d1,,,Valley \"District,district,,\n")}
	s := read(t, fsys)
	if len(s.Problems) == 0 || !strings.HasPrefix(s.Problems[0].String(), "orgs.csv:2: not valid CSV") {
		t.Fatalf("a bare quote: %v", s.Problems)
	}
	fsys = small()
	fsys["manifest.csv"] = &fstest.MapFile{Data: []byte("name,value\n")}
	if s := read(t, fsys); len(s.Problems) == 0 || s.Problems[0].String() != "manifest.csv:1: the header must be propertyName,value" {
		t.Fatalf("a wrong manifest header: %v", s.Problems)
	}
	fsys = small()
	delete(fsys, "users.csv")
	if s := read(t, fsys); len(s.Problems) == 0 || !strings.Contains(s.Problems[0].String(), "users.csv is not in the set") {
		t.Fatalf("a file the manifest names is missing: %v", s.Problems)
	}
}

func TestZipPathsOutsideTheSetRefused(t *testing.T) {
	for _, name := range []string{"../x.csv", "/etc/passwd", `a\b.csv`, "a/b/c.csv"} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte("x"))
		_ = zw.Close()
		if _, err := oneroster.OpenZip(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
	// A set wrapped in one folder is read from it.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range small() {
		w, _ := zw.Create("export/" + name)
		_, _ = w.Write(f.Data)
	}
	_ = zw.Close()
	fsys, err := oneroster.OpenZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := oneroster.Read(fsys)
	if err != nil || len(s.Problems) > 0 || len(s.Users) != 3 {
		t.Fatalf("zip in a folder: %v %v", err, s.Problems)
	}
}

func TestDeltaNeedsStatusAndKnowsEarlierRows(t *testing.T) {
	fsys := fstest.MapFS{
		"manifest.csv": {Data: []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\n")},
		"users.csv": {Data: []byte("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
			"u1,tobedeleted,2026-09-01T08:00:00Z,true,s1,student,asmith,,Avery,Smith,,,,,,,02,\n" +
			"u2,,,true,s1,student,b,,B,C,,,,,,,02,\n")},
	}
	s, err := oneroster.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	s.Check(func(file, id string) bool { return file == "orgs" && id == "s1" })
	want := []string{"users.csv:3: status is required in a delta file", "users.csv:3: dateLastModified is required in a delta file"}
	if len(s.Problems) != 2 || s.Problems[0].String() != want[0] || s.Problems[1].String() != want[1] {
		t.Fatalf("problems %v, want %v", s.Problems, want)
	}
	if !s.Users[0].Deleted {
		t.Fatal("tobedeleted not read")
	}
}

// huge is a set whose users.csv says it is 500 MB (and would stream that
// much): refused by its size before a byte of it is read.
type huge struct{ fstest.MapFS }

type hugeFile struct{ fs.File }

type hugeInfo struct{ fs.FileInfo }

func (hugeInfo) Size() int64 { return 500 << 20 }

func (f hugeFile) Stat() (fs.FileInfo, error) {
	st, err := f.File.Stat()
	return hugeInfo{st}, err
}

func (f hugeFile) Read([]byte) (int, error) { panic("read a file refused by its size") }

func (h huge) Open(name string) (fs.File, error) {
	f, err := h.MapFS.Open(name)
	if err != nil || name != "users.csv" {
		return f, err
	}
	return hugeFile{f}, nil
}

func TestLargeFileRefusedUnread(t *testing.T) {
	s, err := oneroster.Read(huge{small()})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Problems) != 1 || s.Problems[0].String() != "users.csv: 500 MB: larger than 100 MB" {
		t.Fatalf("problems: %v", s.Problems)
	}
}
