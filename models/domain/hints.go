package domain

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sameside/sameside/models"
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
//   - NO_INVITATION (OBSERVATION and CONCERN only): no question and none of
//     "at home", "your view", "your thoughts", "let me know", "what do you",
//     "have you noticed", "we could", "together". Suggest asking what the
//     parents see.
//   - TOO_SHORT (CONCERN only): under 80 characters. A concern needs context.
//   - TOO_LONG: over 1,200 characters. Suggest a call or a conference.
type hintRule struct {
	code    string
	pattern *regexp.Regexp
	message string
}

var hintRules = []hintRule{
	{"ABSOLUTE", regexp.MustCompile(`(?i)\b(always|never|every time|constantly|all the time|nothing|nobody|everyone)\b`),
		"Absolute words can sound like a verdict. Say how often or when, with an example."},
	{"LABEL", regexp.MustCompile(`(?i)\b(lazy|rude|naughty|bad|mean|defiant|disrespectful|disruptive|aggressive|careless|hyper|troublemaker|problem child|bully|manipulative|spoiled)\b`),
		"This word labels the child. Describe what you saw them do instead."},
}

var invitation = regexp.MustCompile(`(?i)(\?|\bat home\b|\byour (view|thoughts|perspective)\b|\blet me know\b|\bwhat do you\b|\bhave you noticed\b|\bwe could\b|\btogether\b)`)

// DraftHints returns the hints for a draft body of a kind.
func DraftHints(body string, kind models.ObservationKind) ([]*models.DraftHint, error) {
	if !kind.Valid() {
		return nil, models.InvalidField("kind", "kind is not valid")
	}
	if utf8.RuneCountInString(body) > models.MaxObservationBody {
		return nil, models.InvalidField("body", "body must be at most %d characters", models.MaxObservationBody)
	}
	out := []*models.DraftHint{}
	for _, r := range hintRules {
		for _, m := range r.pattern.FindAllStringIndex(body, -1) {
			out = append(out, &models.DraftHint{Code: r.code, Message: r.message, Excerpt: body[m[0]:m[1]],
				Start: utf8.RuneCountInString(body[:m[0]]), End: utf8.RuneCountInString(body[:m[1]])})
		}
	}
	sortHints(out)
	n := utf8.RuneCountInString(strings.TrimSpace(body))
	if (kind == models.KindObservation || kind == models.KindConcern) && n > 0 && !invitation.MatchString(body) {
		out = append(out, &models.DraftHint{Code: "NO_INVITATION", Message: "Invite the parents' view: ask what they see at home."})
	}
	if kind == models.KindConcern && n < 80 {
		out = append(out, &models.DraftHint{Code: "TOO_SHORT", Message: "A concern needs context: what happened, when, and what you tried."})
	}
	if n > 1200 {
		out = append(out, &models.DraftHint{Code: "TOO_LONG", Message: "This is long for a message. Consider a call or a conference."})
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
