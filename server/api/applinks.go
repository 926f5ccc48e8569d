package api

import (
	"html/template"
	"net/http"
	"strings"
)

// AppLinks are the apps that open this server's https links (/app/…) in
// place of a browser: iOS universal links and Android app links. Email and
// SMS carry those links, since a sameside:// deep link opens nothing on a
// phone without the app.
type AppLinks struct {
	// AppleAppIDs are "TEAMID.bundle.id".
	AppleAppIDs []string
	// AndroidPackage and AndroidCertSHA256 are the Android app and its
	// signing certificates' SHA-256 fingerprints.
	AndroidPackage    string
	AndroidCertSHA256 []string
}

// AppLinkPrefix is where a deep link's https form lives:
// sameside://conferences/ID is /app/conferences/ID.
const AppLinkPrefix = "/app/"

func (a AppLinks) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/apple-app-site-association", func(w http.ResponseWriter, r *http.Request) {
		if len(a.AppleAppIDs) == 0 {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"applinks": map[string]any{"details": []any{map[string]any{
			"appIDs":     a.AppleAppIDs,
			"components": []any{map[string]any{"/": AppLinkPrefix + "*", "comment": "sameside:// deep links, as https"}},
		}}}})
	})
	mux.HandleFunc("GET /.well-known/assetlinks.json", func(w http.ResponseWriter, r *http.Request) {
		if a.AndroidPackage == "" || len(a.AndroidCertSHA256) == 0 {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, []any{map[string]any{
			"relation": []string{"delegate_permission/common.handle_all_urls"},
			"target":   map[string]any{"namespace": "android_app", "package_name": a.AndroidPackage, "sha256_cert_fingerprints": a.AndroidCertSHA256},
		}})
	})
	// Opened where the app is not installed (or on a computer): a page
	// that offers the deep link.
	mux.HandleFunc("GET "+AppLinkPrefix+"{path...}", func(w http.ResponseWriter, r *http.Request) {
		p := r.PathValue("path")
		if p == "" || strings.ContainsAny(p, "\\\"'<>") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = appLinkPage.Execute(w, map[string]any{"Deep": template.URL("sameside://" + p)})
	})
}

var appLinkPage = template.Must(template.New("applink").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SameSide</title></head>
<body style="font-family: sans-serif; max-width: 30em; margin: 3em auto">
<h1 style="font-size: 1.3em">Open this in SameSide</h1>
<p><a href="{{.Deep}}">Open in the app</a>. If nothing happens, install SameSide from your phone's app store, sign in, and open the link again.</p>
</body></html>`))
