package domain

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sameside/sameside/models"
)

// Cursors are opaque to clients: base64url of "v1|<unix nanos>|<id>", the
// keyset (time, id) a page continues after. Keyset paging never skips or
// repeats a row when new ones arrive between pages: they sort before the
// first page, not into later ones.
func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + strconv.FormatInt(at.UnixNano(), 10) + "|" + id))
}

func decodeCursor(field, c string) (time.Time, string, error) {
	bad := models.InvalidField(field, "%s is not a cursor this API gave", field)
	if len(c) > 200 {
		return time.Time{}, "", bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || parts[0] != "v1" || !validID(parts[2]) {
		return time.Time{}, "", bad
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return time.Time{}, "", bad
	}
	return time.Unix(0, n).UTC(), parts[2], nil
}

// pageSize validates first.
func pageSize(first *int) (int, error) {
	if first == nil {
		return models.DefaultPageSize, nil
	}
	if *first < 1 || *first > models.MaxPageSize {
		return 0, models.InvalidField("first", "first must be between 1 and %d", models.MaxPageSize)
	}
	return *first, nil
}

// Message cursors carry the message's sequence number in its conversation.
func encodeSeq(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("m1|" + strconv.FormatInt(seq, 10)))
}

func decodeSeq(c string) (int64, error) {
	bad := models.InvalidField("after", "after is not a cursor this API gave")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) > 40 || !strings.HasPrefix(string(raw), "m1|") {
		return 0, bad
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(raw), "m1|"), 10, 64)
	if err != nil || n < 1 {
		return 0, bad
	}
	return n, nil
}

// keysetPage reads one page of n rows of q in order (newest first; q
// already continues after the caller's cursor, if any) and builds its
// connection: the one more row it asks for tells whether a next page
// follows. It is the one keyset read of every connection.
func keysetPage[T any](q *gorm.DB, order string, n int, cursor func(*T) string) (*models.Connection[T], error) {
	var rows []*T
	if err := q.Order(order).Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	return models.ConnectionOf(rows, n, cursor), nil
}
