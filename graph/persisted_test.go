package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
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
		"an anonymous ad-hoc one": prod.Do("", `{ __typename }`, nil),
	} {
		if r.Code() != "PERSISTED_QUERY_NOT_IN_LIST" || reason(r) != "OPERATION_NOT_ALLOWED" {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	if r := byHash(strings.Repeat("0", 64)); r.Code() != "PERSISTED_QUERY_NOT_FOUND" || !strings.Contains(r.Body, `"message":"PersistedQueryNotFound"`) {
		t.Errorf("an unknown hash: %s", r.Body)
	}
}

// The app teams' Apollo clients: production accepts the ids of Apollo's
// own manifest (its generator's transform, __typename added), by id alone
// and with the text; and an Apollo client's persisted-query flow goes as
// Apollo documents it: an id the server does not know gets
// PersistedQueryNotFound, the client sends the text with the id, and a
// text no supported release sends is PERSISTED_QUERY_NOT_IN_LIST (in
// development the server learns it instead, automatic persisted queries).
func TestApolloPersistedQueries(t *testing.T) {
	prod := apptest.New(t, apptest.Options{Production: true, FirebaseProjectID: "demo-sameside", Verifier: tokenIsUID{},
		Env: map[string]string{"SAMESIDE_RATE_LIMIT": "0"}})
	token := "uid:apollo-parent"
	manifest, err := contracts.CurrentManifest()
	if err != nil {
		t.Fatal(err)
	}
	send := func(env *apptest.Env, id, text string) *apptest.Response {
		t.Helper()
		req := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": id}}}
		if text != "" {
			req["query"] = text
		}
		body, _ := json.Marshal(req)
		return env.PostHeaders(token, map[string]string{"apollographql-client-name": "sameside-android", "apollographql-client-version": "1.0.0"}, body)
	}
	var viewer contracts.ApolloOperation
	for _, op := range manifest.Operations {
		if op.Name == "Viewer" {
			viewer = op
		}
		if strings.HasPrefix(op.Body, "subscription") {
			continue
		}
		if r := send(prod, op.ID, ""); r.Code() == "PERSISTED_QUERY_NOT_FOUND" || r.Code() == "PERSISTED_QUERY_NOT_IN_LIST" {
			t.Errorf("%s by Apollo's id refused: %s", op.Name, r.Body)
		}
	}
	if r := send(prod, viewer.ID, ""); r.Code() != "" || !strings.Contains(r.Body, `"__typename":"Viewer"`) {
		t.Fatalf("Viewer by Apollo's id: %s", r.Body)
	}
	if r := send(prod, viewer.ID, viewer.Body); r.Code() != "" {
		t.Fatalf("Viewer by id and text: %s", r.Body)
	}
	// Apollo's retry, in production: an unknown id, then the same with the text.
	adHoc := "query Mine { viewer { id displayName } }"
	if r := send(prod, contracts.Hash(adHoc), ""); r.Code() != "PERSISTED_QUERY_NOT_FOUND" || !strings.Contains(r.Body, "PersistedQueryNotFound") {
		t.Fatalf("unknown id: %s", r.Body)
	}
	if r := send(prod, contracts.Hash(adHoc), adHoc); r.Code() != "PERSISTED_QUERY_NOT_IN_LIST" {
		t.Fatalf("its text, outside every supported release: %s", r.Body)
	}
	// In development: the same retry registers the operation (APQ).
	dev := apptest.New(t, apptest.Options{Seed: true})
	dtoken := dev.Token("parent")
	sendDev := func(id, text string) *apptest.Response {
		req := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": id}}}
		if text != "" {
			req["query"] = text
		}
		body, _ := json.Marshal(req)
		return dev.PostHeaders(dtoken, nil, body)
	}
	if r := sendDev(contracts.Hash(adHoc), ""); r.Code() != "PERSISTED_QUERY_NOT_FOUND" || !strings.Contains(r.Body, `"message":"PersistedQueryNotFound"`) {
		t.Fatalf("development, unknown id: %s", r.Body)
	}
	if r := sendDev(contracts.Hash(adHoc), adHoc); r.Code() != "" || !strings.Contains(r.Body, `"viewer"`) {
		t.Fatalf("development, the retry with the text: %s", r.Body)
	}
	if r := sendDev(contracts.Hash(adHoc), ""); r.Code() != "" || !strings.Contains(r.Body, `"viewer"`) {
		t.Fatalf("development, the id alone once known: %s", r.Body)
	}
}

// An app below the oldest supported release gets UPGRADE_REQUIRED on
// everything but appConfig, which tells it the versions; a supported one,
// and a request without a version, go through.
func TestUpgradeRequired(t *testing.T) {
	env := apptest.New(t, apptest.Options{Seed: true})
	token := env.Token("parent")
	idx, _, err := contracts.Releases()
	if err != nil {
		t.Fatal(err)
	}
	do := func(version, query string) *apptest.Response {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		h := map[string]string{}
		if version != "" {
			h["apollographql-client-version"] = version
		}
		return env.PostHeaders(token, h, body)
	}
	const q = `{ viewer { id } }`
	const cfg = `{ appConfig { minimumVersion latestVersion upgradeRequired errorCodes } }`
	if r := do("0.9.0", q); r.Code() != "UPGRADE_REQUIRED" || !strings.Contains(r.Body, "localizedMessage") {
		t.Fatalf("0.9.0: %s", r.Body)
	}
	var c struct {
		AppConfig struct {
			MinimumVersion, LatestVersion string
			UpgradeRequired               bool
			ErrorCodes                    []string
		}
	}
	do("0.9.0", cfg).Decode(t, &c)
	if c.AppConfig.MinimumVersion != idx.Minimum || c.AppConfig.LatestVersion != idx.Latest || !c.AppConfig.UpgradeRequired ||
		!slices.Contains(c.AppConfig.ErrorCodes, "UPGRADE_REQUIRED") {
		t.Fatalf("appConfig for 0.9.0: %+v", c.AppConfig)
	}
	for _, v := range []string{idx.Minimum, idx.Latest, "", "not-a-version"} {
		if r := do(v, q); r.Code() != "" {
			t.Errorf("version %q: %s", v, r.Body)
		}
	}
	do(idx.Latest, cfg).Decode(t, &c)
	if c.AppConfig.UpgradeRequired {
		t.Fatalf("appConfig for %s: %+v", idx.Latest, c.AppConfig)
	}
}
