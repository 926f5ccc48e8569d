package texts

import (
	"fmt"
	"testing"
)

// TestLangKeepsBoundedAnswers: locales come from what people send; Lang
// keeps at most maxLangs answers however many it is asked about, answers
// them all the same, and still keeps a locale asked again after the flood.
func TestLangKeepsBoundedAnswers(t *testing.T) {
	for i := 0; i < maxLangs+500; i++ {
		if got := Lang(fmt.Sprintf("es-x-%d", i)); got != "es" {
			t.Fatalf("es-x-%d: %q", i, got)
		}
	}
	if n := langs.Len(); n > maxLangs {
		t.Errorf("%d locales kept, want at most %d", n, maxLangs)
	}
	Lang("vi-VN")
	if n := testing.AllocsPerRun(10, func() { Lang("vi-VN") }); n > 0 {
		t.Errorf("a locale asked after the flood: %.0f allocations, want 0 (kept)", n)
	}
}
