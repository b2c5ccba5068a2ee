package server

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
)

var codeToGRPC = map[qbank.Code]codes.Code{
	qbank.EINVALID:      codes.InvalidArgument,
	qbank.ENOTFOUND:     codes.NotFound,
	qbank.EEXISTS:       codes.AlreadyExists,
	qbank.ECONFLICT:     codes.Aborted,
	qbank.EPRECONDITION: codes.FailedPrecondition,
	qbank.EUNAVAILABLE:  codes.Unavailable,
}

// toStatus turns any error into a gRPC status: domain errors keep their
// meaning and field violations (as google.rpc.BadRequest), anything else is
// logged here and reaches the client only as "internal error".
func toStatus(ctx context.Context, log *slog.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "the call was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "the call ran out of time")
	}
	var e *qbank.Error
	if !errors.As(err, &e) {
		log.ErrorContext(ctx, "internal error", "method", method, "err", err)
		return status.Error(codes.Internal, "internal error")
	}
	code, ok := codeToGRPC[e.Code]
	if !ok {
		log.ErrorContext(ctx, "internal error", "method", method, "err", err)
		return status.Error(codes.Internal, "internal error")
	}
	st := status.New(code, e.Error())
	if len(e.Violations) > 0 {
		br := &errdetails.BadRequest{}
		for _, v := range e.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		if withDetails, err := st.WithDetails(br); err == nil {
			st = withDetails
		}
	}
	return st.Err()
}
