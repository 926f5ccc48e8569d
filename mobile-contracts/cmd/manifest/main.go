// Command manifest writes mobile-contracts/persisted-operations.json from
// mobile-contracts/operations/ (hash → document), the operations a
// production server executes. With -check it only fails when the file is
// not current.
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
	want, err := contracts.ManifestJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
	if *check {
		have, _ := os.ReadFile(*out)
		if !bytes.Equal(have, want) {
			fmt.Fprintln(os.Stderr, "manifest: "+*out+" is stale; run make generate and commit it")
			os.Exit(1)
		}
		return
	}
	if err := os.WriteFile(*out, want, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
}
