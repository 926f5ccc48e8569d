package graph_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAreasLineUp: each schema area has its resolvers and its domain file
// under the same name, so a change to an area is found in one place per
// layer (docs/architecture.md, "Where a change goes").
func TestAreasLineUp(t *testing.T) {
	schemas, err := filepath.Glob("schema/*.graphqls")
	if err != nil || len(schemas) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	for _, s := range schemas {
		area := strings.TrimSuffix(filepath.Base(s), ".graphqls")
		if area == "root" { // directives, scalars, the empty root types
			continue
		}
		for _, want := range []string{area + ".resolvers.go", filepath.Join("..", "models", "domain", area+".go")} {
			if _, err := os.Stat(want); err != nil {
				t.Errorf("schema area %q has no %s", area, want)
			}
		}
	}
}
