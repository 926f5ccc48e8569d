package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sameside/sameside/models"
)

// connection turns a domain page into a Relay connection and primes the
// loaders with what the page's query already read.
func connection(ctx context.Context) func(*models.ObservationPage, error) (*models.ObservationConnection, error) {
	return func(page *models.ObservationPage, err error) (*models.ObservationConnection, error) {
		if err != nil {
			return nil, err
		}
		load(ctx).PrimeFeed(page)
		load(ctx).PrimeAttachments(page.Attachments)
		c := models.ConnectionOf(page.Items, len(page.Items), func(o *models.Observation) string { return page.Cursors[o.ID] })
		c.PageInfo.HasNextPage = page.HasNext
		return c, nil
	}
}

// feedArgs is a page's arguments, asking for the items' attachments in
// the page's own statement when the operation selects them.
func feedArgs(ctx context.Context, a models.FeedArgs) models.FeedArgs {
	a.WithAttachments = selects(ctx, "edges", "node", "attachments")
	return a
}

// selects reports whether the current field's selection reaches the field
// at path (through fragments too), e.g. edges → node → attachments.
func selects(ctx context.Context, path ...string) bool {
	oc := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for i, name := range path {
		var next ast.SelectionSet
		found := false
		for _, f := range fields {
			if f.Name == name {
				found = true
				next = append(next, f.Selections...)
			}
		}
		if !found {
			return false
		}
		if i < len(path)-1 {
			fields = graphql.CollectFields(oc, next, nil)
		}
	}
	return true
}

// keys maps parents to the keys a loader needs, in order.
func keys[T any](objs []*T, key func(*T) string) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = key(o)
	}
	return out
}
