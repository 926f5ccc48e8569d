package contracts

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

//go:embed persisted-operations.json
var manifestJSON []byte

// Hash is how an operation document is named in the manifest and in
// automatic persisted queries: the hex SHA-256 of its exact text.
func Hash(document string) string {
	s := sha256.Sum256([]byte(document))
	return hex.EncodeToString(s[:])
}

// BuildManifest makes the manifest of the operations in operations/:
// hash → document.
func BuildManifest() (map[string]string, error) {
	ops, err := Operations()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ops))
	for _, doc := range ops {
		out[Hash(doc)] = doc
	}
	return out, nil
}

// ManifestJSON is the manifest as persisted-operations.json holds it.
func ManifestJSON() ([]byte, error) {
	m, err := BuildManifest()
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ") // map keys come out sorted
	return append(b, '\n'), err
}

// PersistedOperations is the committed manifest (persisted-operations.json,
// written by `make generate`): what a production server executes.
func PersistedOperations() (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return nil, fmt.Errorf("contracts: persisted-operations.json: %w", err)
	}
	return m, nil
}
