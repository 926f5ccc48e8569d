package domain

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// ExportFormat names the export document's layout (docs/privacy.md).
const ExportFormat = "sameside.student-export/v1"

// ExportStudent gathers everything about a student that the viewer may see
// into one JSON document: the student, classrooms and teachers, guardians,
// observations with responses, acknowledgements and attachments, home
// insights, conversations with their messages, conferences and meeting
// requests, and for the school's admins the audit log. A parent gets what
// the product shows them (shared observations, their own conversations); a
// school admin, answering a formal request, gets everything the school
// holds. Every part is read through the same policy scopes as the API, so
// the export never shows more than the app would.
// Errors: NOT_FOUND (a student the viewer may not see).
func (s *Service) ExportStudent(ctx context.Context, v *models.Viewer, studentID string) (*models.StudentExport, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	st, err := s.Student(ctx, v, studentID)
	if err != nil {
		return nil, err
	}
	// Restricted guardians cannot see the student at all (Student above).
	rows, err := s.readExport(ctx, v, st)
	if err != nil {
		return nil, err
	}
	now := s.now()
	doc := rows.document(v, st)
	doc.GeneratedAt, doc.RequestedBy = now, exportPerson{ID: v.ID, Name: v.DisplayName}
	doc.fill()
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, models.Internal(err)
	}
	if err := s.AuditRead(ctx, v, st.SchoolID, st.ID, "", "student.export"); err != nil {
		return nil, err
	}
	return &models.StudentExport{Student: st, GeneratedAt: now, JSON: string(raw)}, nil
}

// exportRows is everything about a student the viewer may see, as read
// for an export, with the names of the people it mentions.
type exportRows struct {
	school        models.School
	classrooms    []models.Classroom
	teachers      []struct{ ClassroomID, UserID string }
	guardians     []models.Guardianship
	observations  []models.Observation
	responses     []models.ObservationResponse
	acks          []models.Acknowledgement
	insights      []models.HomeInsight
	conversations []models.Conversation
	messages      []models.Message
	bookings      []models.ConferenceBooking
	slots         map[string]models.ConferenceSlot
	requests      []models.ConferenceRequest
	summaries     []models.ConferenceSummary
	steps         []models.ConferenceNextStep
	followUps     []models.ConferenceFollowUp
	tried         []models.TryAtHomeAnswer
	profiles      []models.ChildProfile
	events        []models.AuditEvent
	attachments   map[string][]exportFile
	names         map[string]string
}

