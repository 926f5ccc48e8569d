package texts_test

import (
	"strings"
	"testing"

	"github.com/sameside/sameside/models/texts"
)

// TestEveryKeyInEveryLanguage: a text missing in one language would reach
// those families in English.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	for _, k := range texts.Keys() {
		for _, l := range texts.Languages {
			if !texts.Has(k, l) {
				t.Errorf("%s has no %s text", k, l)
			}
		}
	}
}

func TestTextPicksLanguageAndFills(t *testing.T) {
	if got := texts.Text("es-US", "contact.code", map[string]string{"code": "123456"}); !strings.HasPrefix(got, "Tu código de SameSide es 123456.") {
		t.Errorf("es-US: %q", got)
	}
	if got := texts.Text("vi-VN", "contact.code", map[string]string{"code": "1"}); !strings.HasPrefix(got, "Your SameSide code is 1.") {
		t.Errorf("a language without a catalog falls back to English: %q", got)
	}
}
