// Package contracts holds what the mobile app depends on: every GraphQL
// operation it sends (operations/*.graphql, one named operation per file,
// named as the file) and, as they come, push payload schemas. Its tests hold
// the server to them: each operation must validate against the schema and
// run against a seeded server.
package contracts

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed operations/*.graphql
var operationFiles embed.FS

// Operations returns each operation document by its name (the file name
// without .graphql).
func Operations() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(operationFiles, "operations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := operationFiles.ReadFile(p)
		if err != nil {
			return err
		}
		out[strings.TrimSuffix(path.Base(p), ".graphql")] = string(b)
		return nil
	})
	return out, err
}
