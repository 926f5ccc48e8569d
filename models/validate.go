package models

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Input limits. They are part of the API contract and documented in the schema.
const (
	MaxNameLength  = 100
	MaxEmailLength = 254
	MaxCodeLength  = 32
)

// validUTF8 refuses text that is not valid UTF-8 or holds U+FFFD, the
// replacement character a decoder left where invalid bytes or a lone
// surrogate escape (\ud800) were: people do not type it, so it only ever
// marks text that was damaged on the way.
func validUTF8(field, s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return &Error{Code: CodeBadUserInput, Field: field, Reason: ReasonInvalidUTF8, Message: field + " is not valid UTF-8 text"}
	}
	return nil
}

// CleanText trims surrounding space and rejects control characters, empty
// values (when required) and values longer than max runes.
func CleanText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if err := validUTF8(field, s); err != nil {
		return "", err
	}
	if required && s == "" {
		return "", InvalidField(field, "%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", InvalidField(field, "%s must be at most %d characters (got %d)", field, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", InvalidField(field, "%s must not contain control characters", field)
		}
	}
	return s, nil
}

// CleanLocale validates a BCP 47 language tag and returns its canonical form.
func CleanLocale(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 35 {
		return "", InvalidField(field, "%s must be a BCP 47 language tag such as en-US", field)
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", InvalidField(field, "%s must be a BCP 47 language tag such as en-US", field)
	}
	return tag.String(), nil
}

// CleanTimeZone validates an IANA time zone name.
func CleanTimeZone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	// "Local" and "" are accepted by time.LoadLocation but mean the server's zone.
	if s == "" || s == "Local" || len(s) > 64 {
		return "", InvalidField(field, "%s must be an IANA time zone such as America/New_York", field)
	}
	if _, err := LoadZone(s); err != nil {
		return "", InvalidField(field, "%s must be an IANA time zone such as America/New_York", field)
	}
	return s, nil
}

// CleanEmail does a light syntactic check; the address is confirmed by use.
func CleanEmail(field, s string) (string, error) {
	s, err := CleanText(field, s, MaxEmailLength, true)
	if err != nil {
		return "", err
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t<>") {
		return "", InvalidField(field, "%s must be an email address", field)
	}
	return strings.ToLower(s), nil
}

// CleanBody is CleanText for multi-line text: newlines and tabs are kept,
// other control characters refused.
func CleanBody(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if err := validUTF8(field, s); err != nil {
		return "", err
	}
	if s == "" {
		return "", InvalidField(field, "%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", InvalidField(field, "%s must be at most %d characters (got %d)", field, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", InvalidField(field, "%s must not contain control characters", field)
		}
	}
	return s, nil
}

// CleanOptionalBody is CleanBody for an optional text: nil or blank is "".
func CleanOptionalBody(field string, s *string, max int) (string, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return "", nil
	}
	return CleanBody(field, *s, max)
}
