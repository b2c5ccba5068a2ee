package server

import (
	"context"
	"fmt"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/catalog"
	"github.com/layersrank/qbank/importer"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/repository"
)

// ExportQuestionBank streams the header, then one message per question, from
// one snapshot: the export is consistent, and nothing but the snapshot the
// server already holds is kept in memory.
func (s *Service) ExportQuestionBank(req *pb.ExportQuestionBankRequest, stream pb.QuestionBankService_ExportQuestionBankServer) error {
	snap := s.catalog.Snapshot()
	f := bankfile.Filter{Role: req.GetRole(), Collection: req.GetCollection(), State: protoconv.StateFromProto(req.GetState())}
	e, err := bankfile.Select(snap.Taxonomy, snap.Revision, f, repository.Now())
	if err != nil {
		return err
	}
	return bankfile.Run(e, snapshotQuestions(stream.Context(), snap), streamSink{stream})
}

// snapshotQuestions yields a snapshot's questions in id order, stopping when
// ctx ends (the client went away or ran out of time). They are shared with
// every reader: a sink must not modify them.
func snapshotQuestions(ctx context.Context, snap *catalog.Snapshot) bankfile.Questions {
	return func(yield func(*qbank.Question) error) error {
		var err error
		snap.Each(func(q *qbank.Question) bool {
			if err = ctx.Err(); err != nil {
				return false
			}
			err = yield(q)
			return err == nil
		})
		return err
	}
}

// streamSink sends an export down a gRPC stream.
type streamSink struct {
	stream pb.QuestionBankService_ExportQuestionBankServer
}

func (s streamSink) Header(e bankfile.Export) error {
	return s.stream.Send(&pb.ExportQuestionBankResponse{Item: &pb.ExportQuestionBankResponse_Header{Header: e.Header()}})
}

func (s streamSink) Question(q *qbank.Question) error {
	return s.stream.Send(&pb.ExportQuestionBankResponse{Item: &pb.ExportQuestionBankResponse_Question{Question: protoconv.QuestionToProto(q)}})
}

func (s streamSink) Close() error { return nil }

// ImportQuestions checks the whole import against the current snapshot,
// then applies it in one store transaction (where each etag is compared
// again, so a concurrent edit still makes the import fail as a whole).
func (s *Service) ImportQuestions(ctx context.Context, req *pb.ImportQuestionsRequest) (*pb.ImportQuestionsResponse, error) {
	// The cap is checked before any item is converted or looked at.
	if n := len(req.GetQuestions()); n > importer.MaxQuestions {
		return nil, qbank.Violations{{Field: "questions", Description: fmt.Sprintf("holds %d questions, the limit for one import is %d", n, importer.MaxQuestions)}}.Err()
	}
	snap := s.catalog.Snapshot()
	items := make([]qbank.Question, len(req.GetQuestions()))
	for i, q := range req.GetQuestions() {
		items[i] = protoconv.QuestionFromProto(q)
	}
	bank := importer.Bank{Taxonomy: snap.Taxonomy, Current: snap.Question, Revision: snap.Revision}
	report, err := importer.Run(ctx, s.store, bank, items, req.GetValidateOnly(), s.change(ctx, "import"))
	if err != nil {
		return nil, err
	}
	if !report.ValidateOnly {
		s.refresh(ctx)
	}
	return ImportResponse(report), nil
}

// ImportResponse is an import's report on the wire.
func ImportResponse(r importer.Report) *pb.ImportQuestionsResponse {
	out := &pb.ImportQuestionsResponse{ValidateOnly: r.ValidateOnly, BankRevision: r.Revision,
		CreatedCount: int32(r.Created), UpdatedCount: int32(r.Updated), UnchangedCount: int32(r.Unchanged)}
	actions := map[importer.Action]pb.ImportResult_Action{
		importer.Created: pb.ImportResult_ACTION_CREATED, importer.Updated: pb.ImportResult_ACTION_UPDATED, importer.Unchanged: pb.ImportResult_ACTION_UNCHANGED,
	}
	for _, res := range r.Results {
		out.Results = append(out.Results, &pb.ImportResult{Id: res.ID, Action: actions[res.Action], Version: int32(res.Version)})
	}
	return out
}
