package models

import (
	"fmt"
	"io"
	"strconv"
)

// Role is what a user is in one school.
type Role string

// Roles, in increasing reach.
const (
	RoleParent  Role = "PARENT"
	RoleTeacher Role = "TEACHER"
	RoleAdmin   Role = "ADMIN"
	// RoleMonitor reads the school's conversations for safeguarding (every
	// read audited); it gives no other access.
	RoleMonitor Role = "MONITOR"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleParent, RoleTeacher, RoleAdmin, RoleMonitor:
		return true
	}
	return false
}

// MarshalGQL implements graphql.Marshaler.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *Role) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, Role.Valid, "Role") }

// Relationship is how a guardian relates to a student.
type Relationship string

// Relationships a school records.
const (
	RelationshipParent      Relationship = "PARENT"
	RelationshipMother      Relationship = "MOTHER"
	RelationshipFather      Relationship = "FATHER"
	RelationshipStepparent  Relationship = "STEPPARENT"
	RelationshipGrandparent Relationship = "GRANDPARENT"
	RelationshipFosterCarer Relationship = "FOSTER_CARER"
	RelationshipGuardian    Relationship = "GUARDIAN"
	RelationshipOther       Relationship = "OTHER"
)

// Valid reports whether r is a known relationship.
func (r Relationship) Valid() bool {
	switch r {
	case RelationshipParent, RelationshipMother, RelationshipFather, RelationshipStepparent,
		RelationshipGrandparent, RelationshipFosterCarer, RelationshipGuardian, RelationshipOther:
		return true
	}
	return false
}

// MarshalGQL implements graphql.Marshaler.
func (r Relationship) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *Relationship) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r, Relationship.Valid, "Relationship")
}

func unmarshalEnum[T ~string](v any, dst *T, valid func(T) bool, name string) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s must be a string", name)
	}
	if !valid(T(s)) {
		return fmt.Errorf("%q is not a valid %s", s, name)
	}
	*dst = T(s)
	return nil
}
