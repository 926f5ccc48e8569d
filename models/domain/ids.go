package domain

import "github.com/google/uuid"

// validID reports whether id can be a record id. A malformed id names nothing,
// so it is NOT_FOUND like any other id the viewer cannot see.
func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	_, err := uuid.Parse(id)
	return err == nil
}
