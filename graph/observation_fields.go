package graph

import (
	"context"
	"errors"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sameside/sameside/models"
)

// observationFields is models.ObservationFields for one list of
// observations the API returns: each field is read for the whole list the
// first time one of its observations asks (from the request's loaders,
// which a feed page has already filled), and only the fields the
// operation selects are read at all.
type observationFields struct {
	ctx   context.Context
	r     *Resolver
	items []*models.Observation
	at    map[*models.Observation]int

	authors    lazy[[]*models.User]
	students   lazy[[]*models.Student]
	acks       lazy[[]*models.Acknowledgement]
	counts     lazy[[]int]
	translated lazy[translatedBodies]
}

// translatedBodies are the list's bodies in the viewer's language and
// their originals.
type translatedBodies struct {
	bodies    []string
	originals []*models.Original
}

// lazy is a value computed once, on first use.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(f func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = f() })
	return l.v, l.err
}

// attachObservationFields gives the observations of one list their
// viewer's fields; an observation that has them keeps them.
func (r *Resolver) attachObservationFields(ctx context.Context, obs []*models.Observation) {
	var items []*models.Observation
	for _, o := range obs {
		if o != nil && o.Fields == nil {
			items = append(items, o)
		}
	}
	if len(items) == 0 {
		return
	}
	f := &observationFields{ctx: ctx, r: r, items: items, at: make(map[*models.Observation]int, len(items))}
	for i, o := range items {
		f.at[o] = i
		o.Fields = f
	}
}

// ObservationFieldsMiddleware (a gqlgen field middleware) attaches the fields to every observation a
// field of the API returns: alone, in a list, in a connection, in a
// student's timeline. It is the one place they are attached, so that no
// resolver can forget to.
func (r *Resolver) ObservationFieldsMiddleware(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	switch v := res.(type) {
	case *models.Observation:
		r.attachObservationFields(ctx, []*models.Observation{v})
	case []*models.Observation:
		r.attachObservationFields(ctx, v)
	case *models.Connection[models.Observation]:
		obs := make([]*models.Observation, 0, len(v.Edges))
		for _, e := range v.Edges {
			obs = append(obs, e.Node)
		}
		r.attachObservationFields(ctx, obs)
	case *models.Connection[models.TimelineEntry]:
		var obs []*models.Observation
		for _, e := range v.Edges {
			if e.Node != nil && e.Node.Observation != nil {
				obs = append(obs, e.Node.Observation)
			}
		}
		r.attachObservationFields(ctx, obs)
	}
	return res, nil
}

func (f *observationFields) keys(of func(*models.Observation) string) []string {
	k := make([]string, len(f.items))
	for i, o := range f.items {
		k[i] = of(o)
	}
	return k
}

func (f *observationFields) Author(o *models.Observation) (*models.User, error) {
	all, err := f.authors.get(func() ([]*models.User, error) {
		return load(f.ctx).User.LoadAll(f.ctx, f.keys(func(o *models.Observation) string { return o.AuthorID }))
	})
	return at(all, f.index(o), err)
}

func (f *observationFields) Student(o *models.Observation) (*models.Student, error) {
	all, err := f.students.get(func() ([]*models.Student, error) {
		// The observations were checked against the viewer, so their
		// students load unscoped (a teacher who wrote about a student since
		// moved on still sees the name).
		return load(f.ctx).StudentOfVisible.LoadAll(f.ctx, f.keys(func(o *models.Observation) string { return o.StudentID }))
	})
	return at(all, f.index(o), err)
}

func (f *observationFields) Acknowledgement(o *models.Observation) (*models.Acknowledgement, error) {
	all, err := f.acks.get(func() ([]*models.Acknowledgement, error) {
		return load(f.ctx).Acknowledgement.LoadAll(f.ctx, f.keys(func(o *models.Observation) string { return o.ID }))
	})
	return at(all, f.index(o), err)
}

func (f *observationFields) ResponseCount(o *models.Observation) (int, error) {
	all, err := f.counts.get(func() ([]int, error) {
		return load(f.ctx).ResponseCount.LoadAll(f.ctx, f.keys(func(o *models.Observation) string { return o.ID }))
	})
	return at(all, f.index(o), err)
}

// translate reads the list's bodies in the viewer's language, once for
// both body and bodyOriginal.
func (f *observationFields) translate() (translatedBodies, error) {
	return f.translated.get(func() (translatedBodies, error) {
		texts := f.keys(func(o *models.Observation) string { return o.Body })
		authors := f.keys(func(o *models.Observation) string { return o.AuthorID })
		out, orig, err := f.r.inViewerLanguage(f.ctx, texts, authors)
		return translatedBodies{out, orig}, err
	})
}

func (f *observationFields) Body(o *models.Observation) (string, error) {
	t, err := f.translate()
	return at(t.bodies, f.index(o), err)
}

func (f *observationFields) BodyOriginal(o *models.Observation) (*models.Original, error) {
	t, err := f.translate()
	return at(t.originals, f.index(o), err)
}

// index is o's place in the list (-1: not of this list).
func (f *observationFields) index(o *models.Observation) int {
	if i, ok := f.at[o]; ok {
		return i
	}
	return -1
}

// at is all[i], or the zero value with err.
func at[T any](all []T, i int, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if i < 0 || i >= len(all) {
		return zero, models.Internal(errors.New("observation fields: not of this list"))
	}
	return all[i], nil
}
