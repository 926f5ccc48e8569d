package models

// Relay connections: the one page type every paginated list answers with.

// PageInfo says whether more pages follow.
type PageInfo struct {
	HasNextPage bool
	EndCursor   *string
}

// Connection is a Relay connection of T: one page, newest first (built by
// the domain's keyset helper). Each schema connection type is an alias of
// one, so there is one way to build them.
type Connection[T any] struct {
	Edges    []*Edge[T]
	PageInfo *PageInfo
}

// Edge is one item of a connection and the cursor that continues after it.
type Edge[T any] struct {
	Cursor string
	Node   *T
}

// ConnectionOf is the one way to build a connection: the first n of rows
// (rows beyond n mean a next page follows), each with its cursor.
func ConnectionOf[T any](rows []*T, n int, cursor func(*T) string) *Connection[T] {
	c := &Connection[T]{Edges: make([]*Edge[T], 0, min(len(rows), n)), PageInfo: &PageInfo{HasNextPage: len(rows) > n}}
	for i, r := range rows {
		if i == n {
			break
		}
		cur := cursor(r)
		c.Edges = append(c.Edges, &Edge[T]{Cursor: cur, Node: r})
		c.PageInfo.EndCursor = &cur
	}
	return c
}
