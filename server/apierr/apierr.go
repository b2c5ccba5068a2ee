// Package apierr turns qbank's domain errors into google.rpc.Status values
// with the details clients switch on: an ErrorInfo (reason, domain,
// metadata) on every error, BadRequest field violations, ResourceInfo on
// errors about one resource, and RetryInfo where retrying later helps. It is
// shared by the gRPC interceptors, the auth checks and the HTTP gateway, so
// every route words and details an error the same way.
package apierr

import (
	"context"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/layersrank/qbank"
)

// UnavailableRetryDelay is the RetryInfo (and Retry-After) of an
// Unavailable error: the store usually answers again within a second or two.
const UnavailableRetryDelay = time.Second

var codes4 = map[qbank.Code]codes.Code{
	qbank.EINVALID:      codes.InvalidArgument,
	qbank.ENOTFOUND:     codes.NotFound,
	qbank.EEXISTS:       codes.AlreadyExists,
	qbank.ECONFLICT:     codes.Aborted,
	qbank.EPRECONDITION: codes.FailedPrecondition,
	qbank.EUNAVAILABLE:  codes.Unavailable,
	qbank.EINTERNAL:     codes.Internal,
}

// GRPCCode is the gRPC code of a domain code (Internal for an unknown one).
func GRPCCode(c qbank.Code) codes.Code {
	if code, ok := codes4[c]; ok {
		return code
	}
	return codes.Internal
}

type jsonPathsKey struct{}

// WithJSONPaths marks a call as coming over HTTP/JSON: its errors name
// fields by their JSON paths (lowerCamelCase) rather than proto paths.
func WithJSONPaths(ctx context.Context) context.Context {
	return context.WithValue(ctx, jsonPathsKey{}, true)
}

// JSONPaths reports whether ctx was marked by WithJSONPaths.
func JSONPaths(ctx context.Context) bool {
	v, _ := ctx.Value(jsonPathsKey{}).(bool)
	return v
}

// Status is the status of a domain error, fields named by JSON paths when
// jsonPaths is set, else by proto paths (as gRPC clients expect).
func Status(e *qbank.Error, jsonPaths bool) *status.Status {
	path := qbank.ProtoFieldPath
	if jsonPaths {
		path = func(s string) string { return s }
	}
	code := GRPCCode(e.Code)
	var details []proto.Message
	details = append(details, &errdetails.ErrorInfo{Reason: string(e.ReasonOrDefault()), Domain: qbank.ErrorDomain, Metadata: e.Metadata})
	if len(e.Violations) > 0 {
		br := &errdetails.BadRequest{}
		for _, v := range e.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: path(v.Field), Description: v.Description})
		}
		details = append(details, br)
	}
	if e.Resource != nil {
		details = append(details, &errdetails.ResourceInfo{ResourceType: e.Resource.Type, ResourceName: e.Resource.Name, Description: e.Message})
	}
	if code == codes.Unavailable {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(UnavailableRetryDelay)})
	}
	return withDetails(status.New(code, e.MessageWith(path)), details...)
}

// New is a status with an ErrorInfo of reason (and metadata), plus any
// further details.
func New(code codes.Code, reason qbank.Reason, message string, metadata map[string]string, more ...proto.Message) *status.Status {
	details := append([]proto.Message{&errdetails.ErrorInfo{Reason: string(reason), Domain: qbank.ErrorDomain, Metadata: metadata}}, more...)
	return withDetails(status.New(code, message), details...)
}

// Retry is RetryInfo for a delay.
func Retry(after time.Duration) *errdetails.RetryInfo {
	return &errdetails.RetryInfo{RetryDelay: durationpb.New(after)}
}

func withDetails(st *status.Status, details ...proto.Message) *status.Status {
	p := st.Proto()
	for _, d := range details {
		if a, err := anyOf(d); err == nil {
			p.Details = append(p.Details, a)
		}
	}
	return status.FromProto(p)
}

// ReasonOf returns the ErrorInfo reason of a status, or "".
func ReasonOf(st *status.Status) qbank.Reason {
	if info := ErrorInfo(st); info != nil {
		return qbank.Reason(info.GetReason())
	}
	return ""
}

// ErrorInfo returns the ErrorInfo detail of a status, or nil.
func ErrorInfo(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Proto().GetDetails() {
		info := &errdetails.ErrorInfo{}
		if d.MessageIs(info) && d.UnmarshalTo(info) == nil {
			return info
		}
	}
	return nil
}

// RetryDelay returns the RetryInfo delay of a status, if it has one.
func RetryDelay(st *status.Status) (time.Duration, bool) {
	for _, d := range st.Proto().GetDetails() {
		ri := &errdetails.RetryInfo{}
		if d.MessageIs(ri) && d.UnmarshalTo(ri) == nil {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}

// defaultReasons are the reasons of statuses made outside this package
// (by gRPC itself, grpc-gateway or a library) that carry no ErrorInfo.
var defaultReasons = map[codes.Code]qbank.Reason{
	codes.Canceled:           qbank.ReasonCancelled,
	codes.DeadlineExceeded:   qbank.ReasonDeadlineExceeded,
	codes.InvalidArgument:    qbank.ReasonInvalidArgument,
	codes.NotFound:           qbank.ReasonNotFound,
	codes.AlreadyExists:      qbank.ReasonAlreadyExists,
	codes.Aborted:            qbank.ReasonEtagMismatch,
	codes.FailedPrecondition: qbank.ReasonFailedPrecond,
	codes.Unavailable:        qbank.ReasonStoreUnavailable,
	codes.Unauthenticated:    qbank.ReasonTokenUnknown,
	codes.PermissionDenied:   qbank.ReasonPermissionDenied,
	codes.ResourceExhausted:  qbank.ReasonRateLimited,
	codes.Unimplemented:      qbank.ReasonNotImplemented,
}

// Ensure adds an ErrorInfo with the code's default reason to a status that
// has none, so every error a client sees carries one.
func Ensure(st *status.Status) *status.Status {
	if st.Code() == codes.OK || ErrorInfo(st) != nil {
		return st
	}
	reason, ok := defaultReasons[st.Code()]
	if !ok {
		reason = qbank.ReasonInternal
	}
	p := st.Proto()
	if a, err := anyOf(&errdetails.ErrorInfo{Reason: string(reason), Domain: qbank.ErrorDomain}); err == nil {
		p.Details = append(p.Details, a)
	}
	if st.Code() == codes.Unavailable {
		if _, has := RetryDelay(st); !has {
			if a, err := anyOf(Retry(UnavailableRetryDelay)); err == nil {
				p.Details = append(p.Details, a)
			}
		}
	}
	return status.FromProto(p)
}

func anyOf(m proto.Message) (*anypb.Any, error) { return anypb.New(m) }