// readExport reads what an export holds, each read through the viewer's
// policy scope.
func (s *Service) readExport(ctx context.Context, v *models.Viewer, st *models.Student) (*exportRows, error) {
	db := s.DB.WithContext(ctx)
	r := &exportRows{slots: map[string]models.ConferenceSlot{}}
	if err := db.Take(&r.school, "id = ?", st.SchoolID).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.Classrooms(v)).Where("classrooms.id IN (SELECT classroom_id FROM enrollments WHERE student_id = ?)", st.ID).
		Order("name").Find(&r.classrooms).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Raw(`SELECT classroom_id, user_id FROM classroom_staff WHERE classroom_id IN ?`,
		idsOf(r.classrooms, func(c models.Classroom) string { return c.ID })).Scan(&r.teachers).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.Guardianships(v)).Where("student_id = ?", st.ID).Order("created_at").Find(&r.guardians).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Table("observations").Scopes(policy.Observations(v)).Where("observations.student_id = ?", st.ID).
		Order("observations.created_at").Find(&r.observations).Error; err != nil {
		return nil, internal(err)
	}
	obsIDs := idsOf(r.observations, func(o models.Observation) string { return o.ID })
	if err := db.Scopes(policy.Responses(v)).Where("observation_responses.observation_id IN ?", obsIDs).
		Order("observation_responses.created_at").Find(&r.responses).Error; err != nil {
		return nil, internal(err)
	}
	ackQ := db.Where("observation_id IN ?", obsIDs)
	if policy.StaffRole(v, st.SchoolID) == "" {
		ackQ = ackQ.Where("user_id = ?", v.ID) // a family sees its own acknowledgements
	}
	if err := ackQ.Order("created_at").Find(&r.acks).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Table("home_insights").Scopes(policy.HomeInsights(v)).Where("home_insights.student_id = ?", st.ID).
		Order("home_insights.created_at").Find(&r.insights).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.Conversations(v)).Where("conversations.student_id = ?", st.ID).
		Order("conversations.created_at").Find(&r.conversations).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Where("conversation_id IN ?", idsOf(r.conversations, func(c models.Conversation) string { return c.ID })).
		Order("conversation_id, seq").Find(&r.messages).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.ConferenceBookings(v)).Where("conference_bookings.student_id = ?", st.ID).
		Order("conference_bookings.created_at").Find(&r.bookings).Error; err != nil {
		return nil, internal(err)
	}
	var slots []models.ConferenceSlot
	if err := db.Where("id IN ?", idsOf(r.bookings, func(b models.ConferenceBooking) string { return b.SlotID })).Find(&slots).Error; err != nil {
		return nil, internal(err)
	}
	for _, sl := range slots {
		r.slots[sl.ID] = sl
	}
	if err := db.Scopes(policy.ConferenceRequests(v)).Where("conference_requests.student_id = ?", st.ID).
		Order("conference_requests.created_at").Find(&r.requests).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.ConferenceSummaries(v)).Where("conference_summaries.student_id = ?", st.ID).
		Order("conference_summaries.created_at").Find(&r.summaries).Error; err != nil {
		return nil, internal(err)
	}
	sumIDs := idsOf(r.summaries, func(x models.ConferenceSummary) string { return x.ID })
	if err := db.Where("summary_id IN ?", sumIDs).Order("summary_id, position").Find(&r.steps).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.ConferenceFollowUps(v)).Where("conference_follow_ups.summary_id IN ?", sumIDs).
		Order("conference_follow_ups.created_at").Find(&r.followUps).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.TryAtHomeAnswers(v)).Where("try_at_home_answers.observation_id IN ?", obsIDs).
		Order("try_at_home_answers.created_at").Find(&r.tried).Error; err != nil {
		return nil, internal(err)
	}
	if err := db.Scopes(policy.ChildProfiles(v)).Where("child_profiles.student_id = ?", st.ID).Order("household").Find(&r.profiles).Error; err != nil {
		return nil, internal(err)
	}
	if policy.IsAdmin(v, st.SchoolID) { // the audit log, for the school's admins
		if err := db.Where("school_id = ? AND student_id = ?", st.SchoolID, st.ID).Order("at").Find(&r.events).Error; err != nil {
			return nil, internal(err)
		}
	}
	var err error
	if r.attachments, err = s.exportAttachments(ctx, r); err != nil {
		return nil, err
	}
	if r.names, err = exportNames(db, r); err != nil {
		return nil, err
	}
	return r, nil
}

// exportAttachments reads the files attached to the exported items, with
// their download URLs, by "ITEM_TYPE:item id".
func (s *Service) exportAttachments(ctx context.Context, r *exportRows) (map[string][]exportFile, error) {
	var uploads []models.Upload
	if err := s.DB.WithContext(ctx).Where(`(item_type = ? AND item_id IN ?) OR (item_type = ? AND item_id IN ?) OR (item_type = ? AND item_id IN ?)`,
		models.ItemObservationGroup, idsOf(r.observations, func(o models.Observation) string { return o.GroupID }),
		models.ItemHomeInsight, idsOf(r.insights, func(h models.HomeInsight) string { return h.ID }),
		models.ItemMessage, idsOf(r.messages, func(m models.Message) string { return m.ID })).
		Order("position").Find(&uploads).Error; err != nil {
		return nil, internal(err)
	}
	out := map[string][]exportFile{}
	for _, u := range uploads {
		f := exportFile{ID: u.ID, ContentType: u.ContentType, Size: u.Size, Sha256: u.Sha256}
		if s.Files != nil {
			url, _, err := s.UploadURLs(ctx, &u)
			if err != nil {
				return nil, err
			}
			f.URL = url
		}
		out[*u.ItemType+":"+*u.ItemID] = append(out[*u.ItemType+":"+*u.ItemID], f)
	}
	return out, nil
}

