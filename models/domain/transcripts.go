package domain

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// Conversation exports: a school's conversations over a period (or one
// student's), for records requests (admins) and safeguarding (message
// monitors). Every conversation read is in the audit log.

// Export limits.
const (
	MaxExportDays          = 366
	MaxExportConversations = 500
)

// ExportConversations returns the transcripts of the school's
// conversations with messages from from to to (a student's only, if
// studentID is set): each with its participants and those messages.
func (s *Service) ExportConversations(ctx context.Context, v *models.Viewer, args models.ConversationExportArgs) ([]*models.ConversationTranscript, error) {
	if !validID(args.SchoolID) {
		return nil, models.NotFound("school")
	}
	role, err := policy.TranscriptReader(v, args.SchoolID)
	if err != nil {
		return nil, err
	}
	if !args.To.After(args.From) || args.To.Sub(args.From) > MaxExportDays*24*time.Hour {
		return nil, models.InvalidField("to", "the period runs forward, %d days at most", MaxExportDays)
	}
	db := s.DB.WithContext(ctx)
	q := db.Model(&models.Conversation{}).Where("school_id = ? AND id IN (SELECT conversation_id FROM messages WHERE created_at >= ? AND created_at < ?)",
		args.SchoolID, args.From, args.To)
	if args.StudentID != nil {
		if !validID(*args.StudentID) {
			return nil, models.NotFound("student")
		}
		q = q.Where("student_id = ?", *args.StudentID)
	}
	var convs []models.Conversation
	if err := q.Order("created_at, id").Limit(MaxExportConversations + 1).Find(&convs).Error; err != nil {
		return nil, internal(err)
	}
	if len(convs) > MaxExportConversations {
		return nil, models.InvalidField("from", "more than %d conversations: export a shorter period or one student", MaxExportConversations)
	}
	out := make([]*models.ConversationTranscript, 0, len(convs))
	if len(convs) == 0 {
		return out, nil
	}
	ids := make([]string, len(convs))
	byID := map[string]*models.ConversationTranscript{}
	for i, c := range convs {
		ids[i] = c.ID
		t := &models.ConversationTranscript{ID: c.ID, Subject: c.Subject, StartedAt: c.CreatedAt, Participants: []string{}, Messages: []*models.TranscriptMessage{}}
		byID[c.ID] = t
		out = append(out, t)
	}
	if err := s.fillTranscripts(db, convs, ids, byID, args); err != nil {
		return nil, internal(err)
	}
	// One audit event per conversation read, in the reader's role.
	operation := "conversation.export"
	if role == models.RoleMonitor {
		operation = "conversation.monitor"
	}
	events := make([]models.AuditEvent, len(convs))
	for i, c := range convs {
		id := c.ID
		events[i] = models.AuditEvent{SchoolID: c.SchoolID, ActorID: &v.ID, ActorRole: role, Action: models.AuditRead, Operation: operation,
			StudentID: c.StudentID, ItemID: &id, At: s.now()}
	}
	if err := db.CreateInBatches(events, 500).Error; err != nil {
		return nil, internal(err)
	}
	return out, nil
}

func (s *Service) fillTranscripts(db *gorm.DB, convs []models.Conversation, ids []string, byID map[string]*models.ConversationTranscript, args models.ConversationExportArgs) error {
	var students []struct{ ConversationID, FirstName, LastName string }
	if err := db.Raw(`SELECT c.id AS conversation_id, st.first_name, st.last_name FROM conversations c JOIN students st ON st.id = c.student_id
		WHERE c.id IN ?`, ids).Scan(&students).Error; err != nil {
		return err
	}
	for _, st := range students {
		name := st.FirstName + " " + st.LastName
		byID[st.ConversationID].Student = &name
	}
	var people []struct{ ConversationID, DisplayName string }
	if err := db.Raw(`SELECT p.conversation_id, u.display_name FROM conversation_participants p JOIN users u ON u.id = p.user_id
		WHERE p.conversation_id IN ? ORDER BY u.display_name, u.id`, ids).Scan(&people).Error; err != nil {
		return err
	}
	for _, p := range people {
		t := byID[p.ConversationID]
		t.Participants = append(t.Participants, p.DisplayName)
	}
	var msgs []struct {
		ConversationID, Body, Sender string
		Urgent                       bool
		CreatedAt                    time.Time
	}
	if err := db.Raw(`SELECT m.conversation_id, m.body, m.urgent, m.created_at, coalesce(u.display_name, '(deleted account)') AS sender
		FROM messages m LEFT JOIN users u ON u.id = m.sender_id
		WHERE m.conversation_id IN ? AND m.created_at >= ? AND m.created_at < ? ORDER BY m.conversation_id, m.seq`, ids, args.From, args.To).Scan(&msgs).Error; err != nil {
		return err
	}
	for _, m := range msgs {
		t := byID[m.ConversationID]
		t.Messages = append(t.Messages, &models.TranscriptMessage{At: m.CreatedAt, Sender: m.Sender, Body: m.Body, Urgent: m.Urgent})
	}
	return nil
}

