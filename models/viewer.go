package models

import "context"

// Viewer is who is asking: the signed-in user and their memberships, loaded
// once per request by authentication. A nil *Viewer is an anonymous caller.
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

type viewerKey struct{}

// WithViewer returns ctx carrying the viewer (authentication puts it there).
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer in ctx, or nil for an anonymous caller.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// AppConfig is what the app asks before anything else: the app versions
// the server supports.
type AppConfig struct {
	MinimumVersion, LatestVersion string
	UpgradeRequired               bool
}

// ErrorCodes is every code the API answers with, for AppConfig.
func (AppConfig) ErrorCodes() []Code { return Codes }
