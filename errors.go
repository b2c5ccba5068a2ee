package qbank

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error so that each transport maps it to its own status in
// one place (gRPC codes in server/, HTTP statuses follow from those).
type Code string

const (
	// EINVALID: the request is malformed; FieldViolations say which fields.
	EINVALID Code = "invalid"
	// ENOTFOUND: the named resource does not exist.
	ENOTFOUND Code = "not_found"
	// EEXISTS: a create named an id that is taken.
	EEXISTS Code = "already_exists"
	// ECONFLICT: the etag given is not the current one (a concurrent edit won).
	ECONFLICT Code = "conflict"
	// EPRECONDITION: the request is well formed but the bank cannot satisfy it.
	EPRECONDITION Code = "failed_precondition"
	// EUNAVAILABLE: the store cannot be reached; retrying later may succeed.
	EUNAVAILABLE Code = "unavailable"
	// EINTERNAL: anything else; its details are not shown to clients.
	EINTERNAL Code = "internal"
)

// FieldViolation names one bad field and why it is bad. Field uses the
// request's JSON path (lowerCamelCase, e.g. "question.minutes").
type FieldViolation struct {
	Field       string
	Description string
}

// Error is the application error. Message is safe to show to clients.
type Error struct {
	Code       Code
	Message    string
	Violations []FieldViolation
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an *Error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the *Error's message,
// or a generic one for internal errors so that no storage detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// Violations collects field violations while validating a request.
type Violations []FieldViolation

// Add records that field is bad.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, else an EINVALID *Error that
// lists every violation (sorted by field so messages are stable).
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	sorted := append([]FieldViolation(nil), v...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Field < sorted[j].Field })
	return &Error{Code: EINVALID, Message: "invalid request", Violations: sorted}
}
