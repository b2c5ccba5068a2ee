// Package protoconv converts between the domain types and their protobuf
// forms, for the server, the export file format and the CLI.
package protoconv

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/layersrank/qbank"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

var FormatToProto = map[qbank.ResponseFormat]pb.ResponseFormat{
	qbank.FormatVideo:   pb.ResponseFormat_RESPONSE_FORMAT_VIDEO,
	qbank.FormatWritten: pb.ResponseFormat_RESPONSE_FORMAT_WRITTEN,
}

var StateToProto = map[qbank.State]pb.Question_State{
	qbank.StateDraft:   pb.Question_STATE_DRAFT,
	qbank.StateActive:  pb.Question_STATE_ACTIVE,
	qbank.StateRetired: pb.Question_STATE_RETIRED,
}

// FormatFromProto maps a wire format to the domain's; unspecified is "".
func FormatFromProto(f pb.ResponseFormat) qbank.ResponseFormat {
	for k, v := range FormatToProto {
		if v == f {
			return k
		}
	}
	if f == pb.ResponseFormat_RESPONSE_FORMAT_UNSPECIFIED {
		return ""
	}
	return qbank.ResponseFormat(f.String()) // unknown: validation names it
}

func StateFromProto(s pb.Question_State) qbank.State {
	for k, v := range StateToProto {
		if v == s {
			return k
		}
	}
	if s == pb.Question_STATE_UNSPECIFIED {
		return ""
	}
	return qbank.State(s.String())
}

// QuestionToProto converts a question in full: the basic view plus the
// reviewer material (what it reveals, variants, follow-ups, scoring guide)
// and the version's author and note.
func QuestionToProto(q *qbank.Question) *pb.Question {
	out := QuestionToProtoBasic(q)
	out.WhatItReveals = q.WhatItReveals
	out.StackVariants = q.StackVariants
	out.FollowUps = q.FollowUps
	out.ScoringGuide = &pb.ScoringGuide{Strong: q.ScoringGuide.Strong, Adequate: q.ScoringGuide.Adequate, Weak: q.ScoringGuide.Weak}
	out.Author, out.ChangeNote = q.Author, q.ChangeNote
	if !q.CreateTime.IsZero() {
		out.CreateTime = timestamppb.New(q.CreateTime)
	}
	return out
}

// QuestionsToProto converts questions in full.
func QuestionsToProto(qs []qbank.Question) []*pb.Question {
	out := make([]*pb.Question, len(qs))
	for i := range qs {
		out[i] = QuestionToProto(&qs[i])
	}
	return out
}

// ContentFromProto copies the content fields of a wire question.
func ContentFromProto(q *pb.Question) qbank.Content {
	c := qbank.Content{
		Text:           q.GetText(),
		Roles:          q.GetRoles(),
		Dimension:      q.GetDimension(),
		Competency:     q.GetCompetency(),
		WhatItReveals:  q.GetWhatItReveals(),
		ResponseFormat: FormatFromProto(q.GetResponseFormat()),
		Minutes:        int(q.GetMinutes()),
		Seniorities:    q.GetSeniorities(),
		Stacks:         q.GetStacks(),
		StackVariants:  q.GetStackVariants(),
		FollowUps:      q.GetFollowUps(),
	}
	if g := q.GetScoringGuide(); g != nil {
		c.ScoringGuide = qbank.ScoringGuide{Strong: g.GetStrong(), Adequate: g.GetAdequate(), Weak: g.GetWeak()}
	}
	return c
}

func TaxonomyToProto(t *qbank.Taxonomy) *pb.Taxonomy {
	out := &pb.Taxonomy{Seniorities: t.Seniorities}
	for _, d := range t.Dimensions {
		out.Dimensions = append(out.Dimensions, &pb.Dimension{Id: d.ID, Title: d.Title, Weight: int32(d.Weight)})
	}
	for _, c := range t.Competencies {
		out.Competencies = append(out.Competencies, &pb.Competency{
			Id: c.ID, Dimension: c.Dimension, Title: c.Title, Description: c.Description,
			GreatLooksLike: c.GreatLooksLike, RedFlags: c.RedFlags,
		})
	}
	for _, r := range t.Roles {
		weights := make(map[string]int32, len(r.DimensionWeights))
		for k, v := range r.DimensionWeights {
			weights[k] = int32(v)
		}
		out.Roles = append(out.Roles, &pb.Role{Id: r.ID, Title: r.Title, DimensionWeights: weights, Competencies: r.Competencies})
	}
	for _, s := range t.Stacks {
		out.Stacks = append(out.Stacks, &pb.Stack{Id: s.ID, Title: s.Title, Aliases: s.Aliases})
	}
	return out
}

