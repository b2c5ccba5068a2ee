package qbank

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
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

// Reason is the stable, machine-readable cause of an error, sent to clients
// as google.rpc.ErrorInfo.reason (UPPER_SNAKE_CASE, AIP-193) so that they can
// switch on it instead of matching message text. A reason is never renamed;
// docs/errors.md lists them all.
type Reason string

// The reasons. Each belongs to one Code (see ReasonCode); errors made with
// Errorf and no reason get their code's default reason (DefaultReason).
const (
	ReasonTokenMissing     Reason = "TOKEN_MISSING"     // no bearer token was sent
	ReasonTokenUnknown     Reason = "TOKEN_UNKNOWN"     // the token is not (or no longer) valid
	ReasonPermissionDenied Reason = "PERMISSION_DENIED" // the token's role may not call this
	ReasonRateLimited      Reason = "RATE_LIMITED"      // the token is over its rate limit
	ReasonInvalidArgument  Reason = "INVALID_ARGUMENT"  // the request cannot be read at all (no field to name)
	ReasonFieldInvalid     Reason = "FIELD_INVALID"     // one or more fields are bad; BadRequest names them
	ReasonQuestionNotFound Reason = "QUESTION_NOT_FOUND"
	ReasonVersionNotFound  Reason = "VERSION_NOT_FOUND" // the question exists, that version does not
	ReasonTemplateNotFound Reason = "TEMPLATE_NOT_FOUND"
	ReasonTaxonomyMissing  Reason = "TAXONOMY_MISSING" // the store was never seeded
	ReasonQuestionExists   Reason = "QUESTION_EXISTS"
	ReasonTemplateExists   Reason = "TEMPLATE_EXISTS"
	ReasonEtagMismatch     Reason = "ETAG_MISMATCH" // the resource changed since the etag was read
	ReasonAlreadyRetired   Reason = "QUESTION_ALREADY_RETIRED"
	ReasonNotRetired       Reason = "QUESTION_NOT_RETIRED" // only a retired question can be restored
	ReasonQuestionRetired  Reason = "QUESTION_RETIRED"     // a retired question is read-only until restored
	ReasonInfeasible       Reason = "ASSEMBLY_INFEASIBLE"  // the bank holds no acceptable assessment for the request
	ReasonStoreUnavailable Reason = "STORE_UNAVAILABLE"    // the database cannot be reached; retry
	ReasonRouteNotFound    Reason = "ROUTE_NOT_FOUND"      // HTTP: no route has that path
	ReasonMethodNotAllowed Reason = "METHOD_NOT_ALLOWED"   // HTTP: the path exists, not with that method
	ReasonBodyTooLarge     Reason = "BODY_TOO_LARGE"       // HTTP 413: the body is over the route's limit
	ReasonRequestTimeout   Reason = "REQUEST_TIMEOUT"      // HTTP 408: the body did not arrive within the read timeout
	ReasonNotImplemented   Reason = "NOT_IMPLEMENTED"      // this server does not implement the method
	ReasonCancelled        Reason = "CANCELLED"            // the client gave up
	ReasonDeadlineExceeded Reason = "DEADLINE_EXCEEDED"    // the call ran out of time
	ReasonInternal         Reason = "INTERNAL"             // a bug or an unexpected failure; logged on the server
	ReasonNotFound         Reason = "NOT_FOUND"            // default for a not-found error of no listed kind
	ReasonAlreadyExists    Reason = "ALREADY_EXISTS"       // default for an already-exists error of no listed kind
	ReasonFailedPrecond    Reason = "FAILED_PRECONDITION"  // default for a failed precondition of no listed kind
)

// ErrorDomain is google.rpc.ErrorInfo.domain on every qbank error.
const ErrorDomain = "qbank.layersrank.com"

// Resource types named in errors (google.rpc.ResourceInfo.resource_type).
const (
	ResourceQuestion = ErrorDomain + "/Question"
	ResourceTemplate = ErrorDomain + "/Template"
)

// DefaultReason is the reason of an error that was made without one.
func DefaultReason(code Code, hasViolations bool) Reason {
	switch code {
	case EINVALID:
		if hasViolations {
			return ReasonFieldInvalid
		}
		return ReasonInvalidArgument
	case ENOTFOUND:
		return ReasonNotFound
	case EEXISTS:
		return ReasonAlreadyExists
	case ECONFLICT:
		return ReasonEtagMismatch
	case EPRECONDITION:
		return ReasonFailedPrecond
	case EUNAVAILABLE:
		return ReasonStoreUnavailable
	}
	return ReasonInternal
}

