package server

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/server/apierr"
)

// toStatus turns any error into a gRPC status carrying the details clients
// switch on (see package apierr): domain errors keep their meaning, reason
// and field violations; a status made elsewhere gets at least an ErrorInfo;
// anything else is logged here and reaches the client only as "internal
// error". Fields are named by JSON paths for calls that came over HTTP.
func toStatus(ctx context.Context, log *slog.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if st, ok := status.FromError(err); ok {
		return apierr.Ensure(st).Err()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return apierr.New(codes.Canceled, qbank.ReasonCancelled, "the call was cancelled", nil).Err()
	case errors.Is(err, context.DeadlineExceeded):
		return apierr.New(codes.DeadlineExceeded, qbank.ReasonDeadlineExceeded, "the call ran out of time", nil).Err()
	}
	var e *qbank.Error
	if !errors.As(err, &e) || e.Code == qbank.EINTERNAL || apierr.GRPCCode(e.Code) == codes.Internal {
		log.ErrorContext(ctx, "internal error", "method", method, "err", err)
		return internalError()
	}
	return apierr.Status(e, apierr.JSONPaths(ctx)).Err()
}

// internalError is what a client sees of a bug or an unexpected failure.
func internalError() error {
	return apierr.New(codes.Internal, qbank.ReasonInternal, "internal error", nil).Err()
}
