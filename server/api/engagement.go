package api

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/httperr"
)

// engagementCSV serves GET /engagement.csv?schoolId=&from=&to=: the
// engagement report as CSV for admins, authorized like the API (the
// Authorization header), errors as plain text with their HTTP status.
func engagementCSV(d *domain.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		report, err := d.Engagement(r.Context(), models.ViewerFrom(r.Context()), q.Get("schoolId"), q.Get("from"), q.Get("to"))
		if err != nil {
			if models.ErrorCode(err) == models.CodeInternal {
				log.ErrorContext(r.Context(), "engagement csv", "err", err)
			}
			httperr.Err(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="engagement-`+report.From+`-`+report.To+`.csv"`)
		w.Header().Set("Cache-Control", "private, no-store")
		out := csv.NewWriter(w)
		_ = out.Write([]string{"classroom", "teacher", "positive_notes", "concern_notes", "shared_notes", "acknowledged_notes",
			"acknowledgement_rate", "median_seconds_to_acknowledge", "guardians", "guardians_with_device", "guardians_reached",
			"median_seconds_to_first_response", "unanswered_parent_messages", "students", "students_with_conference", "conference_booking_rate"})
		for _, row := range report.Rows {
			_ = out.Write([]string{row.ClassroomName, row.TeacherName, itoa(row.PositiveNotes), itoa(row.ConcernNotes), itoa(row.SharedNotes),
				itoa(row.AcknowledgedNotes), ftoa(row.AcknowledgementRate), ftoa(row.MedianSecondsToAcknowledge), itoa(row.Guardians),
				itoa(row.GuardiansWithDevice), ftoa(row.GuardiansReached), ftoa(row.MedianSecondsToFirstResponse),
				itoa(row.UnansweredParentMessages), itoa(row.Students), itoa(row.StudentsWithConference), ftoa(row.ConferenceBookingRate)})
		}
		out.Flush()
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// ftoa writes a rate or median, empty when there is none.
func ftoa(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// conversationsCSV serves GET /conversations.csv?schoolId=&studentId=&from=&to=:
// conversationExport as CSV, a row per message, for the school's admins and
// message monitors (authorized and audited like the API).
func conversationsCSV(d *domain.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		args := models.ConversationExportArgs{SchoolID: q.Get("schoolId")}
		if st := q.Get("studentId"); st != "" {
			args.StudentID = &st
		}
		var err error
		if args.From, err = time.Parse(time.RFC3339, q.Get("from")); err != nil {
			httperr.Err(w, models.InvalidField("from", "from is an RFC 3339 time, e.g. 2026-09-01T00:00:00Z"))
			return
		}
		if args.To, err = time.Parse(time.RFC3339, q.Get("to")); err != nil {
			httperr.Err(w, models.InvalidField("to", "to is an RFC 3339 time, e.g. 2026-12-01T00:00:00Z"))
			return
		}
		ts, err := d.ExportConversations(r.Context(), models.ViewerFrom(r.Context()), args)
		if err != nil {
			if models.ErrorCode(err) == models.CodeInternal {
				log.ErrorContext(r.Context(), "conversations csv", "err", err)
			}
			httperr.Err(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="conversations.csv"`)
		w.Header().Set("Cache-Control", "private, no-store")
		out := csv.NewWriter(w)
		_ = out.Write([]string{"conversation_id", "subject", "student", "participants", "message_at", "sender", "body", "urgent"})
		for _, t := range ts {
			student := ""
			if t.Student != nil {
				student = *t.Student
			}
			for _, m := range t.Messages {
				_ = out.Write([]string{t.ID, t.Subject, student, strings.Join(t.Participants, "; "), m.At.UTC().Format(time.RFC3339),
					m.Sender, m.Body, strconv.FormatBool(m.Urgent)})
			}
		}
		out.Flush()
	}
}
