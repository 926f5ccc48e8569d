package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sameside/sameside/models"
)

// Confirming is the executable schema that gives each operation its viewer
// and loaders. A request's viewer may come unconfirmed (models.Unconfirmed:
// the viewer this instance signed in for the user before, not read again
// for this request); such a viewer never answers anything until it is
// confirmed:
//   - the compiled feed reads its page with the viewer's access stamp, so
//     the page's own statement checks, in its snapshot, that nothing a
//     sign-in reads has changed; rows from it are the viewer's to see, and
//     the request runs one statement instead of two;
//   - anything else, and a feed whose stamp did not confirm it, signs in
//     first (Unconfirmed.Confirm) and runs as every operation does.
type Confirming struct {
	graphql.ExecutableSchema
	// Compiled answers the feed (nil: the feed is not compiled).
	Compiled *Compiled
	// Loaders makes the operation's loaders for v: the function it returns
	// puts them in a context.
	Loaders func(v *models.Viewer) func(context.Context) context.Context
}

// with returns a function that puts v and its loaders (made once) in a
// context.
func (s Confirming) with(v *models.Viewer) func(context.Context) context.Context {
	l := s.Loaders(v)
	return func(ctx context.Context) context.Context { return l(models.WithViewer(ctx, v)) }
}

// Exec runs the operation in ctx for its viewer (confirming it first if
// needed) with the operation's loaders: per operation, not per HTTP
// request, since a websocket carries many operations, each for the viewer
// its connection_init authenticated.
func (s Confirming) Exec(ctx context.Context) graphql.ResponseHandler {
	u := models.UnconfirmedFrom(ctx)
	if v := models.ViewerFrom(ctx); u == nil || v != nil {
		return s.exec(ctx, v)
	}
	var (
		empty *graphql.Response
		stamp *models.AccessStamp
	)
	if s.Compiled != nil && s.Compiled.Handles(ctx) {
		stamp = &models.AccessStamp{UserID: u.Viewer.ID, Version: u.Viewer.AccessVersion}
		sctx := s.with(u.Viewer)(models.WithAccessStamp(ctx, stamp))
		// A feed the writer hands back (an error) is counted when it is
		// run again below.
		if resp, _ := s.Compiled.answer(sctx); resp != nil {
			if stamp.IsConfirmed() {
				s.Compiled.observe(true)
				return graphql.OneShot(resp)
			}
			// No rows: the feed is empty, or the stamp held them back.
			empty = resp
		}
	}
	v, err := u.Confirm(ctx)
	if err != nil {
		graphql.AddError(ctx, err)
		return graphql.OneShot(&graphql.Response{})
	}
	if empty != nil && v.ID == stamp.UserID && v.AccessVersion == stamp.Version {
		// The version only grows: the same now means the same when the
		// page was read, so the stamp held nothing back.
		s.Compiled.observe(true)
		return graphql.OneShot(empty)
	}
	return s.exec(ctx, v)
}

// exec runs the operation for v. gqlgen runs a query's or mutation's
// resolvers in the context the handler is called with, a subscription's
// (and the compiled feed) in Exec's: both get v and its loaders.
func (s Confirming) exec(ctx context.Context, v *models.Viewer) graphql.ResponseHandler {
	with := s.with(v)
	h := s.ExecutableSchema.Exec(with(ctx))
	return func(ctx context.Context) *graphql.Response { return h(with(ctx)) }
}
