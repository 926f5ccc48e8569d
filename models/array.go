package models

import (
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// Array is a PostgreSQL array (text[] or bigint[]) as one value: a model
// field, or one query parameter (GORM expands a plain slice into a list,
// "IN (?, ?)"; an Array stays "?::text[]"). pgx's own codecs encode and
// decode it (pgtype), in the text form database/sql carries.
type Array[T string | int64] []T

// typeMaps are pgx's type maps for encoding and decoding arrays. A map
// caches its plans and is not safe for concurrent use; building one per
// value registered every type anew and took 5% of a feed page's CPU.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// oid is the PostgreSQL array type of T.
func (Array[T]) oid() uint32 {
	var zero T
	if _, ok := any(zero).(int64); ok {
		return pgtype.Int8ArrayOID
	}
	return pgtype.TextArrayOID
}

// Value encodes the array; nil is NULL.
func (a Array[T]) Value() (driver.Value, error) {
	if a == nil {
		return nil, nil
	}
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	buf, err := m.Encode(a.oid(), pgtype.TextFormatCode, []T(a), nil)
	if err != nil {
		return nil, err
	}
	return string(buf), nil
}

// Scan decodes an array read from the database.
func (a *Array[T]) Scan(src any) error {
	var raw []byte
	switch s := src.(type) {
	case nil:
		*a = nil
		return nil
	case string:
		raw = []byte(s)
	case []byte:
		raw = s
	default:
		return fmt.Errorf("models.Array: cannot scan %T", src)
	}
	var out []T
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	if err := m.Scan(a.oid(), pgtype.TextFormatCode, raw, &out); err != nil {
		return err
	}
	*a = out
	return nil
}