// FieldViolation names one bad field and why it is bad. Field uses the
// request's JSON path (lowerCamelCase, e.g. "question.minutes"); gRPC
// clients get the proto path (ProtoFieldPath).
type FieldViolation struct {
	Field       string
	Description string
}

// ResourceRef names the resource an error is about.
type ResourceRef struct {
	Type string // ResourceQuestion, ResourceTemplate
	Name string // its id, or id@version for one version
}

// Error is the application error. Message is safe to show to clients.
type Error struct {
	Code Code
	// Reason is the machine-readable cause; empty means DefaultReason.
	Reason     Reason
	Message    string
	Violations []FieldViolation
	// Resource is what a not-found, exists or conflict error is about.
	Resource *ResourceRef
	// Metadata is sent as google.rpc.ErrorInfo.metadata (lowerCamelCase
	// keys, e.g. questionId).
	Metadata map[string]string
}

func (e *Error) Error() string {
	return e.MessageWith(func(s string) string { return s })
}

// MessageWith is the message with each violation's field path passed
// through path, so that each transport names fields its own way.
func (e *Error) MessageWith(path func(string) string) string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = path(v.Field) + ": " + v.Description
	}
	return Truncate(e.Message+" ("+strings.Join(parts, "; ")+")", MaxMessageLen)
}

// ReasonOrDefault is e's reason, or its code's default.
func (e *Error) ReasonOrDefault() Reason {
	if e.Reason != "" {
		return e.Reason
	}
	return DefaultReason(e.Code, len(e.Violations) > 0)
}

// WithReason sets e's reason and returns e.
func (e *Error) WithReason(r Reason) *Error {
	e.Reason = r
	return e
}

// Errorf returns an *Error with the given code (and its default reason).
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// QuestionNotFound is the error for a question id the bank never held.
func QuestionNotFound(id string) *Error {
	return &Error{Code: ENOTFOUND, Reason: ReasonQuestionNotFound, Message: fmt.Sprintf("question %q not found", id),
		Resource: &ResourceRef{Type: ResourceQuestion, Name: id}, Metadata: map[string]string{"questionId": id}}
}

// VersionNotFound is the error for a version a question does not have.
func VersionNotFound(id string, version, latest int) *Error {
	return &Error{Code: ENOTFOUND, Reason: ReasonVersionNotFound,
		Message:  fmt.Sprintf("question %q has no version %d (latest is %d)", id, version, latest),
		Resource: &ResourceRef{Type: ResourceQuestion, Name: id + "@" + strconv.Itoa(version)},
		Metadata: map[string]string{"questionId": id, "version": strconv.Itoa(version), "latestVersion": strconv.Itoa(latest)}}
}

// TemplateNotFound is the error for a template id that does not exist.
func TemplateNotFound(id string) *Error {
	return &Error{Code: ENOTFOUND, Reason: ReasonTemplateNotFound, Message: fmt.Sprintf("template %q not found", id),
		Resource: &ResourceRef{Type: ResourceTemplate, Name: id}, Metadata: map[string]string{"templateId": id}}
}

// QuestionExists is the error for creating a question whose id is taken.
func QuestionExists(id string) *Error {
	return &Error{Code: EEXISTS, Reason: ReasonQuestionExists, Message: fmt.Sprintf("question %q already exists", id),
		Resource: &ResourceRef{Type: ResourceQuestion, Name: id}, Metadata: map[string]string{"questionId": id}}
}

// TemplateExists is the error for creating a template whose id is taken.
func TemplateExists(id string) *Error {
	return &Error{Code: EEXISTS, Reason: ReasonTemplateExists, Message: fmt.Sprintf("template %q already exists", id),
		Resource: &ResourceRef{Type: ResourceTemplate, Name: id}, Metadata: map[string]string{"templateId": id}}
}

