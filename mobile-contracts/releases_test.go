package contracts_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models"
)

// releaseProblems lists what breaks the supported releases: an operation
// of one that no longer validates against the schema (a field it uses was
// removed or changed).
func releaseProblems(schema *ast.Schema, rs []contracts.Release) []string {
	var out []string
	for _, r := range rs {
		for _, op := range r.Manifest.Operations {
			if _, errs := gqlparser.LoadQuery(schema, op.Body); len(errs) > 0 {
				out = append(out, r.Version+" "+op.Name+": "+errs.Error())
			}
		}
	}
	return out
}

// editProblems lists the operations edited since the latest release: an
// operation the release sends must stay as it is until a new release keeps
// the new text (make release), or apps in the field would send an id the
// next server no longer knows.
func editProblems(cur *contracts.ApolloManifest, latest contracts.Release) []string {
	byName := map[string]string{}
	for _, op := range latest.Manifest.Operations {
		byName[op.Name] = op.ID
	}
	var out []string
	for _, op := range cur.Operations {
		if id, ok := byName[op.Name]; ok && id != op.ID {
			out = append(out, op.Name+" changed since release "+latest.Version+": make release VERSION=… (or leave it as it was)")
		}
	}
	return out
}

// Every operation of every supported release validates against today's
// schema; and the check fails when a field a release uses is removed.
func TestSupportedReleasesValidate(t *testing.T) {
	idx, rs, err := contracts.Releases()
	if err != nil {
		t.Fatal(err)
	}
	supported := contracts.Supported(idx, rs)
	if len(supported) == 0 || supported[len(supported)-1].Version != idx.Latest {
		t.Fatalf("supported releases %v, latest %s: releases/index.json and the files disagree", supported, idx.Latest)
	}
	schema := loadSchema(t)
	if p := releaseProblems(schema, supported); len(p) > 0 {
		t.Fatalf("the schema breaks supported releases (deprecate instead, remove once no supported release uses it):\n%s", strings.Join(p, "\n"))
	}
	// The check can fail: without Observation.body the Feed of every
	// release no longer validates.
	src, err := os.ReadFile("../graph/schema/observations.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Replace(string(src), "type Observation {\n  id: ID!\n  kind: ObservationKind!\n  body: String!\n", "type Observation {\n  id: ID!\n  kind: ObservationKind!\n", 1)
	if cut == string(src) {
		t.Fatal("observations.graphqls changed: update this test's cut")
	}
	broken := loadSchemaWith(t, "observations.graphqls", cut)
	p := releaseProblems(broken, supported)
	if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, " Feed: ") }) {
		t.Fatalf("removing Observation.body went unnoticed: %v", p)
	}
}

// Operations a supported release sends are not edited in place; new ones
// may be added for the next release. The check fails on an edit.
func TestOperationsUnchangedSinceLatestRelease(t *testing.T) {
	idx, rs, err := contracts.Releases()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := contracts.CurrentManifest()
	if err != nil {
		t.Fatal(err)
	}
	latest := rs[len(rs)-1]
	if latest.Version != idx.Latest {
		t.Fatalf("the newest release file is %s, the index says %s", latest.Version, idx.Latest)
	}
	if p := editProblems(cur, latest); len(p) > 0 {
		t.Fatalf("%s", strings.Join(p, "\n"))
	}
	edited := &contracts.ApolloManifest{Format: cur.Format, Version: cur.Version}
	for _, op := range cur.Operations {
		if op.Name == "Feed" {
			op.Body = strings.Replace(op.Body, "responseCount", "responseCount\n        editedAfterSharing", 1)
			op.ID = contracts.Hash(op.Body)
		}
		edited.Operations = append(edited.Operations, op)
	}
	if p := editProblems(edited, latest); len(p) != 1 || !strings.HasPrefix(p[0], "Feed changed") {
		t.Fatalf("an edited Feed went unnoticed: %v", p)
	}
}

// Apollo's manifest holds exactly the operations of operations/ (make
// generate runs Apollo's generator; make check fails when it is stale).
func TestApolloManifestCoversOperations(t *testing.T) {
	ops, err := contracts.Operations()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := contracts.CurrentManifest()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, op := range cur.Operations {
		names = append(names, op.Name)
		if op.Name == "Feed" && !strings.Contains(op.Body, "__typename") {
			t.Errorf("Feed has no __typename: not Apollo's transform")
		}
	}
	var want []string
	for name := range ops {
		want = append(want, name)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("persisted-query-manifest.json has %d operations, operations/ %d: run make generate", len(names), len(want))
	}
}

// The schema's ErrorCode enum is the API's codes, each described.
func TestErrorCodeEnum(t *testing.T) {
	schema := loadSchema(t)
	e := schema.Types["ErrorCode"]
	if e == nil {
		t.Fatal("no ErrorCode enum")
	}
	var got, want []string
	for _, v := range e.EnumValues {
		got = append(got, v.Name)
		if v.Description == "" {
			t.Errorf("ErrorCode.%s has no description", v.Name)
		}
	}
	for _, c := range models.Codes {
		want = append(want, string(c))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ErrorCode %v, models.Codes %v", got, want)
	}
}

// mobile-contracts/schema.graphqls is the schema as it is.
func TestSchemaFileIsCurrent(t *testing.T) {
	want, err := contracts.SchemaSDL("..")
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("schema.graphqls")
	if err != nil || !bytes.Equal(have, want) {
		t.Fatalf("schema.graphqls is stale (%v): run make generate", err)
	}
}

// loadSchemaWith is the schema with one area file's text replaced.
func loadSchemaWith(t *testing.T, file, text string) *ast.Schema {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/graph/schema", 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("../graph/schema")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("../graph/schema/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			b = []byte(text)
		}
		if err := os.WriteFile(dir+"/graph/schema/"+e.Name(), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := contracts.LoadSchema(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
