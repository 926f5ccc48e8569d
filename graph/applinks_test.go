package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sameside/sameside/server/apptest"
)

// The https form of deep links, which email and SMS need: the server
// serves apple-app-site-association and assetlinks.json from its
// configuration (404 without one), and /app/… offers the deep link where
// the app is not installed.
func TestAppLinks(t *testing.T) {
	env := apptest.New(t, apptest.Options{Env: map[string]string{
		"SAMESIDE_APPLE_APP_IDS":       "ABCDE12345.org.sameside.app",
		"SAMESIDE_ANDROID_PACKAGE":     "org.sameside.app",
		"SAMESIDE_ANDROID_CERT_SHA256": "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5",
	}})
	res, body := env.Raw(http.MethodGet, "/.well-known/apple-app-site-association", "", "", nil)
	var aasa struct {
		Applinks struct {
			Details []struct {
				AppIDs     []string
				Components []map[string]string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &aasa); err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		len(aasa.Applinks.Details) != 1 || aasa.Applinks.Details[0].AppIDs[0] != "ABCDE12345.org.sameside.app" || aasa.Applinks.Details[0].Components[0]["/"] != "/app/*" {
		t.Fatalf("apple-app-site-association (%d): %s", res.StatusCode, body)
	}
	res, body = env.Raw(http.MethodGet, "/.well-known/assetlinks.json", "", "", nil)
	var links []struct {
		Relation []string
		Target   struct {
			Namespace              string
			PackageName            string   `json:"package_name"`
			SHA256CertFingerprints []string `json:"sha256_cert_fingerprints"`
		}
	}
	if err := json.Unmarshal([]byte(body), &links); err != nil || res.StatusCode != 200 || len(links) != 1 ||
		links[0].Target.PackageName != "org.sameside.app" || len(links[0].Target.SHA256CertFingerprints) != 1 ||
		links[0].Relation[0] != "delegate_permission/common.handle_all_urls" {
		t.Fatalf("assetlinks.json (%d): %s", res.StatusCode, body)
	}
	res, body = env.Raw(http.MethodGet, "/app/conferences/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "", "", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `href="sameside://conferences/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"`) {
		t.Fatalf("/app/ page (%d): %s", res.StatusCode, body)
	}
	if res, _ := env.Raw(http.MethodGet, "/app/x%22onload%3D", "", "", nil); res.StatusCode != 404 {
		t.Fatalf("a quote in the path: %d", res.StatusCode)
	}
	bare := apptest.New(t, apptest.Options{})
	for _, p := range []string{"/.well-known/apple-app-site-association", "/.well-known/assetlinks.json"} {
		if res, _ := bare.Raw(http.MethodGet, p, "", "", nil); res.StatusCode != 404 {
			t.Errorf("%s without configuration: %d", p, res.StatusCode)
		}
	}
}
