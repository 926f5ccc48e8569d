// Command release keeps an app release's contract: it copies the current
// Apollo manifest (mobile-contracts/persisted-query-manifest.json) and the
// schema to mobile-contracts/releases/<version>.json and .graphqls, and
// makes the version the latest in releases/index.json (-minimum also moves
// the oldest supported). Run it from the repository's root, when an app
// release is cut: make release VERSION=1.1.0.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/semver"

	contracts "github.com/sameside/sameside/mobile-contracts"
)

func main() {
	version := flag.String("version", "", "the app release, like 1.1.0")
	minimum := flag.String("minimum", "", "the oldest release still supported (default: unchanged)")
	flag.Parse()
	if err := run(*version, *minimum); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(version, minimum string) error {
	if !semver.IsValid("v" + version) {
		return fmt.Errorf("-version %q: a version like 1.1.0", version)
	}
	dir := filepath.Join("mobile-contracts", "releases")
	idx, rs, err := contracts.Releases()
	if err != nil {
		return err
	}
	for _, r := range rs {
		if semver.Compare("v"+r.Version, "v"+version) >= 0 {
			return fmt.Errorf("release %s exists already (or a newer one): releases are never rewritten", r.Version)
		}
	}
	manifest, err := os.ReadFile(filepath.Join("mobile-contracts", "persisted-query-manifest.json"))
	if err != nil {
		return err
	}
	schema, err := os.ReadFile(contracts.SchemaFile)
	if err != nil {
		return err
	}
	idx.Latest = version
	if minimum != "" {
		idx.Minimum = minimum
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{version + ".json": manifest, version + ".graphqls": schema, "index.json": append(b, '\n')} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
