// Package texts holds the fixed texts people read outside the app — email
// and SMS bodies and subjects — per language, and the two rules every
// catalog of the server shares (push titles use them too): which of our
// languages a locale gets, and how {placeholders} are filled.
package texts

import (
	"strings"

	"golang.org/x/text/language"
)

// Languages are the languages the catalogs have, the fallback first.
var Languages = []string{"en", "es"}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish})

// Lang is the catalog language for a locale (BCP 47), English by default.
func Lang(locale string) string {
	tag, _ := language.Parse(locale)
	_, idx, _ := matcher.Match(tag)
	return Languages[idx]
}

// Fill replaces each {name} in s with params[name].
func Fill(s string, params map[string]string) string {
	if len(params) == 0 {
		return s
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// catalog is each text per language.
var catalog = map[string]map[string]string{
	"contact.code.subject": {
		"en": "Your SameSide code",
		"es": "Tu código de SameSide",
	},
	"contact.code": {
		"en": "Your SameSide code is {code}. It expires in 10 minutes. If you did not ask for it, ignore this message.",
		"es": "Tu código de SameSide es {code}. Vence en 10 minutos. Si no lo pediste, ignora este mensaje.",
	},
	"invite.email.subject": {
		"en": "{school} invites you to SameSide",
		"es": "{school} te invita a SameSide",
	},
	"invite.email": {
		"en": "Hello {name},\n\n{school} uses SameSide to tell families what their children do well, to hear what you see at home, and to keep in touch. Get the app and open this link: {link}\n\nOr sign in and enter your invitation code: {code} (valid 30 days). Signing in with this email address ({address}) works too.",
		"es": "Hola {name}:\n\n{school} usa SameSide para contar a las familias lo que sus hijos hacen bien, escuchar lo que ven en casa y mantenerse en contacto. Descarga la app y abre este enlace: {link}\n\nO inicia sesión y escribe tu código de invitación: {code} (válido 30 días). También puedes iniciar sesión con este correo ({address}).",
	},
	"invite.sms": {
		"en": "{school} uses SameSide to text families about their children. Reply YES to get texts, STOP to opt out. The app: {link}",
		"es": "{school} usa SameSide para enviar textos a las familias sobre sus hijos. Responde YES para recibirlos, STOP para no recibirlos. La app: {link}",
	},
	"invite.sms.code": {
		"en": "{school} invites you to SameSide, to keep in touch about your child. Your code: {code}. The app: {link} Reply YES to get texts, STOP to opt out.",
		"es": "{school} te invita a SameSide para estar en contacto sobre tu hijo. Tu código: {code}. La app: {link} Responde YES para recibir textos, STOP para no recibirlos.",
	},
	"digest.subject": {
		"en": "Today at {school}: {count} updates",
		"es": "Hoy en {school}: {count} novedades",
	},
	"digest.sms": {
		"en": "SameSide, today at {school} ({count}):",
		"es": "SameSide, hoy en {school} ({count}):",
	},
	"sms.help": {
		"en": "SameSide: messages from your child's school. Reply STOP to stop texts, START to restart. Msg & data rates may apply.",
		"es": "SameSide: mensajes de la escuela de tu hijo. Responde STOP para dejar de recibir textos, START para volver. Pueden aplicarse tarifas.",
	},
	"sms.stopped": {
		"en": "SameSide: you will get no more texts. Reply START to restart.",
		"es": "SameSide: no recibirás más textos. Responde START para volver.",
	},
	"sms.started": {
		"en": "SameSide: texts from your child's school are on again. Reply STOP to stop, HELP for help.",
		"es": "SameSide: los textos de la escuela de tu hijo están activos de nuevo. Responde STOP para dejarlos, HELP para ayuda.",
	},
	"sms.message": {
		"en": "SameSide, {sender}: {body}\nReply to this text to answer.",
		"es": "SameSide, {sender}: {body}\nResponde a este texto para contestar.",
	},
	"sms.notification": {
		"en": "SameSide: {title}. {body}",
		"es": "SameSide: {title}. {body}",
	},
	"email.unsubscribe": {
		"en": "Unsubscribe",
		"es": "Cancelar suscripción",
	},
	"email.message.subject": {
		"en": "{sender}: {subject}",
		"es": "{sender}: {subject}",
	},
	"email.footer": {
		"en": "You get this email from SameSide because {school} has your address. Unsubscribe:",
		"es": "Recibes este correo de SameSide porque {school} tiene tu dirección. Cancelar suscripción:",
	},
	"unsubscribe.done": {
		"en": "You are unsubscribed: this address gets no more email from SameSide, except urgent safety alerts from the school.",
		"es": "Cancelaste la suscripción: esta dirección no recibirá más correos de SameSide, salvo alertas urgentes de seguridad de la escuela.",
	},
	"unsubscribe.confirm": {
		"en": "Stop email from SameSide to this address?",
		"es": "¿Dejar de recibir correos de SameSide en esta dirección?",
	},
}

// Text is the catalog text key in the locale's language, filled.
func Text(locale, key string, params map[string]string) string {
	t, ok := catalog[key]
	if !ok {
		return key
	}
	s, ok := t[Lang(locale)]
	if !ok {
		s = t["en"]
	}
	return Fill(s, params)
}

// Keys lists the catalog's keys (for the completeness test).
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	return out
}

// Has reports whether key has a text in lang.
func Has(key, lang string) bool {
	_, ok := catalog[key][lang]
	return ok
}

// Catalog is a copy of every text in every language (for the contracts
// that list them for review).
func Catalog() map[string]map[string]string {
	out := make(map[string]map[string]string, len(catalog))
	for k, langs := range catalog {
		out[k] = map[string]string{}
		for l, s := range langs {
			out[k][l] = s
		}
	}
	return out
}
