package graph

import (
	"context"

	"github.com/sameside/sameside/models"
)

// connection turns a domain page into a Relay connection and primes the
// loaders with what the page's query already read.
func connection(ctx context.Context) func(*models.ObservationPage, error) (*models.ObservationConnection, error) {
	return func(page *models.ObservationPage, err error) (*models.ObservationConnection, error) {
		if err != nil {
			return nil, err
		}
		load(ctx).PrimeFeed(page)
		c := &models.ObservationConnection{Edges: []*models.ObservationEdge{}, PageInfo: &models.PageInfo{HasNextPage: page.HasNext}}
		for _, o := range page.Items {
			cur := page.Cursors[o.ID]
			c.Edges = append(c.Edges, &models.ObservationEdge{Cursor: cur, Node: o})
			c.PageInfo.EndCursor = &cur
		}
		return c, nil
	}
}

func skills(s []string) []models.Skill {
	out := make([]models.Skill, len(s))
	for i, v := range s {
		out[i] = models.Skill(v)
	}
	return out
}

// keys maps parents to the keys a loader needs, in order.
func keys[T any](objs []*T, key func(*T) string) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = key(o)
	}
	return out
}
