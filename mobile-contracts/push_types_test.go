package contracts_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The Kotlin and Swift push types in generated/ are what quicktype writes
// from today's push schemas (tools/apollo/push-types.ts): regenerating them
// changes nothing.
func TestPushTypesAreCurrent(t *testing.T) {
	tsx := nodeTools(t)
	here, _ := filepath.Abs(".")
	out := t.TempDir()
	cmd := exec.Command(tsx, "push-types.ts", here, out)
	cmd.Dir = "../tools/apollo"
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("push-types.ts: %v\n%s", err, b)
	}
	for _, f := range []string{"PushPayloads.kt", "PushPayloads.swift"} {
		want, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(filepath.Join("generated", f))
		if err != nil || !bytes.Equal(have, want) {
			t.Errorf("generated/%s is not what the push schemas give (%v): run make generate", f, err)
		}
		if !bytes.Contains(want, []byte("ConferenceFollowUp")) {
			t.Errorf("generated/%s has no ConferenceFollowUp: a push type is missing", f)
		}
	}
}

// nodeTools is tools/apollo's tsx, to run its TypeScript; the test skips
// without it, unless SAMESIDE_NODE_TOOLS=required (make test installs the
// tools and sets it).
func nodeTools(t *testing.T) string {
	t.Helper()
	tsx, err := filepath.Abs("../tools/apollo/node_modules/.bin/tsx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tsx); err != nil {
		if os.Getenv("SAMESIDE_NODE_TOOLS") == "required" {
			t.Fatalf("tools/apollo is not installed: %v", err)
		}
		t.Skip("tools/apollo is not installed (make apollo-deps; make test installs it)")
	}
	return tsx
}
