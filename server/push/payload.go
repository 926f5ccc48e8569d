package push

import (
	"fmt"
	"strings"
	"time"

	"firebase.google.com/go/v4/messaging"

	"github.com/sameside/sameside/models"
	sstexts "github.com/sameside/sameside/models/texts"
)

type text struct{ title, body string }

// catalog holds each payload type's title and body per language. {name}
// placeholders are filled from the notice's params; {recipient} is the
// recipient's display name.
var catalog = map[string]map[string]text{
	models.NoticeTest: {
		"en": {"SameSide test", "Notifications work on this device, {recipient}."},
		"es": {"Prueba de SameSide", "Las notificaciones funcionan en este dispositivo, {recipient}."},
	},
	// A type may vary by the notice's "kind" param: TYPE:KIND first.
	"OBSERVATION_SHARED:POSITIVE": {
		"en": {"A positive note about {student}", "{author} shared something {student} did well."},
		"es": {"Una nota positiva sobre {student}", "{author} compartió algo que {student} hizo bien."},
	},
	"OBSERVATION_SHARED": {
		"en": {"{author} shared an observation about {student}", "Open it to read it and share what you see at home."},
		"es": {"{author} compartió una observación sobre {student}", "Ábrela para leerla y contar lo que ves en casa."},
	},
	"OBSERVATION_RESPONSE": {
		"en": {"{parent} replied about {student}", "Open the observation to read the reply."},
		"es": {"{parent} respondió sobre {student}", "Abre la observación para leer la respuesta."},
	},
	"HOME_INSIGHT": {
		"en": {"A note from home about {student}", "{parent} shared what they see at home."},
		"es": {"Una nota de casa sobre {student}", "{parent} compartió lo que ve en casa."},
	},
	"REVIEW_REQUESTED": {
		"en": {"A concern to review", "{author} asked for your review before sharing it with the family."},
		"es": {"Una inquietud para revisar", "{author} pidió tu revisión antes de compartirla con la familia."},
	},
	"NEW_MESSAGE": {
		"en": {"{sender}", "New message: {subject}"},
		"es": {"{sender}", "Nuevo mensaje: {subject}"},
	},
	"CONFERENCE:BOOKED": {
		"en": {"Conference booked: {student}", "{startsAt} with {teacher}."},
		"es": {"Reunión reservada: {student}", "{startsAt} con {teacher}."},
	},
	"CONFERENCE:CHANGED": {
		"en": {"Conference moved: {student}", "Now {startsAt} with {teacher}."},
		"es": {"Reunión cambiada: {student}", "Ahora {startsAt} con {teacher}."},
	},
	"CONFERENCE:CANCELLED": {
		"en": {"Conference cancelled: {student}", "{startsAt} with {teacher} is off. Open the app to choose another time."},
		"es": {"Reunión cancelada: {student}", "{startsAt} con {teacher} no se hará. Abre la app para elegir otra hora."},
	},
	"CONFERENCE:REMINDER_DAY": {
		"en": {"Conference tomorrow: {student}", "{startsAt} with {teacher}."},
		"es": {"Reunión mañana: {student}", "{startsAt} con {teacher}."},
	},
	"CONFERENCE:REMINDER_HOUR": {
		"en": {"Conference in 1 hour: {student}", "{startsAt} with {teacher}."},
		"es": {"Reunión en 1 hora: {student}", "{startsAt} con {teacher}."},
	},
	"CONFERENCE_REQUEST:REQUESTED": {
		"en": {"Meeting request about {student}", "{actor} would like to meet with the school. Propose some times."},
		"es": {"Solicitud de reunión sobre {student}", "{actor} quiere reunirse con la escuela. Propón algunos horarios."},
	},
	"CONFERENCE_REQUEST:PROPOSED": {
		"en": {"Times for your meeting about {student}", "{actor} proposed times. Choose the one that suits you."},
		"es": {"Horarios para tu reunión sobre {student}", "{actor} propuso horarios. Elige el que te convenga."},
	},
	"CONFERENCE_REQUEST:SCHEDULED": {
		"en": {"Meeting about {student} scheduled", "{startsAt}, chosen by {actor}."},
		"es": {"Reunión sobre {student} programada", "{startsAt}, elegida por {actor}."},
	},
	"CONFERENCE_REQUEST:CANCELLED": {
		"en": {"Meeting about {student} cancelled", "{actor} cancelled the meeting request."},
		"es": {"Reunión sobre {student} cancelada", "{actor} canceló la solicitud de reunión."},
	},
	"CONFERENCE_REQUEST:REMINDER_DAY": {
		"en": {"Meeting tomorrow about {student}", "{startsAt} with the school."},
		"es": {"Reunión mañana sobre {student}", "{startsAt} con la escuela."},
	},
	"CONFERENCE_REQUEST:REMINDER_HOUR": {
		"en": {"Meeting in 1 hour about {student}", "{startsAt} with the school."},
		"es": {"Reunión en 1 hora sobre {student}", "{startsAt} con la escuela."},
	},
	"ANNOUNCEMENT": {
		"en": {"{school}: {title}", "A new announcement. Open it to read it."},
		"es": {"{school}: {title}", "Un nuevo aviso. Ábrelo para leerlo."},
	},
	"EVENT:PROMOTED": {
		"en": {"A seat opened: {title}", "You are off the waitlist: see you {startsAt}."},
		"es": {"Se liberó un lugar: {title}", "Ya no estás en lista de espera: te esperamos el {startsAt}."},
	},
	"EVENT:REMINDER_DAY": {
		"en": {"Tomorrow: {title}", "{startsAt}. See you there."},
		"es": {"Mañana: {title}", "{startsAt}. Te esperamos."},
	},
	"REVIEW_RETURNED": {
		"en": {"Your draft came back with coaching", "{reviewer} left a comment on your concern."},
		"es": {"Tu borrador volvió con sugerencias", "{reviewer} dejó un comentario en tu inquietud."},
	},
}