// SetMessageMonitor makes a staff member of the school a message monitor,
// or stops it. The school's admins; audited.
func (s *Service) SetMessageMonitor(ctx context.Context, v *models.Viewer, in models.SetMessageMonitorInput) (bool, error) {
	if !validID(in.SchoolID) {
		return false, models.NotFound("school")
	}
	if err := policy.RequireSchoolAdmin(v, in.SchoolID, "appoint message monitors"); err != nil {
		return false, err
	}
	if !validID(in.UserID) {
		return false, models.NotFound("user")
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var staff int64
		if err := tx.Model(&models.Membership{}).Where("user_id = ? AND school_id = ? AND role IN ?", in.UserID, in.SchoolID,
			[]models.Role{models.RoleTeacher, models.RoleAdmin}).Count(&staff).Error; err != nil {
			return err
		}
		if staff == 0 {
			return models.NotFound("user")
		}
		op := "school.monitor.revoke"
		if in.Monitor {
			op = "school.monitor.grant"
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.Membership{UserID: in.UserID, SchoolID: in.SchoolID, Role: models.RoleMonitor}).Error; err != nil {
				return err
			}
		} else if err := tx.Where("user_id = ? AND school_id = ? AND role = ?", in.UserID, in.SchoolID, models.RoleMonitor).Delete(&models.Membership{}).Error; err != nil {
			return err
		}
		if err := s.auditWrite(tx, v, in.SchoolID, "", in.UserID, op); err != nil {
			return err
		}
		return s.accessChanged(tx, in.UserID)
	})
	return in.Monitor, err
}

// MessagesMayBeReviewed reports whether the school has message monitors,
// its own or its district's.
func (s *Service) MessagesMayBeReviewed(ctx context.Context, schoolID string) (bool, error) {
	var yes bool
	err := s.DB.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM memberships WHERE school_id = ? AND role = ?)
		OR EXISTS (SELECT 1 FROM district_monitors dm JOIN schools s ON s.district_id = dm.district_id WHERE s.id = ?)`,
		schoolID, models.RoleMonitor, schoolID).Scan(&yes).Error
	return yes, internal(err)
}

// SetDistrictMessageMonitor makes someone who works in the district (staff
// at one of its schools, or a district admin) a message monitor at every
// school of the district, or stops it. The district's admins; audited at
// each of its schools.
func (s *Service) SetDistrictMessageMonitor(ctx context.Context, v *models.Viewer, in models.SetDistrictMessageMonitorInput) (bool, error) {
	if !validID(in.DistrictID) {
		return false, models.NotFound("district")
	}
	if err := policy.RequireDistrictAdmin(ctx, s.DB, v, in.DistrictID); err != nil {
		return false, err
	}
	if !validID(in.UserID) {
		return false, models.NotFound("user")
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var works bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM memberships m JOIN schools s ON s.id = m.school_id
				WHERE m.user_id = ? AND s.district_id = ? AND m.role IN ?)
			OR EXISTS (SELECT 1 FROM district_admins WHERE user_id = ? AND district_id = ?)`,
			in.UserID, in.DistrictID, []models.Role{models.RoleTeacher, models.RoleAdmin}, in.UserID, in.DistrictID).Scan(&works).Error; err != nil {
			return err
		}
		if !works {
			return models.NotFound("user")
		}
		op := "district.monitor.revoke"
		if in.Monitor {
			op = "district.monitor.grant"
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.DistrictMonitor{DistrictID: in.DistrictID, UserID: in.UserID}).Error; err != nil {
				return err
			}
		} else if err := tx.Where("district_id = ? AND user_id = ?", in.DistrictID, in.UserID).Delete(&models.DistrictMonitor{}).Error; err != nil {
			return err
		}
		var schools []string
		if err := tx.Model(&models.School{}).Where("district_id = ?", in.DistrictID).Pluck("id", &schools).Error; err != nil {
			return err
		}
		for _, school := range schools {
			if err := s.auditWrite(tx, v, school, "", in.UserID, op); err != nil {
				return err
			}
		}
		return s.accessChanged(tx, in.UserID)
	})
	return in.Monitor, err
}
