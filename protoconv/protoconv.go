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
	out.StackVariants = VariantsToProto(q.StackVariants)
	out.FollowUps = q.FollowUps
	out.ScoringGuide = GuideToProto(q.ScoringGuide)
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
		StackVariants:  VariantsFromProto(q.GetStackVariants()),
		FollowUps:      q.GetFollowUps(),
		ScoringGuide:   GuideFromProto(q.GetScoringGuide()),
		Collections:    q.GetCollections(),
	}
	return c
}

// GuideToProto converts a scoring guide with its level anchors.
func GuideToProto(g qbank.ScoringGuide) *pb.ScoringGuide {
	out := &pb.ScoringGuide{Strong: g.Strong, Adequate: g.Adequate, Weak: g.Weak}
	for _, l := range g.Levels {
		out.Levels = append(out.Levels, &pb.LevelGuide{Seniority: l.Seniority, Strong: l.Strong, Adequate: l.Adequate, Weak: l.Weak})
	}
	return out
}

// GuideFromProto is the inverse of GuideToProto; nil is the empty guide.
func GuideFromProto(g *pb.ScoringGuide) qbank.ScoringGuide {
	out := qbank.ScoringGuide{Strong: g.GetStrong(), Adequate: g.GetAdequate(), Weak: g.GetWeak()}
	for _, l := range g.GetLevels() {
		out.Levels = append(out.Levels, qbank.LevelGuide{Seniority: l.GetSeniority(), Strong: l.GetStrong(), Adequate: l.GetAdequate(), Weak: l.GetWeak()})
	}
	return out
}

// VariantsToProto converts stack variants; a variant without its own guide
// has no scoring_guide on the wire.
func VariantsToProto(vs map[string]qbank.StackVariant) map[string]*pb.StackVariant {
	if len(vs) == 0 {
		return nil
	}
	out := make(map[string]*pb.StackVariant, len(vs))
	for k, v := range vs {
		w := &pb.StackVariant{Text: v.Text, FollowUps: v.FollowUps}
		if g := v.ScoringGuide; g.Strong != "" || g.Adequate != "" || g.Weak != "" || len(g.Levels) > 0 {
			w.ScoringGuide = GuideToProto(g)
		}
		out[k] = w
	}
	return out
}

// VariantsFromProto is the inverse of VariantsToProto.
func VariantsFromProto(vs map[string]*pb.StackVariant) map[string]qbank.StackVariant {
	if len(vs) == 0 {
		return nil
	}
	out := make(map[string]qbank.StackVariant, len(vs))
	for k, v := range vs {
		out[k] = qbank.StackVariant{Text: v.GetText(), FollowUps: v.GetFollowUps(), ScoringGuide: GuideFromProto(v.GetScoringGuide())}
	}
	return out
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
		role := &pb.Role{Id: r.ID, Title: r.Title, DimensionWeights: weights, Competencies: r.Competencies}
		for c, cr := range r.Criteria {
			if role.Criteria == nil {
				role.Criteria = map[string]*pb.Criteria{}
			}
			role.Criteria[c] = &pb.Criteria{GreatLooksLike: cr.GreatLooksLike, RedFlags: cr.RedFlags}
		}
		out.Roles = append(out.Roles, role)
	}
	for _, s := range t.Stacks {
		out.Stacks = append(out.Stacks, &pb.Stack{Id: s.ID, Title: s.Title, Aliases: s.Aliases})
	}
	for _, p := range t.RatingScale {
		out.RatingScale = append(out.RatingScale, &pb.RatingPoint{Value: int32(p.Value), Label: p.Label, Description: p.Description})
	}
	for _, g := range t.ReviewerGuidance {
		out.ReviewerGuidance = append(out.ReviewerGuidance, &pb.GuidanceNote{Id: g.ID, Title: g.Title, Text: g.Text})
	}
	for _, c := range t.Collections {
		out.Collections = append(out.Collections, &pb.Collection{Id: c.ID, Title: c.Title, Description: c.Description, Size: int32(c.Size), Published: c.Published})
	}
	return out
}

func TemplateToProto(t *qbank.Template) *pb.Template {
	out := &pb.Template{
		Id: t.ID, Title: t.Title, Owner: t.Owner, Role: t.Role, Seniority: t.Seniority, Stacks: t.Stacks,
		MinMinutes: int32(t.MinMinutes), MaxMinutes: int32(t.MaxMinutes),
		DimensionWeights:    WeightsToProto(t.DimensionWeights),
		RequiredQuestionIds: t.RequiredQuestionIDs, ExcludedQuestionIds: t.ExcludedQuestionIDs,
		TolerancePoints: int32(t.TolerancePoints),
		Etag:            t.Etag,
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
		TolerancePoints: int(t.GetTolerancePoints()),
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

// StoredQuestionFromProto is the inverse of QuestionToProto: a stored
// version as a server sent it, with its version, times, author and note,
// for clients that work with what they read (the CLI's remote export).
func StoredQuestionFromProto(q *pb.Question) qbank.Question {
	out := QuestionFromProto(q)
	out.Version = int(q.GetVersion())
	out.Author, out.ChangeNote = q.GetAuthor(), q.GetChangeNote()
	if q.GetCreateTime() != nil {
		out.CreateTime = q.GetCreateTime().AsTime()
	}
	if q.GetUpdateTime() != nil {
		out.UpdateTime = q.GetUpdateTime().AsTime()
	}
	return out
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
		role := qbank.Role{ID: r.GetId(), Title: r.GetTitle(), DimensionWeights: weights, Competencies: r.GetCompetencies()}
		for c, cr := range r.GetCriteria() {
			if role.Criteria == nil {
				role.Criteria = map[string]qbank.Criteria{}
			}
			role.Criteria[c] = qbank.Criteria{GreatLooksLike: cr.GetGreatLooksLike(), RedFlags: cr.GetRedFlags()}
		}
		out.Roles = append(out.Roles, role)
	}
	for _, s := range t.GetStacks() {
		out.Stacks = append(out.Stacks, qbank.Stack{ID: s.GetId(), Title: s.GetTitle(), Aliases: s.GetAliases()})
	}
	for _, p := range t.GetRatingScale() {
		out.RatingScale = append(out.RatingScale, qbank.RatingPoint{Value: int(p.GetValue()), Label: p.GetLabel(), Description: p.GetDescription()})
	}
	for _, g := range t.GetReviewerGuidance() {
		out.ReviewerGuidance = append(out.ReviewerGuidance, qbank.GuidanceNote{ID: g.GetId(), Title: g.GetTitle(), Text: g.GetText()})
	}
	for _, c := range t.GetCollections() {
		out.Collections = append(out.Collections, qbank.Collection{ID: c.GetId(), Title: c.GetTitle(), Description: c.GetDescription(), Size: int(c.GetSize()), Published: c.GetPublished()})
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
		Collections:    q.Collections,
		State:          StateToProto[q.State],
		Etag:           q.Etag,
	}
	if !q.UpdateTime.IsZero() {
		out.UpdateTime = timestamppb.New(q.UpdateTime)
	}
	return out
}
