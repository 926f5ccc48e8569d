package push

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// Ids made later sort later, every id made before t sorts below
// firstIDOf(t), and each is a valid version 7 UUID.
func TestTimeOrderedIDs(t *testing.T) {
	base := time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 50 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		id := timeOrderedID(at)
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 7 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("%s: version %d variant %v, %v", id, u.Version(), u.Variant(), err)
		}
		if sec, nsec := u.Time().UnixTime(); time.Unix(sec, nsec).UnixMilli() != at.UnixMilli() {
			t.Fatalf("%s carries %v, want %v", id, time.Unix(sec, nsec), at)
		}
		if id <= prev {
			t.Fatalf("%s made after %s sorts before it", id, prev)
		}
		if bound := firstIDOf(at); id < bound || prev >= bound {
			t.Fatalf("firstIDOf(%v) = %s: not between %s and %s", at, bound, prev, id)
		}
		prev = id
	}
}
