package translation_test

import (
	"context"
	"testing"

	"github.com/sameside/sameside/server/translation"
)

// TestProtectRoundTrip: what goes to the provider is HTML with each name
// kept in a translate="no" span and line breaks as <br>; what comes back
// turns into the text again, names and breaks as they were.
func TestProtectRoundTrip(t *testing.T) {
	text := "Maya & Maya Lopez <3\nSee you at Willow Creek."
	html := translation.Protect(text, []string{"Maya", "Maya Lopez", "Willow Creek", "", "x"})
	want := `<span translate="no">Maya</span> &amp; <span translate="no">Maya Lopez</span> &lt;3<br>See you at <span translate="no">Willow Creek</span>.`
	if html != want {
		t.Fatalf("protected:\n%s\nwant\n%s", html, want)
	}
	// Providers may answer with other quotes and a self-closing break.
	back := translation.Unprotect(`<span translate='no'>Maya</span> &amp; <SPAN translate="no">Maya Lopez</SPAN> &lt;3<br/>Nos vemos en <span translate="no">Willow Creek</span>.`)
	if back != "Maya & Maya Lopez <3\nNos vemos en Willow Creek." {
		t.Fatalf("unprotected: %q", back)
	}
}

// TestPseudoIsVisible: demo mode's translation shows it happened, in the
// target language's mark, and keeps the names.
func TestPseudoIsVisible(t *testing.T) {
	res, err := translation.Pseudo{}.Translate(context.Background(), []string{translation.Protect("Hola, Maya.", []string{"Maya"})}, "vi")
	if err != nil || len(res) != 1 {
		t.Fatal(res, err)
	}
	if got := translation.Unprotect(res[0].Text); got != "[vi] Hola, Maya." || res[0].Source != "es" {
		t.Fatalf("pseudo: %q from %s", got, res[0].Source)
	}
}

func TestLang(t *testing.T) {
	for tag, want := range map[string]string{"es-MX": "es", "zh-Hans-CN": "zh", "vi": "vi", "ar-JO": "ar", "en": "en", "": "", "not a tag!": ""} {
		if got := translation.Lang(tag); got != want {
			t.Errorf("Lang(%q) = %q, want %q", tag, got, want)
		}
	}
}