// exportNames reads, in one statement, the names of everyone the rows
// mention.
func exportNames(db *gorm.DB, r *exportRows) (map[string]string, error) {
	var ids []string
	for _, o := range r.observations {
		ids = append(ids, o.AuthorID)
	}
	for _, sl := range r.slots {
		ids = append(ids, sl.TeacherID)
	}
	for _, g := range r.guardians {
		ids = append(ids, g.UserID)
	}
	for _, x := range r.responses {
		ids = append(ids, x.AuthorID)
	}
	for _, a := range r.acks {
		ids = append(ids, a.UserID)
	}
	for _, h := range r.insights {
		ids = append(ids, h.AuthorID)
	}
	for _, m := range r.messages {
		ids = append(ids, m.SenderID)
	}
	for _, t := range r.teachers {
		ids = append(ids, t.UserID)
	}
	for _, x := range r.summaries {
		ids = append(ids, x.AuthorID)
		if x.AcknowledgedByID != nil {
			ids = append(ids, *x.AcknowledgedByID)
		}
	}
	for _, f := range r.followUps {
		ids = append(ids, f.AuthorID)
	}
	for _, a := range r.tried {
		ids = append(ids, a.UserID)
	}
	for _, e := range r.events {
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
	}
	var users []models.User
	if err := db.Where("id IN ?", ids).Find(&users).Error; err != nil {
		return nil, internal(err)
	}
	names := make(map[string]string, len(users))
	for _, u := range users {
		names[u.ID] = u.DisplayName
	}
	return names, nil
}

