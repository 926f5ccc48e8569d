package texts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sameside/sameside/models/texts"
)

// TestEveryKeyInEveryLanguage: a text missing in one language would reach
// those families in English; a plural form missing, in the wrong number.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	if m := texts.Missing(); len(m) > 0 {
		t.Errorf("missing: %v", m)
	}
}

func TestPluralForms(t *testing.T) {
	params := func(n int) map[string]string { return map[string]string{"school": "X", "count": fmt.Sprint(n)} }
	for _, c := range []struct {
		locale string
		n      int
		want   string
	}{
		{"en-US", 1, "Today at X: 1 update"}, {"en-US", 3, "Today at X: 3 updates"},
		{"es-MX", 1, "Hoy en X: 1 novedad"}, {"es-MX", 2, "Hoy en X: 2 novedades"},
		{"zh-CN", 1, "X 今天有 1 条新动态"}, {"vi-VN", 1, "Hôm nay tại X: 1 tin mới"},
		{"ar-EG", 0, "اليوم في X: لا تحديثات"}, {"ar-EG", 1, "اليوم في X: تحديث واحد"}, {"ar-EG", 2, "اليوم في X: تحديثان"},
		{"ar-EG", 5, "اليوم في X: 5 تحديثات"}, {"ar-EG", 11, "اليوم في X: 11 تحديثًا"}, {"ar-EG", 100, "اليوم في X: 100 تحديث"},
	} {
		if got := texts.Plural(c.locale, "digest.subject", c.n, params(c.n)); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.locale, c.n, got, c.want)
		}
	}
}

func TestTextPicksLanguageAndFills(t *testing.T) {
	if got := texts.Text("es-US", "contact.code", map[string]string{"code": "123456"}); !strings.HasPrefix(got, "Tu código de SameSide es 123456.") {
		t.Errorf("es-US: %q", got)
	}
	if got := texts.Text("vi-VN", "contact.code", map[string]string{"code": "1"}); !strings.HasPrefix(got, "Mã SameSide của bạn là 1.") {
		t.Errorf("vi-VN: %q", got)
	}
	if got := texts.Text("de-DE", "contact.code", map[string]string{"code": "1"}); !strings.HasPrefix(got, "Your SameSide code is 1.") {
		t.Errorf("a language without a catalog falls back to English: %q", got)
	}
}

func TestFill(t *testing.T) {
	p := map[string]string{"name": "Amara", "school": "Willow {Creek}", "empty": ""}
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"no placeholders", "no placeholders"},
		{"{name}", "Amara"},
		{"Hi {name}, from {school}.", "Hi Amara, from Willow {Creek}."},
		{"{name}{name}", "AmaraAmara"},
		{"[{empty}]", "[]"},
		{"{unknown} stays", "{unknown} stays"},
		{"{{name}}", "{Amara}"},
		{"{ name}", "{ name}"},
		{"open { and {name}", "open { and Amara"},
		{"unclosed {name", "unclosed {name"},
		{"}{name}{", "}Amara{"},
		{"مرحبا {name}، {school}", "مرحبا Amara، Willow {Creek}"},
	} {
		if got := texts.Fill(c.in, p); got != c.want {
			t.Errorf("Fill(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := texts.Fill("{name}", nil); got != "{name}" {
		t.Errorf("without params: %q", got)
	}
}

// TestFillAndLangAllocate: a push to a school renders every family's title
// and body (two fills and a language each), thousands in a row: a fill
// allocates only the text it returns, and a locale seen before costs no
// allocation to place.
func TestFillAndLangAllocate(t *testing.T) {
	p := map[string]string{"recipient": "Amara Rossi", "title": "School closed today", "school": "Willow Creek"}
	if n := testing.AllocsPerRun(100, func() { texts.Fill("{school}: {title}", p) }); n > 1 {
		t.Errorf("Fill: %.0f allocations, want at most 1", n)
	}
	texts.Lang("es-MX")
	if n := testing.AllocsPerRun(100, func() { texts.Lang("es-MX") }); n > 0 {
		t.Errorf("Lang of a locale seen before: %.0f allocations, want 0", n)
	}
}
