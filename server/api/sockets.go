package api

import (
	"context"
	"errors"
	"sync"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/sameside/sameside/models"
)

// WebsocketCloseTooMany closes a socket over the user's limit (4429 after
// HTTP's 429; graphql-transport-ws leaves 4400–4499 to applications).
const WebsocketCloseTooMany = 4429

// socketLimiter counts each user's open websockets on this instance and
// refuses connection_init beyond max. A phone needs one socket; a family
// with a few devices and a web client stays far below the default of 10,
// while a runaway reconnect loop cannot pin thousands of goroutines.
type socketLimiter struct {
	max int
	// shared, when set, counts the user's sockets on every instance.
	shared *SharedLimits
	// onChange sees the instance's open sockets after each change.
	onChange func(open int)

	mu    sync.Mutex
	open  map[string]int
	total int
}

type socketSlotKey struct{}

// socketSlot is what a socket that got a slot holds.
type socketSlot struct {
	userID   string
	sharedID string // its live_sockets row, with shared limits
}

func newSocketLimiter(max int, onChange func(int), shared *SharedLimits) *socketLimiter {
	if onChange == nil {
		onChange = func(int) {}
	}
	return &socketLimiter{max: max, onChange: onChange, open: map[string]int{}, shared: shared}
}

// init wraps a websocket InitFunc: after sign-in, it takes one of the
// user's slots or refuses with 4429 "RATE_LIMITED: …".
func (l *socketLimiter) init(next transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		ctx, ack, err := next(ctx, p)
		if err != nil {
			return ctx, ack, err
		}
		v := models.ViewerFrom(ctx)
		if v == nil {
			return ctx, ack, nil
		}
		tooMany := func() (context.Context, *transport.InitPayload, error) {
			msg := "too many open connections for this account; close one and retry"
			ctx = transport.WithWebsocketCloseCode(ctx, WebsocketCloseTooMany)
			ctx = transport.AppendCloseReason(ctx, string(models.CodeRateLimited)+": "+msg)
			return ctx, nil, &models.Error{Code: models.CodeRateLimited, Message: msg}
		}
		slot := socketSlot{userID: v.ID}
		l.mu.Lock()
		if l.open[v.ID] >= l.max {
			l.mu.Unlock()
			return tooMany()
		}
		l.open[v.ID]++
		l.total++
		total := l.total
		l.mu.Unlock()
		if l.shared != nil {
			id, err := l.shared.openSocket(ctx, v.ID, l.max)
			if err != nil {
				l.release(v.ID)
				if errors.Is(err, errTooManySockets) {
					return tooMany()
				}
				msg := "could not open the connection; retry in a few seconds"
				ctx = transport.WithWebsocketCloseCode(ctx, WebsocketCloseUnavailable)
				ctx = transport.AppendCloseReason(ctx, string(models.CodeUnavailable)+": "+msg)
				return ctx, nil, &models.Error{Code: models.CodeUnavailable, Message: msg, Err: err}
			}
			slot.sharedID = id
		}
		l.onChange(total)
		return context.WithValue(ctx, socketSlotKey{}, slot), ack, nil
	}
}

// WebsocketCloseUnavailable closes a socket that could not be opened for a
// passing reason (the database); the app retries.
const WebsocketCloseUnavailable = 4503

func (l *socketLimiter) release(userID string) {
	l.mu.Lock()
	if l.open[userID]--; l.open[userID] <= 0 {
		delete(l.open, userID)
	}
	l.total--
	total := l.total
	l.mu.Unlock()
	l.onChange(total)
}

// close gives back the slot of a socket that got one (gqlgen calls it with
// the context init returned, once the socket ends for whatever reason).
func (l *socketLimiter) close(ctx context.Context, _ int) {
	slot, ok := ctx.Value(socketSlotKey{}).(socketSlot)
	if !ok {
		return
	}
	if slot.sharedID != "" {
		l.shared.closeSocket(slot.sharedID)
	}
	l.release(slot.userID)
}
