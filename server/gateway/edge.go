package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server/apierr"
	"github.com/layersrank/qbank/server/auth"
)

// edge admits a request for the route the router resolved, before anything
// reads its body: the token is checked for the route's method (so an
// anonymous or reader request to an admin route is refused without its
// body being read), and the body gets the limit of that route and
// principal: MaxBodyBytes, or MaxImportBytes for an admin's import, chosen
// by the resolved route and never by how the path looks.
type edge struct {
	auth *auth.Authenticator
	// importReadTimeout is how long an admin's import may take to upload;
	// every other request has the server's ReadTimeout.
	importReadTimeout time.Duration
}

// admit returns the request to serve (carrying its route), or writes the
// refusal and returns false.
func (e *edge) admit(w http.ResponseWriter, r *http.Request, rt *Route) (*http.Request, bool) {
	method, need := rt.fullMethod(), rt.Need
	if method == "" {
		method = rt.Path
		if need == "" {
			need = auth.RoleReader
		}
	}
	ctx, p, err := e.auth.Admit(r, method, need)
	if err != nil {
		refuse(w, r, status.Convert(err))
		return nil, false
	}
	ctx = context.WithValue(ctx, routeKey{}, rt)
	if !hasBody(r) {
		return r.WithContext(ctx), true
	}
	limit := int64(MaxBodyBytes)
	if method == pb.QuestionBankService_ImportQuestions_FullMethodName && p.Role == auth.RoleAdmin {
		limit = MaxImportBytes
		if e.importReadTimeout > 0 {
			// A whole bank takes longer to upload than a request; only an
			// admin's import gets the time (and the size).
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(e.importReadTimeout))
		}
	}
	if r.ContentLength > limit {
		refuse(w, r, tooLarge(limit))
		return nil, false
	}
	b := &edgeBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), limit: limit}
	r = r.WithContext(context.WithValue(ctx, edgeBodyKey{}, b))
	r.Body = b
	return r, true
}

// anonymous takes a request no route matched from its client's anonymous
// allowance; false when it is spent (the 429 is written).
func (e *edge) anonymous(w http.ResponseWriter, r *http.Request) bool {
	if e == nil {
		return true
	}
	if err := e.auth.AllowAnonymous(r.URL.Path, r.RemoteAddr); err != nil {
		refuse(w, r, status.Convert(err))
		return false
	}
	return true
}

func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// refuse writes a refusal. A request whose body is left unread gets
// Connection: close, so the server does not read (a possibly huge, possibly
// trickled) body only to throw it away; and because net/http still reads up
// to 256 KiB of an unread body before it closes, the connection's read
// deadline is brought forward to refusalGrace: a client sending at any
// normal speed finishes (and reads the refusal, rather than a reset), and
// a trickling one is cut then instead of at the read timeout.
func refuse(w http.ResponseWriter, r *http.Request, st *status.Status) {
	if !hasBody(r) {
		WriteStatus(w, r, st)
		return
	}
	w.Header().Set("Connection", "close")
	WriteStatus(w, r, st)
	// Best effort: HTTP/2 streams do not support it and need not (closing
	// the stream discards its body).
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(refusalGrace))
}

// refusalGrace is how long a refused request's unread body may keep
// arriving.
const refusalGrace = time.Second

func tooLarge(limit int64) *status.Status {
	return apierr.New(codes.ResourceExhausted, qbank.ReasonBodyTooLarge,
		fmt.Sprintf("the request body is larger than this route's limit of %d bytes", limit),
		map[string]string{"limitBytes": fmt.Sprint(limit)})
}

type edgeBodyKey struct{}

// edgeBody remembers why reading the body failed, so the error handler can
// answer 413 or 408 instead of "bad JSON".
type edgeBody struct {
	io.ReadCloser
	limit int64
	err   error
}

func (b *edgeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

// bodyError is the status for a body that could not be read whole (too
// large, or too slow), or nil.
func bodyError(r *http.Request) *status.Status {
	b, _ := r.Context().Value(edgeBodyKey{}).(*edgeBody)
	if b == nil || b.err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(b.err, &tooBig):
		return tooLarge(b.limit)
	case errors.As(b.err, &netErr) && netErr.Timeout():
		return apierr.New(codes.DeadlineExceeded, qbank.ReasonRequestTimeout,
			"the request body did not arrive within the server's read timeout", nil)
	}
	return nil
}
