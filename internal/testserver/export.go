package testserver

import (
	"context"
	"errors"
	"io"
	"testing"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// DrainExport reads an ExportQuestionBank stream to its end, checking that
// the header comes first and only once. It calls header with the header and
// question with each question as it arrives (so a test of a large bank need
// hold none of them), and returns the number of questions. An error from
// the stream or a callback fails tb.
func DrainExport(tb testing.TB, stream interface {
	Recv() (*pb.ExportQuestionBankResponse, error)
}, header func(*pb.ExportHeader) error, question func(*pb.Question) error) int {
	tb.Helper()
	seen, n := false, 0
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if !seen {
				tb.Fatal("the export ended without a header")
			}
			return n
		}
		if err != nil {
			tb.Fatalf("export: %v", err)
		}
		switch h := msg.GetHeader(); {
		case h != nil && seen:
			tb.Fatal("the export sent a second header")
		case h != nil:
			seen = true
			if header != nil {
				err = header(h)
			}
		case !seen:
			tb.Fatal("the export sent a question before its header")
		default:
			n++
			if question != nil {
				err = question(msg.GetQuestion())
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// Export runs ExportQuestionBank and returns its header and questions.
func Export(ctx context.Context, tb testing.TB, api pb.QuestionBankServiceClient, req *pb.ExportQuestionBankRequest) (*pb.ExportHeader, []*pb.Question) {
	tb.Helper()
	stream, err := api.ExportQuestionBank(ctx, req)
	if err != nil {
		tb.Fatalf("export: %v", err)
	}
	var h *pb.ExportHeader
	var qs []*pb.Question
	DrainExport(tb, stream, func(x *pb.ExportHeader) error { h = x; return nil },
		func(q *pb.Question) error { qs = append(qs, q); return nil })
	return h, qs
}
