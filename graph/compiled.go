package graph

import (
	"bytes"
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sameside/sameside/models"
)

// Compiled is the executable schema with the feed compiled: a query whose
// only root field is feed, selecting only the fields below and using no
// directives, is answered by writing its JSON directly. It calls what
// gqlgen's generated executor calls — the same resolver, the same domain
// page and policy, the same field methods and the same marshalling of
// every value — but without gqlgen's per-field machinery (a field context,
// a middleware chain and a marshaler for every field of every item), which
// was most of the feed's CPU.
//
// Any other operation, an anonymous caller, and any feed whose execution
// meets an error go to gqlgen's executor, which answers exactly as it
// always does (errors included). Of the field middleware, compiled
// operations run only ObservationFieldsMiddleware, around the feed
// resolver; a field interceptor such as tracing must turn them off.
type Compiled struct {
	graphql.ExecutableSchema
	r *Resolver
	// Observe, when set, is told of each feed the compiled writer answered
	// (true) and each it handed back to gqlgen (false).
	Observe func(compiled bool)
	plans   *lru.LRU[*plan]
}

// NewCompiled returns schema (NewSchema(r)) with the feed compiled.
func NewCompiled(r *Resolver, schema graphql.ExecutableSchema) *Compiled {
	return &Compiled{ExecutableSchema: schema, r: r, plans: lru.New[*plan](200)}
}

// Exec answers a compiled operation, or hands it to gqlgen.
func (c *Compiled) Exec(ctx context.Context) graphql.ResponseHandler {
	if resp, handled := c.answer(ctx); handled {
		c.observe(resp != nil)
		if resp != nil {
			return graphql.OneShot(resp)
		}
	}
	return c.ExecutableSchema.Exec(ctx)
}

// Handles reports whether the operation in ctx is one the writer answers
// (for a signed-in viewer).
func (c *Compiled) Handles(ctx context.Context) bool {
	return c.plan(ctx, graphql.GetOperationContext(ctx)) != nil
}

// answer answers the operation in ctx for its viewer. handled is false
// when the operation is not compiled or the caller is anonymous; the
// answer is nil when the writer handed it back (it goes to gqlgen).
func (c *Compiled) answer(ctx context.Context) (resp *graphql.Response, handled bool) {
	oc := graphql.GetOperationContext(ctx)
	p := c.plan(ctx, oc)
	if p == nil || models.ViewerFrom(ctx) == nil { // feed is @auth
		return nil, false
	}
	if data, ok := c.run(ctx, oc, p); ok {
		return &graphql.Response{Data: data}, true
	}
	return nil, true
}

func (c *Compiled) observe(compiled bool) {
	if c.Observe != nil {
		c.Observe(compiled)
	}
}

// plan is a compiled operation: the feed field and what it selects.
type plan struct {
	root *ast.Field
	key  []byte // the root field's `"alias":`
	sels []sel
}

// sel is one selected field of a known type: its response key, what it is
// (a field code of that type) and, for an object, its own selections.
type sel struct {
	key  []byte
	code fieldCode
	sub  []sel
}

type fieldCode uint8

const (
	fTypename fieldCode = iota
	// ObservationConnection
	fEdges
	fPageInfo
	// ObservationEdge
	fCursor
	fNode
	// PageInfo
	fHasNextPage
	fEndCursor
	// Observation
	fID
	fKind
	fBody
	fSkills
	fState
	fEditedAfterSharing
	fSharedAt
	fCreatedAt
	fUpdatedAt
	fGroupID
	fAuthor
	fStudent
	fAcknowledgement
	fResponseCount
	fBodyOriginal
	fAttachments
	// User, Student
	fDisplayName
	// Acknowledgement
	fReaction
	fAcknowledgedAt
	// Original
	fText
	fLanguage
	fTranslated
	// Attachment
	fContentType
	fSize
	fWidth
	fHeight
	fURL
	fThumbnailURL
)

// compiledType is a type the writer knows: its fields, and the type each
// object field leads to.
type compiledType struct {
	name   string
	fields map[string]fieldCode
	next   map[string]*compiledType
}

