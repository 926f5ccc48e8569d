package contracts

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// Apollo's persisted queries. The app teams build with Apollo Kotlin,
// Apollo iOS or Apollo Client, whose generators transform each operation
// (adding __typename, printing it their way) and name it by the SHA-256 of
// the result. persisted-query-manifest.json is that manifest for
// operations/, written by Apollo's own generator
// (@apollo/generate-persisted-query-manifest, pinned in tools/apollo; make
// generate). Each app release's manifest is kept in releases/<version>.json,
// and releases/index.json says which releases are still supported.

//go:embed persisted-query-manifest.json
var apolloJSON []byte

//go:embed releases/*.json
var releaseFiles embed.FS

// ApolloManifest is Apollo's persisted query manifest format
// ("apollo-persisted-query-manifest", version 1).
type ApolloManifest struct {
	Format     string            `json:"format"`
	Version    int               `json:"version"`
	Operations []ApolloOperation `json:"operations"`
}

// ApolloOperation is one operation of a manifest: ID is the hex SHA-256 of
// Body.
type ApolloOperation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Body string `json:"body"`
}

// ReleaseIndex says which app releases the server supports: every release
// from Minimum on; Latest is the newest in the stores.
type ReleaseIndex struct {
	Minimum string `json:"minimum"`
	Latest  string `json:"latest"`
}

// Release is one app release's manifest.
type Release struct {
	Version  string
	Manifest *ApolloManifest
}

func parseManifest(name string, b []byte) (*ApolloManifest, error) {
	var m ApolloManifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("contracts: %s: %w", name, err)
	}
	if m.Format != "apollo-persisted-query-manifest" || m.Version != 1 {
		return nil, fmt.Errorf("contracts: %s: not an Apollo persisted query manifest, version 1", name)
	}
	for _, op := range m.Operations {
		if op.ID != Hash(op.Body) {
			return nil, fmt.Errorf("contracts: %s: %s: the id is not the SHA-256 of the body", name, op.Name)
		}
	}
	return &m, nil
}

// CurrentManifest is Apollo's manifest of operations/ (the next release's).
func CurrentManifest() (*ApolloManifest, error) {
	return parseManifest("persisted-query-manifest.json", apolloJSON)
}

// Releases returns the release index and every kept release, oldest first.
func Releases() (ReleaseIndex, []Release, error) {
	var idx ReleaseIndex
	b, err := releaseFiles.ReadFile("releases/index.json")
	if err != nil {
		return idx, nil, err
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return idx, nil, fmt.Errorf("contracts: releases/index.json: %w", err)
	}
	if !semver.IsValid("v"+idx.Minimum) || !semver.IsValid("v"+idx.Latest) || semver.Compare("v"+idx.Minimum, "v"+idx.Latest) > 0 {
		return idx, nil, fmt.Errorf("contracts: releases/index.json: minimum %q and latest %q must be versions, minimum first", idx.Minimum, idx.Latest)
	}
	var out []Release
	err = fs.WalkDir(releaseFiles, "releases", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) == "index.json" {
			return err
		}
		v := strings.TrimSuffix(path.Base(p), ".json")
		if !semver.IsValid("v" + v) {
			return fmt.Errorf("contracts: %s: a release file is named by its version, like 1.2.0.json", p)
		}
		b, err := releaseFiles.ReadFile(p)
		if err != nil {
			return err
		}
		m, err := parseManifest(p, b)
		if err != nil {
			return err
		}
		out = append(out, Release{Version: v, Manifest: m})
		return nil
	})
	slices.SortFunc(out, func(a, b Release) int { return semver.Compare("v"+a.Version, "v"+b.Version) })
	return idx, out, err
}

// Supported keeps the releases from the index's minimum on.
func Supported(idx ReleaseIndex, rs []Release) []Release {
	var out []Release
	for _, r := range rs {
		if semver.Compare("v"+r.Version, "v"+idx.Minimum) >= 0 {
			out = append(out, r)
		}
	}
	return out
}

// ClientVersion is the app version a request carries: Apollo's
// apollographql-client-version header, or X-App-Version.
func ClientVersion(h http.Header) string {
	if v := h.Get("apollographql-client-version"); v != "" {
		return v
	}
	return h.Get("X-App-Version")
}

// Below reports whether an app's version is below the minimum supported
// (false for a version that does not parse: the server does not guess).
func (idx ReleaseIndex) Below(version string) bool {
	v := "v" + strings.TrimPrefix(strings.TrimSpace(version), "v")
	return semver.IsValid(v) && semver.Compare(v, "v"+idx.Minimum) < 0
}

// AllowList is what a production server executes, by the hex SHA-256 of
// the document: the operations of every supported release and of the
// next one (Apollo's manifests), and the hand-written documents as they
// are (persisted-operations.json).
func AllowList() (map[string]string, error) {
	out, err := PersistedOperations()
	if err != nil {
		return nil, err
	}
	cur, err := CurrentManifest()
	if err != nil {
		return nil, err
	}
	idx, rs, err := Releases()
	if err != nil {
		return nil, err
	}
	for _, m := range append([]*ApolloManifest{cur}, manifests(Supported(idx, rs))...) {
		for _, op := range m.Operations {
			out[op.ID] = op.Body
		}
	}
	return out, nil
}

func manifests(rs []Release) []*ApolloManifest {
	out := make([]*ApolloManifest, len(rs))
	for i, r := range rs {
		out[i] = r.Manifest
	}
	return out
}
