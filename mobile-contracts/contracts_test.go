package contracts_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/server/apptest"
	"github.com/sameside/sameside/server/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	schema, err := contracts.LoadSchema("..")
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return schema
}

// Every operation file validates against the schema and holds one operation
// named as the file.
func TestOperationsValidate(t *testing.T) {
	schema := loadSchema(t)
	ops, err := contracts.Operations()
	if err != nil || len(ops) == 0 {
		t.Fatalf("operations: %v", err)
	}
	for name, doc := range ops {
		t.Run(name, func(t *testing.T) {
			q, errs := gqlparser.LoadQuery(schema, doc)
			if len(errs) > 0 {
				t.Fatalf("invalid: %v", errs)
			}
			if len(q.Operations) != 1 || q.Operations[0].Name != name {
				t.Fatalf("want exactly one operation named %s", name)
			}
		})
	}
}

// Every operation runs against a seeded server, as the role that sends it.
func TestOperationsRunAgainstSeededServer(t *testing.T) {
	ops, err := contracts.Operations()
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t, apptest.Options{Seed: true})
	admin, teacher, parent := env.Token("admin"), env.Token("teacher"), env.Token("parent")

	// Ids to run with, found through the API like the app finds them.
	var home struct {
		Viewer struct {
			Children   []struct{ ID string }
			Classrooms []struct{ ID string }
		}
	}
	env.Do(parent, ops["Viewer"], nil).Decode(t, &home)
	if len(home.Viewer.Children) == 0 {
		t.Fatal("demo parent has no children")
	}
	child := home.Viewer.Children[0].ID
	var staff struct {
		Viewer struct{ Classrooms []struct{ ID string } }
	}
	env.Do(teacher, ops["Viewer"], nil).Decode(t, &staff)
	room := staff.Viewer.Classrooms[0].ID
	var roster struct {
		Classroom struct{ Students []struct{ ID string } }
	}
	env.Do(teacher, ops["Classroom"], map[string]any{"id": room}).Decode(t, &roster)
	pupil := roster.Classroom.Students[0].ID
	// A student no other step uses, for DeleteFamilyData.
	leaver := ""
	for _, st := range roster.Classroom.Students {
		if st.ID != child && st.ID != pupil {
			leaver = st.ID
		}
	}
	if leaver == "" {
		t.Fatal("the demo classroom needs a third student")
	}
	newcomer := env.TokenFor(mustNewUser(t, env))

	var code, shared, concern, draft, conv string
	var round, booking, request, option, announcement, event, resource, upload string
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	pdfSum := sha256.Sum256(pdf)
	var slots []string
	var adminSchool struct {
		Viewer struct {
			Memberships []struct{ School struct{ ID string } }
		}
	}
	env.Do(admin, `{ viewer { memberships { school { id } } } }`, nil).Decode(t, &adminSchool)
	day := time.Now().UTC().AddDate(0, 0, 7).Truncate(24 * time.Hour)
	var teacherID struct {
		Viewer struct{ ID string }
	}
	env.Do(teacher, `{ viewer { id } }`, nil).Decode(t, &teacherID)
	idOf := func(d, field string) string {
		i := strings.Index(d, `"`+field+`":"`)
		if i < 0 {
			t.Fatalf("no %s in %s", field, d)
		}
		i += len(field) + 4
		return d[i : i+36]
	}
	post := func(student, kind, state string) func() map[string]any {
		return func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": kind + state + student[:8], "studentIds": []string{student},
				"kind": kind, "body": "Worked with a partner and took turns with the tablet.", "skills": []string{"TAKING_TURNS"}, "state": state}}
		}
	}
	steps := []struct {
		op    string
		token string
		vars  func() map[string]any
		check func(data string) bool
	}{
		{"Viewer", admin, nil, func(d string) bool { return strings.Contains(d, `"ADMIN"`) }},
		{"Student", parent, func() map[string]any { return map[string]any{"id": child} }, func(d string) bool { return strings.Contains(d, child) }},
		{"Classroom", teacher, func() map[string]any { return map[string]any{"id": room} }, func(d string) bool { return strings.Contains(d, pupil) }},
		{"CreateInvitation", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"studentId": pupil, "relationship": "GRANDPARENT", "email": "grandma@example.com"}}
		}, func(d string) bool { return strings.Contains(d, `"code"`) }},
		{"RedeemInvitation", newcomer, func() map[string]any { return map[string]any{"input": map[string]any{"code": code}} },
			func(d string) bool { return strings.Contains(d, pupil) && strings.Contains(d, `"PARENT"`) }},
		{"RegisterDevice", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"token": "contract-device-token-1", "platform": "ANDROID", "appVersion": "2.3.1", "locale": "en-US"}}
		}, func(d string) bool { return strings.Contains(d, `"ANDROID"`) }},
		{"NotificationSettings", parent, nil, func(d string) bool {
			return strings.Contains(d, `"tokenSuffix":"oken-1"`) && strings.Contains(d, "POSITIVE_NOTE")
		}},
		{"UpdateNotificationPreferences", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"categories": []any{map[string]any{"category": "EVENT", "push": false}}, "quietHours": map[string]any{"start": "21:00", "end": "07:00"}}}
		}, func(d string) bool { return strings.Contains(d, `"21:00"`) }},
		{"SendTestNotification", parent, nil, func(d string) bool { return strings.Contains(d, `"deviceCount":1`) }},
		{"UnregisterDevice", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"token": "contract-device-token-1"}}
		}, func(d string) bool { return strings.Contains(d, `"removed":true`) }},
		{"ObservationDraftHints", teacher, func() map[string]any { return map[string]any{"body": "He never listens.", "kind": "CONCERN"} },
			func(d string) bool { return strings.Contains(d, "ABSOLUTE") }},
		{"PostObservation", admin, post(child, "POSITIVE", "SHARED"), func(d string) bool { shared = idOf(d, "id"); return strings.Contains(d, "SHARED") }},
		{"Feed", parent, func() map[string]any { return map[string]any{"first": 10} }, func(d string) bool { return strings.Contains(d, shared) }},
		{"Observation", parent, func() map[string]any { return map[string]any{"id": shared} }, func(d string) bool { return strings.Contains(d, shared) }},
		{"AcknowledgeObservation", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"id": shared, "reaction": "HEART"}}
		},
			func(d string) bool { return strings.Contains(d, "HEART") }},
		{"RespondToObservation", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "reply-1", "id": shared, "body": "We see this at home too."}}
		}, func(d string) bool { return strings.Contains(d, "We see this") }},
		{"ShareHomeInsight", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "insight-1", "studentId": child, "body": "Read to her little brother.", "skills": []string{"KINDNESS"}}}
		}, func(d string) bool { return strings.Contains(d, "KINDNESS") }},
		{"StudentTimeline", admin, func() map[string]any { return map[string]any{"id": child} }, func(d string) bool { return strings.Contains(d, "Read to her") && strings.Contains(d, shared) }},
		{"PostObservation", teacher, post(pupil, "CONCERN", "DRAFT"), func(d string) bool { concern = idOf(d, "id"); return strings.Contains(d, "DRAFT") }},
		{"UpdateObservation", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "upd-1", "id": concern, "body": "Twice today he left his seat during reading. What do you see at home?"}}
		}, func(d string) bool { return strings.Contains(d, "Twice today") }},
		{"RequestObservationReview", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "rr-1", "id": concern}}
		},
			func(d string) bool { return strings.Contains(d, "IN_REVIEW") }},
		{"ReviewQueue", admin, nil, func(d string) bool { return strings.Contains(d, concern) }},
		{"ReviewObservation", admin, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "rv-1", "id": concern, "decision": "RETURN", "comment": "Say what you tried."}}
		}, func(d string) bool { return strings.Contains(d, "RETURNED") }},
		{"ShareObservation", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "sh-1", "id": concern}}
		},
			func(d string) bool { return strings.Contains(d, "SHARED") }},
		{"PostObservation", teacher, post(pupil, "OBSERVATION", "DRAFT"), func(d string) bool { draft = idOf(d, "id"); return true }},
		{"DeleteObservation", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "del-1", "id": draft}}
		},
			func(d string) bool { return strings.Contains(d, draft) }},
		{"ClassroomFeed", teacher, func() map[string]any { return map[string]any{"id": room} }, func(d string) bool {
			return strings.Contains(d, concern) && strings.Contains(d, "studentsNeedingPositiveNote")
		}},
		{"StartConversation", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "conv-1", "studentId": child, "participantIds": []string{teacherID.Viewer.ID},
				"subject": "Reading at home", "body": "Could we talk about reading?"}}
		}, func(d string) bool { conv = idOf(d, "id"); return strings.Contains(d, "Reading at home") }},
		{"Conversations", teacher, nil, func(d string) bool { return strings.Contains(d, conv) && strings.Contains(d, `"unreadCount":1`) }},
		{"SendMessage", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "msg-1", "conversationId": conv, "body": "Of course, tomorrow at 3?"}}
		}, func(d string) bool { return strings.Contains(d, "tomorrow at 3") }},
		{"Conversation", parent, func() map[string]any { return map[string]any{"id": conv, "first": 10} }, func(d string) bool { return strings.Contains(d, "tomorrow at 3") }},
		{"MarkConversationRead", parent, func() map[string]any { return map[string]any{"input": map[string]any{"conversationId": conv}} },
			func(d string) bool { return strings.Contains(d, `"unreadCount":0`) }},
		{"MuteConversation", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"conversationId": conv, "muted": true}}
		},
			func(d string) bool { return strings.Contains(d, `"muted":true`) }},
		{"SetOfficeHours", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"hours": []any{map[string]any{"weekday": "MONDAY", "start": "07:30", "end": "15:30"}}}}
		}, func(d string) bool { return strings.Contains(d, `"07:30"`) }},
		{"CreateConferenceRound", admin, func() map[string]any {
			return map[string]any{"input": map[string]any{"schoolId": adminSchool.Viewer.Memberships[0].School.ID, "name": "Fall conferences",
				"startsOn": day.Format(time.DateOnly), "endsOn": day.AddDate(0, 0, 2).Format(time.DateOnly), "slotMinutes": 15, "mode": "IN_PERSON", "location": "Room 4"}}
		}, func(d string) bool { round = idOf(d, "id"); return strings.Contains(d, "Fall conferences") }},
		{"PublishConferenceAvailability", teacher, func() map[string]any {
			at := day.AddDate(0, 0, 1).Add(15 * time.Hour)
			return map[string]any{"input": map[string]any{"roundId": round, "windows": []any{map[string]any{"startsAt": at, "endsAt": at.Add(45 * time.Minute)}}}}
		}, func(d string) bool {
			for _, part := range strings.Split(d, `"id":"`)[1:] {
				slots = append(slots, part[:36])
			}
			return len(slots) == 3
		}},
		{"ConferenceRounds", parent, nil, func(d string) bool { return strings.Contains(d, round) }},
		{"ConferenceRound", parent, func() map[string]any {
			return map[string]any{"id": round, "teacherId": teacherID.Viewer.ID, "availableOnly": true}
		}, func(d string) bool { return strings.Count(d, `"available":true`) == 3 }},
		{"BookConferenceSlot", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "conf-1", "slotId": slots[0], "studentId": child}}
		}, func(d string) bool { booking = idOf(d, "id"); return strings.Contains(d, slots[0]) }},
		{"RescheduleConferenceBooking", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "conf-2", "bookingId": booking, "slotId": slots[1]}}
		}, func(d string) bool { booking = idOf(d, "id"); return strings.Contains(d, slots[1]) }},
		{"SetConferenceNotes", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"bookingId": booking, "notes": "Bring the reading log."}}
		}, func(d string) bool { return strings.Contains(d, "reading log") }},
		{"MyConferences", teacher, func() map[string]any { return map[string]any{"roundId": round} },
			func(d string) bool {
				return strings.Contains(d, booking) && strings.Contains(d, "reading log") && strings.Contains(d, "guardians")
			}},
		{"ConferenceBooking", parent, func() map[string]any { return map[string]any{"id": booking} },
			func(d string) bool { return strings.Contains(d, booking) && strings.Contains(d, `"notes":null`) }},
		{"ResetCalendarFeed", parent, nil, func(d string) bool { return strings.Contains(d, "/calendar/") }},
		{"RevokeCalendarFeed", parent, nil, func(d string) bool { return strings.Contains(d, "true") }},
		{"CancelConferenceBooking", parent, func() map[string]any { return map[string]any{"input": map[string]any{"bookingId": booking}} },
			func(d string) bool { return strings.Contains(d, `"cancelled":true`) }},
		{"CancelConferenceSlot", teacher, func() map[string]any { return map[string]any{"input": map[string]any{"slotId": slots[2]}} },
			func(d string) bool { return strings.Contains(d, `"available":false`) }},
		{"RequestConferenceMeeting", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "meet-1", "studentId": child, "teacherId": teacherID.Viewer.ID, "topic": "Settling in after the move."}}
		}, func(d string) bool { request = idOf(d, "id"); return strings.Contains(d, `"OPEN"`) }},
		{"ProposeConferenceTimes", admin, func() map[string]any {
			at := day.Add(17 * time.Hour)
			return map[string]any{"input": map[string]any{"requestId": request, "times": []any{map[string]any{"startsAt": at, "endsAt": at.Add(30 * time.Minute)}}}}
		}, func(d string) bool {
			i := strings.Index(d, `"options":[{"id":"`)
			if i < 0 {
				return false
			}
			option = d[i+len(`"options":[{"id":"`):][:36]
			return true
		}},
		{"AcceptConferenceTime", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"requestId": request, "optionId": option}}
		},
			func(d string) bool { return strings.Contains(d, `"SCHEDULED"`) && strings.Contains(d, option) }},
		{"ConferenceRequests", teacher, nil, func(d string) bool { return strings.Contains(d, request) && strings.Contains(d, "Settling in") }},
		{"CancelConferenceRequest", parent, func() map[string]any { return map[string]any{"input": map[string]any{"requestId": request}} },
			func(d string) bool { return strings.Contains(d, `"CANCELLED"`) }},
		{"PostAnnouncement", admin, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "ann-1", "schoolId": adminSchool.Viewer.Memberships[0].School.ID,
				"audience": "SCHOOL", "title": "Picture day on Friday", "body": "Please send your child in school uniform."}}
		}, func(d string) bool { announcement = idOf(d, "id"); return strings.Contains(d, `"SCHOOL"`) }},
		{"Announcements", parent, func() map[string]any { return map[string]any{"first": 10} },
			func(d string) bool { return strings.Contains(d, announcement) && strings.Contains(d, `"read":false`) }},
		{"AcknowledgeAnnouncement", parent, func() map[string]any { return map[string]any{"input": map[string]any{"id": announcement}} },
			func(d string) bool { return strings.Contains(d, `"read":true`) }},
		{"Announcement", parent, func() map[string]any { return map[string]any{"id": announcement} },
			func(d string) bool { return strings.Contains(d, "Picture day") }},
		{"CreateSchoolEvent", admin, func() map[string]any {
			at := day.Add(23 * time.Hour)
			return map[string]any{"input": map[string]any{"schoolId": adminSchool.Viewer.Memberships[0].School.ID, "title": "Raising resilient kids",
				"topic": "RESILIENCE", "startsAt": at, "endsAt": at.Add(90 * time.Minute), "location": "Library", "capacity": 30}}
		}, func(d string) bool { event = idOf(d, "id"); return strings.Contains(d, `"seatsLeft":30`) }},
		{"RsvpSchoolEvent", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"eventId": event, "headCount": 2}}
		},
			func(d string) bool { return strings.Contains(d, `"GOING"`) }},
		{"SchoolEvents", parent, nil, func(d string) bool { return strings.Contains(d, event) && strings.Contains(d, `"seatsLeft":28`) }},
		{"SchoolEvent", parent, func() map[string]any { return map[string]any{"id": event} },
			func(d string) bool { return strings.Contains(d, `"headCount":2`) }},
		{"CancelRsvp", parent, func() map[string]any { return map[string]any{"input": map[string]any{"eventId": event}} },
			func(d string) bool { return strings.Contains(d, `"CANCELLED"`) }},
		{"Engagement", admin, func() map[string]any {
			return map[string]any{"schoolId": adminSchool.Viewer.Memberships[0].School.ID, "from": time.Now().AddDate(0, 0, -30).Format(time.DateOnly), "to": time.Now().Format(time.DateOnly)}
		}, func(d string) bool { return strings.Contains(d, `"rows":[{`) && strings.Contains(d, `"positiveNotes"`) }},
		{"CreateResource", teacher, func() map[string]any {
			return map[string]any{"input": map[string]any{"schoolId": adminSchool.Viewer.Memberships[0].School.ID, "title": "Talking about feelings",
				"url": "https://example.org/feelings", "topic": "COMMUNICATION"}}
		}, func(d string) bool { resource = idOf(d, "id"); return strings.Contains(d, "COMMUNICATION") }},
		{"Resources", parent, func() map[string]any { return map[string]any{"topic": "COMMUNICATION"} },
			func(d string) bool { return strings.Contains(d, resource) }},
		{"DeleteResource", teacher, func() map[string]any { return map[string]any{"input": map[string]any{"id": resource}} },
			func(d string) bool { return strings.Contains(d, "true") }},
		{"CreateUpload", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"contentType": "application/pdf", "size": len(pdf), "sha256": hex.EncodeToString(pdfSum[:])}}
		}, func(d string) bool {
			upload = idOf(d, "id")
			i := strings.Index(d, `"uploadUrl":"`)
			if i < 0 {
				return false
			}
			u := d[i+len(`"uploadUrl":"`):]
			u = strings.ReplaceAll(u[:strings.Index(u, `"`)], `\u0026`, "&")
			req, _ := http.NewRequest(http.MethodPut, env.Server.URL+u, bytes.NewReader(pdf))
			req.Header.Set("Content-Type", "application/pdf")
			res, err := http.DefaultClient.Do(req)
			return err == nil && res.StatusCode == 200
		}},
		{"CompleteUpload", parent, func() map[string]any { return map[string]any{"input": map[string]any{"id": upload}} },
			func(d string) bool { return strings.Contains(d, `"READY"`) && strings.Contains(d, "/files?") }},
		{"UpdateProfile", parent, func() map[string]any {
			return map[string]any{"input": map[string]any{"displayName": "Sam Parent", "locale": "es-US", "timeZone": "America/Los_Angeles"}}
		}, func(d string) bool { return strings.Contains(d, "Sam Parent") }},
		{"StudentExport", parent, func() map[string]any { return map[string]any{"studentId": child} },
			func(d string) bool {
				return strings.Contains(d, "sameside.student-export/v1") && strings.Contains(d, child)
			}},
		{"AuditLog", admin, func() map[string]any {
			return map[string]any{"schoolId": adminSchool.Viewer.Memberships[0].School.ID, "first": 50}
		},
			func(d string) bool {
				return strings.Contains(d, `"student.timeline"`) && strings.Contains(d, `"observation.post"`)
			}},
		{"DeleteFamilyData", admin, func() map[string]any {
			return map[string]any{"input": map[string]any{"clientMutationId": "delete-1", "studentIds": []string{leaver}, "confirm": "DELETE"}}
		}, func(d string) bool { return strings.Contains(d, `"deletedStudents":1`) }},
	}
	covered := map[string]bool{}
	for _, s := range steps {
		covered[s.op] = true
		t.Run(s.op, func(t *testing.T) {
			doc, ok := ops[s.op]
			if !ok {
				t.Fatalf("no operations/%s.graphql", s.op)
			}
			var vars map[string]any
			if s.vars != nil {
				vars = s.vars()
			}
			res := env.Do(s.token, doc, vars)
			if len(res.Errors) > 0 || len(res.Data) == 0 || string(res.Data) == "null" {
				t.Fatalf("failed: %s", res.Body)
			}
			if !s.check(string(res.Data)) {
				t.Fatalf("unexpected data: %s", res.Data)
			}
			if s.op == "CreateInvitation" {
				var out struct{ CreateInvitation struct{ Code string } }
				res.Decode(t, &out)
				code = out.CreateInvitation.Code
			}
		})
	}
	// The subscriptions, over graphql-transport-ws as the app opens them.
	t.Run("subscriptions", func(t *testing.T) {
		ctx, cancel := apptest.WithTimeout()
		defer cancel()
		env.SettleEvents() // earlier messages' events are not the live one
		ws, err := env.DialWS(ctx, map[string]any{"Authorization": "Bearer " + parent})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		if err := ws.Subscribe(ctx, "m", ops["MessageAdded"], map[string]any{"conversationId": conv}); err != nil {
			t.Fatal(err)
		}
		if err := ws.Subscribe(ctx, "v", ops["ViewerEvents"], nil); err != nil {
			t.Fatal(err)
		}
		env.WaitSubscribers(2)
		res := env.Do(teacher, ops["SendMessage"], map[string]any{"input": map[string]any{"clientMutationId": "msg-live", "conversationId": conv, "body": "Live: see you at 3."}})
		if len(res.Errors) > 0 {
			t.Fatal(res.Body)
		}
		for id, want := range map[string][]string{"m": {"Live: see you at 3."}, "v": {`"NEW_MESSAGE"`, "Live: see you at 3.", `"unreadCount":0`}} {
			got, err := ws.Next(ctx, id)
			if err != nil || got == nil || len(got.Errors) > 0 {
				t.Fatalf("%s: %v %+v", id, err, got)
			}
			for _, w := range want {
				// The conversation is muted (MuteConversation above), so
				// it leaves the unread count.
				if !strings.Contains(string(got.Data), w) {
					t.Fatalf("%s: want %s in %s", id, w, got.Data)
				}
			}
		}
		covered["MessageAdded"], covered["ViewerEvents"] = true, true
	})
	// A district admin's roster import, and what admins do by hand.
	t.Run("roster", func(t *testing.T) { rosterContracts(t, env, ops, covered) })
	t.Run("channels", func(t *testing.T) {
		channelContracts(t, env, admin, parent, adminSchool.Viewer.Memberships[0].School.ID, ops, covered)
	})
	t.Run("follow-ups", func(t *testing.T) {
		followUpContracts(t, env, admin, teacher, parent, child, teacherID.Viewer.ID, ops, covered)
	})
	for name := range ops {
		if !covered[name] {
			t.Errorf("operations/%s.graphql is not run by this test", name)
		}
	}
}

// Each push type has a schema that compiles and an example that passes it;
// the example fails once broken, so the check can fail.
func TestPushSchemasAndExamples(t *testing.T) {
	types, err := contracts.PushTypes()
	if err != nil || len(types) == 0 {
		t.Fatalf("push schemas: %v %v", types, err)
	}
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			ex, err := contracts.PushExample(typ)
			if err != nil {
				t.Fatalf("no push/%s.example.json: %v", typ, err)
			}
			if err := contracts.ValidatePush(ex); err != nil {
				t.Fatalf("example does not validate: %v", err)
			}
			broken := strings.Replace(string(ex), `"badge": 1`, `"badge": -1`, 1)
			if broken == string(ex) {
				t.Fatal("example has no badge to break")
			}
			if contracts.ValidatePush([]byte(broken)) == nil {
				t.Fatal("a negative badge passed the schema")
			}
		})
	}
}