// document assembles the export from the rows read: what the viewer's role
// sees of them (conference notes for staff, the audit log for admins).
func (r *exportRows) document(v *models.Viewer, st *models.Student) exportDoc {
	name := func(id string) string { return r.names[id] }
	doc := exportDoc{Format: ExportFormat}
	doc.Student = exportStudent{ID: st.ID, FirstName: st.FirstName, PreferredName: st.PreferredName, LastName: st.LastName,
		Grade: st.Grade, School: r.school.Name, CreatedAt: st.CreatedAt}
	for _, c := range r.classrooms {
		ec := exportClassroom{ID: c.ID, Name: c.Name, Grade: c.Grade, SchoolYear: c.SchoolYear, Teachers: []string{}}
		for _, t := range r.teachers {
			if t.ClassroomID == c.ID {
				ec.Teachers = append(ec.Teachers, name(t.UserID))
			}
		}
		doc.Classrooms = append(doc.Classrooms, ec)
	}
	for _, g := range r.guardians {
		doc.Guardians = append(doc.Guardians, exportGuardian{Name: name(g.UserID), Relationship: string(g.Relationship), Primary: g.IsPrimary, Restricted: g.Restricted})
	}
	for _, o := range r.observations {
		doc.Observations = append(doc.Observations, r.observation(o, name))
	}
	for _, h := range r.insights {
		doc.HomeInsights = append(doc.HomeInsights, exportInsight{ID: h.ID, By: name(h.AuthorID), Body: h.Body, Skills: h.Skills, At: h.CreatedAt,
			Attachments: orEmpty(r.attachments[models.ItemHomeInsight+":"+h.ID])})
	}
	for _, c := range r.conversations {
		ec := exportConversation{ID: c.ID, Subject: c.Subject, StartedAt: c.CreatedAt, Messages: []exportMessage{}}
		for _, m := range r.messages {
			if m.ConversationID == c.ID {
				ec.Messages = append(ec.Messages, exportMessage{By: name(m.SenderID), Body: m.Body, At: m.CreatedAt, Urgent: m.Urgent,
					Attachments: orEmpty(r.attachments[models.ItemMessage+":"+m.ID])})
			}
		}
		doc.Conversations = append(doc.Conversations, ec)
	}
	for _, b := range r.bookings {
		sl := r.slots[b.SlotID]
		eb := exportConference{ID: b.ID, StartsAt: sl.StartsAt, EndsAt: sl.EndsAt, Teacher: name(sl.TeacherID), BookedAt: b.CreatedAt, CancelledAt: b.CancelledAt,
			Questions: b.Questions, AtHome: b.AtHome}
		if policy.StaffRole(v, st.SchoolID) != "" {
			eb.Notes = b.Notes
		}
		doc.Conferences = append(doc.Conferences, eb)
	}
	for _, x := range r.requests {
		doc.MeetingRequests = append(doc.MeetingRequests, exportRequest{ID: x.ID, Topic: x.Topic, AtHome: x.AtHome, State: string(x.State), At: x.CreatedAt})
	}
	for _, x := range r.summaries {
		doc.ConferenceSummaries = append(doc.ConferenceSummaries, r.summary(x, name))
	}
	for _, p := range r.profiles {
		doc.AboutMe = append(doc.AboutMe, exportProfile{Strengths: p.Strengths, WhatWorks: p.WhatWorks, Worries: p.Worries, Goals: p.Goals, UpdatedAt: p.UpdatedAt})
	}
	if policy.IsAdmin(v, st.SchoolID) {
		doc.AuditLog = []exportAudit{}
		for _, e := range r.events {
			ea := exportAudit{Role: string(e.ActorRole), Action: string(e.Action), Operation: e.Operation, At: e.At}
			if e.ActorID != nil {
				ea.By = name(*e.ActorID)
			}
			doc.AuditLog = append(doc.AuditLog, ea)
		}
	}
	return doc
}

// summary is one exported conference summary with its next steps and
// follow-ups.
func (r *exportRows) summary(x models.ConferenceSummary, name func(string) string) exportSummary {
	es := exportSummary{ID: x.ID, BookingID: x.BookingID, RequestID: x.RequestID, By: name(x.AuthorID), Body: x.Body, At: x.CreatedAt,
		CheckInAt: x.CheckInAt, AcknowledgedAt: x.AcknowledgedAt, NextSteps: []exportStep{}, FollowUps: []exportFollowUp{}}
	if x.AcknowledgedByID != nil {
		es.AcknowledgedBy = name(*x.AcknowledgedByID)
	}
	for _, ns := range r.steps {
		if ns.SummaryID == x.ID {
			e := exportStep{ID: ns.ID, Owner: string(ns.Owner), Body: ns.Body, DoneAt: ns.DoneAt}
			if ns.DueOn != nil {
				e.DueOn = ns.DueOn.Format(time.DateOnly)
			}
			es.NextSteps = append(es.NextSteps, e)
		}
	}
	for _, f := range r.followUps {
		if f.SummaryID == x.ID {
			e := exportFollowUp{Kind: string(f.Kind), StepID: f.StepID, By: name(f.AuthorID), Body: f.Body, At: f.CreatedAt}
			if f.Progress != nil {
				e.Progress = string(*f.Progress)
			}
			es.FollowUps = append(es.FollowUps, e)
		}
	}
	return es
}

