package api

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/httperr"
)

// engagementCSV serves GET /engagement.csv?schoolId=&from=&to=: the
// engagement report as CSV for admins, authorized like the API (the
// Authorization header; a teacher gets their own rows), errors as plain text with their HTTP status.
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
			"median_seconds_to_first_response", "unanswered_parent_messages", "students", "students_with_conference", "conference_booking_rate",
			"try_at_home_suggestions", "try_at_home_tried", "try_at_home_rate"})
		for _, row := range report.Rows {
			_ = out.Write([]string{row.ClassroomName, row.TeacherName, itoa(row.PositiveNotes), itoa(row.ConcernNotes), itoa(row.SharedNotes),
				itoa(row.AcknowledgedNotes), ftoa(row.AcknowledgementRate), ftoa(row.MedianSecondsToAcknowledge), itoa(row.Guardians),
				itoa(row.GuardiansWithDevice), ftoa(row.GuardiansReached), ftoa(row.MedianSecondsToFirstResponse),
				itoa(row.UnansweredParentMessages), itoa(row.Students), itoa(row.StudentsWithConference), ftoa(row.ConferenceBookingRate),
				itoa(row.TryAtHome.Suggestions), itoa(row.TryAtHome.Tried), ftoa(row.TryAtHome.Rate)})
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
