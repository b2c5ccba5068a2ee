package server

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/server/apierr"
)

// grpc-go reports a request it cannot decode (a string field with invalid
// UTF-8, broken wire format) as Internal, before any interceptor runs: the
// client is told the server failed, and neither the metrics nor the access
// log see the call. requestCodec decodes requests with the proto codec but
// keeps such a failure aside instead, so that the call goes through the
// interceptor chain like any other and is refused there (decodeFailure) as
// InvalidArgument: counted, logged, with the client's error named as such.
type requestCodec struct{ encoding.CodecV2 }

// undecodable holds, by the message it was decoding into, the error of each
// request that failed to decode, until the chain refuses the call.
var undecodable sync.Map // any (a request message) → error

func newRequestCodec() requestCodec {
	return requestCodec{encoding.GetCodecV2("proto")}
}

func (c requestCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.CodecV2.Unmarshal(data, v); err != nil {
		undecodable.Store(v, err)
	}
	return nil
}

// decodeFailure returns the InvalidArgument error of a request that did not
// decode, and nil for any other.
func decodeFailure(req any) error {
	bad, ok := undecodable.LoadAndDelete(req)
	if !ok {
		return nil
	}
	return apierr.New(codes.InvalidArgument, qbank.ReasonInvalidArgument,
		"the request is not a valid message: "+qbank.Truncate(bad.(error).Error(), 200), nil).Err()
}

// forgetUndecodable runs first in the chain and drops a request's decode
// failure when the call ends, however it ends: one refused before
// errorsUnary (by authentication, say) must not leave its entry behind.
func forgetUndecodable(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	defer undecodable.Delete(req)
	return handler(ctx, req)
}

// decodedStream refuses, on the stream, a received message that did not
// decode, so a streaming handler never reads a half-decoded request.
type decodedStream struct{ grpc.ServerStream }

func (s decodedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return decodeFailure(m)
}
