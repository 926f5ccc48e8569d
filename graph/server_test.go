package graph_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/apptest"
)

// refuseAll stands in for Firebase where there are no credentials.
type refuseAll struct{}

func (refuseAll) Verify(context.Context, string) (domain.Identity, error) {
	return domain.Identity{}, errors.New("no tokens here")
}

// A failure inside shows "internal error" with code INTERNAL: no SQL, no
// driver text, no stack.
func TestInternalErrorsShowNothing(t *testing.T) {
	f := newFixture(t)
	tok := f.token("adminA")
	sqlDB, err := f.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	res := f.Do(tok, qViewer, nil)
	if res.Code() != "INTERNAL" || res.Errors[0].Message != "internal error" {
		t.Fatalf("got %s", res.Body)
	}
	for _, leak := range []string{"sql", "SELECT", "database", "goroutine"} {
		if strings.Contains(res.Body, leak) {
			t.Fatalf("response leaks %q: %s", leak, res.Body)
		}
	}
}

func TestGETQueries(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest(http.MethodGet, f.Server.URL+"/graphql?query="+url.QueryEscape(`{ viewer { id } }`), nil)
	req.Header.Set("Authorization", "Bearer "+f.token("parentA"))
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET: %v %v", res, err)
	}
	res.Body.Close()
}

func TestProductionHidesPlaygroundAndIntrospection(t *testing.T) {
	prod := apptest.New(t, apptest.Options{Production: true, FirebaseProjectID: "demo-sameside", Verifier: refuseAll{}})
	if res, err := http.Get(prod.Server.URL + "/"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("playground in production: %v %v", res.StatusCode, err)
	}
	res := prod.Do("", `{ __schema { types { name } } }`, nil)
	if res.Code() != "PERSISTED_QUERY_NOT_IN_LIST" {
		t.Fatalf("introspection in production: %s", res.Body)
	}
	dev := apptest.New(t, apptest.Options{})
	if res := dev.Do("", `{ __schema { queryType { name } } }`, nil); res.Code() != "" {
		t.Fatalf("introspection in development: %s", res.Body)
	}
	if res, err := http.Get(dev.Server.URL + "/"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("playground in development: %v", err)
	}
}
