package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/server/httperr"
)

// Middleware authenticates HTTP requests. No Authorization header: the
// request goes on anonymous (fields marked @auth then answer UNAUTHENTICATED).
// A header that is not a valid bearer token: 401 with a GraphQL error whose
// extensions.code is UNAUTHENTICATED, and the request goes no further.
func (a *Authenticator) Middleware(log *slog.Logger) func(http.Handler) http.Handler {
	return a.middleware(log, false)
}

// GraphQLMiddleware is Middleware for the GraphQL endpoint: a POST from a
// user this instance signed in before goes on with that viewer unconfirmed
// (models.Unconfirmed) instead of signing in again, and the operation
// confirms it, in its own statement or by signing in (graph.Confirming).
func (a *Authenticator) GraphQLMiddleware(log *slog.Logger) func(http.Handler) http.Handler {
	return a.middleware(log, true)
}

func (a *Authenticator) middleware(log *slog.Logger, deferring bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			header := r.Header.Get("Authorization")
			if header == "" {
				next.ServeHTTP(w, r)
				return
			}
			id, err := a.identityForHeader(r.Context(), header)
			if err == nil && deferring && r.Method == http.MethodPost {
				if u := a.unconfirmed(id); u != nil {
					next.ServeHTTP(w, r.WithContext(models.WithUnconfirmed(r.Context(), u)))
					return
				}
			}
			var v *models.Viewer
			if err == nil {
				v, err = a.signIn(r.Context(), id)
			}
			if err != nil {
				code := models.ErrorCode(err)
				if code == models.CodeUnavailable || code == models.CodeInternal && domain.Unavailable(err) {
					code = models.CodeUnavailable
					log.WarnContext(r.Context(), "sign-in: database unavailable", "err", err)
					w.Header().Set("Retry-After", "2")
					httperr.Code(w, http.StatusServiceUnavailable, code, "the service is briefly unavailable; retry in a few seconds")
					return
				}
				if code == models.CodeInternal {
					log.ErrorContext(r.Context(), "sign-in failed", "err", err)
					httperr.Code(w, http.StatusInternalServerError, code, "internal error")
					return
				}
				log.InfoContext(r.Context(), "sign-in refused", "err", err)
				httperr.Code(w, http.StatusUnauthorized, models.CodeUnauthenticated, ErrInvalidToken.Error())
				return
			}
			next.ServeHTTP(w, r.WithContext(WithViewer(r.Context(), v)))
		})
	}
}

// identityForHeader verifies an Authorization header's bearer token.
func (a *Authenticator) identityForHeader(ctx context.Context, header string) (domain.Identity, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 8192 {
		return domain.Identity{}, &models.Error{Code: models.CodeUnauthenticated, Message: "Authorization must be 'Bearer <token>'"}
	}
	return a.identity(ctx, token)
}

// WebsocketInit authenticates a graphql-transport-ws connection from its
// connection_init payload: {"Authorization": "Bearer <token>"} (also accepted:
// "authorization", or "token" with the bare token). A connection without a
// valid token is refused; the client sees the socket closed with 4403.
func (a *Authenticator) WebsocketInit(log *slog.Logger) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		header := p.Authorization()
		if header == "" {
			if t := p.GetString("token"); t != "" {
				header = "Bearer " + t
			}
		}
		// Refusals close the socket with 4403 (graphql-transport-ws's
		// "Forbidden") and a reason that starts with the error code.
		refuse := func(msg string) (context.Context, *transport.InitPayload, error) {
			ctx = transport.WithWebsocketCloseCode(ctx, WebsocketCloseUnauthenticated)
			ctx = transport.AppendCloseReason(ctx, string(models.CodeUnauthenticated)+": "+msg)
			return ctx, nil, &models.Error{Code: models.CodeUnauthenticated, Message: msg}
		}
		if header == "" {
			return refuse("sign-in required: send {\"Authorization\": \"Bearer <token>\"} in connection_init")
		}
		// The socket lives on; the sign-in (a key fetch, a query) is bounded.
		vctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		id, err := a.identityForHeader(vctx, header)
		var v *models.Viewer
		if err == nil {
			v, err = a.signIn(vctx, id)
		}
		expires := id.Expires
		cancel()
		if err != nil {
			log.InfoContext(ctx, "websocket sign-in refused", "err", err)
			return refuse(ErrInvalidToken.Error())
		}
		return context.WithValue(WithViewer(ctx, v), expiryKey{}, expires), nil, nil
	}
}

// WebsocketCloseUnauthenticated is the close code of a refused connection_init.
const WebsocketCloseUnauthenticated = 4403

// WebsocketCloseSignInEnded closes a signed-in socket whose sign-in ended:
// its token expired, or the account's access changed (signed out, removed
// from a school, deleted). The app reconnects with a fresh token; a
// connection_init that is then refused gets 4403.
const WebsocketCloseSignInEnded = 4401
