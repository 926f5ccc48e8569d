package contracts_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/roster/oneroster"
	"github.com/sameside/sameside/server/apptest"
)

// mustNewUser signs up a user with no memberships, as a first sign-in would.
func mustNewUser(t *testing.T, env *apptest.Env) *models.User {
	t.Helper()
	u := &models.User{FirebaseUID: fmt.Sprintf("new-%d", time.Now().UnixNano()), DisplayName: "New Parent", Locale: "en-US", TimeZone: "UTC"}
	if err := env.DB.Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

// smallDistrict is a OneRoster set of one district, one school, a class
// with its teacher, a student, a parent, and the district's admin.
var smallDistrict = map[string]string{
	"manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,bulk\nfile.classes,bulk\n" +
		"file.courses,bulk\nfile.enrollments,bulk\nfile.orgs,bulk\nfile.users,bulk\n",
	"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n" +
		"d1,,,Lakeside District,district,,\ns1,,,Lakeside Elementary,school,,d1\n",
	"academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n" +
		"y1,,,2026-2027,schoolYear,2026-08-17,2027-06-11,,2027\n",
	"courses.csv": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\n" +
		"c1,,,y1,Grade 3,G3,03,s1,,\n",
	"classes.csv": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n" +
		"k1,,,Room 3B,03,c1,3B,homeroom,,s1,y1,,,\n",
	"users.csv": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n" +
		"a1,,,true,d1,administrator,a1,,Ruth,Alvarez,,,ruth@lakeside.example,,,,,\n" +
		"t1,,,true,s1,teacher,t1,,Omar,Haddad,,,omar@lakeside.example,,,,,\n" +
		"u1,,,true,s1,student,u1,,Lena,Park,,,,,,p1,03,\n" +
		"p1,,,true,s1,parent,p1,,Jin,Park,,,jin@home.example,,,u1,,\n",
	"enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
		"e1,,,k1,s1,t1,teacher,true,,\ne2,,,k1,s1,u1,student,false,,\n",
}

// rosterDistrict loads smallDistrict (as IT's first import from the
// command line would) and returns its district admin's token and the set
// as a zip.
func rosterDistrict(t *testing.T, env *apptest.Env) (string, []byte) {
	t.Helper()
	fsys := fstest.MapFS{}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range smallDistrict {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	set, err := oneroster.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Domain.ApplyRoster(context.Background(), set, domain.RosterImportOptions{TimeZone: "America/Chicago"})
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("small district: %v %v", err, res.Problems)
	}
	var u models.User
	if err := env.DB.Take(&u, "email = ?", "ruth@lakeside.example").Error; err != nil {
		t.Fatal(err)
	}
	return env.TokenFor(&u), buf.Bytes()
}
