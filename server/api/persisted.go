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
// the operations of mobile-contracts (persisted-operations.json), sent as
// text or as an automatic persisted query (extensions.persistedQuery
// .sha256Hash without the text). Anything else is refused with
// FORBIDDEN / OPERATION_NOT_ALLOWED, or PERSISTED_QUERY_NOT_FOUND for an
// unknown hash, before it is parsed.
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
			return refused(models.ReasonPersistedQueryNotFound, "unknown operation hash: this server runs only the app's operations")
		}
		raw.Query = doc
		return nil
	}
	if _, ok := p.docs[contracts.Hash(raw.Query)]; !ok {
		return refused(models.ReasonOperationNotAllowed, "this server runs only the app's operations (mobile-contracts)")
	}
	return nil
}

func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	h, _ := pq["sha256Hash"].(string)
	return h
}

func refused(reason, msg string) *gqlerror.Error {
	return graph.GQLError(&models.Error{Code: models.CodeForbidden, Reason: reason, Message: msg})
}
