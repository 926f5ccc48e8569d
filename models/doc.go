// Package models holds SameSide's domain types: the GORM models that map the
// migrated schema, their enums, input validation, the viewer (who is asking),
// and the one error type with codes that every layer returns.
//
// It must not know about HTTP, GraphQL or Firebase, and it must not decide
// authorization: that is package policy's job.
package models
