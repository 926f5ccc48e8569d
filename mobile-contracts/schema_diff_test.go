package contracts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	contracts "github.com/sameside/sameside/mobile-contracts"
)

// No breaking change since the latest release's schema, by graphql-inspector
// (tools/apollo/schema-diff.ts); the check fails on a removed field, and
// lets a field deprecated in the release go.
func TestNoBreakingChangeSinceLatestRelease(t *testing.T) {
	tsx := nodeTools(t)
	idx, _, err := contracts.Releases()
	if err != nil {
		t.Fatal(err)
	}
	run := func(oldFile, newFile string) (int, string) {
		t.Helper()
		cmd := exec.Command(tsx, "schema-diff.ts", oldFile, newFile)
		cmd.Dir = "../tools/apollo"
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	release, _ := filepath.Abs(filepath.Join("releases", idx.Latest+".graphqls"))
	current, _ := filepath.Abs("schema.graphqls")
	if code, out := run(release, current); code != 0 {
		t.Fatalf("breaking changes since release %s:\n%s", idx.Latest, out)
	}
	src, err := os.ReadFile(current)
	if err != nil {
		t.Fatal(err)
	}
	const field = "  tryAtHome: String\n"
	if !strings.Contains(string(src), field) {
		t.Fatal("schema.graphqls changed: update this test's field")
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	removed := write("removed.graphqls", strings.Replace(string(src), field, "", 1))
	if code, out := run(current, removed); code != 1 || !strings.Contains(out, "tryAtHome") {
		t.Fatalf("a removed field went unnoticed (%d):\n%s", code, out)
	}
	deprecated := write("deprecated.graphqls", strings.Replace(string(src), field, "  tryAtHome: String @deprecated(reason: \"gone\")\n", 1))
	if code, out := run(deprecated, removed); code != 0 {
		t.Fatalf("removing a deprecated field was refused (%d):\n%s", code, out)
	}
}
