// Package gateway serves the JSON/HTTP face of the service: the API's
// routes (read from the proto's google.api.http annotations and served by
// grpc-gateway, except the hottest read and the export stream, which are
// hand-written), plus /healthz, /readyz, /metrics and /openapi.json, which
// need no token, and the PDF routes the server hands in.
//
// Every method is called in process (the server hands in a service that
// runs each call through the gRPC interceptor chain), because a second gRPC
// round trip over loopback would cost more than the call.
//
// HTTP semantics are kept the way browsers, proxies and generated clients
// expect: 404 and 405 (with Allow) from one router that knows every route,
// HEAD on every GET, a JSON google.rpc.Status for every error, strong ETags
// and 304s on single resources, If-Match in place of a body's etag,
// Location on create, RFC 6750 challenges on 401, Retry-After on 429 and
// 503, gzip for responses worth it, and CORS for the origins configured.
package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/klauspost/compress/gzhttp"
	"github.com/rs/cors"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/openapi"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server/apierr"
	"github.com/layersrank/qbank/server/auth"
)

// Request body limits; larger bodies get 413 before the rest is read.
// Imports carry whole banks: an admin's import body is an import file, with
// the file's own limit; everyone else's bodies, on every route, get the
// small one (the router picks by the resolved route and the principal).
const (
	MaxBodyBytes   = 1 << 20
	MaxImportBytes = bankfile.MaxFileBytes
)

// MinGzipBytes is the smallest response worth compressing: below it the
// gzip header and CPU cost more than they save.
const MinGzipBytes = 1024

