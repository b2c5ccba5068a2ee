package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// gzipETagSuffix is what the compressing middleware adds inside a strong
// ETag of a gzipped response (RFC 9110: each content coding of a
// representation has its own strong validator). Conditional requests may
// send either form back.
const gzipETagSuffix = "-gzip"

// QuestionETag is the strong HTTP validator of a question as served: its
// etag, which changes on every write of the head; an older version (which
// carries no etag and never changes) is named by its id and version.
func QuestionETag(q *pb.Question) string {
	if q.GetEtag() != "" {
		return `"` + q.GetEtag() + `"`
	}
	return `"` + q.GetId() + "@" + strconv.Itoa(int(q.GetVersion())) + `"`
}

// responseHeaders sets the headers a response's message calls for: ETag on
// every response that is one question or template, and Location on a
// create. It runs as grpc-gateway's forward-response option, before the body
// is written.
func responseHeaders(_ context.Context, w http.ResponseWriter, msg proto.Message) error {
	// The generated in-process handlers wrap the response to pick out its
	// response_body; the wrapper still reflects the response's type.
	var body any = msg
	if rb, ok := msg.(interface{ XXX_ResponseBody() interface{} }); ok {
		body = rb.XXX_ResponseBody()
	}
	created := strings.HasPrefix(string(msg.ProtoReflect().Descriptor().Name()), "Create")
	switch b := body.(type) {
	case *pb.Question:
		w.Header().Set("ETag", QuestionETag(b))
		if created {
			w.Header().Set("Location", "/v1/questions/"+b.GetId())
		}
	case *pb.Template:
		if b.GetEtag() != "" {
			w.Header().Set("ETag", `"`+b.GetEtag()+`"`)
		}
		if created {
			w.Header().Set("Location", "/v1/templates/"+b.GetId())
		}
	}
	return nil
}

// etagMatches reports whether an If-None-Match header matches etag (weak
// comparison, RFC 9110 §13.1.2), either coding's form.
func etagMatches(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	for _, tag := range strings.Split(header, ",") {
		tag = strings.Trim(strings.TrimPrefix(strings.TrimSpace(tag), "W/"), `"`)
		if tag == want || strings.TrimSuffix(tag, gzipETagSuffix) == want {
			return true
		}
	}
	return false
}

// conditional answers a GET with If-None-Match that matches the ETag the
// handler sets: 304 Not Modified with the validator and no body.
func conditional(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inm := r.Header.Get("If-None-Match")
		if inm == "" || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&notModifiedWriter{ResponseWriter: w, ifNoneMatch: inm}, r)
	})
}

type notModifiedWriter struct {
	http.ResponseWriter
	ifNoneMatch string
	decided     bool
	swallow     bool
}

func (n *notModifiedWriter) WriteHeader(code int) {
	if n.decided {
		return
	}
	n.decided = true
	if code == http.StatusOK && etagMatches(n.ifNoneMatch, n.Header().Get("ETag")) {
		n.swallow = true
		for _, k := range []string{"Content-Type", "Content-Length", "Transfer-Encoding"} {
			n.Header().Del(k)
		}
		code = http.StatusNotModified
	}
	n.ResponseWriter.WriteHeader(code)
}

func (n *notModifiedWriter) Write(b []byte) (int, error) {
	if !n.decided {
		n.WriteHeader(http.StatusOK)
	}
	if n.swallow {
		return len(b), nil
	}
	return n.ResponseWriter.Write(b)
}

func (n *notModifiedWriter) Unwrap() http.ResponseWriter { return n.ResponseWriter }

// ParseIfMatch reads an If-Match header as one strong etag (either coding's
// form). ok is false when there is no header; err describes a header that
// is not one strong etag.
func ParseIfMatch(h string) (etag string, ok bool, err string) {
	h = strings.TrimSpace(h)
	switch {
	case h == "":
		return "", false, ""
	case h == "*":
		return "", true, "If-Match: * is not supported: send the etag you read"
	case strings.HasPrefix(h, "W/"):
		return "", true, "If-Match needs the strong etag you read, not a weak one"
	case strings.Contains(h, ","):
		return "", true, "If-Match must name one etag"
	}
	return strings.TrimSuffix(strings.Trim(h, `"`), gzipETagSuffix), true, ""
}

// maxRecordedBody bounds how much of a request body is kept to name the
// field of a parse error; past it the error names the field as the parser
// does, without its path.
const maxRecordedBody = 1 << 20

type recordKey struct{}

type bodyRecorder struct {
	io.ReadCloser
	buf bytes.Buffer
}

func (b *bodyRecorder) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := maxRecordedBody - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(n, room)])
	}
	return n, err
}

func (b *bodyRecorder) Bytes() []byte { return b.buf.Bytes() }

func recordedBody(ctx context.Context) *bodyRecorder {
	b, _ := ctx.Value(recordKey{}).(*bodyRecorder)
	return b
}

// recordBody keeps the start of a request body as it is read, so that a
// body the parser refuses can be reported by the JSON path of the bad field.
func recordBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rec := &bodyRecorder{ReadCloser: r.Body}
		r = r.WithContext(context.WithValue(r.Context(), recordKey{}, rec))
		r.Body = rec
		next.ServeHTTP(w, r)
	})
}