var (
	tUser            = &compiledType{name: "User", fields: map[string]fieldCode{"id": fID, "displayName": fDisplayName}}
	tStudent         = &compiledType{name: "Student", fields: map[string]fieldCode{"id": fID, "displayName": fDisplayName}}
	tAcknowledgement = &compiledType{name: "Acknowledgement", fields: map[string]fieldCode{"reaction": fReaction, "acknowledgedAt": fAcknowledgedAt}}
	tOriginal        = &compiledType{name: "Original", fields: map[string]fieldCode{"text": fText, "language": fLanguage, "translated": fTranslated}}
	tAttachment      = &compiledType{name: "Attachment", fields: map[string]fieldCode{"id": fID, "contentType": fContentType, "size": fSize,
		"width": fWidth, "height": fHeight, "url": fURL, "thumbnailUrl": fThumbnailURL}}
	tObservation = &compiledType{name: "Observation",
		fields: map[string]fieldCode{"id": fID, "kind": fKind, "body": fBody, "skills": fSkills, "state": fState,
			"editedAfterSharing": fEditedAfterSharing, "sharedAt": fSharedAt, "createdAt": fCreatedAt, "updatedAt": fUpdatedAt,
			"groupId": fGroupID, "author": fAuthor, "student": fStudent, "acknowledgement": fAcknowledgement,
			"responseCount": fResponseCount, "bodyOriginal": fBodyOriginal, "attachments": fAttachments},
		next: map[string]*compiledType{"author": tUser, "student": tStudent, "acknowledgement": tAcknowledgement,
			"bodyOriginal": tOriginal, "attachments": tAttachment}}
	tPageInfo = &compiledType{name: "PageInfo", fields: map[string]fieldCode{"hasNextPage": fHasNextPage, "endCursor": fEndCursor}}
	tEdge     = &compiledType{name: "ObservationEdge", fields: map[string]fieldCode{"cursor": fCursor, "node": fNode},
		next: map[string]*compiledType{"node": tObservation}}
	tConnection = &compiledType{name: "ObservationConnection", fields: map[string]fieldCode{"edges": fEdges, "pageInfo": fPageInfo},
		next: map[string]*compiledType{"edges": tEdge, "pageInfo": tPageInfo}}
)

// plan returns the operation's compiled plan, nil when it has none. Plans
// (and their absence) are kept by operation text and name.
func (c *Compiled) plan(ctx context.Context, oc *graphql.OperationContext) *plan {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil
	}
	key := oc.OperationName + "\x00" + oc.RawQuery
	if p, ok := c.plans.Get(ctx, key); ok {
		return p
	}
	p := compile(oc)
	c.plans.Add(ctx, key, p)
	return p
}

// compile makes the plan of an operation whose only root field is feed and
// whose selections the writer knows, with no directive anywhere (so the
// plan holds for any variables); nil otherwise.
func compile(oc *graphql.OperationContext) *plan {
	if hasDirectives(oc.Operation.SelectionSet, oc.Doc, map[string]bool{}) || len(oc.Operation.Directives) > 0 {
		return nil
	}
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	if len(roots) != 1 || roots[0].Name != "feed" || roots[0].Definition == nil {
		return nil
	}
	for _, d := range roots[0].Definition.Directives {
		if d.Name != "auth" { // @auth: Exec runs it for signed-in viewers only
			return nil
		}
	}
	sels, ok := compileSelections(oc, roots[0].Selections, tConnection)
	if !ok {
		return nil
	}
	return &plan{root: roots[0].Field, key: responseKey(roots[0].Alias), sels: sels}
}

func compileSelections(oc *graphql.OperationContext, set ast.SelectionSet, t *compiledType) ([]sel, bool) {
	fields := graphql.CollectFields(oc, set, []string{t.name})
	out := make([]sel, 0, len(fields))
	for _, f := range fields {
		s := sel{key: responseKey(f.Alias)}
		if f.Name == "__typename" {
			s.code = fTypename
			out = append(out, s)
			continue
		}
		code, known := t.fields[f.Name]
		if !known || f.Definition == nil || len(f.Arguments) > 0 || !onlyDeprecated(f.Definition.Directives) {
			return nil, false
		}
		s.code = code
		if next := t.next[f.Name]; next != nil {
			sub, ok := compileSelections(oc, f.Selections, next)
			if !ok {
				return nil, false
			}
			s.sub = sub
		}
		out = append(out, s)
	}
	return out, true
}

// hasDirectives reports a directive on any selection, fragment spread,
// inline fragment or fragment definition the set reaches.
func hasDirectives(set ast.SelectionSet, doc *ast.QueryDocument, seen map[string]bool) bool {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.Directives) > 0 || hasDirectives(s.SelectionSet, doc, seen) {
				return true
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 || hasDirectives(s.SelectionSet, doc, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if len(s.Directives) > 0 {
				return true
			}
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil && (len(f.Directives) > 0 || hasDirectives(f.SelectionSet, doc, seen)) {
				return true
			}
		}
	}
	return false
}

func onlyDeprecated(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "deprecated" {
			return false
		}
	}
	return true
}

// responseKey is a field's `"key":` as gqlgen writes it.
func responseKey(alias string) []byte {
	var b bytes.Buffer
	graphql.MarshalString(alias).MarshalGQL(&b)
	b.WriteByte(':')
	return b.Bytes()
}

// errCompiled makes the compiled writer hand the operation to gqlgen.
type errCompiled struct{ what string }

