package push

import (
	"testing"

	sstexts "github.com/sameside/sameside/models/texts"
)

// TestCatalogInEveryLanguage: a payload type missing a language would
// reach those families in English.
func TestCatalogInEveryLanguage(t *testing.T) {
	for typ, langs := range catalog {
		for _, l := range sstexts.Languages {
			if tx, ok := langs[l]; !ok || tx.title == "" || tx.body == "" {
				t.Errorf("%s has no %s text", typ, l)
			}
		}
	}
}
