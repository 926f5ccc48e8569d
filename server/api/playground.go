package api

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql/playground"
)

// The GraphiQL playground's assets, from npm (graphiql 4.1.2, react and
// react-dom 18.2.0; `make playground-assets` fetches them again), served by
// the binary itself so the playground works offline and loads nothing from
// a CDN. Their licenses are beside them.
//
//go:embed playground/*.js playground/*.css
var playgroundAssets embed.FS

// playgroundPath is where the assets are served.
const playgroundPath = "/playground/"

// PlaygroundDemoQuery is the operation the playground opens with in demo
// mode: it works for every demo user once a token is in the headers pane.
const PlaygroundDemoQuery = `# The demo school. Get a token with
#   go run ./server demo-token parent1
# (or teacher1, admin, teacher3, parent12: the last line it prints), put it
# in the Headers pane below, then run this (the play button, or Ctrl-Enter).
# The README's tour goes on from here.
query Me {
  viewer {
    id
    displayName
    memberships { role school { name timeZone } }
    children { id displayName classrooms { name teachers { id displayName } } }
    classrooms { id name }
  }
}
`

// playgroundHandler is GraphiQL on endpoint with the embedded assets (each
// with its subresource integrity); in demo mode its headers editor holds a
// hint on getting a token and its editor PlaygroundDemoQuery (GraphiQL takes
// it from the URL, so a bare visit is sent to the URL that carries it).
func playgroundHandler(endpoint string, demo bool) http.Handler {
	sri := func(name string) string {
		b, err := playgroundAssets.ReadFile("playground/" + name)
		if err != nil {
			panic(err) // embedded at build time
		}
		sum := sha256.Sum256(b)
		return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	}
	opts := []playground.GraphiqlConfigOption{
		playground.WithGraphiqlVersion(playgroundPath+"graphiql.min.js", playgroundPath+"graphiql.min.css",
			sri("graphiql.min.js"), sri("graphiql.min.css")),
		playground.WithGraphiqlReactVersion(playgroundPath+"react.production.min.js", playgroundPath+"react-dom.production.min.js",
			sri("react.production.min.js"), sri("react-dom.production.min.js")),
	}
	if !demo {
		return playground.Handler("SameSide", endpoint, opts...)
	}
	opts = append(opts,
		playground.WithGraphiqlUiHeaders(map[string]string{
			"Authorization": "Bearer <the last line of: go run ./server demo-token parent1>",
		}),
		playground.WithGraphiqlPersistStateInURL(true))
	page := playground.Handler("SameSide", endpoint, opts...)
	prefilled := "?" + url.Values{"query": {PlaygroundDemoQuery}}.Encode()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			http.Redirect(w, r, r.URL.Path+prefilled, http.StatusFound)
			return
		}
		page.ServeHTTP(w, r)
	})
}

// playgroundFiles serves the embedded assets; they never change for a
// given build.
func playgroundFiles() http.Handler {
	files := http.FileServerFS(playgroundAssets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no listing
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
