package models

// Inputs and results of the domain operations. The GraphQL input and payload
// types bind to them (gqlgen autobind), so the API and the domain share one
// definition and resolvers do not copy fields around.

// UpdateProfileInput changes the viewer's profile; nil fields stay as they are.
type UpdateProfileInput struct {
	DisplayName *string
	Locale      *string
	TimeZone    *string
}

// CreateInvitationInput asks for a one-time code for a student's guardian.
type CreateInvitationInput struct {
	StudentID      string
	Relationship   Relationship
	IsPrimary      *bool
	Email          *string
	ExpiresInHours *int
}

// CreateInvitationPayload carries the code, shown once.
type CreateInvitationPayload struct {
	Invitation *Invitation
	Code       string
}

// RedeemInvitationInput carries a code as the parent typed it.
type RedeemInvitationInput struct {
	Code string
}

// RedeemInvitationPayload is what redeeming a code made the viewer.
type RedeemInvitationPayload struct {
	Student    *Student
	Guardian   *Guardianship
	Membership *Membership
}

// Invitation limits.
const (
	DefaultInvitationHours = 7 * 24
	MaxInvitationHours     = 30 * 24
)
