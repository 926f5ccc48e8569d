package policy

import (
	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Conversations limits a query on conversations to those the viewer takes
// part in and may still see: a conversation about a student stays visible
// only while the viewer may see the student (a guardian made restricted, or
// removed, loses it at once); a general one while they belong to the school.
func Conversations(v *models.Viewer) Scope {
	return func(db *gorm.DB) *gorm.DB {
		if v == nil {
			return db.Where("false")
		}
		return db.Where(ConversationsSQL(v))
	}
}

// ConversationsSQL is Conversations' condition on the conversations table,
// with named parameters, and their values for v (not nil): for a
// statement that checks access as it writes.
func ConversationsSQL(v *models.Viewer) (string, map[string]any) {
	p := params(v)
	p["member"] = append(append(v.SchoolsWithRole(models.RoleAdmin), v.SchoolsWithRole(models.RoleTeacher)...), v.SchoolsWithRole(models.RoleParent)...)
	return conversationsSQL, p
}

// ConversationVisibleSQL is true when v may see the conversation whose id
// the statement binds to @conversation (ConversationsSQL), with the
// values of its other parameters: for a statement that checks access as it
// reads or writes one conversation's rows.
func ConversationVisibleSQL(v *models.Viewer) (string, map[string]any) {
	rule, p := ConversationsSQL(v)
	return `EXISTS (SELECT FROM conversations WHERE conversations.id = @conversation AND (` + rule + `))`, p
}

const conversationsSQL = `conversations.id IN (SELECT cp.conversation_id FROM conversation_participants cp WHERE cp.user_id = @uid)
			AND ((conversations.student_id IS NULL AND conversations.school_id IN @member)
				OR conversations.school_id IN @admin
				OR conversations.student_id IN (` + taughtStudents + `)
				OR conversations.student_id IN (` + guardedStudents + `))`

// EligibleForStudent lists who may take part in a conversation about a
// student: its unrestricted guardians, its teachers and its school's admins
// (of the school the student's row names now).
func EligibleForStudent(db *gorm.DB, studentID string) *gorm.DB {
	return db.Raw(EligibleForStudentSQL, map[string]any{"student": studentID})
}

// EligibleForStudentSQL is EligibleForStudent's query, the student's id
// the named parameter @student, for a statement that needs the list
// inside it.
const EligibleForStudentSQL = `SELECT g.user_id FROM guardianships g JOIN memberships m ON m.user_id = g.user_id AND m.school_id = g.school_id AND m.role = 'PARENT'
			WHERE g.student_id = @student AND g.grants_access
		UNION SELECT cs.user_id FROM ` + Teaching + `
			JOIN memberships m ON m.user_id = cs.user_id AND m.school_id = cs.school_id AND m.role = 'TEACHER'
			WHERE e.student_id = @student
		UNION SELECT m.user_id FROM memberships m JOIN students st ON st.school_id = m.school_id
			WHERE st.id = @student AND m.role = 'ADMIN'`

// EligibleStaff lists a school's staff, the people a general conversation
// (one about no student) is with.
func EligibleStaff(db *gorm.DB, schoolID string) *gorm.DB {
	return db.Raw(`SELECT DISTINCT user_id FROM memberships WHERE school_id = ? AND role IN ('TEACHER', 'ADMIN')`, schoolID)
}

// UnreadMessagesSQL is a subquery counting the unread messages of the user
// whose id the SQL expression user gives (a column such as "u.id", or "?"
// with the id as its one argument): messages from others, after the user's
// read position, in conversations they did not mute and may still see.
// Visibility is the rule of Conversations, written against the user's
// memberships rather than a loaded Viewer, so that the push pipeline's badge
// and Viewer.unreadCount are one count.
func UnreadMessagesSQL(user string) string {
	return `(SELECT count(*) FROM conversation_participants cp
		JOIN conversations c ON c.id = cp.conversation_id
		JOIN messages msg ON msg.conversation_id = cp.conversation_id AND msg.seq > cp.last_read_seq AND msg.sender_id <> cp.user_id
		WHERE cp.user_id = ` + user + ` AND NOT cp.muted
		AND ((c.student_id IS NULL AND c.school_id IN (SELECT m.school_id FROM memberships m WHERE m.user_id = cp.user_id))
			OR c.school_id IN (SELECT m.school_id FROM memberships m WHERE m.user_id = cp.user_id AND m.role = 'ADMIN')
			OR c.student_id IN (SELECT e.student_id FROM ` + Teaching + `
				JOIN memberships m ON m.user_id = cs.user_id AND m.school_id = cs.school_id AND m.role = 'TEACHER'
				WHERE cs.user_id = cp.user_id)
			OR c.student_id IN (SELECT g.student_id FROM guardianships g
				JOIN memberships m ON m.user_id = g.user_id AND m.school_id = g.school_id AND m.role = 'PARENT'
				WHERE g.user_id = cp.user_id AND g.grants_access)))`
}
