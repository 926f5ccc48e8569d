package models

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Code classifies an error for the API. The error presenter maps it to
// extensions.code; clients branch on it, never on message text.
type Code string

// The codes the API promises. A user never learns whether a record they may
// not see exists: policy turns "exists but not yours" into NOT_FOUND.
const (
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeBadUserInput    Code = "BAD_USER_INPUT"
	CodeConflict        Code = "CONFLICT"
	CodeRateLimited     Code = "RATE_LIMITED"
	// CodeUnavailable: a dependency (the database) is down for a moment;
	// retry after the Retry-After header's seconds.
	CodeUnavailable Code = "UNAVAILABLE"
	CodeInternal    Code = "INTERNAL"
	// CodeUpgradeRequired: the app's version (the apollographql-client-version
	// header) is below the oldest release the server supports; appConfig
	// still answers, with the versions to upgrade to.
	CodeUpgradeRequired Code = "UPGRADE_REQUIRED"
	// CodePersistedQueryNotFound: an operation sent by its id alone is
	// unknown; an Apollo client sends it again with its text (Apollo's
	// protocol: the message is PersistedQueryNotFound).
	CodePersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// CodePersistedQueryNotInList: in production, an operation that no
	// supported app release sends (Apollo's safelisting code).
	CodePersistedQueryNotInList Code = "PERSISTED_QUERY_NOT_IN_LIST"
)

// Codes lists every code the API answers with, for the error presenter and
// the documentation test.
var Codes = []Code{CodeUnauthenticated, CodeForbidden, CodeNotFound, CodeBadUserInput,
	CodeConflict, CodeRateLimited, CodeUnavailable, CodeInternal, CodeUpgradeRequired,
	CodePersistedQueryNotFound, CodePersistedQueryNotInList}

// Reasons refine a code (extensions.reason), for clients that act on the
// kind of refusal rather than show it. All of them are here, so the API's
// vocabulary is in one place.
const (
	// ReasonUnsupportedImageFormat: an image in a format the server does
	// not take (HEIC, WebP, …); the app converts it to JPEG and retries.
	ReasonUnsupportedImageFormat = "UNSUPPORTED_IMAGE_FORMAT"
	// ReasonImageTooLarge: an image over MaxImagePixels.
	ReasonImageTooLarge = "IMAGE_TOO_LARGE"
	// ReasonInvalidUTF8: text that is not valid UTF-8.
	ReasonInvalidUTF8 = "INVALID_UTF8"
	// The request gate (BAD_USER_INPUT): not JSON, a batch, a mutation
	// over GET, another method.
	ReasonUnsupportedContentType = "UNSUPPORTED_CONTENT_TYPE"
	ReasonBatchNotSupported      = "BATCH_NOT_SUPPORTED"
	ReasonMutationOverGET        = "MUTATION_OVER_GET"
	ReasonMethodNotAllowed       = "METHOD_NOT_ALLOWED"
	// Query limits (BAD_USER_INPUT).
	ReasonQueryTooDeep     = "QUERY_TOO_DEEP"
	ReasonTooManyMutations = "TOO_MANY_MUTATIONS"
	// ReasonCost (RATE_LIMITED): the operation costs more than the
	// caller's rate allows now.
	ReasonCost = "COST"
	// Production runs only the app's operations (FORBIDDEN).
	ReasonOperationNotAllowed    = "OPERATION_NOT_ALLOWED"
	ReasonPersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
)

// Extensions is the error's GraphQL extensions: its code, and the field at
// fault and the reason when there are.
func (e *Error) Extensions() map[string]any {
	ext := map[string]any{"code": string(e.Code)}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	if e.Reason != "" {
		ext["reason"] = e.Reason
	}
	return ext
}

// Error is the one error type of the domain. Message is safe to show to the
// user; Err (if any) is the underlying cause, logged but never shown.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault, for BAD_USER_INPUT.
	Field string
	// Reason refines the code for clients (extensions.reason), e.g.
	// ReasonUnsupportedImageFormat.
	Reason string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted, user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns a BAD_USER_INPUT error about one input field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected error. Its message is generic; the cause is kept
// for the log.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// Unavailable wraps an error meaning a dependency (the database) cannot be
// reached for now: the client should retry shortly.
func Unavailable(err error) *Error {
	return &Error{Code: CodeUnavailable, Message: "the service is briefly unavailable; retry in a few seconds", Err: err}
}

// NotFound is the answer for records that do not exist or that the viewer may
// not see: both look the same to the user.
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

// ErrorCode returns the code of err, INTERNAL for errors that are not *Error,
// and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// MarshalGQL implements graphql.Marshaler (the schema's ErrorCode enum).
func (c Code) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(c))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (c *Code) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, c, func(c Code) bool { return slices.Contains(Codes, c) }, "ErrorCode")
}
