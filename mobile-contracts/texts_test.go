package contracts_test

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/sameside/sameside/models/texts"
)

var updateTexts = flag.Bool("update-texts", false, "rewrite texts.json from the catalog")

// TestTextsAreListed: texts.json lists every email and SMS text in every
// language beside the push payloads, for the app's and the schools'
// review; it must be the catalog as it is (go test ./mobile-contracts
// -run TestTextsAreListed -update-texts rewrites it).
func TestTextsAreListed(t *testing.T) {
	b, err := json.MarshalIndent(texts.Catalog(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *updateTexts {
		if err := os.WriteFile("texts.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile("texts.json")
	if err != nil || string(have) != string(b) {
		t.Fatalf("texts.json is not the catalog (%v): run go test ./mobile-contracts -run TestTextsAreListed -update-texts", err)
	}
}