// localize picks the user's language (falling back to English) and fills the
// placeholders.
func localize(typ, locale string, params map[string]string) (title, body string) {
	texts, ok := catalog[typ+":"+params["kind"]]
	if !ok {
		texts, ok = catalog[typ]
	}
	if !ok {
		return "SameSide", "You have something new in SameSide."
	}
	t, ok := texts[sstexts.Lang(locale)]
	if !ok {
		t = texts["en"]
	}
	return sstexts.Fill(t.title, params), sstexts.Fill(t.body, params)
}

// recipientInfo is what a message needs about its user.
type recipientInfo struct {
	name     string
	locale   string
	timeZone string
	badge    int
}

// Render is a notification's title and body as a user reads it (their
// language, times in their zone): the push shows it, and email and SMS
// say the same.
func Render(n *models.Notification, u *models.User) (title, body string) {
	return render(n, recipientInfo{name: u.DisplayName, locale: u.Locale, timeZone: u.TimeZone})
}

func render(n *models.Notification, who recipientInfo) (title, body string) {
	params := map[string]string{"recipient": who.name}
	for k, v := range n.Params {
		params[k] = localTime(k, v, who)
	}
	return localize(n.Type, who.locale, params)
}

// buildMessage makes the FCM message for one device.
func buildMessage(n *models.Notification, token string, who recipientInfo) *messaging.Message {
	title, body := render(n, who)
	data := map[string]string{"type": n.Type, "notificationId": n.ID, "deepLink": n.DeepLink, "category": string(n.Category)}
	for k, v := range n.Data {
		data[k] = v
	}
	priority, apnsPriority := "normal", "5"
	if n.Urgent {
		priority, apnsPriority = "high", "10"
	}
	badge := who.badge
	return &messaging.Message{
		Token:        token,
		Notification: &messaging.Notification{Title: title, Body: body},
		Data:         data,
		Android: &messaging.AndroidConfig{
			CollapseKey: n.CollapseKey,
			Priority:    priority,
			Notification: &messaging.AndroidNotification{
				ChannelID:         strings.ToLower(string(n.Category)),
				Tag:               n.CollapseKey,
				NotificationCount: &badge,
			},
		},
		APNS: &messaging.APNSConfig{
			Headers: map[string]string{"apns-priority": apnsPriority, "apns-collapse-id": truncate(n.CollapseKey, 64)},
			Payload: &messaging.APNSPayload{Aps: &messaging.Aps{
				ThreadID: n.ThreadID,
				Badge:    &badge,
				Sound:    "default",
			}},
		},
	}
}

// localTime writes a param named like "startsAt" holding an RFC 3339 time
// as a wall-clock time in the recipient's zone and language ("Mon, Nov 8 at
// 3:30 PM EST"; "lun 8/11, 15:30 CET"); other params pass unchanged.
func localTime(key, value string, who recipientInfo) string {
	if !strings.HasSuffix(key, "At") {
		return value
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return value
	}
	loc, err := time.LoadLocation(who.timeZone)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if sstexts.Lang(who.locale) == "es" {
		days := []string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"}
		return fmt.Sprintf("%s %d/%d, %s", days[t.Weekday()], t.Day(), int(t.Month()), t.Format("15:04 MST"))
	}
	return t.Format("Mon, Jan 2 at 3:04 PM MST")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
