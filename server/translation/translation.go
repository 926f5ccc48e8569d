// Package translation translates what people write into the languages of
// those who read it: once, in the background, when it is written (the
// write queues it, River drain jobs translate the queue in batches; see
// worker.go), with the results kept in the translations table keyed by
// the text's SHA-256 and the target language, so that a read costs no call
// to the provider. Names of people and of the school are protected: they
// go to the provider inside <span translate="no"> and come back as they
// were.
package translation

import (
	"context"
	"crypto/sha256"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	translate "cloud.google.com/go/translate/apiv3"
	"cloud.google.com/go/translate/apiv3/translatepb"
	"golang.org/x/text/language"
	"google.golang.org/api/option"
)

// Result is one text in the target language, with the language the
// provider found the original in.
type Result struct {
	Text, Source string
}

// Translator translates texts, HTML with protected spans, into one target
// language (a base language: "es", "vi", "zh", "ar", "en").
type Translator interface {
	Translate(ctx context.Context, texts []string, target string) ([]Result, error)
}

// Google is Google Cloud Translation (the v3 API, over REST) through its
// official Go client: texts go in a POST body, so a message of several
// thousand characters fits (the v2 client sends them in a GET's URL).
type Google struct {
	c      *translate.TranslationClient
	parent string
}

// NewGoogle returns a client for a Google Cloud project, with the
// application default credentials; endpoint overrides Google's (a fake
// server in tests, without credentials).
func NewGoogle(ctx context.Context, project, endpoint string) (*Google, error) {
	var opts []option.ClientOption
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	}
	c, err := translate.NewTranslationRESTClient(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return &Google{c: c, parent: "projects/" + project + "/locations/global"}, nil
}

// Translate implements Translator.
func (g *Google) Translate(ctx context.Context, texts []string, target string) ([]Result, error) {
	res, err := g.c.TranslateText(ctx, &translatepb.TranslateTextRequest{Parent: g.parent, Contents: texts,
		TargetLanguageCode: target, MimeType: "text/html"})
	if err != nil {
		return nil, err
	}
	ts := res.GetTranslations()
	if len(ts) != len(texts) {
		return nil, fmt.Errorf("translation: %d results for %d texts", len(ts), len(texts))
	}
	out := make([]Result, len(ts))
	for i, t := range ts {
		out[i] = Result{Text: t.GetTranslatedText(), Source: Lang(t.GetDetectedLanguageCode())}
	}
	return out, nil
}

// Pseudo is demo mode's visible pseudo-translation: the text marked with
// the target language ("[vi] …"), protected names as they are, so the
// feature can be seen without credentials.
type Pseudo struct{}

// Translate implements Translator.
func (Pseudo) Translate(_ context.Context, texts []string, target string) ([]Result, error) {
	out := make([]Result, len(texts))
	for i, t := range texts {
		out[i] = Result{Text: "[" + target + "] " + t, Source: Guess(Unprotect(t))}
	}
	return out, nil
}

// Lang is the base language of a BCP 47 tag ("es-MX" → "es", "zh-Hans-CN"
// → "zh"), "" when it is not one.
func Lang(tag string) string {
	if l, ok := langs.Load(tag); ok {
		return l.(string) // parsing a tag costs more than a page's hashes
	}
	l := ""
	if t, err := language.Parse(tag); err == nil {
		if b, conf := t.Base(); conf != language.No {
			l = b.String()
		}
	}
	if len(tag) <= 35 { // BCP 47's longest tags; keeps junk out of the map
		langs.Store(tag, l)
	}
	return l
}

// langs memoizes Lang: people's locales are few.
var langs sync.Map

// Hash is the key a text's translations are kept under.
func Hash(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

// Protect returns text as HTML for the provider: escaped, line breaks as
// <br>, and each of names in a span the provider leaves alone.
func Protect(text string, names []string) string {
	s := html.EscapeString(text)
	names = slices.Clone(names)
	// Longer names first: "Maya Lopez" before "Maya".
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	seen := map[string]bool{}
	for _, n := range names {
		n = html.EscapeString(strings.TrimSpace(n))
		if len([]rune(n)) < 2 || seen[n] {
			continue
		}
		seen[n] = true
		pairs = append(pairs, n, `<span translate="no">`+n+`</span>`)
	}
	if len(pairs) > 0 {
		s = strings.NewReplacer(pairs...).Replace(s)
	}
	return strings.ReplaceAll(s, "\n", "<br>")
}

var (
	noTranslate = regexp.MustCompile(`(?i)<span\s+translate\s*=\s*["']?no["']?\s*>(.*?)</span>`)
	lineBreak   = regexp.MustCompile(`(?i)\s*<br\s*/?>\s?`)
)

// Unprotect turns the provider's HTML back into text.
func Unprotect(s string) string {
	s = noTranslate.ReplaceAllString(s, "$1")
	s = lineBreak.ReplaceAllString(s, "\n")
	return html.UnescapeString(s)
}

// Guess is a rough guess at a text's language, for demo mode's
// pseudo-translation (the provider detects languages in production): the
// script, then a few Spanish and Vietnamese marks; English otherwise.
func Guess(text string) string {
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			return "zh"
		case unicode.Is(unicode.Arabic, r):
			return "ar"
		case strings.ContainsRune("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ", unicode.ToLower(r)):
			return "vi"
		case strings.ContainsRune("ñ¿¡", unicode.ToLower(r)):
			return "es"
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch w {
		case "hola", "gracias", "que", "muy", "hijo", "hija", "casa", "está", "es", "mi", "en", "el", "la", "los", "con", "para":
			return "es"
		}
	}
	return "en"
}
