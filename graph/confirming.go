package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

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
//   - a mutation that only sends a message (sendMessage, what a teacher
//     or parent does most) runs with the unconfirmed viewer and its
//     stamp: the message's own statement checks the stamp and writes
//     nothing when it no longer holds, and the resolver then signs in and
//     sends again (confirm). It is the one resolver that runs before
//     anything is answered;
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
		return s.exec(ctx, v, nil)
	}
	if sendsMessage(graphql.GetOperationContext(ctx)) {
		return s.exec(ctx, u.Viewer, &models.AccessStamp{UserID: u.Viewer.ID, Version: u.Viewer.AccessVersion})
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
	return s.exec(ctx, v, nil)
}

// exec runs the operation for v (with its access stamp, if v is
// unconfirmed). gqlgen runs a query's or mutation's resolvers in the
// context the handler is called with, a subscription's (and the compiled
// feed) in Exec's: both get v and its loaders.
func (s Confirming) exec(ctx context.Context, v *models.Viewer, stamp *models.AccessStamp) graphql.ResponseHandler {
	with := s.with(v)
	if stamp != nil {
		viewing := with
		with = func(ctx context.Context) context.Context { return models.WithAccessStamp(viewing(ctx), stamp) }
	}
	h := s.ExecutableSchema.Exec(with(ctx))
	return func(ctx context.Context) *graphql.Response { return h(with(ctx)) }
}

// sendsMessage reports whether the operation is a mutation whose one root
// field (after @skip and @include) is sendMessage.
func sendsMessage(oc *graphql.OperationContext) bool {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return false
	}
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"})
	return len(roots) == 1 && roots[0].Name == "sendMessage"
}

// confirm signs in the request's unconfirmed viewer v, whose access stamp
// a resolver's statement did not confirm, and makes v the viewer as it is
// now, in place (the operation's context and loaders hold v): what runs
// after it runs as for any signed-in viewer, and the stamp is spent.
func confirm(ctx context.Context, v *models.Viewer, stamp *models.AccessStamp) error {
	u := models.UnconfirmedFrom(ctx)
	if u == nil {
		return models.Internal(errors.New("graph: an access stamp without an unconfirmed viewer"))
	}
	now, err := u.Confirm(ctx)
	if err != nil {
		return err
	}
	*v = *now
	stamp.Confirmed()
	return nil
}