func (e errCompiled) Error() string { return "compiled: " + e.what }

// run executes a plan; false hands the operation to gqlgen (an error
// anywhere, a null where the schema says non-null, a panic).
func (c *Compiled) run(ctx context.Context, oc *graphql.OperationContext, p *plan) (data []byte, ok bool) {
	defer func() {
		if recover() != nil {
			data, ok = nil, false
		}
	}()
	args := p.root.ArgumentMap(oc.Variables)
	studentIDs, err1 := idList(args["studentIds"])
	kinds, err2 := kindList(args["kinds"])
	first, err3 := optionalInt(args["first"])
	after, err4 := optionalString(args["after"])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return nil, false
	}
	fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{
		Object: "Query", Field: graphql.CollectedField{Field: p.root, Selections: p.root.SelectionSet},
		Args: args, IsMethod: true, IsResolver: true,
	})
	// Through the field middleware gqlgen runs around it, the one place
	// observations get their viewer's fields.
	res, err := c.r.ObservationFieldsMiddleware(fctx, func(ctx context.Context) (any, error) {
		return c.r.Query().Feed(ctx, studentIDs, kinds, first, after)
	})
	conn, _ := res.(*models.Connection[models.Observation])
	if err != nil || conn == nil {
		return nil, false
	}
	w := &writer{ctx: ctx, r: c.r}
	w.b.Grow(1024 + 1536*len(conn.Edges))
	w.b.WriteString(`{`)
	w.b.Write(p.key)
	w.connection(p.sels, conn)
	w.b.WriteString(`}`)
	if w.err != nil {
		return nil, false
	}
	return w.b.Bytes(), true
}

// writer writes a compiled plan's answer; it keeps the first error, and
// an answer with one is thrown away.
type writer struct {
	ctx context.Context
	r   *Resolver
	b   bytes.Buffer
	err error
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// object writes {"key":value,…} for sels, each value by field.
func (w *writer) object(sels []sel, field func(s *sel)) {
	w.b.WriteByte('{')
	for i := range sels {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.b.Write(sels[i].key)
		field(&sels[i])
	}
	w.b.WriteByte('}')
}

func (w *writer) str(s string)            { graphql.MarshalString(s).MarshalGQL(&w.b) }
func (w *writer) null()                   { w.b.WriteString("null") }
func (w *writer) boolean(v bool)          { w.b.WriteString(strconv.FormatBool(v)) }
func (w *writer) int(v int64)             { w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), v, 10)) }
func (w *writer) gql(m graphql.Marshaler) { m.MarshalGQL(&w.b) }

// time writes a Time! (required) or a Time.
func (w *writer) time(m graphql.Marshaler, required bool) {
	if m == graphql.Null && required {
		w.fail(errCompiled{"null Time!"})
	}
	m.MarshalGQL(&w.b)
}

func (w *writer) connection(sels []sel, c *models.Connection[models.Observation]) {
	w.object(sels, func(s *sel) {
		switch s.code {
		case fTypename:
			w.str("ObservationConnection")
		case fEdges:
			w.b.WriteByte('[')
			for i, e := range c.Edges {
				if i > 0 {
					w.b.WriteByte(',')
				}
				w.edge(s.sub, e)
			}
			w.b.WriteByte(']')
		case fPageInfo:
			if c.PageInfo == nil {
				w.fail(errCompiled{"null pageInfo"})
				return
			}
			w.object(s.sub, func(s *sel) {
				switch s.code {
				case fTypename:
					w.str("PageInfo")
				case fHasNextPage:
					w.boolean(c.PageInfo.HasNextPage)
				case fEndCursor:
					if c.PageInfo.EndCursor == nil {
						w.null()
					} else {
						w.str(*c.PageInfo.EndCursor)
					}
				}
			})
		}
	})
}

func (w *writer) edge(sels []sel, e *models.Edge[models.Observation]) {
	w.object(sels, func(s *sel) {
		switch s.code {
		case fTypename:
			w.str("ObservationEdge")
		case fCursor:
			w.str(e.Cursor)
		case fNode:
			if e.Node == nil {
				w.fail(errCompiled{"null node"})
				return
			}
			w.observation(s.sub, e.Node)
		}
	})
}

