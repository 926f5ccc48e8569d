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
