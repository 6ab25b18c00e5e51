// Package fault is parley's error vocabulary: the sentinel errors every
// layer returns, the FieldError that says which input was wrong and why, and
// the text rules (Text, Identifier) that every free-text and id field obeys.
//
// It sits below the domain packages, so that pure packages such as
// conversation and tag can return these errors without importing storage.
// storage and the root parley package re-export every sentinel and
// FieldError, so most callers never import this package; errors.Is works
// across all of them because they are the same values.
package fault

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The sentinel errors. Match them with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrInvalid       = errors.New("invalid")
	ErrClosed        = errors.New("conversation is closed")
	ErrForbidden     = errors.New("forbidden")
	ErrConflict      = errors.New("version conflict")
	ErrUnavailable   = errors.New("the database is unavailable; retry later")
	// ErrPrecondition is a request whose subject is missing a state it
	// needs, as transferring a conversation that has no live call
	// (Infobip's 412 PRECONDITION FAILED).
	ErrPrecondition = errors.New("precondition failed")
)

// FieldError is an ErrInvalid that names the offending field and the reason.
// errors.Is(err, ErrInvalid) holds for every *FieldError.
type FieldError struct {
	Field  string // the field as named on the wire, e.g. "topic" or "attributes.color"
	Reason string // why the value was refused, e.g. "longer than 1000 characters"
}

// Error implements error.
func (e *FieldError) Error() string {
	return "invalid " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a *FieldError for field with a formatted reason.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Text checks a free-text value: valid UTF-8, no NUL byte, at most max runes.
// It returns a *FieldError naming field, or nil.
func Text(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Invalid(field, "contains a NUL byte")
	}
	if utf8.RuneCountInString(s) > max {
		return Invalid(field, "longer than %d characters", max)
	}
	return nil
}

// Identifier checks an id-like value (an entity id, a customer id, an actor
// id): 1..max runes of valid UTF-8 with no control characters, so an id is
// always printable in logs, URLs and error messages.
func Identifier(field, s string, max int) error {
	if s == "" {
		return Invalid(field, "must not be empty")
	}
	if err := Text(field, s, max); err != nil {
		return err
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return Invalid(field, "contains a control character")
		}
	}
	return nil
}
