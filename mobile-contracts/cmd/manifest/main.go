// Command manifest writes mobile-contracts/persisted-operations.json from
// mobile-contracts/operations/ (hash → document), and
// mobile-contracts/schema.graphqls, the whole schema in one file, from
// graph/schema. With -check it only fails when a file is not current. Run
// it from the repository's root.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	contracts "github.com/sameside/sameside/mobile-contracts"
)

func main() {
	check := flag.Bool("check", false, "fail if the manifest is stale instead of writing it")
	out := flag.String("o", "mobile-contracts/persisted-operations.json", "where the manifest goes")
	flag.Parse()
	manifest, err := contracts.ManifestJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
	schema, err := contracts.SchemaSDL(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "manifest: schema:", err)
		os.Exit(1)
	}
	for file, want := range map[string][]byte{*out: manifest, contracts.SchemaFile: schema} {
		if *check {
			if have, _ := os.ReadFile(file); !bytes.Equal(have, want) {
				fmt.Fprintln(os.Stderr, "manifest: "+file+" is stale; run make generate and commit it")
				os.Exit(1)
			}
			continue
		}
		if err := os.WriteFile(file, want, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "manifest:", err)
			os.Exit(1)
		}
	}
}
