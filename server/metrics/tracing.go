package metrics

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Tracing is the gqlgen extension that opens OpenTelemetry spans: one per
// operation ("graphql.query Feed") and one per resolver that does work
// (fields backed by a resolver function, not plain struct fields). It uses
// the tracer provider given, or the global one, which is a no-op until the
// deployment installs an SDK with an exporter; a span that is not recorded
// costs next to nothing.
//
// Unlike the ready-made gqlgen tracers, it never records the query's
// variables or argument values: they carry children's notes, messages and
// names, which must not leave for a tracing backend. Spans carry operation
// names, field paths and error codes only.
func Tracing(tp trace.TracerProvider) graphql.HandlerExtension {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tracer{t: tp.Tracer("github.com/sameside/sameside/server/metrics")}
}

type tracer struct{ t trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.FieldInterceptor
} = tracer{}

func (tracer) ExtensionName() string                          { return "Tracing" }
func (tracer) Validate(schema graphql.ExecutableSchema) error { return nil }

func (t tracer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	name, typ := operationOf(graphql.GetOperationContext(ctx))
	if name == "" {
		name = "anonymous"
	}
	ctx, span := t.t.Start(ctx, "graphql."+typ+" "+name, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("graphql.operation.type", typ), attribute.String("graphql.operation.name", name)))
	defer span.End()
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		codesSeen := make([]string, 0, len(resp.Errors))
		for _, err := range resp.Errors {
			code, _ := err.Extensions["code"].(string)
			codesSeen = append(codesSeen, code)
		}
		span.SetAttributes(attribute.StringSlice("graphql.error.codes", codesSeen))
		span.SetStatus(codes.Error, codesSeen[0])
	}
	return resp
}

func (t tracer) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || !trace.SpanFromContext(ctx).IsRecording() {
		return next(ctx)
	}
	ctx, span := t.t.Start(ctx, fc.Object+"."+fc.Field.Name,
		trace.WithAttributes(attribute.String("graphql.field.path", fc.Path().String())))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "resolver error")
	}
	return res, err
}
