package domain

import "github.com/google/uuid"

// validID reports whether id can be a record id. A malformed id names nothing,
// so it is NOT_FOUND like any other id the viewer cannot see.
func validID(id string) bool { return ValidID(id) }

// ValidID reports whether id can be a record id (a UUID in its usual form).
func ValidID(id string) bool {
	if len(id) != 36 {
		return false
	}
	_, err := uuid.Parse(id)
	return err == nil
}
