package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/server/apierr"
)

// HTTPStatus is the HTTP status of a gRPC status: grpc-gateway's mapping,
// except that a method the path does not allow is 405, a body over the
// route's limit 413 and a body too slow to arrive 408.
func HTTPStatus(st *status.Status) int {
	switch reason := apierr.ReasonOf(st); {
	case st.Code() == codes.Unimplemented && reason == qbank.ReasonMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case st.Code() == codes.ResourceExhausted && reason == qbank.ReasonBodyTooLarge:
		return http.StatusRequestEntityTooLarge
	case st.Code() == codes.DeadlineExceeded && reason == qbank.ReasonRequestTimeout:
		return http.StatusRequestTimeout
	}
	return runtime.HTTPStatusFromCode(st.Code())
}

// WriteStatus writes an error the one way every route does: the JSON
// google.rpc.Status (with an ErrorInfo at least) under its HTTP status, a
// RFC 6750 challenge on 401 and 403, and Retry-After when the status says
// when to retry.
func WriteStatus(w http.ResponseWriter, r *http.Request, st *status.Status) {
	st = apierr.Ensure(st)
	h := w.Header()
	for _, k := range []string{"ETag", "Location", "Content-Disposition", "Content-Length", "Trailer", "Transfer-Encoding"} {
		h.Del(k)
	}
	switch apierr.ReasonOf(st) {
	case qbank.ReasonTokenMissing:
		// RFC 6750 §3.1: no error code when the request had no credentials.
		h.Set("WWW-Authenticate", `Bearer realm="qbank"`)
	case qbank.ReasonTokenUnknown:
		h.Set("WWW-Authenticate", `Bearer realm="qbank", error="invalid_token", error_description="unknown or revoked token"`)
	case qbank.ReasonPermissionDenied:
		h.Set("WWW-Authenticate", `Bearer realm="qbank", error="insufficient_scope"`)
	}
	if d, ok := apierr.RetryDelay(st); ok {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
	}
	body, err := protojson.Marshal(st.Proto())
	if err != nil {
		// Only a message that is not valid UTF-8 can fail; say so plainly.
		body, _ = protojson.Marshal(apierr.New(st.Code(), apierr.ReasonOf(st), strings.ToValidUTF8(st.Message(), "?"), nil).Proto())
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(HTTPStatus(st))
	_, _ = w.Write(append(body, '\n'))
}

// errorHandler is grpc-gateway's error handler: the service's own errors
// pass through; errors grpc-gateway made while reading the request (a body
// or a query parameter it could not parse) become field violations where
// the field can be told.
func errorHandler(ctx context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if st := bodyError(r); st != nil {
		// The body could not be read whole: say why, not "bad JSON".
		refuse(w, r, st)
		return
	}
	var hs *runtime.HTTPStatusError
	if errors.As(err, &hs) {
		err = hs.Err
	}
	st := status.Convert(err)
	if st.Code() == codes.InvalidArgument && apierr.ErrorInfo(st) == nil {
		st = parseError(r, st.Message())
	}
	WriteStatus(w, r, st)
}

var (
	// protojson's errors: `proto: (line 1:9): invalid value for int64 field seed: "x"`.
	protojsonPos     = regexp.MustCompile(`\(line (\d+):(\d+)\)`)
	protojsonField   = regexp.MustCompile(`(?:invalid value for \S+ field|unknown field|duplicate field) "?([^":\s]+)"?`)
	queryParamPrefix = "parsing "
)

// parseError turns a request grpc-gateway could not parse into a
// BadRequest naming the field: the body's JSON path at the position the
// parser stopped, or the query parameter that fails on its own.
func parseError(r *http.Request, msg string) *status.Status {
	rt := routeFrom(r.Context())
	field, why := "", msg
	if m := protojsonPos.FindStringSubmatch(msg); m != nil {
		why = strings.TrimSpace(strings.TrimPrefix(msg[strings.Index(msg, m[0])+len(m[0]):], ":"))
		if i := strings.Index(why, "(line"); i >= 0 {
			why = strings.TrimSpace(why[:i])
		}
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		if rec := recordedBody(r.Context()); rec != nil {
			field = jsonPathAt(rec.Bytes(), line, col)
		}
		if field == "" {
			if f := protojsonField.FindStringSubmatch(msg); f != nil {
				field = f[1]
			}
		}
		if field != "" && rt != nil && rt.Body != "" && rt.Body != "*" {
			field = qbank.JSONFieldPath(rt.Body) + "." + field
		}
		why = "is not valid: " + why
		if field == "" {
			why = "the body is not valid JSON for this request: " + strings.TrimPrefix(msg, "proto: ")
		}
	} else if rt != nil && rt.RPC != nil {
		if key, err := failingQueryParam(r, rt); key != "" {
			field, why = qbank.JSONFieldPath(key), err
		}
	}
	if field == "" {
		return apierr.New(codes.InvalidArgument, qbank.ReasonInvalidArgument, strings.TrimPrefix(why, "proto: "), nil)
	}
	field = strings.ToValidUTF8(field, "?")
	return apierr.New(codes.InvalidArgument, qbank.ReasonFieldInvalid, "invalid request ("+field+": "+why+")", nil,
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: why}}})
}

// failingQueryParam finds the query parameter grpc-gateway could not parse
// by parsing each on its own (only on the error path, so the cost does not
// matter), and says why in words.
func failingQueryParam(r *http.Request, rt *Route) (string, string) {
	values := r.URL.Query()
	for key, vals := range values {
		msg := dynamicpb.NewMessage(rt.RPC.Input())
		err := runtime.PopulateQueryParameters(msg, url.Values{key: vals}, noFilter)
		if err == nil {
			continue
		}
		why := err.Error()
		if i := strings.Index(why, ": "); strings.HasPrefix(why, queryParamPrefix) && i >= 0 {
			why = why[i+2:]
		}
		if !utf8.ValidString(why) {
			why = strings.ToValidUTF8(why, "?")
		}
		return key, "is not valid: " + why
	}
	return "", ""
}

// jsonPathAt returns the JSON path ("assessment.stacks[2]") of the value or
// key at a 1-based line and column (in characters, as protojson counts) of
// body, or "" when it cannot tell.
func jsonPathAt(body []byte, line, col int) string {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(body[off:], '\n')
		if i < 0 {
			return ""
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(body); c++ {
		_, size := utf8.DecodeRune(body[off:])
		off += size
	}
	type frame struct {
		array bool
		key   string
		index int
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for i, f := range stack {
			switch {
			case f.array:
				fmt.Fprintf(&b, "[%d]", f.index)
			case f.key != "":
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return strings.TrimPrefix(b.String(), ".")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	expectKey := false
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) || len(stack) == 0 {
				return ""
			}
			return path()
		}
		end := dec.InputOffset()
		top := len(stack) - 1
		if end > int64(off) && start <= int64(off) || start >= int64(off) {
			if s, isKey := tok.(string); isKey && top >= 0 && !stack[top].array && expectKey {
				stack[top].key = s
			}
			return path()
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, frame{array: t == '['})
				expectKey = t == '{'
				continue
			default:
				stack = stack[:top]
				top--
			}
		case string:
			if top >= 0 && !stack[top].array && expectKey {
				stack[top].key = t
				expectKey = false
				continue
			}
		}
		// A value ended: the next token is a key (objects) or the next item.
		if top >= 0 {
			if stack[top].array {
				stack[top].index++
			} else {
				expectKey = true
			}
		}
	}
}
