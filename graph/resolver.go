// Package graph is SameSide's GraphQL API: the schema in schema/*.graphqls,
// thin resolvers (one file per schema file) that read the viewer, call the
// domain and map errors, the @auth directive, the error presenter and the
// dataloaders. Generated execution code lives in graph/generated.
//
// Resolvers must not hold SQL or authorization rules: reads go through the
// domain or the loaders (both apply package policy).
package graph

//go:generate sh -c "cd .. && go tool gqlgen generate"

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vikstrous/dataloadgen"

	"github.com/sameside/sameside/graph/generated"
	"github.com/sameside/sameside/graph/loaders"
	"github.com/sameside/sameside/models"
	"github.com/sameside/sameside/models/domain"
	"github.com/sameside/sameside/models/policy"
)

// Resolver holds what resolvers need.
type Resolver struct {
	Domain *domain.Service
	// Events delivers live events to subscriptions (server/realtime).
	Events Subscriber
	// Translating says translations are made: without it, what people
	// wrote is read as written and no translation is looked up.
	Translating bool
	// translations caches stored translations (NewSchema makes it).
	translations *lru.Cache[string, *models.Translation]
}

// Subscriber hands out the live events of a topic until ctx ends.
type Subscriber interface {
	Subscribe(ctx context.Context, topic string) <-chan models.Event
}

// NewSchema returns the executable schema with its directives.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	if r.translations == nil {
		r.translations = newTranslationCache()
	}
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  r,
		Directives: generated.DirectiveRoot{Auth: authDirective},
	})
}

// authDirective guards fields marked @auth: anonymous callers get UNAUTHENTICATED.
func authDirective(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if models.ViewerFrom(ctx) == nil {
		return nil, models.Errorf(models.CodeUnauthenticated, "sign in required")
	}
	return next(ctx)
}

func viewer(ctx context.Context) *models.Viewer { return models.ViewerFrom(ctx) }

func load(ctx context.Context) *loaders.Loaders { return loaders.From(ctx) }

// nonNil returns the list, never nil, so GraphQL gets [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// announcementReach is an announcement's audience and read counts, for
// staff of its school only (nil for others).
func (r *Resolver) announcementReach(ctx context.Context, a *models.Announcement) (*[2]int, error) {
	v := viewer(ctx)
	if !policy.IsStaff(v, a.SchoolID) {
		return nil, nil
	}
	reach, err := load(ctx).AnnouncementReach.Load(ctx, a.ID)
	return &reach, err
}

// optional turns a loader's "not found" into null, for fields whose record
// may be gone or out of the viewer's sight.
func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return v, err
}
