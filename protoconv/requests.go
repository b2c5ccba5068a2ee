package protoconv

import (
	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/catalog"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// ListFilter is the catalog filter a ListQuestions request asks for, not yet
// validated (catalog.Filter.Validate names each bad field).
func ListFilter(req *pb.ListQuestionsRequest) catalog.Filter {
	return catalog.Filter{
		Role: req.GetRole(), Dimension: req.GetDimension(), Competency: req.GetCompetency(),
		Stack: req.GetStack(), Seniority: req.GetSeniority(), Query: req.GetQuery(),
		ResponseFormat: FormatFromProto(req.GetResponseFormat()),
		State:          StateFromProto(req.GetState()),
		Collection:     req.GetCollection(),
	}
}

// QuestionsToProtoView converts a page of questions in a list view: the
// basic view unless the full one is asked for.
func QuestionsToProtoView(qs []qbank.Question, view pb.QuestionView) []*pb.Question {
	convert := QuestionToProtoBasic
	if view == pb.QuestionView_QUESTION_VIEW_FULL {
		convert = QuestionToProto
	}
	out := make([]*pb.Question, len(qs))
	for i := range qs {
		out[i] = convert(&qs[i])
	}
	return out
}

// TemplatesToProto converts a page of templates.
func TemplatesToProto(ts []qbank.Template) []*pb.Template {
	out := make([]*pb.Template, 0, len(ts))
	for i := range ts {
		out = append(out, TemplateToProto(&ts[i]))
	}
	return out
}
