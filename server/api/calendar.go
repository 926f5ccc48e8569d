package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/httperr"
)

// calendarHandler serves /calendar/{secret}.ics: the owner's conferences
// (and, once they exist, school events) as iCalendar, for calendar apps to
// subscribe to. The secret is the credential; unknown or revoked ones get
// 404.
func calendarHandler(d *domain.Service, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
		if !ok {
			http.NotFound(w, r)
			return
		}
		user, events, err := d.CalendarEvents(r.Context(), secret)
		if models.ErrorCode(err) == models.CodeNotFound {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			log.ErrorContext(r.Context(), "calendar feed", "err", err)
			httperr.Err(w, err)
			return
		}
		cal := ics.NewCalendarFor("SameSide")
		cal.SetMethod(ics.MethodPublish)
		cal.SetXWRCalName("SameSide")
		cal.SetName("SameSide")
		cal.SetXWRTimezone(user.TimeZone)
		cal.SetRefreshInterval("PT1H")
		cal.SetXPublishedTTL("PT1H")
		now := time.Now().UTC()
		for _, e := range events {
			ev := cal.AddEvent(e.UID)
			ev.SetDtStampTime(now)
			ev.SetModifiedAt(e.UpdatedAt.UTC())
			ev.SetStartAt(e.StartsAt.UTC())
			ev.SetEndAt(e.EndsAt.UTC())
			ev.SetSummary(e.Summary)
			ev.SetDescription(e.Description)
			if e.Location != "" {
				ev.SetLocation(e.Location)
			}
			ev.SetURL(e.URL)
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Cache-Control", "private, max-age=300")
		if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil { // RFC 5545: CRLF
			log.WarnContext(r.Context(), "calendar feed: write", "err", err)
		}
	}
}