// observation is one exported observation with its responses,
// acknowledgements and attachments.
func (r *exportRows) observation(o models.Observation, name func(string) string) exportObservation {
	eo := exportObservation{ID: o.ID, Kind: string(o.Kind), State: string(o.State), Body: o.Body, Skills: o.Skills, Author: name(o.AuthorID),
		CreatedAt: o.CreatedAt, SharedAt: o.SharedAt, EditedAfterSharing: o.EditedAfterSharing,
		TryAtHome: o.TryAtHome, Responses: []exportText{}, TriedAtHome: []exportText{}, Acknowledgements: []exportAck{}, Attachments: orEmpty(r.attachments[models.ItemObservationGroup+":"+o.GroupID])}
	for _, x := range r.responses {
		if x.ObservationID == o.ID {
			eo.Responses = append(eo.Responses, exportText{By: name(x.AuthorID), Body: x.Body, At: x.CreatedAt})
		}
	}
	for _, a := range r.tried {
		if a.ObservationID == o.ID {
			eo.TriedAtHome = append(eo.TriedAtHome, exportText{By: name(a.UserID), Body: a.Body, At: a.UpdatedAt})
		}
	}
	for _, a := range r.acks {
		if a.ObservationID == o.ID {
			ea := exportAck{By: name(a.UserID), At: a.CreatedAt}
			if a.Reaction != nil {
				ea.Reaction = string(*a.Reaction)
			}
			eo.Acknowledgements = append(eo.Acknowledgements, ea)
		}
	}
	return eo
}

type exportDoc struct {
	Format          string               `json:"format"`
	GeneratedAt     time.Time            `json:"generatedAt"`
	RequestedBy     exportPerson         `json:"requestedBy"`
	Student         exportStudent        `json:"student"`
	Classrooms      []exportClassroom    `json:"classrooms"`
	Guardians       []exportGuardian     `json:"guardians"`
	Observations    []exportObservation  `json:"observations"`
	HomeInsights    []exportInsight      `json:"homeInsights"`
	Conversations   []exportConversation `json:"conversations"`
	Conferences     []exportConference   `json:"conferences"`
	MeetingRequests []exportRequest      `json:"meetingRequests"`
	// ConferenceSummaries are the summaries of the meetings, with the next
	// steps agreed and what both sides said of them since.
	ConferenceSummaries []exportSummary `json:"conferenceSummaries"`
	// AboutMe is "About my child", per household the viewer may read.
	AboutMe []exportProfile `json:"aboutMe"`
	// AuditLog is in an admin's export only.
	AuditLog []exportAudit `json:"auditLog,omitempty"`
}

// fill makes empty lists [] rather than null.
func (d *exportDoc) fill() {
	d.Classrooms, d.Guardians, d.Observations = orEmpty(d.Classrooms), orEmpty(d.Guardians), orEmpty(d.Observations)
	d.HomeInsights, d.Conversations = orEmpty(d.HomeInsights), orEmpty(d.Conversations)
	d.Conferences, d.MeetingRequests = orEmpty(d.Conferences), orEmpty(d.MeetingRequests)
	d.ConferenceSummaries, d.AboutMe = orEmpty(d.ConferenceSummaries), orEmpty(d.AboutMe)
}

type exportPerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type exportStudent struct {
	ID            string    `json:"id"`
	FirstName     string    `json:"firstName"`
	PreferredName *string   `json:"preferredName"`
	LastName      string    `json:"lastName"`
	Grade         string    `json:"grade"`
	School        string    `json:"school"`
	CreatedAt     time.Time `json:"createdAt"`
}

type exportClassroom struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Grade      string   `json:"grade"`
	SchoolYear string   `json:"schoolYear"`
	Teachers   []string `json:"teachers"`
}

type exportGuardian struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Primary      bool   `json:"primary"`
	Restricted   bool   `json:"restricted"`
}

