package protoconv

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/layersrank/qbank"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// Update masks (AIP-134): which fields of a wire message an update takes.
// Paths are the proto's field names; output-only fields may be named and are
// ignored, as AIP-134 asks.

var (
	// questionContentFields are a question's updatable content fields ("*"
	// means all of them); questionContentPaths adds the parts of the
	// scoring guide, which may be updated on their own.
	questionContentFields = []string{"text", "roles", "dimension", "competency", "what_it_reveals", "response_format",
		"minutes", "seniorities", "stacks", "stack_variants", "follow_ups", "scoring_guide", "collections"}
	questionContentPaths = append(slices.Clone(questionContentFields),
		"scoring_guide.strong", "scoring_guide.adequate", "scoring_guide.weak", "scoring_guide.levels")
	questionOutputOnly = []string{"id", "version", "etag", "create_time", "update_time", "author", "change_note"}
)

// MaxMaskPaths bounds an update mask: every updatable field of a question
// or a template, each in both spellings, fits with room to spare.
const MaxMaskPaths = 64

// protoPaths accepts a mask in either spelling: proto names
// (what_it_reveals), as gRPC clients send them, or JSON names
// (whatItReveals), as in the body an HTTP mask accompanies. A mask of more
// than MaxMaskPaths paths is refused before any path is read (ok false).
func protoPaths(v *qbank.Violations, paths []string) (out []string, ok bool) {
	if len(paths) > MaxMaskPaths {
		v.Add("updateMask", "has %d paths, the limit is %d", len(paths), MaxMaskPaths)
		return nil, false
	}
	out = make([]string, len(paths))
	for i, p := range paths {
		out[i] = qbank.ProtoFieldPath(p)
	}
	return out, true
}

// unknownPaths reports a mask's unknown paths in one violation that lists
// the updatable fields once.
func unknownPaths(v *qbank.Violations, unknown []string, updatable string) {
	if len(unknown) > 0 {
		v.Add("updateMask", "unknown field%s %s (updatable: %s)", plural(len(unknown)), qbank.ListSome(unknown), updatable)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// questionStatePath changes a question's state rather than its content.
const questionStatePath = "state"

// QuestionMask returns the paths an UpdateQuestion mask names, "*" (or an
// empty mask) meaning every updatable field: a full replacement. An unknown
// path is an updateMask violation.
func QuestionMask(v *qbank.Violations, m *fieldmaskpb.FieldMask) []string {
	paths, ok := protoPaths(v, m.GetPaths())
	if !ok {
		return nil
	}
	if len(paths) == 0 || slices.Contains(paths, "*") {
		return append(slices.Clone(questionContentFields), questionStatePath)
	}
	var unknown []string
	for _, p := range paths {
		if !slices.Contains(questionContentPaths, p) && p != questionStatePath && !slices.Contains(questionOutputOnly, p) {
			unknown = append(unknown, qbank.Quote(p))
		}
	}
	unknownPaths(v, unknown, strings.Join(questionContentFields, ", ")+", state")
	return paths
}

// ApplyQuestionMask overlays the fields of in that paths name onto the
// current version's content and state.
func ApplyQuestionMask(cur qbank.Question, in *pb.Question, paths []string) (qbank.Content, qbank.State) {
	c := cur.Content.Clone()
	state := cur.State
	src := ContentFromProto(in)
	for _, p := range paths {
		switch p {
		case "text":
			c.Text = src.Text
		case "roles":
			c.Roles = src.Roles
		case "dimension":
			c.Dimension = src.Dimension
		case "competency":
			c.Competency = src.Competency
		case "what_it_reveals":
			c.WhatItReveals = src.WhatItReveals
		case "response_format":
			c.ResponseFormat = src.ResponseFormat
		case "minutes":
			c.Minutes = src.Minutes
		case "seniorities":
			c.Seniorities = src.Seniorities
		case "stacks":
			c.Stacks = src.Stacks
		case "stack_variants":
			c.StackVariants = src.StackVariants
		case "follow_ups":
			c.FollowUps = src.FollowUps
		case "scoring_guide":
			c.ScoringGuide = src.ScoringGuide
		case "scoring_guide.strong":
			c.ScoringGuide.Strong = src.ScoringGuide.Strong
		case "scoring_guide.adequate":
			c.ScoringGuide.Adequate = src.ScoringGuide.Adequate
		case "scoring_guide.weak":
			c.ScoringGuide.Weak = src.ScoringGuide.Weak
		case "scoring_guide.levels":
			c.ScoringGuide.Levels = src.ScoringGuide.Levels
		case "collections":
			c.Collections = src.Collections
		case questionStatePath:
			state = StateFromProto(in.GetState())
		}
	}
	return c, state
}

// templateFields are a template's updatable fields ("*" means all of them).
var templateFields = []string{"title", "role", "seniority", "stacks", "min_minutes", "max_minutes",
	"dimension_weights", "required_question_ids", "excluded_question_ids"}

// TemplateMask returns the paths an UpdateTemplate mask names, as
// QuestionMask does; the owner cannot be changed.
func TemplateMask(v *qbank.Violations, m *fieldmaskpb.FieldMask) []string {
	paths, ok := protoPaths(v, m.GetPaths())
	if !ok {
		return nil
	}
	if len(paths) == 0 || slices.Contains(paths, "*") {
		return templateFields
	}
	var unknown []string
	owner := false
	for _, p := range paths {
		switch {
		case slices.Contains(templateFields, p), p == "id", p == "etag", p == "create_time", p == "update_time":
		case p == "owner":
			owner = true
		default:
			unknown = append(unknown, qbank.Quote(p))
		}
	}
	if owner {
		v.Add("template.owner", "is immutable: create a template for the other owner instead")
	}
	unknownPaths(v, unknown, strings.Join(templateFields, ", "))
	return paths
}

// ApplyTemplateMask overlays the fields of in that paths name onto cur.
func ApplyTemplateMask(cur qbank.Template, in *pb.Template, paths []string) qbank.Template {
	src := TemplateFromProto(in)
	next := cur
	for _, p := range paths {
		switch p {
		case "title":
			next.Title = src.Title
		case "role":
			next.Role = src.Role
		case "seniority":
			next.Seniority = src.Seniority
		case "stacks":
			next.Stacks = src.Stacks
		case "min_minutes":
			next.MinMinutes = src.MinMinutes
		case "max_minutes":
			next.MaxMinutes = src.MaxMinutes
		case "dimension_weights":
			next.DimensionWeights = src.DimensionWeights
		case "required_question_ids":
			next.RequiredQuestionIDs = src.RequiredQuestionIDs
		case "excluded_question_ids":
			next.ExcludedQuestionIDs = src.ExcludedQuestionIDs
		}
	}
	return next
}
