package database

import (
	"context"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lib/pq"

	"github.com/sameside/sameside/models"
)

// nativeArrays has pgx encode the arrays River's database/sql driver
// passes (wrapped for lib/pq by pq.Array) as the slices they wrap. As
// driver.Valuers they would be written out in PostgreSQL's text form, which
// pgx then parses back into values to encode them again: a job insert
// (13 array parameters) spent most of its client time there, and River's
// inserts were 42% of sendMessage's CPU in the server (make bench-live,
// pprof). Encoded natively the values are the same, but for a nil element
// of a pq.ByteaArray: NULL, where lib/pq sends an empty bytea (River's
// one such array, unique keys, reads either as NULL). The domain's own
// models.Array (a driver.Valuer for the same reason) goes the same way.
func nativeArrays(_ context.Context, c *pgx.Conn) error {
	m := c.TypeMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{unwrapArray}, m.TryWrapEncodePlanFuncs...)
	return nil
}

// unwrapArray is a pgtype.TryWrapEncodePlanFunc for lib/pq's array
// types and the domain's models.Array (a driver.Valuer in text form too,
// for GORM, which spreads a plain slice into a list): the plan it returns
// hands the wrapped slice to the next plan.
func unwrapArray(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	if un := wrappedSlice(value); un != nil {
		s := un(value)
		return &unwrappedArray{inner: reflect.TypeOf(s)}, s, true
	}
	return nil, nil, false
}

// wrappedSlice returns what takes the slice out of a value of value's
// type, or nil when it is not one of lib/pq's arrays or models.Array.
func wrappedSlice(value any) func(any) any {
	switch value.(type) {
	case *pq.StringArray:
		return func(v any) any { return []string(*v.(*pq.StringArray)) }
	case *pq.Int64Array:
		return func(v any) any { return []int64(*v.(*pq.Int64Array)) }
	case *pq.Int32Array:
		return func(v any) any { return []int32(*v.(*pq.Int32Array)) }
	case *pq.BoolArray:
		return func(v any) any { return []bool(*v.(*pq.BoolArray)) }
	case *pq.Float64Array:
		return func(v any) any { return []float64(*v.(*pq.Float64Array)) }
	case *pq.ByteaArray:
		return func(v any) any { return [][]byte(*v.(*pq.ByteaArray)) }
	case pq.GenericArray:
		return func(v any) any { return v.(pq.GenericArray).A }
	case models.Array[string]:
		return func(v any) any { return textsOrUUIDs(v.(models.Array[string])) }
	case models.Array[int64]:
		return func(v any) any { return []int64(v.(models.Array[int64])) }
	}
	return nil
}

// unwrappedArray encodes a lib/pq array or a models.Array as its slice. pgx keeps one plan
// per parameter type and Go type, and a pq.GenericArray may wrap slices of
// any type: inner is the one the next plan was made for, and another is
// refused rather than handed to it.
type unwrappedArray struct {
	next  pgtype.EncodePlan
	inner reflect.Type
}

func (p *unwrappedArray) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *unwrappedArray) Encode(value any, buf []byte) ([]byte, error) {
	s := wrappedSlice(value)(value)
	if s == nil {
		return nil, nil // NULL
	}
	if t := reflect.TypeOf(s); t != p.inner {
		return nil, fmt.Errorf("database: a lib/pq array of %v where one of %v was planned", t, p.inner)
	}
	return p.next.Encode(s, buf)
}

// textOrUUID is a string the domain passes in a models.Array[string]: its
// parameter is text[] or uuid[] (ids), and it encodes natively as either.
type textOrUUID string

func (s textOrUUID) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(s), Valid: true}, nil
}

func (s textOrUUID) UUIDValue() (pgtype.UUID, error) {
	var u pgtype.UUID
	return u, u.Scan(string(s))
}

// textsOrUUIDs is a as []textOrUUID, nil (NULL) for nil.
func textsOrUUIDs(a models.Array[string]) []textOrUUID {
	if a == nil {
		return nil
	}
	out := make([]textOrUUID, len(a))
	for i, s := range a {
		out[i] = textOrUUID(s)
	}
	return out
}
