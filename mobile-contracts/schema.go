package contracts

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// SchemaFile is the whole SDL in one file, what the app teams' generators
// read: mobile-contracts/schema.graphqls, written from graph/schema by make
// generate and checked by make check.
const SchemaFile = "mobile-contracts/schema.graphqls"

// LoadSchema reads the schema from its area files (graph/schema/*.graphqls
// under root).
func LoadSchema(root string) (*ast.Schema, error) {
	files, err := filepath.Glob(filepath.Join(root, "graph", "schema", "*.graphqls"))
	if err != nil {
		return nil, err
	}
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sources = append(sources, &ast.Source{Name: filepath.Base(f), Input: string(b)})
	}
	return gqlparser.LoadSchema(sources...)
}

// SchemaSDL prints the schema under root as one SDL document, with its
// descriptions, types in name order.
func SchemaSDL(root string) ([]byte, error) {
	s, err := LoadSchema(root)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# The SameSide API's whole schema, written from graph/schema by `make generate`.\n# Do not edit: change graph/schema/*.graphqls.\n\n")
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(s)
	return b.Bytes(), nil
}
