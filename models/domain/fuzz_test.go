package domain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sameside/sameside/models"
)

// Cursors come from clients: anything decodes to a cursor or to
// BAD_USER_INPUT, never a panic, and what we encode decodes back.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(time.Unix(1700000000, 5), "0b0e8f6c-5f0c-4f33-9d4a-8c9b2f0e1a2b"))
	f.Add("")
	f.Add("djF8MTJ8eA")
	f.Add(strings.Repeat("A", 300))
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := decodeCursor("after", c)
		if err != nil {
			if models.ErrorCode(err) != models.CodeBadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		if !validID(id) {
			t.Fatalf("decoded an invalid id %q", id)
		}
		if _, id2, err := decodeCursor("after", encodeCursor(at, id)); err != nil || id2 != id {
			t.Fatalf("round trip: %v %q", err, id2)
		}
	})
}

// Draft hints run on whatever a teacher types: no panic, offsets inside
// the text (in characters), deterministic.
func FuzzDraftHints(f *testing.F) {
	f.Add("He never listens and is always late.", "CONCERN")
	f.Add("", "POSITIVE")
	f.Add("Ünïcödé 🙂 always", "OBSERVATION")
	f.Fuzz(func(t *testing.T, body, kind string) {
		hints, err := DraftHints(body, models.ObservationKind(kind), "en-US")
		if err != nil {
			if models.ErrorCode(err) != models.CodeBadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		n := utf8.RuneCountInString(body)
		for _, h := range hints {
			if h.Start < 0 || h.End > n || h.Start > h.End {
				t.Fatalf("hint outside the text (%d runes): %+v", n, h)
			}
		}
		again, _ := DraftHints(body, models.ObservationKind(kind), "en-US")
		if len(again) != len(hints) {
			t.Fatal("not deterministic")
		}
	})
}

// Invitation codes are typed by hand: normalizing never panics, accepts
// only full codes, and is idempotent.
func FuzzNormalizeInvitationCode(f *testing.F) {
	f.Add(NewInvitationCode())
	f.Add("abcd-efgh-jkmn")
	f.Add(" 2345 6789 ABCD ")
	f.Add("ÄBCD-EFGH-JKMN")
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := NormalizeInvitationCode(s)
		if !ok {
			return
		}
		if again, ok2 := NormalizeInvitationCode(code); !ok2 || again != code {
			t.Fatalf("not idempotent: %q → %q → %q", s, code, again)
		}
	})
}