type exportFile struct {
	ID          string `json:"id"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Sha256      string `json:"sha256"`
	// URL downloads the file for ten minutes after the export.
	URL string `json:"url,omitempty"`
}

type exportText struct {
	By   string    `json:"by"`
	Body string    `json:"body"`
	At   time.Time `json:"at"`
}

type exportAck struct {
	By       string    `json:"by"`
	Reaction string    `json:"reaction,omitempty"`
	At       time.Time `json:"at"`
}

type exportObservation struct {
	ID                 string               `json:"id"`
	Kind               string               `json:"kind"`
	State              string               `json:"state"`
	Body               string               `json:"body"`
	Skills             models.Array[string] `json:"skills"`
	Author             string               `json:"author"`
	CreatedAt          time.Time            `json:"createdAt"`
	SharedAt           *time.Time           `json:"sharedAt"`
	EditedAfterSharing bool                 `json:"editedAfterSharing"`
	TryAtHome          string               `json:"tryAtHome"`
	Responses          []exportText         `json:"responses"`
	TriedAtHome        []exportText         `json:"triedAtHome"`
	Acknowledgements   []exportAck          `json:"acknowledgements"`
	Attachments        []exportFile         `json:"attachments"`
}

type exportInsight struct {
	ID          string               `json:"id"`
	By          string               `json:"by"`
	Body        string               `json:"body"`
	Skills      models.Array[string] `json:"skills"`
	At          time.Time            `json:"at"`
	Attachments []exportFile         `json:"attachments"`
}

type exportMessage struct {
	By          string       `json:"by"`
	Body        string       `json:"body"`
	At          time.Time    `json:"at"`
	Urgent      bool         `json:"urgent"`
	Attachments []exportFile `json:"attachments"`
}

type exportConversation struct {
	ID        string          `json:"id"`
	Subject   string          `json:"subject"`
	StartedAt time.Time       `json:"startedAt"`
	Messages  []exportMessage `json:"messages"`
}

type exportConference struct {
	ID          string     `json:"id"`
	StartsAt    time.Time  `json:"startsAt"`
	EndsAt      time.Time  `json:"endsAt"`
	Teacher     string     `json:"teacher"`
	BookedAt    time.Time  `json:"bookedAt"`
	CancelledAt *time.Time `json:"cancelledAt"`
	// Questions and AtHome are the family's words before the meeting.
	Questions string `json:"questions"`
	AtHome    string `json:"atHome"`
	// Notes are the staff's preparation notes (staff exports only).
	Notes string `json:"notes,omitempty"`
}

type exportRequest struct {
	ID     string    `json:"id"`
	Topic  string    `json:"topic"`
	AtHome string    `json:"atHome"`
	State  string    `json:"state"`
	At     time.Time `json:"at"`
}

type exportProfile struct {
	Strengths string    `json:"strengths"`
	WhatWorks string    `json:"whatWorks"`
	Worries   string    `json:"worries"`
	Goals     string    `json:"goals"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type exportSummary struct {
	ID             string           `json:"id"`
	BookingID      *string          `json:"bookingId"`
	RequestID      *string          `json:"requestId"`
	By             string           `json:"by"`
	Body           string           `json:"body"`
	At             time.Time        `json:"at"`
	CheckInAt      time.Time        `json:"checkInAt"`
	AcknowledgedAt *time.Time       `json:"acknowledgedAt"`
	AcknowledgedBy string           `json:"acknowledgedBy,omitempty"`
	NextSteps      []exportStep     `json:"nextSteps"`
	FollowUps      []exportFollowUp `json:"followUps"`
}

type exportStep struct {
	ID     string     `json:"id"`
	Owner  string     `json:"owner"`
	Body   string     `json:"body"`
	DueOn  string     `json:"dueOn,omitempty"`
	DoneAt *time.Time `json:"doneAt"`
}

type exportFollowUp struct {
	Kind     string    `json:"kind"`
	StepID   *string   `json:"stepId"`
	Progress string    `json:"progress,omitempty"`
	By       string    `json:"by"`
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
}

type exportAudit struct {
	By        string    `json:"by"`
	Role      string    `json:"role"`
	Action    string    `json:"action"`
	Operation string    `json:"operation"`
	At        time.Time `json:"at"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func idsOf[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}