func TemplateToProto(t *qbank.Template) *pb.Template {
	out := &pb.Template{
		Id: t.ID, Title: t.Title, Owner: t.Owner, Role: t.Role, Seniority: t.Seniority, Stacks: t.Stacks,
		MinMinutes: int32(t.MinMinutes), MaxMinutes: int32(t.MaxMinutes),
		DimensionWeights:    WeightsToProto(t.DimensionWeights),
		RequiredQuestionIds: t.RequiredQuestionIDs, ExcludedQuestionIds: t.ExcludedQuestionIDs,
		Etag: t.Etag,
	}
	if !t.CreateTime.IsZero() {
		out.CreateTime = timestamppb.New(t.CreateTime)
	}
	if !t.UpdateTime.IsZero() {
		out.UpdateTime = timestamppb.New(t.UpdateTime)
	}
	return out
}

func TemplateFromProto(t *pb.Template) qbank.Template {
	return qbank.Template{
		ID: t.GetId(), Title: t.GetTitle(), Owner: t.GetOwner(), Role: t.GetRole(), Seniority: t.GetSeniority(),
		Stacks: t.GetStacks(), MinMinutes: int(t.GetMinMinutes()), MaxMinutes: int(t.GetMaxMinutes()),
		DimensionWeights:    WeightsFromProto(t.GetDimensionWeights()),
		RequiredQuestionIDs: t.GetRequiredQuestionIds(), ExcludedQuestionIDs: t.GetExcludedQuestionIds(),
	}
}

func WeightsToProto(w map[string]int) map[string]int32 {
	if len(w) == 0 {
		return nil
	}
	out := make(map[string]int32, len(w))
	for k, v := range w {
		out[k] = int32(v)
	}
	return out
}

func WeightsFromProto(w map[string]int32) map[string]int {
	if len(w) == 0 {
		return nil
	}
	out := make(map[string]int, len(w))
	for k, v := range w {
		out[k] = int(v)
	}
	return out
}

// QuestionFromProto copies the writable fields of a wire question: id,
// content, state and the etag it was read with.
func QuestionFromProto(q *pb.Question) qbank.Question {
	return qbank.Question{ID: q.GetId(), Content: ContentFromProto(q), State: StateFromProto(q.GetState()), Etag: q.GetEtag()}
}

// TaxonomyForRole returns the taxonomy limited to one role ("" keeps all).
func TaxonomyForRole(t *qbank.Taxonomy, role string) *qbank.Taxonomy {
	if role == "" {
		return t
	}
	out := *t
	out.Roles = nil
	for _, r := range t.Roles {
		if r.ID == role {
			out.Roles = append(out.Roles, r)
		}
	}
	return &out
}

// TaxonomyFromProto is the inverse of TaxonomyToProto.
func TaxonomyFromProto(t *pb.Taxonomy) *qbank.Taxonomy {
	out := &qbank.Taxonomy{Seniorities: t.GetSeniorities()}
	for _, d := range t.GetDimensions() {
		out.Dimensions = append(out.Dimensions, qbank.Dimension{ID: d.GetId(), Title: d.GetTitle(), Weight: int(d.GetWeight())})
	}
	for _, c := range t.GetCompetencies() {
		out.Competencies = append(out.Competencies, qbank.Competency{
			ID: c.GetId(), Dimension: c.GetDimension(), Title: c.GetTitle(), Description: c.GetDescription(),
			GreatLooksLike: c.GetGreatLooksLike(), RedFlags: c.GetRedFlags(),
		})
	}
	for _, r := range t.GetRoles() {
		weights := make(map[string]int, len(r.GetDimensionWeights()))
		for k, v := range r.GetDimensionWeights() {
			weights[k] = int(v)
		}
		out.Roles = append(out.Roles, qbank.Role{ID: r.GetId(), Title: r.GetTitle(), DimensionWeights: weights, Competencies: r.GetCompetencies()})
	}
	for _, s := range t.GetStacks() {
		out.Stacks = append(out.Stacks, qbank.Stack{ID: s.GetId(), Title: s.GetTitle(), Aliases: s.GetAliases()})
	}
	return out
}

// QuestionToProtoBasic is the list view of a question (AIP-157 BASIC): what a
// list screen shows, without the reviewer material that makes up most of a
// question's size.
func QuestionToProtoBasic(q *qbank.Question) *pb.Question {
	out := &pb.Question{
		Id:             q.ID,
		Version:        int32(q.Version),
		Text:           q.Text,
		Roles:          q.Roles,
		Dimension:      q.Dimension,
		Competency:     q.Competency,
		ResponseFormat: FormatToProto[q.ResponseFormat],
		Minutes:        int32(q.Minutes),
		Seniorities:    q.Seniorities,
		Stacks:         q.Stacks,
		State:          StateToProto[q.State],
		Etag:           q.Etag,
	}
	if !q.UpdateTime.IsZero() {
		out.UpdateTime = timestamppb.New(q.UpdateTime)
	}
	return out
}
