package domain

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/policy"
)

// ConfirmDelete is the word deleteFamilyData's confirm must be.
const ConfirmDelete = "DELETE"

// DeleteFamilyData deletes a family's data at one school on its request:
// the children named (1 to 10, of one school) and everything about them —
// enrollments, guardianships, observations with responses,
// acknowledgements and reviews, home insights, conversations about them,
// conference bookings and meeting requests, invitations, attached files —
// and the family's guardians: those who guard no other child there lose
// their general conversations with staff, RSVPs, announcement reads and
// membership of the school; their account is deleted too when no school
// is left. Notifications, stored mutation results and finished background
// jobs that mention any of it are deleted; the audit log keeps the staff's
// actions but loses the link to the child. Files are deleted from storage
// after the commit. One transaction: all or nothing. ADMINs of the school
// only; clientMutationId makes a retry harmless.
// Errors: FORBIDDEN (not an admin), NOT_FOUND, BAD_USER_INPUT (confirm is
// not DELETE, no or too many students, students of several schools).
func (s *Service) DeleteFamilyData(ctx context.Context, v *models.Viewer, in models.DeleteFamilyDataInput) (*models.DeleteFamilyDataPayload, error) {
	if err := policy.RequireViewer(v); err != nil {
		return nil, err
	}
	if in.Confirm != ConfirmDelete {
		return nil, models.InvalidField("confirm", "confirm must be the word %s: deletion cannot be undone", ConfirmDelete)
	}
	ids := dedupe(in.StudentIDs)
	if len(ids) == 0 || len(ids) > 10 {
		return nil, models.InvalidField("studentIds", "name the family's 1 to 10 children")
	}
	out := &models.DeleteFamilyDataPayload{ClientMutationID: in.ClientMutationID}
	var files []string // deleted after the commit
	// Checked inside once: a retry after success finds the stored result
	// rather than NOT_FOUND for the children it deleted.
	res, err := once(ctx, s, v, "deleteFamilyData", in.ClientMutationID, func(tx *gorm.DB) (*deletedCounts, error) {
		school := ""
		for _, id := range ids {
			st, err := s.Student(ctx, v, id)
			if err != nil {
				return nil, err
			}
			if school != "" && st.SchoolID != school {
				return nil, models.InvalidField("studentIds", "the children must be of one school")
			}
			school = st.SchoolID
		}
		if !policy.IsAdmin(v, school) {
			return nil, models.Errorf(models.CodeForbidden, "only the school's admins may delete a family's data")
		}
		counts, gone, err := s.eraseStudents(tx, school, ids, &v.ID, models.RoleAdmin, "family.delete")
		files = gone
		return counts, err
	})
	if err != nil {
		return nil, err
	}
	out.DeletedStudents, out.DeletedGuardians, out.DetachedGuardians, out.DeletedFiles = res.Students, res.DeletedGuardians, res.DetachedGuardians, res.Files
	// Files last: their rows are gone, so nothing hands out their URLs. If
	// this fails, the files are unreachable, and the error is reported.
	if s.Files != nil {
		for _, id := range files {
			if err := s.deleteFiles(ctx, id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// eraseStudents deletes the children (of one school) and everything about
// them, and their family at the school (see DeleteFamilyData), in tx, and
// logs it as the actor's operation (a nil actor: the system). It returns
// the counts and the uploads whose files go once tx commits.
func (s *Service) eraseStudents(tx *gorm.DB, school string, ids []string, actorID *string, role models.Role, operation string) (*deletedCounts, []string, error) {
	// Lock the children first (see onceAbout: the one lock order): a
	// write about them waits, then finds nothing.
	var locked []models.Student
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN ?", ids).Order("id").Find(&locked).Error; err != nil {
		return nil, nil, err
	}
	if len(locked) != len(ids) {
		return nil, nil, models.NotFound("student")
	}
	guardians, family, err := familyOf(tx, school, ids)
	if err != nil {
		return nil, nil, err
	}
	// Every guardian of the children loses access to them: their open
	// sockets close once this commits (see models.EventAccessChanged).
	if err := s.accessChanged(tx, guardians...); err != nil {
		return nil, nil, err
	}

	gone, err := familyItems(tx, school, ids, family)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.Where("id IN ?", gone.uploads).Delete(&models.Upload{}).Error; err != nil {
		return nil, nil, err
	}
	if err := forgetMentions(tx, school, ids, gone.all); err != nil {
		return nil, nil, err
	}

	// The children: most of what is about them goes by cascade
	// (enrollments, guardianships, observations and what hangs on
	// them, home insights, conversations about them, bookings,
	// requests, invitations).
	if err := tx.Where("id IN ?", gone.conversations).Delete(&models.Conversation{}).Error; err != nil {
		return nil, nil, err
	}
	if err := tx.Where("id IN ?", ids).Delete(&models.Student{}).Error; err != nil {
		return nil, nil, err
	}
	// The family's guardians at this school.
	for _, stmt := range []string{
		`DELETE FROM event_rsvps WHERE user_id IN ? AND event_id IN (SELECT id FROM school_events WHERE school_id = ?)`,
		`DELETE FROM announcement_reads WHERE user_id IN ? AND announcement_id IN (SELECT id FROM announcements WHERE school_id = ?)`,
		`DELETE FROM memberships WHERE user_id IN ? AND school_id = ?`,
	} {
		if err := tx.Exec(stmt, family, school).Error; err != nil {
			return nil, nil, err
		}
	}
	if err := tx.Exec(`DELETE FROM client_mutations WHERE user_id IN ?`, family).Error; err != nil {
		return nil, nil, err
	}
	var deletedUsers []string
	if err := tx.Raw(`DELETE FROM users u WHERE u.id IN ? AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
		RETURNING u.id`, family).Scan(&deletedUsers).Error; err != nil {
		return nil, nil, err
	}
	if err := tx.Create(&models.AuditEvent{SchoolID: school, ActorID: actorID, ActorRole: role, Action: models.AuditWrite,
		Operation: operation, At: s.now()}).Error; err != nil {
		return nil, nil, err
	}
	// The stored result (for retries) holds counts, not the deleted ids.
	return &deletedCounts{Students: len(ids), DeletedGuardians: len(deletedUsers),
		DetachedGuardians: len(family) - len(deletedUsers), Files: len(gone.uploads)}, gone.uploads, nil
}

// familyOf returns the guardians of the children and, of those, the family
// to delete: the guardians with no other child at the school.
func familyOf(tx *gorm.DB, school string, ids []string) (guardians, family []string, err error) {
	if err := tx.Model(&models.Guardianship{}).Where("student_id IN ?", ids).Distinct().Pluck("user_id", &guardians).Error; err != nil {
		return nil, nil, err
	}
	var others []string
	if err := tx.Model(&models.Guardianship{}).Where("school_id = ? AND user_id IN ? AND student_id NOT IN ?", school, guardians, ids).
		Distinct().Pluck("user_id", &others).Error; err != nil {
		return nil, nil, err
	}
	return guardians, without(guardians, others), nil
}

// goneItems are the ids a family's deletion takes away.
type goneItems struct {
	// all is every id that will be gone (children, family, their items),
	// to find mentions of it elsewhere.
	all           []string
	conversations []string
	// uploads are the attachments of the family's items, and of
	// observation groups left with no observation once the children's
	// are gone.
	uploads []string
}

// familyItems finds what deleting the children and the family takes away.
func familyItems(tx *gorm.DB, school string, ids, family []string) (*goneItems, error) {
	g := &goneItems{all: append(append([]string{}, ids...), family...)}
	for _, table := range []string{"observations", "home_insights", "conference_bookings", "conference_requests", "invitations"} {
		var more []string
		if err := tx.Table(table).Where("student_id IN ?", ids).Pluck("id", &more).Error; err != nil {
			return nil, err
		}
		g.all = append(g.all, more...)
	}
	if err := tx.Model(&models.Conversation{}).Where(`school_id = ? AND (student_id IN ? OR (student_id IS NULL AND id IN
		(SELECT conversation_id FROM conversation_participants WHERE user_id IN ?)))`, school, ids, family).
		Pluck("id", &g.conversations).Error; err != nil {
		return nil, err
	}
	g.all = append(g.all, g.conversations...)
	var msgs, responses []string
	if err := tx.Model(&models.Message{}).Where("conversation_id IN ?", g.conversations).Pluck("id", &msgs).Error; err != nil {
		return nil, err
	}
	if err := tx.Model(&models.ObservationResponse{}).Where("observation_id IN (SELECT id FROM observations WHERE student_id IN ?)", ids).
		Pluck("id", &responses).Error; err != nil {
		return nil, err
	}
	g.all = append(append(g.all, msgs...), responses...)
	if err := tx.Model(&models.Upload{}).Where(`(item_type = ? AND item_id IN (SELECT id FROM home_insights WHERE student_id IN ?))
		OR (item_type = ? AND item_id IN ?)
		OR (item_type = ? AND item_id IN (SELECT group_id FROM observations WHERE student_id IN ?)
		    AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.group_id = uploads.item_id AND o.student_id NOT IN ?))
		OR (user_id IN ? AND item_id IS NULL)`,
		models.ItemHomeInsight, ids, models.ItemMessage, msgs, models.ItemObservationGroup, ids, ids, family).
		Pluck("id", &g.uploads).Error; err != nil {
		return nil, err
	}
	g.all = append(g.all, g.uploads...)
	return g, nil
}

// forgetMentions deletes what mentions the gone ids elsewhere:
// notifications (their texts name the child), stored mutation results,
// queued jobs' arguments; and unlinks the audit log from them.
func forgetMentions(tx *gorm.DB, school string, ids, gone []string) error {
	patterns := make([]string, len(gone))
	for i, id := range gone {
		patterns[i] = "%" + id + "%"
	}
	var notes []string
	if err := tx.Raw(`SELECT id FROM notifications n WHERE (school_id = ? OR school_id IS NULL) AND n::text LIKE ANY (?)`,
		school, models.Array[string](patterns)).Scan(&notes).Error; err != nil {
		return err
	}
	for _, id := range notes {
		patterns = append(patterns, "%"+id+"%")
	}
	if err := tx.Exec(`DELETE FROM notifications WHERE id IN ?`, notes).Error; err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM client_mutations c WHERE c.result::text LIKE ANY (?)`, models.Array[string](patterns)).Error; err != nil {
		return err
	}
	// Jobs not running (a running one finishes with nothing to send).
	if err := tx.Exec(`DELETE FROM river_job j WHERE j.state <> 'running' AND j.args::text LIKE ANY (?)`, models.Array[string](patterns)).Error; err != nil {
		return err
	}
	return tx.Exec(`UPDATE audit_events SET student_id = NULL, item_id = NULL
		WHERE school_id = ? AND (student_id IN ? OR item_id IN ?)`, school, ids, gone).Error
}

// deletedCounts is what deleteFamilyData stores for a retry: counts, never
// the deleted ids.
type deletedCounts struct {
	Students          int `json:"students"`
	DeletedGuardians  int `json:"deletedGuardians"`
	DetachedGuardians int `json:"detachedGuardians"`
	Files             int `json:"files"`
}

// without is all but drop, in order.
func without(all, drop []string) []string {
	skip := map[string]bool{}
	for _, d := range drop {
		skip[d] = true
	}
	out := []string{}
	for _, a := range all {
		if !skip[a] {
			out = append(out, a)
		}
	}
	return out
}
