package api

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"net/http"
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

// playgroundHandler is GraphiQL on endpoint with the embedded assets (each
// with its subresource integrity); in demo mode its headers editor holds a
// hint on getting a token.
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
	if demo {
		opts = append(opts, playground.WithGraphiqlUiHeaders(map[string]string{
			"Authorization": "Bearer <the last line of: go run ./server demo-token parent (or teacher, admin, teacher3, parent12)>",
		}))
	}
	return playground.Handler("SameSide", endpoint, opts...)
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