// QuestionEtagMismatch is the error for a write carrying an etag that is not
// the question's current one (a concurrent edit won). version is the current
// version, 0 when unknown.
func QuestionEtagMismatch(id string, version int) *Error {
	msg := fmt.Sprintf("question %q changed since you read it (the etag is not the current one); re-read it and apply your change again", id)
	md := map[string]string{"questionId": id}
	if version > 0 {
		msg = fmt.Sprintf("question %q changed since you read it (the etag is not the current one; it is now at version %d); re-read it and apply your change again", id, version)
		md["currentVersion"] = strconv.Itoa(version)
	}
	return &Error{Code: ECONFLICT, Reason: ReasonEtagMismatch, Message: msg,
		Resource: &ResourceRef{Type: ResourceQuestion, Name: id}, Metadata: md}
}

// TemplateEtagMismatch is QuestionEtagMismatch for a template.
func TemplateEtagMismatch(id string) *Error {
	return &Error{Code: ECONFLICT, Reason: ReasonEtagMismatch,
		Message:  fmt.Sprintf("template %q changed since you read it (the etag is not the current one); re-read it and apply your change again", id),
		Resource: &ResourceRef{Type: ResourceTemplate, Name: id}, Metadata: map[string]string{"templateId": id}}
}

// Unavailable is the error for a store that cannot be reached right now.
func Unavailable(format string, args ...any) *Error {
	return &Error{Code: EUNAVAILABLE, Reason: ReasonStoreUnavailable, Message: fmt.Sprintf(format, args...)}
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

// Bounds of an error's size, whatever the request: a request with 10,000
// bad entries gets the first MaxViolations of them and one "and K more"
// entry, each field and description cut to a bounded length, so an error
// response (and the log line that records it) stays a few kilobytes.
const (
	MaxViolations     = 20
	MaxFieldLen       = 200
	MaxDescriptionLen = 1000
	// MaxMessageLen bounds an error message, which gRPC sends as a trailer
	// and the access log records.
	MaxMessageLen = 4000
)

// Err returns nil when nothing was recorded, else an EINVALID *Error that
// lists the violations (sorted by field so messages are stable): at most
// MaxViolations of them, then one entry saying how many more there are.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	sorted := append([]FieldViolation(nil), v...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Field < sorted[j].Field })
	if n := len(sorted); n > MaxViolations {
		more := FieldViolation{Field: sorted[MaxViolations].Field,
			Description: fmt.Sprintf("and %d more violation%s not listed", n-MaxViolations, plural(n-MaxViolations))}
		sorted = append(sorted[:MaxViolations:MaxViolations], more)
	}
	for i := range sorted {
		sorted[i].Field = Truncate(sorted[i].Field, MaxFieldLen)
		sorted[i].Description = Truncate(sorted[i].Description, MaxDescriptionLen)
	}
	return &Error{Code: EINVALID, Reason: ReasonFieldInvalid, Message: "invalid request", Violations: sorted}
}

// Truncate cuts s to at most max bytes, on a character boundary, marking
// the cut with "…".
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Quote is %q of a value a client sent, cut to a readable length: an error
// names the bad value without echoing a megabyte of it.
func Quote(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(Truncate(s, max))
	}
	return strconv.Quote(s)
}

// ListSome joins at most ListedItems items and says how many more there
// are, so that one violation about many bad entries stays short and the
// valid values it lists appear once.
func ListSome(items []string) string {
	if len(items) <= ListedItems {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:ListedItems], ", "), len(items)-ListedItems)
}

// ListedItems is how many bad entries ListSome names.
const ListedItems = 10

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ProtoFieldPath turns a JSON field path ("questions[2].scoringGuide.strong",
// "question.stackVariants[go].followUps[0]") into the proto path gRPC clients
// use ("questions[2].scoring_guide.strong"): each name is snake_cased, while
// list indexes and map keys (in brackets) are kept as they are.
func ProtoFieldPath(path string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0 && c >= 'A' && c <= 'Z':
			if i > 0 && path[i-1] != '.' {
				b.WriteByte('_')
			}
			b.WriteByte(c + ('a' - 'A'))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// JSONFieldPath is the inverse of ProtoFieldPath: "scoring_guide.strong" →
// "scoringGuide.strong", brackets kept as they are.
func JSONFieldPath(path string) string {
	var b strings.Builder
	depth := 0
	upper := false
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0 && c == '_' && i > 0 && path[i-1] != '.' && i+1 < len(path) && path[i+1] >= 'a' && path[i+1] <= 'z':
			upper = true
			continue
		case depth == 0 && upper:
			upper = false
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
