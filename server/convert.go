package server

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/layersrank/qbank"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

var formatToProto = map[qbank.ResponseFormat]pb.ResponseFormat{
	qbank.FormatVideo:   pb.ResponseFormat_RESPONSE_FORMAT_VIDEO,
	qbank.FormatWritten: pb.ResponseFormat_RESPONSE_FORMAT_WRITTEN,
}

var stateToProto = map[qbank.State]pb.Question_State{
	qbank.StateDraft:   pb.Question_STATE_DRAFT,
	qbank.StateActive:  pb.Question_STATE_ACTIVE,
	qbank.StateRetired: pb.Question_STATE_RETIRED,
}

// formatFromProto maps a wire format to the domain's; unspecified is "".
func formatFromProto(f pb.ResponseFormat) qbank.ResponseFormat {
	for k, v := range formatToProto {
		if v == f {
			return k
		}
	}
	if f == pb.ResponseFormat_RESPONSE_FORMAT_UNSPECIFIED {
		return ""
	}
	return qbank.ResponseFormat(f.String()) // unknown: validation names it
}

func stateFromProto(s pb.Question_State) qbank.State {
	for k, v := range stateToProto {
		if v == s {
			return k
		}
	}
	if s == pb.Question_STATE_UNSPECIFIED {
		return ""
	}
	return qbank.State(s.String())
}

func questionToProto(q *qbank.Question) *pb.Question {
	out := &pb.Question{
		Id:             q.ID,
		Version:        int32(q.Version),
		Text:           q.Text,
		Roles:          q.Roles,
		Dimension:      q.Dimension,
		Competency:     q.Competency,
		WhatItReveals:  q.WhatItReveals,
		ResponseFormat: formatToProto[q.ResponseFormat],
		Minutes:        int32(q.Minutes),
		Seniorities:    q.Seniorities,
		Stacks:         q.Stacks,
		StackVariants:  q.StackVariants,
		FollowUps:      q.FollowUps,
		ScoringGuide: &pb.ScoringGuide{
			Strong:   q.ScoringGuide.Strong,
			Adequate: q.ScoringGuide.Adequate,
			Weak:     q.ScoringGuide.Weak,
		},
		State:      stateToProto[q.State],
		Etag:       q.Etag,
		Author:     q.Author,
		ChangeNote: q.ChangeNote,
	}
	if !q.CreateTime.IsZero() {
		out.CreateTime = timestamppb.New(q.CreateTime)
	}
	if !q.UpdateTime.IsZero() {
		out.UpdateTime = timestamppb.New(q.UpdateTime)
	}
	return out
}

func questionsToProto(qs []qbank.Question) []*pb.Question {
	out := make([]*pb.Question, len(qs))
	for i := range qs {
		out[i] = questionToProto(&qs[i])
	}
	return out
}

// contentFromProto copies the content fields of a wire question.
func contentFromProto(q *pb.Question) qbank.Content {
	c := qbank.Content{
		Text:           q.GetText(),
		Roles:          q.GetRoles(),
		Dimension:      q.GetDimension(),
		Competency:     q.GetCompetency(),
		WhatItReveals:  q.GetWhatItReveals(),
		ResponseFormat: formatFromProto(q.GetResponseFormat()),
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

func taxonomyToProto(t *qbank.Taxonomy) *pb.Taxonomy {
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
