package domain

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/texts"
)

// Draft hints help a teacher write a difficult message the way the school's
// communication workshops teach: stick to observed behaviour, avoid
// absolutes and labels, invite the parents' view, keep it readable. They are
// deterministic (the same text always gives the same hints, in text order)
// and advisory: nothing is refused because of them.
//
// The rules, each with its code:
//   - ABSOLUTE: "always", "never", "every time", "constantly", "all the
//     time", "nothing", "nobody", "everyone" (whole words, any case).
//     Suggest how often, when, with an example.
//   - LABEL: words that judge the child rather than describe behaviour:
//     lazy, rude, naughty, bad, mean, defiant, disrespectful, disruptive,
//     aggressive, careless, hyper, troublemaker, problem child, bully,
//     manipulative, spoiled. Suggest describing what was seen.
//   - NO_INVITATION (OBSERVATION and CONCERN notes, messages about a
//     concern): no question and none of
//     "at home", "your view", "your thoughts", "let me know", "what do you",
//     "have you noticed", "we could", "together". Suggest asking what the
//     parents see.
//   - TOO_SHORT (CONCERN notes and messages about a concern): under 80
//     characters. A concern needs context.
//   - TOO_LONG: over 1,200 characters. Suggest a call or a conference.
//
// Each rule has its words in English and in Spanish (a teacher may write
// to a family in its language); the message is in the teacher's language
// (models/texts, hint.CODE).
type hintRule struct {
	code    string
	pattern *regexp.Regexp
}

var hintRules = []hintRule{
	{"ABSOLUTE", regexp.MustCompile(`(?i)\b(always|never|every time|constantly|all the time|nothing|nobody|everyone|siempre|nunca|cada vez|constantemente|todo el tiempo|nada|nadie|todo el mundo)\b`)},
	{"LABEL", regexp.MustCompile(`(?i)\b(lazy|rude|naughty|bad|mean|defiant|disrespectful|disruptive|aggressive|careless|hyper|troublemaker|problem child|bully|manipulative|spoiled|` +
		`perezos[oa]|floj[oa]|groser[oa]|malcriad[oa]|maleducad[oa]|mal[oa]|desafiante|irrespetuos[oa]|agresiv[oa]|descuidad[oa]|hiperactiv[oa]|problemátic[oa]|abusón|abusona|manipulador[a]?|consentid[oa])\b`)},
}

var invitation = regexp.MustCompile(`(?i)(\?|¿|\bat home\b|\byour (view|thoughts|perspective)\b|\blet me know\b|\bwhat do you\b|\bhave you noticed\b|\bwe could\b|\btogether\b|` +
	`\ben casa\b|\bsu (opinión|punto de vista)\b|\bhágame saber\b|\bavísenme\b|\bqué (piensa|opina|ve)\b|\bha notado\b|\bpodríamos\b|\bjuntos\b)`)

// DraftHints returns the hints for a draft body of a kind, their messages
// in locale's language.
func DraftHints(body string, kind models.ObservationKind, locale string) ([]*models.DraftHint, error) {
	if !kind.Valid() {
		return nil, models.InvalidField("kind", "kind is not valid")
	}
	return draftHints(body, models.MaxObservationBody, kind == models.KindObservation || kind == models.KindConcern, kind == models.KindConcern, locale)
}

// MessageDraftHints gives a message the same advice as a note: a message
// about a concern is held to a concern's rules (NO_INVITATION, TOO_SHORT),
// any other to the rules every note follows.
func MessageDraftHints(body string, concern bool, locale string) ([]*models.DraftHint, error) {
	return draftHints(body, models.MaxMessageBody, concern, concern, locale)
}

// draftHints applies the rules: invite asks for an invitation to the
// parents' view, context for a concern's length.
func draftHints(body string, max int, invite, context bool, locale string) ([]*models.DraftHint, error) {
	if utf8.RuneCountInString(body) > max {
		return nil, models.InvalidField("body", "body must be at most %d characters", max)
	}
	out := []*models.DraftHint{}
	for _, r := range hintRules {
		for _, m := range r.pattern.FindAllStringIndex(body, -1) {
			out = append(out, &models.DraftHint{Code: r.code, Message: texts.Text(locale, "hint."+r.code, nil), Excerpt: body[m[0]:m[1]],
				Start: utf8.RuneCountInString(body[:m[0]]), End: utf8.RuneCountInString(body[:m[1]])})
		}
	}
	sortHints(out)
	n := utf8.RuneCountInString(strings.TrimSpace(body))
	if invite && n > 0 && !invitation.MatchString(body) {
		out = append(out, &models.DraftHint{Code: "NO_INVITATION", Message: texts.Text(locale, "hint.NO_INVITATION", nil)})
	}
	if context && n < 80 {
		out = append(out, &models.DraftHint{Code: "TOO_SHORT", Message: texts.Text(locale, "hint.TOO_SHORT", nil)})
	}
	if n > 1200 {
		out = append(out, &models.DraftHint{Code: "TOO_LONG", Message: texts.Text(locale, "hint.TOO_LONG", nil)})
	}
	return out, nil
}

func sortHints(h []*models.DraftHint) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].Start < h[j-1].Start; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
