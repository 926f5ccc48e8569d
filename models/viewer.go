package models

import (
	"context"
	"errors"
)

// Viewer is who is asking: the signed-in user and their memberships, read
// for every request by authentication (or confirmed by the request's own
// statement: Unconfirmed). A nil *Viewer is an anonymous caller.
type Viewer struct {
	User
	Memberships []Membership
}

// SchoolsWithRole returns the ids of the schools where the viewer has role r.
// The result is never nil, so it can go straight into an SQL IN list.
func (v *Viewer) SchoolsWithRole(r Role) []string {
	ids := []string{}
	if v == nil {
		return ids
	}
	for _, m := range v.Memberships {
		if m.Role == r {
			ids = append(ids, m.SchoolID)
		}
	}
	return ids
}

// HasRole reports whether the viewer has role r in the school.
func (v *Viewer) HasRole(schoolID string, r Role) bool {
	if v == nil {
		return false
	}
	for _, m := range v.Memberships {
		if m.SchoolID == schoolID && m.Role == r {
			return true
		}
	}
	return false
}

// IsMember reports whether the viewer belongs to the school in any role.
func (v *Viewer) IsMember(schoolID string) bool {
	if v == nil {
		return false
	}
	for _, m := range v.Memberships {
		if m.SchoolID == schoolID {
			return true
		}
	}
	return false
}

// SchoolIDs lists the schools the viewer belongs to, in any role.
func (v *Viewer) SchoolIDs() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range v.Memberships {
		if !seen[m.SchoolID] {
			seen[m.SchoolID] = true
			out = append(out, m.SchoolID)
		}
	}
	return out
}

// ctxKey is the context key of a value of type T: one per type.
type ctxKey[T any] struct{}

func withValue[T any](ctx context.Context, v T) context.Context {
	return context.WithValue(ctx, ctxKey[T]{}, v)
}

func valueFrom[T any](ctx context.Context) T {
	v, _ := ctx.Value(ctxKey[T]{}).(T)
	return v
}

// WithViewer returns ctx carrying the viewer (authentication puts it there).
func WithViewer(ctx context.Context, v *Viewer) context.Context { return withValue(ctx, v) }

// ViewerFrom returns the viewer in ctx, or nil for an anonymous caller.
func ViewerFrom(ctx context.Context) *Viewer { return valueFrom[*Viewer](ctx) }

// AppConfig is what the app asks before anything else: the app versions
// the server supports.
type AppConfig struct {
	MinimumVersion, LatestVersion string
	UpgradeRequired               bool
}

// ErrorCodes is every code the API answers with, for AppConfig.
func (AppConfig) ErrorCodes() []Code { return Codes }

// Unconfirmed is the viewer an instance signed in for this user before,
// not read again for this request: a request may use it only through a
// statement that checks its AccessStamp (which confirms it in that
// statement's own snapshot), or after Confirm. ViewerFrom never returns it.
type Unconfirmed struct {
	// Viewer is the request's own copy.
	Viewer *Viewer
	// Confirm signs in again (the statement every request used to run) and
	// returns the viewer as it is now.
	Confirm func(ctx context.Context) (*Viewer, error)
}

// WithUnconfirmed returns ctx carrying an unconfirmed viewer.
func WithUnconfirmed(ctx context.Context, u *Unconfirmed) context.Context { return withValue(ctx, u) }

// UnconfirmedFrom returns the unconfirmed viewer in ctx, if any.
func UnconfirmedFrom(ctx context.Context) *Unconfirmed { return valueFrom[*Unconfirmed](ctx) }

// SignedInUserID is the id of the user whose verified token ctx carries,
// confirmed or not: for keys such as rate limits, never for access.
func SignedInUserID(ctx context.Context) string {
	if v := ViewerFrom(ctx); v != nil {
		return v.ID
	}
	if u := UnconfirmedFrom(ctx); u != nil {
		return u.Viewer.ID
	}
	return ""
}

// AccessStamp asks the statement that reads with it to check, in its own
// snapshot, that the user's access version is still Version, and to
// return nothing if not. A statement that did return rows calls Confirmed.
type AccessStamp struct {
	UserID    string
	Version   int64
	confirmed bool
}

// Confirmed records that a statement checked the stamp and returned rows.
func (s *AccessStamp) Confirmed() { s.confirmed = true }

// IsConfirmed reports whether a statement confirmed the stamp.
func (s *AccessStamp) IsConfirmed() bool { return s.confirmed }

// WithAccessStamp returns ctx carrying an access stamp.
func WithAccessStamp(ctx context.Context, s *AccessStamp) context.Context { return withValue(ctx, s) }

// AccessStampFrom returns the access stamp in ctx for the viewer v that is
// still to be checked, or nil (none, another user's, or confirmed).
func AccessStampFrom(ctx context.Context, v *Viewer) *AccessStamp {
	s := valueFrom[*AccessStamp](ctx)
	if s == nil || v == nil || s.UserID != v.ID || s.confirmed {
		return nil
	}
	return s
}

// ErrUnconfirmed: an operation given an unconfirmed viewer with its access
// stamp could not confirm it (the stamp no longer holds, or the operation
// needs a confirmed viewer for what it asks) and did nothing; the caller
// confirms the viewer (Unconfirmed.Confirm) and runs it again.
var ErrUnconfirmed = errors.New("models: the viewer is to be confirmed first")

// Copy returns a copy of v that shares nothing a request may change.
func (v *Viewer) Copy() *Viewer {
	c := *v
	c.Memberships = make([]Membership, len(v.Memberships))
	copy(c.Memberships, v.Memberships)
	return &c
}
