package graph

import (
	"context"
	"errors"
	"github.com/vikstrous/dataloadgen"
	"log/slog"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/texts"
)

// RequestIDFunc returns the request id in ctx, for logs.
type RequestIDFunc func(context.Context) string

// ErrorPresenter maps every error to the API's codes, once: a *models.Error
// shows its message and code (and the input field at fault); GraphQL parse and
// validation errors become BAD_USER_INPUT; anything else is logged with the
// request id and shown as "internal error" with code INTERNAL. No stack
// traces, no SQL.
func ErrorPresenter(log *slog.Logger, requestID RequestIDFunc) graphql.ErrorPresenterFunc {
	present := presenter(log, requestID)
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		// A sentence for people, in the viewer's language, beside the
		// message for developers.
		if code, ok := e.Extensions["code"].(string); ok && texts.Has("error."+code, "en") {
			locale := "en-US"
			if v := viewer(ctx); v != nil {
				locale = v.Locale
			}
			e.Extensions["localizedMessage"] = texts.Text(locale, "error."+code, nil)
		}
		return e
	}
}

// Canceled is true of an error that ended a request because the request
// itself was canceled (its client went away): its context ended, and the
// error is that cancellation. One the request did not see is not.
func Canceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, context.Canceled)
}

func presenter(log *slog.Logger, requestID RequestIDFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		// The client went away (a phone lost its connection, a socket's
		// operation was stopped): the request's context ended and its
		// resolvers with it. Nothing is wrong on our side, and no one reads
		// the answer.
		if Canceled(ctx, err) {
			log.DebugContext(ctx, "request canceled", "path", gqlErr.Path.String(), "request_id", requestID(ctx))
			return &gqlerror.Error{Message: "the request was canceled", Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(models.CodeUnavailable)}}
		}
		var me *models.Error
		if errors.As(err, &me) {
			if me.Code == models.CodeInternal && domain.Unavailable(me.Err) {
				me = models.Unavailable(me.Err)
			}
			gqlErr.Message = me.Message
			switch me.Code {
			case models.CodeInternal:
				log.ErrorContext(ctx, "internal error", "err", me.Err, "path", gqlErr.Path.String(), "request_id", requestID(ctx))
			case models.CodeUnavailable:
				log.WarnContext(ctx, "database unavailable", "err", me.Err, "path", gqlErr.Path.String(), "request_id", requestID(ctx))
			}
			gqlErr.Extensions = me.Extensions()
			return gqlErr
		}
		// Errors gqlgen raises itself: parse/validation failures carry a code
		// of gqlgen's; argument coercion errors come wrapped without one.
		var parsed *gqlerror.Error
		if errors.As(err, &parsed) {
			if c, ok := parsed.Extensions["code"].(string); ok && c != "" {
				if _, own := parsed.Extensions["reason"]; own && isOurCode(c) {
					return gqlErr // ours, with its reason (limits, persisted operations)
				}
				if c == "GRAPHQL_PARSE_FAILED" || c == "GRAPHQL_VALIDATION_FAILED" || c == "BAD_USER_INPUT" || c == "COMPLEXITY_LIMIT_EXCEEDED" {
					gqlErr.Extensions = map[string]any{"code": string(models.CodeBadUserInput), "reason": c}
					return gqlErr
				}
				if isOurCode(c) {
					return gqlErr
				}
			}
			if strings.HasPrefix(parsed.Message, "json request body could not be decoded") {
				// gqlgen's message quotes the whole body: never shown, never logged.
				return &gqlerror.Error{Message: `the body must be {"query": string, "operationName": string, "variables": object, "extensions": object}`,
					Extensions: map[string]any{"code": string(models.CodeBadUserInput)}}
			}
			if parsed.Err == nil && parsed.Rule != "" {
				gqlErr.Extensions = map[string]any{"code": string(models.CodeBadUserInput), "reason": parsed.Rule}
				return gqlErr
			}
			if parsed.Err == nil && len(parsed.Path) > 0 && parsed.Extensions == nil {
				// Input coercion failures (bad enum value, wrong type) are
				// built by gqlgen with a path and no cause.
				gqlErr.Extensions = map[string]any{"code": string(models.CodeBadUserInput)}
				return gqlErr
			}
		}
		// A loader found the row gone: deleted since the operation began
		// (a family's deletion racing its own message), as loadOne says.
		if errors.Is(err, dataloadgen.ErrNotFound) {
			gqlErr.Message = "what this refers to was deleted meanwhile"
			gqlErr.Extensions = map[string]any{"code": string(models.CodeNotFound)}
			return gqlErr
		}
		// gqlgen refuses __schema/__type with a plain error when
		// introspection is off (production); it has no sentinel to match.
		if strings.HasSuffix(err.Error(), "introspection disabled") {
			gqlErr.Message = "introspection is disabled"
			gqlErr.Extensions = map[string]any{"code": string(models.CodeForbidden)}
			return gqlErr
		}
		if domain.Unavailable(err) {
			log.WarnContext(ctx, "database unavailable", "err", err, "path", gqlErr.Path.String(), "request_id", requestID(ctx))
			return &gqlerror.Error{Message: models.Unavailable(err).Message, Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(models.CodeUnavailable)}}
		}
		log.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String(), "request_id", requestID(ctx))
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(models.CodeInternal)},
		}
	}
}

func isOurCode(c string) bool {
	return slices.Contains(models.Codes, models.Code(c))
}

// GQLError is e as a GraphQL error, for the handler's extensions that
// refuse an operation before it runs (limits, persisted operations): the
// same message and extensions the presenter shows.
func GQLError(e *models.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: e.Message, Extensions: e.Extensions()}
}

// RecoverFunc turns a panic in a resolver into an INTERNAL error, logged.
func RecoverFunc(log *slog.Logger, requestID RequestIDFunc) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", p, "request_id", requestID(ctx))
		return models.Internal(errors.New("panic"))
	}
}
