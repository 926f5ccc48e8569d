package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/sameside/sameside/graph"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/server/auth"
)

// A socket outlives no sign-in: socketGuard closes a signed-in websocket
// with auth.WebsocketCloseSignInEnded (4401) when its token expires, and
// when the account's access changes under it (models.EventAccessChanged,
// from any instance). The app reconnects with a fresh token; if the account
// is gone, that connection_init is refused with 4403.
type socketGuard struct {
	events graph.Subscriber
}

// connSlot holds a websocket's connection, so that code running for the
// socket (the guard) can close it with a code of ours.
type connSlot struct {
	mu   sync.Mutex
	conn transport.WebsocketConn
}

type connSlotKey struct{}

func (s *connSlot) close(code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		_ = s.conn.WriteClose(code, reason)
	}
}

// withConnSlot gives a websocket upgrade request a slot for its connection.
func withConnSlot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocketUpgrade(r) {
			r = r.WithContext(context.WithValue(r.Context(), connSlotKey{}, &connSlot{}))
		}
		next.ServeHTTP(w, r)
	})
}

// slotted fills the request's connSlot with the connection it accepts.
type slotted struct {
	transport.WebsocketImplementation
}

func (s slotted) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := s.WebsocketImplementation.Accept(w, r, o)
	if slot, ok := r.Context().Value(connSlotKey{}).(*connSlot); ok && err == nil {
		slot.mu.Lock()
		slot.conn = conn
		slot.mu.Unlock()
	}
	return conn, err
}

// init wraps a websocket InitFunc: once the socket is signed in, it watches
// for the end of the sign-in until the socket closes.
func (g socketGuard) init(next transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		ctx, ack, err := next(ctx, p)
		if err != nil {
			return ctx, ack, err
		}
		v := models.ViewerFrom(ctx)
		slot, _ := ctx.Value(connSlotKey{}).(*connSlot)
		if v == nil || slot == nil {
			return ctx, ack, nil
		}
		var changed <-chan models.Event
		if g.events != nil {
			changed = g.events.Subscribe(ctx, models.AccessTopic(v.ID))
		}
		go watchSignIn(ctx, slot, auth.TokenExpiry(ctx), changed)
		return ctx, ack, nil
	}
}

func watchSignIn(ctx context.Context, slot *connSlot, expires time.Time, changed <-chan models.Event) {
	var expired <-chan time.Time
	if !expires.IsZero() {
		t := time.NewTimer(time.Until(expires))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-ctx.Done():
	case <-expired:
		slot.close(auth.WebsocketCloseSignInEnded, string(models.CodeUnauthenticated)+": the sign-in expired; reconnect with a fresh token")
	case _, ok := <-changed:
		if ok {
			slot.close(auth.WebsocketCloseSignInEnded, string(models.CodeUnauthenticated)+": this account's access changed; sign in again")
		}
	}
}
