// Package httperr writes the errors answered outside GraphQL execution
// (sign-in, the request gate, rate limits, files, metrics) in the same
// GraphQL shape as every other error: {"errors": [{"message", "extensions":
// {"code", "reason"?, "field"?}}]}, from a *models.Error, so there is one
// writer and the codes are models' constants.
package httperr

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sameside/sameside/models"
)

// Write answers status with e as a GraphQL error.
func Write(w http.ResponseWriter, status int, e *models.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": e.Message, "extensions": e.Extensions()}},
	})
}

// Code answers status with a GraphQL error of code and message.
func Code(w http.ResponseWriter, status int, code models.Code, msg string) {
	Write(w, status, &models.Error{Code: code, Message: msg})
}

// Refuse answers status with BAD_USER_INPUT and a reason.
func Refuse(w http.ResponseWriter, status int, reason, msg string) {
	Write(w, status, &models.Error{Code: models.CodeBadUserInput, Reason: reason, Message: msg})
}

// Status is the HTTP status of a code, for answers outside GraphQL.
func Status(code models.Code) int {
	switch code {
	case models.CodeUnauthenticated:
		return http.StatusUnauthorized
	case models.CodeForbidden:
		return http.StatusForbidden
	case models.CodeNotFound:
		return http.StatusNotFound
	case models.CodeBadUserInput:
		return http.StatusBadRequest
	case models.CodeConflict:
		return http.StatusConflict
	case models.CodeRateLimited:
		return http.StatusTooManyRequests
	case models.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Err answers err (a *models.Error; anything else is INTERNAL, its cause
// never shown) with the status of its code.
func Err(w http.ResponseWriter, err error) {
	var e *models.Error
	if !errors.As(err, &e) {
		e = models.Internal(err)
	}
	if e.Code == models.CodeInternal {
		e = &models.Error{Code: models.CodeInternal, Message: "internal error"}
	}
	Write(w, Status(e.Code), e)
}