// Options configure the gateway.
type Options struct {
	// Service answers the unary methods in process.
	Service pb.QuestionBankServiceServer
	// Export answers the export stream in process.
	Export ExportFunc
	// Ready reports whether the service can serve (for /readyz); its error
	// says why not.
	Ready   func(ctx context.Context) error
	Metrics http.Handler
	// PDF serves GET /v1/question-bank.pdf (it checks its own token).
	PDF http.Handler
	// Kit serves GET /v1/interview-kit.pdf (it checks its own token).
	Kit http.Handler
	// Routes are further plain routes (each checks its own token).
	Routes []Route
	// CORSOrigins are the browser origins allowed to call the API
	// ("https://app.example.com"); empty turns CORS off.
	CORSOrigins []string
	// Version is the build's version, served as the OpenAPI document's.
	Version string
	Log     *slog.Logger
	// Auth, when set, admits every request at the router, before its body
	// is read: token and role for the route's method, the body limit for
	// the route and principal, per-address limits for anonymous requests.
	Auth *auth.Authenticator
	// ImportReadTimeout is how long an admin's import body may take to
	// arrive (other requests have the server's ReadTimeout); 0 leaves the
	// server's.
	ImportReadTimeout time.Duration
	// WriteTimeout, when set, is the deadline of each write of the export
	// stream, renewed per write, so a long export outlives the server's
	// WriteTimeout while a stalled reader does not.
	WriteTimeout time.Duration
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

type gateway struct {
	svc      pb.QuestionBankServiceServer
	json     *cachingJSON
	getRoute *Route // GET /v1/questions/{id}, served by getQuestion
}

// New returns the gateway's handler.
func New(ctx context.Context, o Options) (http.Handler, error) {
	g := &gateway{svc: o.Service, json: &cachingJSON{JSONPb: runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}, shared: o.SharedJSON}}
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, g.json),
		runtime.WithErrorHandler(errorHandler),
		runtime.WithRoutingErrorHandler(func(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, code int) {
			// The router has matched the route already; this is a safety net.
			WriteStatus(w, r, apierr.New(codes.NotFound, qbank.ReasonRouteNotFound, "no route "+r.URL.Path+fmt.Sprintf(" (%d)", code), nil))
		}),
		runtime.WithForwardResponseOption(responseHeaders),
		// The router alone decides which route a request takes.
		runtime.WithDisablePathLengthFallback(),
		runtime.WithDisableHTTPMethodOverride(),
		// gRPC metadata stays inside: no Grpc-Metadata-* response headers.
		runtime.WithOutgoingHeaderMatcher(func(string) (string, bool) { return "", false }),
		runtime.WithOutgoingTrailerMatcher(func(string) (string, bool) { return "", false }),
	)
	if err := pb.RegisterQuestionBankServiceHandlerServer(ctx, mux, o.Service); err != nil {
		return nil, fmt.Errorf("gateway: register: %w", err)
	}
	api := validUTF8Query(conditional(recordBody(mux)))
	routes := []*Route{
		{Method: http.MethodGet, Path: "/healthz", Need: auth.Open, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		})},
		{Method: http.MethodGet, Path: "/readyz", Need: auth.Open, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := o.Ready(ctx); err != nil {
				WriteStatus(w, r, apierr.New(codes.Unavailable, qbank.ReasonStoreUnavailable, err.Error(), nil, apierr.Retry(apierr.UnavailableRetryDelay)))
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		})},
		{Method: http.MethodGet, Path: "/metrics", Need: auth.Open, Handler: o.Metrics},
		{Method: http.MethodGet, Path: "/openapi.json", Need: auth.Open, Handler: openapiHandler(o.Version)},
	}
	if o.PDF != nil {
		routes = append(routes, &Route{Method: http.MethodGet, Path: "/v1/question-bank.pdf", Handler: accessLog(o.Log, o.PDF)})
	}
	if o.Kit != nil {
		routes = append(routes, &Route{Method: http.MethodGet, Path: "/v1/interview-kit.pdf", Handler: accessLog(o.Log, o.Kit)})
	}
	for _, rt := range o.Routes {
		rt.Handler = accessLog(o.Log, rt.Handler)
		routes = append(routes, &rt)
	}
	for _, rt := range apiRoutes() {
		switch rt.fullMethod() {
		case pb.QuestionBankService_GetQuestion_FullMethodName:
			rt.Handler, rt.bare, g.getRoute = validUTF8Query(http.HandlerFunc(g.getQuestion)), true, rt
		case pb.QuestionBankService_ExportQuestionBank_FullMethodName:
			rt.Handler = validUTF8Query(exportHandler(o.Export, o.WriteTimeout))
		default:
			rt.Handler = api
		}
		routes = append(routes, rt)
	}
	var e *edge
	if o.Auth != nil {
		e = &edge{auth: o.Auth, importReadTimeout: o.ImportReadTimeout}
	}
	var h http.Handler = newRouter(routes, e)
	compress, err := gzhttp.NewWrapper(
		gzhttp.MinSize(MinGzipBytes),
		gzhttp.EnableZstd(false),
		gzhttp.SuffixETag(gzipETagSuffix),
		// PDFs are deflated inside already.
		gzhttp.ExceptContentTypes([]string{"application/pdf"}),
	)
	if err != nil {
		return nil, fmt.Errorf("gateway: gzip: %w", err)
	}
	h = compress(h)
	if len(o.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: o.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
			AllowedHeaders: []string{"Authorization", "Content-Type", "If-Match", "If-None-Match"},
			ExposedHeaders: []string{"ETag", "Location", "Retry-After", "WWW-Authenticate", "Content-Disposition"},
			MaxAge:         600,
		}).Handler(h)
	}
	return h, nil
}

// openapiHandler serves the OpenAPI document with the build's version.
func openapiHandler(version string) http.Handler {
	doc := openapi.WithVersion(version)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
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

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

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

// validUTF8Query refuses a query parameter that is not valid UTF-8 with a
// 400 naming it, before the API's handlers parse the query (the PDF routes
// check their own, after the token).
func validUTF8Query(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		for key, values := range r.URL.Query() {
			for _, v := range values {
				if !utf8.ValidString(key) || !utf8.ValidString(v) {
					field := qbank.JSONFieldPath(strings.ToValidUTF8(key, "?"))
					WriteStatus(w, r, apierr.New(codes.InvalidArgument, qbank.ReasonFieldInvalid,
						fmt.Sprintf("invalid request (%s: is not valid UTF-8)", field), nil,
						&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: "is not valid UTF-8"}}}))
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
