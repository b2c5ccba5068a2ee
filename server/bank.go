package server

import (
	"context"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/layersrank/qbank"
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
	var v qbank.Violations
	if _, ok := snap.Taxonomy.Role(req.GetRole()); req.GetRole() != "" && !ok {
		v.Add("role", "unknown role %q (valid: %s)", req.GetRole(), strings.Join(snap.Taxonomy.RoleIDs(), ", "))
	}
	if err := v.Err(); err != nil {
		return err
	}
	state := protoconv.StateFromProto(req.GetState())
	header := &pb.ExportHeader{
		BankRevision: snap.Revision,
		ExportTime:   timestamppb.New(repository.Now()),
		Role:         req.GetRole(),
		Taxonomy:     protoconv.TaxonomyToProto(snap.Taxonomy.ForRole(req.GetRole())),
	}
	if err := stream.Send(&pb.ExportQuestionBankResponse{Item: &pb.ExportQuestionBankResponse_Header{Header: header}}); err != nil {
		return err
	}
	var err error
	snap.Each(func(q *qbank.Question) bool {
		if (state != "" && q.State != state) || (req.GetRole() != "" && !slices.Contains(q.Roles, req.GetRole())) {
			return true
		}
		msg := &pb.ExportQuestionBankResponse{Item: &pb.ExportQuestionBankResponse_Question{Question: protoconv.QuestionToProto(q)}}
		err = stream.Send(msg)
		return err == nil
	})
	return err
}

// ImportQuestions checks the whole import against the current snapshot,
// then applies it in one store transaction (where each etag is compared
// again, so a concurrent edit still makes the import fail as a whole).
func (s *Service) ImportQuestions(ctx context.Context, req *pb.ImportQuestionsRequest) (*pb.ImportQuestionsResponse, error) {
	snap := s.catalog.Snapshot()
	items := make([]qbank.Question, len(req.GetQuestions()))
	for i, q := range req.GetQuestions() {
		items[i] = protoconv.QuestionFromProto(q)
	}
	plan, err := importer.Build(snap.Taxonomy, snap.Question, items)
	if err != nil {
		return nil, err
	}
	results := plan.Results
	rev := snap.Revision
	if !req.GetValidateOnly() {
		if results, err = importer.Apply(ctx, s.store, plan, s.change(ctx, "import")); err != nil {
			return nil, err
		}
		s.refresh(ctx)
		rev = s.catalog.Snapshot().Revision
	}
	return ImportResponse(results, req.GetValidateOnly(), rev), nil
}

// ImportResponse builds the wire response for import results.
func ImportResponse(results []importer.Result, validateOnly bool, rev int64) *pb.ImportQuestionsResponse {
	out := &pb.ImportQuestionsResponse{ValidateOnly: validateOnly, BankRevision: rev}
	actions := map[importer.Action]pb.ImportResult_Action{
		importer.Created: pb.ImportResult_ACTION_CREATED, importer.Updated: pb.ImportResult_ACTION_UPDATED, importer.Unchanged: pb.ImportResult_ACTION_UNCHANGED,
	}
	for _, r := range results {
		out.Results = append(out.Results, &pb.ImportResult{Id: r.ID, Action: actions[r.Action], Version: int32(r.Version)})
		switch r.Action {
		case importer.Created:
			out.CreatedCount++
		case importer.Updated:
			out.UpdatedCount++
		case importer.Unchanged:
			out.UnchangedCount++
		}
	}
	return out
}
