package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sameside/sameside/graph"
	contracts "github.com/sameside/sameside/mobile-contracts"
	"github.com/sameside/sameside/models"
)

// persistedOnly is the production server's allow-list: it executes only
// the operations of the supported app releases and the next one (Apollo's
// manifests in mobile-contracts), and the hand-written documents, sent as
// text or by id (extensions.persistedQuery.sha256Hash without the text).
// It speaks Apollo's protocol: an unknown id is PersistedQueryNotFound
// (PERSISTED_QUERY_NOT_FOUND), which makes an Apollo client send the text;
// a text outside the list is PERSISTED_QUERY_NOT_IN_LIST. Both are refused
// before parsing.
type persistedOnly struct {
	docs map[string]string
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = persistedOnly{}

func (persistedOnly) ExtensionName() string                          { return "PersistedOperationsOnly" }
func (persistedOnly) Validate(schema graphql.ExecutableSchema) error { return nil }

func (p persistedOnly) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		hash := persistedHash(raw.Extensions)
		doc, ok := p.docs[hash]
		if !ok {
			return graph.GQLError(&models.Error{Code: models.CodePersistedQueryNotFound, Reason: models.ReasonPersistedQueryNotFound,
				Message: "PersistedQueryNotFound"})
		}
		raw.Query = doc
		return nil
	}
	if _, ok := p.docs[contracts.Hash(raw.Query)]; !ok {
		return graph.GQLError(&models.Error{Code: models.CodePersistedQueryNotInList, Reason: models.ReasonOperationNotAllowed,
			Message: "this server runs only the operations of supported app releases (mobile-contracts)"})
	}
	return nil
}

func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	h, _ := pq["sha256Hash"].(string)
	return h
}

// appVersion refuses every operation but appConfig from an app below the
// oldest supported release, by the version Apollo's clients send
// (apollographql-client-version, or X-App-Version): UPGRADE_REQUIRED. A
// request without a version (a browser, a script) is not refused.
type appVersion struct {
	releases contracts.ReleaseIndex
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = appVersion{}

func (appVersion) ExtensionName() string                          { return "AppVersion" }
func (appVersion) Validate(schema graphql.ExecutableSchema) error { return nil }

func (a appVersion) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	v := contracts.ClientVersion(rc.Headers)
	if v == "" || !a.releases.Below(v) || rc.Operation == nil || onlyAppConfig(rc) {
		return nil
	}
	return graph.GQLError(&models.Error{Code: models.CodeUpgradeRequired,
		Message: "this app version (" + v + ") is below the oldest supported, " + a.releases.Minimum + ": update the app"})
}

// onlyAppConfig reports whether the operation asks for nothing but
// appConfig (and __typename).
func onlyAppConfig(rc *graphql.OperationContext) bool {
	for _, f := range graphql.CollectFields(rc, rc.Operation.SelectionSet, nil) {
		if f.Name != "appConfig" && f.Name != "__typename" {
			return false
		}
	}
	return true
}
