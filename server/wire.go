package server

import (
	"context"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/catalog"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/server/gateway"
)

// sharedQuestion is the current version of a question in its wire form,
// built once per snapshot and shared (read-only) by every reader of that
// snapshot: the hottest read there is. The gateway keeps its JSON beside it,
// so a cached read through HTTP is encoded once per snapshot too.
type sharedQuestion struct {
	msg  *pb.Question
	json gateway.JSONSlot
}

// sharedQuestions holds each snapshot's shared wire forms, by question id.
var sharedQuestions = catalog.NewMemo[string, *sharedQuestion]()

// wireQuestion reads ref through the catalog and returns its wire form: the
// shared one when ref is a snapshot's current version, a new one otherwise.
func (s *Service) wireQuestion(ctx context.Context, ref qbank.Ref) (*pb.Question, error) {
	q, current, err := s.catalog.Question(ctx, ref)
	if err != nil {
		return nil, err
	}
	if current == nil {
		return protoconv.QuestionToProto(&q), nil
	}
	return sharedQuestions.Get(current, q.ID, func() *sharedQuestion {
		return &sharedQuestion{msg: protoconv.QuestionToProto(&q)}
	}).msg, nil
}

// sharedJSON is the gateway's hook (gateway.Options.SharedJSON): the slot for
// the JSON of msg when msg is the shared wire form of the current snapshot,
// nil for any other message (which the gateway then encodes each time).
func (s *Service) sharedJSON(msg *pb.Question) *gateway.JSONSlot {
	shared, ok := sharedQuestions.Lookup(s.catalog.Snapshot(), msg.GetId())
	if !ok || shared.msg != msg {
		return nil
	}
	return &shared.json
}
