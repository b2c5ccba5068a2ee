// Package gateway serves the JSON/HTTP face of the service: grpc-gateway's
// mux for the API, plus /healthz, /readyz, /metrics and /openapi.json, which
// need no token. Unary methods are called in process (the server hands in a
// service that runs each call through the gRPC interceptor chain), because
// a second gRPC round trip over loopback would cost more than the call; the
// one streaming method, which grpc-gateway cannot call in process, goes
// through a client connection to the local gRPC server.
package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/openapi"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// Request body limits; larger bodies get 413. Imports carry whole banks: an
// import body is an import file, with the file's own limit.
const (
	MaxBodyBytes   = 1 << 20
	MaxImportBytes = bankfile.MaxFileBytes
)

// Options configure the gateway.
type Options struct {
	GRPCAddr string
	// Service answers the unary methods in process.
	Service pb.QuestionBankServiceServer
	// Ready reports whether the service can serve (for /readyz); its error
	// says why not.
	Ready   func(ctx context.Context) error
	Metrics http.Handler
	// PDF serves GET /v1/question-bank.pdf (it checks its own token).
	PDF http.Handler
	// Kit serves GET /v1/interview-kit.pdf (it checks its own token).
	Kit http.Handler
	Log *slog.Logger
	// SharedJSON, when set, returns the slot where the JSON of a question
	// message is kept when that message is shared: built once per snapshot
	// and never modified, so it always encodes to the same bytes. For any
	// other message it returns nil and the message is encoded each time.
	SharedJSON func(*pb.Question) *JSONSlot
}

// JSONSlot keeps the gateway's JSON encoding of one shared message; its
// owner (the service) decides how long it lives.
type JSONSlot struct {
	b atomic.Pointer[[]byte]
}

// New returns the gateway's handler and the connection it holds to the gRPC
// server, which the caller closes after the HTTP server has drained.
func New(ctx context.Context, o Options) (http.Handler, *grpc.ClientConn, error) {
	conn, err := grpc.NewClient(o.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, fmt.Errorf("gateway: dial %s: %w", o.GRPCAddr, err)
	}
	newMux := func() *runtime.ServeMux {
		return runtime.NewServeMux(
			runtime.WithMarshalerOption(runtime.MIMEWildcard, &cachingJSON{JSONPb: runtime.JSONPb{
				MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
				UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
			}, shared: o.SharedJSON}),
			runtime.WithErrorHandler(retryAfter),
		)
	}
	mux, streams := newMux(), newMux()
	if err := pb.RegisterQuestionBankServiceHandlerServer(ctx, mux, o.Service); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("gateway: register: %w", err)
	}
	if err := pb.RegisterQuestionBankServiceHandler(ctx, streams, conn); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("gateway: register streams: %w", err)
	}

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := o.Ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	root.Handle("GET /metrics", o.Metrics)
	root.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openapi.JSON)
	})
	root.Handle("GET /v1/question-bank.pdf", accessLog(o.Log, o.PDF))
	root.Handle("GET /v1/interview-kit.pdf", accessLog(o.Log, o.Kit))
	root.Handle("GET /v1/question-bank:export", validUTF8Query(streams))
	root.Handle("/v1/", mux)
	return limitBody(root), conn, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := int64(MaxBodyBytes)
			if strings.HasSuffix(r.URL.Path, ":import") {
				limit = MaxImportBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// accessLog logs each request's method, path (never the query, which can
// carry search words, nor headers, which carry tokens), status and duration,
// for the routes the gRPC access log does not already cover.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

// retryAfter adds a Retry-After header to errors that carry a RetryInfo (a
// rate-limited call's 429), then writes the error as grpc-gateway does.
func retryAfter(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if st, ok := status.FromError(err); ok {
		for _, d := range st.Details() {
			if ri, ok := d.(*errdetails.RetryInfo); ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ri.GetRetryDelay().AsDuration().Seconds()))))
			}
		}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// validUTF8Query refuses a query parameter that is not valid UTF-8 with a 400
// naming it. The unary routes are checked by the service; this route is
// proxied to the gRPC server, whose client cannot even encode such a string.
func validUTF8Query(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for key, values := range r.URL.Query() {
			for _, v := range values {
				if !utf8.ValidString(key) || !utf8.ValidString(v) {
					st := status.New(codes.InvalidArgument, fmt.Sprintf("query parameter %q is not valid UTF-8", strings.ToValidUTF8(key, "?")))
					if d, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
						{Field: strings.ToValidUTF8(key, "?"), Description: "is not valid UTF-8"},
					}}); err == nil {
						st = d
					}
					body, _ := protojson.Marshal(st.Proto())
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write(body)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// cachingJSON encodes a shared question message (Options.SharedJSON) once
// and keeps the bytes in its slot; protojson is the largest cost of a
// gateway read.
type cachingJSON struct {
	runtime.JSONPb
	shared func(*pb.Question) *JSONSlot
}

func (c *cachingJSON) Marshal(v any) ([]byte, error) {
	q, ok := v.(*pb.Question)
	if !ok || c.shared == nil {
		return c.JSONPb.Marshal(v)
	}
	slot := c.shared(q)
	if slot == nil {
		return c.JSONPb.Marshal(v)
	}
	if b := slot.b.Load(); b != nil {
		return *b, nil
	}
	b, err := c.JSONPb.Marshal(q)
	if err != nil {
		return nil, err
	}
	slot.b.Store(&b)
	return b, nil
}
