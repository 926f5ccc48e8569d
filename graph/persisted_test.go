package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/apptest"
)

// tokenIsUID accepts tokens "uid:<uid>" (a stand-in for Firebase in
// production-mode tests).
type tokenIsUID struct{}

func (tokenIsUID) Verify(_ context.Context, token string) (domain.Identity, error) {
	uid, ok := strings.CutPrefix(token, "uid:")
	if !ok {
		return domain.Identity{}, errors.New("not a test token")
	}
	return domain.Identity{UID: uid, Email: uid + "@example.org"}, nil
}

func reason(r *apptest.Response) string {
	var out struct {
		Errors []struct {
			Extensions struct{ Reason string }
		}
	}
	_ = json.Unmarshal([]byte(r.Body), &out)
	if len(out.Errors) == 0 {
		return ""
	}
	return out.Errors[0].Extensions.Reason
}

// In production the server runs only the app's operations: every one of
// them passes, as text or by hash; anything else, introspection included,
// is refused with FORBIDDEN and its reason; the manifest matches the
// operations (make check fails otherwise).
func TestProductionRunsOnlyPersistedOperations(t *testing.T) {
	// One user sends every operation of the app at once: more than the
	// rate limit allows a second, which is not what this test is about.
	prod := apptest.New(t, apptest.Options{Production: true, FirebaseProjectID: "demo-sameside", Verifier: tokenIsUID{},
		Env: map[string]string{"SAMESIDE_RATE_LIMIT": "0"}})
	token := "uid:prod-parent"
	ops, err := contracts.Operations()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := contracts.PersistedOperations()
	if err != nil || len(manifest) != len(ops) {
		t.Fatalf("manifest: %d entries for %d operations (%v): run make generate", len(manifest), len(ops), err)
	}
	for name, doc := range ops {
		if manifest[contracts.Hash(doc)] != doc {
			t.Fatalf("%s is not in the manifest as it is: run make generate", name)
		}
		if strings.Contains(doc, "\nsubscription ") {
			continue // websocket only; the allow-list is the same code path
		}
		// Variables are missing for most: what matters is that the
		// allow-list lets them through to validation and execution.
		if res := prod.Do(token, doc, nil); reason(res) == "OPERATION_NOT_ALLOWED" || reason(res) == "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("%s refused in production: %s", name, res.Body)
		}
	}
	res := prod.Do(token, ops["Viewer"], nil)
	if res.Code() != "" || !strings.Contains(res.Body, `"viewer"`) {
		t.Fatalf("Viewer as text: %s", res.Body)
	}
	byHash := func(hash string) *apptest.Response {
		body, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}})
		return prod.Post(token, "application/json", body)
	}
	if res := byHash(contracts.Hash(ops["Viewer"])); res.Code() != "" || !strings.Contains(res.Body, `"viewer"`) {
		t.Fatalf("Viewer by hash: %s", res.Body)
	}
	for name, r := range map[string]*apptest.Response{
		"an ad-hoc query":         prod.Do(token, `{ viewer { id } }`, nil),
		"introspection":           prod.Do(token, `{ __schema { types { name } } }`, nil),
		"a changed operation":     prod.Do(token, ops["Viewer"]+" ", nil),
		"an unknown hash":         byHash(strings.Repeat("0", 64)),
		"an anonymous ad-hoc one": prod.Do("", `{ __typename }`, nil),
	} {
		if r.Code() != "FORBIDDEN" || (reason(r) != "OPERATION_NOT_ALLOWED" && reason(r) != "PERSISTED_QUERY_NOT_FOUND") {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
}
