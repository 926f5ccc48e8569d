package graph

import (
	"context"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sameside/sameside/graph/loaders"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/translation"
)

// translationCacheSize is how many stored translations one server keeps
// in memory. They never change (keyed by the text), so a feed read again
// costs no statement for them.
const translationCacheSize = 100_000

func newTranslationCache() *lru.Cache[string, *models.Translation] {
	c, err := lru.New[string, *models.Translation](translationCacheSize)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}

// inViewerLanguage gives each text (written by authors[i]) in the
// viewer's language, the stored translation when one is ready and the
// text as written otherwise (and always to its author), with its
// Original. One batched statement for what the cache does not hold.
func (r *Resolver) inViewerLanguage(ctx context.Context, texts, authors []string) ([]string, []*models.Original, error) {
	v := viewer(ctx)
	lang := translation.Lang(v.Locale)
	out := make([]string, len(texts))
	orig := make([]*models.Original, len(texts))
	apply := func(i int, t *models.Translation) {
		src := t.Source
		orig[i].Language = &src
		if t.Translated() && authors[i] != v.ID {
			out[i], orig[i].Translated = t.Text, true
		}
	}
	var missing []string
	var at []int
	for i, text := range texts {
		out[i], orig[i] = text, &models.Original{Text: text}
		if !r.Translating || lang == "" || text == "" {
			continue
		}
		k := loaders.TranslationKey(translation.Hash(text), lang)
		if t, ok := r.translations.Get(k); ok {
			apply(i, t)
			continue
		}
		missing, at = append(missing, k), append(at, i)
	}
	if len(missing) == 0 {
		return out, orig, nil
	}
	rows, err := load(ctx).Translation.LoadAll(ctx, missing)
	if err != nil {
		return nil, nil, err
	}
	for j, t := range rows {
		if t != nil {
			r.translations.Add(missing[j], t)
			apply(at[j], t)
		}
	}
	return out, orig, nil
}

// textInViewerLanguage is a text (written by author) as the viewer reads
// it. Its author reads it as written, so for them no translation is looked
// up: a message's sender reading sendMessage's answer pays no statement.
// (Its Original, the language a translation found, is oneInViewerLanguage's.)
func (r *Resolver) textInViewerLanguage(ctx context.Context, text, author string) (string, error) {
	if v := viewer(ctx); v != nil && author != "" && author == v.ID {
		return text, nil
	}
	s, _, err := r.oneInViewerLanguage(ctx, text, author)
	return s, err
}

// readInViewerLanguage is a message's body as the viewer reads it when the
// message was read with its translation into the viewer's language
// (Service.MessageIn): ok is false when it was not, and the body is looked
// up as any text is.
func (r *Resolver) readInViewerLanguage(ctx context.Context, m *models.Message) (string, bool) {
	v := viewer(ctx)
	if v == nil || m.ReadIn == "" || !r.Translating || m.ReadIn != translation.Lang(v.Locale) {
		return "", false
	}
	if t := m.Translation; t != nil && t.Translated() && m.SenderID != v.ID {
		return t.Text, true
	}
	return m.Body, true
}

// oneInViewerLanguage is inViewerLanguage for one text.
func (r *Resolver) oneInViewerLanguage(ctx context.Context, text, author string) (string, *models.Original, error) {
	out, orig, err := r.inViewerLanguage(ctx, []string{text}, []string{author})
	if err != nil {
		return "", nil, err
	}
	return out[0], orig[0], nil
}

// profileAuthor is who last wrote a profile: the original is theirs.
func profileAuthor(p *models.ChildProfile) string {
	if p.UpdatedByID == nil {
		return ""
	}
	return *p.UpdatedByID
}