func (w *writer) observation(sels []sel, o *models.Observation) {
	w.object(sels, func(s *sel) {
		switch s.code {
		case fTypename:
			w.str("Observation")
		case fID:
			w.gql(graphql.MarshalID(o.ID))
		case fKind:
			w.gql(o.Kind)
		case fBody:
			body, err := o.BodyField()
			w.fail(err)
			w.str(body)
		case fSkills:
			w.b.WriteByte('[')
			for i, sk := range o.SkillList() {
				if i > 0 {
					w.b.WriteByte(',')
				}
				w.gql(sk)
			}
			w.b.WriteByte(']')
		case fState:
			w.gql(o.State)
		case fEditedAfterSharing:
			w.boolean(o.EditedAfterSharing)
		case fSharedAt:
			if o.SharedAt == nil {
				w.null()
			} else {
				w.time(graphql.MarshalTime(*o.SharedAt), false)
			}
		case fCreatedAt:
			w.time(graphql.MarshalTime(o.CreatedAt), true)
		case fUpdatedAt:
			w.time(graphql.MarshalTime(o.UpdatedAt), true)
		case fGroupID:
			w.gql(graphql.MarshalID(o.GroupID))
		case fAuthor:
			u, err := o.AuthorField()
			w.fail(err)
			if u == nil {
				w.fail(errCompiled{"null author"})
				return
			}
			w.user(s.sub, u.ID, u.DisplayName, "User")
		case fStudent:
			st, err := o.StudentField()
			w.fail(err)
			if st == nil {
				w.fail(errCompiled{"null student"})
				return
			}
			w.user(s.sub, st.ID, st.DisplayName(), "Student")
		case fAcknowledgement:
			a, err := o.AcknowledgementField()
			w.fail(err)
			if a == nil {
				w.null()
				return
			}
			w.object(s.sub, func(s *sel) {
				switch s.code {
				case fTypename:
					w.str("Acknowledgement")
				case fReaction:
					if a.Reaction == nil {
						w.null()
					} else {
						w.gql(*a.Reaction)
					}
				case fAcknowledgedAt:
					w.time(graphql.MarshalTime(a.AcknowledgedAt()), true)
				}
			})
		case fResponseCount:
			n, err := o.ResponseCountField()
			w.fail(err)
			w.int(int64(n))
		case fBodyOriginal:
			orig, err := o.BodyOriginalField()
			w.fail(err)
			if orig == nil {
				w.fail(errCompiled{"null bodyOriginal"})
				return
			}
			w.object(s.sub, func(s *sel) {
				switch s.code {
				case fTypename:
					w.str("Original")
				case fText:
					w.str(orig.Text)
				case fLanguage:
					if orig.Language == nil {
						w.null()
					} else {
						w.str(*orig.Language)
					}
				case fTranslated:
					w.boolean(orig.Translated)
				}
			})
		case fAttachments:
			ups, err := w.r.Observation().Attachments(w.ctx, o)
			w.fail(err)
			w.b.WriteByte('[')
			for i, u := range ups {
				if i > 0 {
					w.b.WriteByte(',')
				}
				w.attachment(s.sub, u)
			}
			w.b.WriteByte(']')
		}
	})
}

// user writes a User or a Student (the same known fields).
func (w *writer) user(sels []sel, id, name, typename string) {
	w.object(sels, func(s *sel) {
		switch s.code {
		case fTypename:
			w.str(typename)
		case fID:
			w.gql(graphql.MarshalID(id))
		case fDisplayName:
			w.str(name)
		}
	})
}

func (w *writer) attachment(sels []sel, u *models.Upload) {
	if u == nil {
		w.fail(errCompiled{"null attachment"})
		return
	}
	w.object(sels, func(s *sel) {
		switch s.code {
		case fTypename:
			w.str("Attachment")
		case fID:
			w.gql(graphql.MarshalID(u.ID))
		case fContentType:
			w.str(u.ContentType)
		case fSize:
			w.int(u.Size)
		case fWidth:
			if u.Width == nil {
				w.null()
			} else {
				w.int(int64(*u.Width))
			}
		case fHeight:
			if u.Height == nil {
				w.null()
			} else {
				w.int(int64(*u.Height))
			}
		case fURL:
			url, err := w.r.Attachment().URL(w.ctx, u)
			w.fail(err)
			w.str(url)
		case fThumbnailURL:
			t, err := w.r.Attachment().ThumbnailURL(w.ctx, u)
			w.fail(err)
			if t == nil {
				w.null()
			} else {
				w.str(*t)
			}
		}
	})
}

// The feed's arguments, unmarshalled as gqlgen's generated code does.

func idList(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	items := graphql.CoerceList(v)
	out := make([]string, len(items))
	for i, item := range items {
		s, err := graphql.UnmarshalID(item)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func kindList(v any) ([]models.ObservationKind, error) {
	if v == nil {
		return nil, nil
	}
	items := graphql.CoerceList(v)
	out := make([]models.ObservationKind, len(items))
	for i, item := range items {
		if err := out[i].UnmarshalGQL(item); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func optionalInt(v any) (*int, error) {
	if v == nil {
		return nil, nil
	}
	n, err := graphql.UnmarshalInt(v)
	return &n, err
}

func optionalString(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	s, err := graphql.UnmarshalString(v)
	return &s, err
}
