package gateway

import (
	"bufio"
	"context"
	"net/http"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server/apierr"
)

// ExportFunc runs ExportQuestionBank in process, through the same stream
// interceptors as a gRPC call (auth, metrics, access log, error mapping);
// ctx carries the caller's metadata.
type ExportFunc func(ctx context.Context, req *pb.ExportQuestionBankRequest, send func(*pb.ExportQuestionBankResponse) error) error

// NDJSONType is the export stream's media type: one JSON object per line.
const NDJSONType = "application/x-ndjson"

// exportBuffer batches lines into writes of a useful size; the stream is
// still incremental (each full buffer goes out at once).
const exportBuffer = 32 << 10

// exportHandler serves GET /v1/question-bank:export as newline-delimited
// JSON: the export header's object on the first line, then one question
// object per line, nothing wrapped. An error before the first line is an
// ordinary error response (status code and google.rpc.Status body); one
// after it is a last line holding the google.rpc.Status, since the status
// code has been sent (a line with "code" and "message" ends the stream).
//
// The stream may outlast the server's WriteTimeout: each write renews its
// own deadline (writeTimeout from now), so a slow but live reader keeps it
// going and a stalled one is cut.
func exportHandler(export ExportFunc, writeTimeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := &pb.ExportQuestionBankRequest{}
		if err := runtime.PopulateQueryParameters(req, r.URL.Query(), noFilter); err != nil {
			WriteStatus(w, r, parseError(r, err.Error()))
			return
		}
		out := &ndjson{w: w}
		if writeTimeout > 0 {
			out.renew = func() { _ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout)) }
		}
		err := export(callContext(r), req, out.send)
		switch {
		case err != nil && !out.started:
			WriteStatus(w, r, status.Convert(err))
			return
		case err != nil:
			out.line(apierr.Ensure(status.Convert(err)).Proto())
		}
		out.flush()
	})
}

type ndjson struct {
	w       http.ResponseWriter
	renew   func() // extends the write deadline before each write; nil: none
	bw      *bufio.Writer
	started bool
	err     error
}

func (n *ndjson) send(m *pb.ExportQuestionBankResponse) error {
	if !n.started {
		n.started = true
		h := n.w.Header()
		h.Set("Content-Type", NDJSONType)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if n.renew != nil {
			n.renew()
		}
		n.w.WriteHeader(http.StatusOK)
		n.bw = bufio.NewWriterSize(deadlineWriter{n.w, n.renew}, exportBuffer)
	}
	switch item := m.GetItem().(type) {
	case *pb.ExportQuestionBankResponse_Header:
		n.line(item.Header)
	case *pb.ExportQuestionBankResponse_Question:
		n.line(item.Question)
	}
	return n.err
}

var lineJSON = protojson.MarshalOptions{}

func (n *ndjson) line(m proto.Message) {
	if n.err != nil || n.bw == nil {
		return
	}
	b, err := lineJSON.Marshal(m)
	if err != nil {
		n.err = err
		return
	}
	if _, err := n.bw.Write(append(b, '\n')); err != nil {
		n.err = err
	}
}

// deadlineWriter renews the write deadline before each write it passes on.
type deadlineWriter struct {
	w     http.ResponseWriter
	renew func()
}

func (d deadlineWriter) Write(p []byte) (int, error) {
	if d.renew != nil {
		d.renew()
	}
	return d.w.Write(p)
}

func (n *ndjson) flush() {
	if n.bw != nil && n.err == nil {
		n.err = n.bw.Flush()
	}
	if f, ok := n.w.(http.Flusher); ok && n.err == nil {
		f.Flush()
	}
}
