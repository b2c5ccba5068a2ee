package server

import (
	"context"
	"slices"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/catalog"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
)

// validateTemplate normalises t and checks it against the current snapshot.
func (s *Service) validateTemplate(v *qbank.Violations, t *qbank.Template) {
	snap := s.catalog.Snapshot()
	qbank.NormalizeTemplate(t, snap.Taxonomy)
	qbank.ValidateTemplate(v, "template.", t, snap.Taxonomy, func(id string) bool {
		_, ok := snap.Question(id)
		return ok
	})
}

func (s *Service) ListTemplates(ctx context.Context, req *pb.ListTemplatesRequest) (*pb.ListTemplatesResponse, error) {
	var v qbank.Violations
	if req.GetPageSize() < 0 || req.GetPageSize() > catalog.MaxPageSize {
		v.Add("pageSize", "must be between 0 and %d, got %d", catalog.MaxPageSize, req.GetPageSize())
	}
	if len(req.GetOwner()) > qbank.MaxOwnerLen {
		v.Add("owner", "is longer than %d characters", qbank.MaxOwnerLen)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	page, err := s.catalog.Snapshot().ListTemplates(req.GetOwner(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &pb.ListTemplatesResponse{NextPageToken: page.NextPageToken, TotalSize: int32(page.TotalSize)}
	for i := range page.Templates {
		out.Templates = append(out.Templates, protoconv.TemplateToProto(&page.Templates[i]))
	}
	return out, nil
}

func (s *Service) GetTemplate(ctx context.Context, req *pb.GetTemplateRequest) (*pb.GetTemplateResponse, error) {
	var v qbank.Violations
	qbank.ValidateQuestionID(&v, "id", req.GetId())
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := s.catalog.Template(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.GetTemplateResponse{Template: protoconv.TemplateToProto(&t)}, nil
}

func (s *Service) CreateTemplate(ctx context.Context, req *pb.CreateTemplateRequest) (*pb.CreateTemplateResponse, error) {
	var v qbank.Violations
	if req.GetTemplate() == nil {
		v.Add("template", "is required")
		return nil, v.Err()
	}
	t := protoconv.TemplateFromProto(req.GetTemplate())
	idField := "template.id"
	if req.GetTemplateId() != "" {
		t.ID, idField = req.GetTemplateId(), "templateId"
	}
	qbank.ValidateQuestionID(&v, idField, t.ID)
	if t.MinMinutes == 0 && t.MaxMinutes == 0 {
		t.MinMinutes, t.MaxMinutes = assembly.DefaultMinMinutes, assembly.DefaultMaxMinutes
	}
	s.validateTemplate(&v, &t)
	if err := v.Err(); err != nil {
		return nil, err
	}
	created, err := s.store.CreateTemplate(ctx, t, s.change(ctx, ""))
	if err != nil {
		return nil, err
	}
	s.refresh(ctx)
	return &pb.CreateTemplateResponse{Template: protoconv.TemplateToProto(&created)}, nil
}

var templatePaths = []string{"title", "role", "seniority", "stacks", "min_minutes", "max_minutes",
	"dimension_weights", "required_question_ids", "excluded_question_ids"}

func (s *Service) UpdateTemplate(ctx context.Context, req *pb.UpdateTemplateRequest) (*pb.UpdateTemplateResponse, error) {
	in := req.GetTemplate()
	var v qbank.Violations
	if in == nil {
		v.Add("template", "is required")
		return nil, v.Err()
	}
	qbank.ValidateQuestionID(&v, "template.id", in.GetId())
	if in.GetEtag() == "" {
		v.Add("template.etag", "is required: send the etag you read")
	}
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 || slices.Contains(paths, "*") {
		paths = templatePaths
	}
	for _, p := range paths {
		switch {
		case slices.Contains(templatePaths, p), p == "id", p == "etag", p == "create_time", p == "update_time":
		case p == "owner":
			v.Add("template.owner", "is immutable: create a template for the other owner instead")
		default:
			v.Add("updateMask", "unknown field %q (updatable: %v)", p, templatePaths)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.catalog.TemplateHead(ctx, in.GetId(), in.GetEtag())
	if err != nil {
		return nil, err
	}
	src := protoconv.TemplateFromProto(in)
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
	s.validateTemplate(&v, &next)
	if err := v.Err(); err != nil {
		return nil, err
	}
	updated, err := s.store.UpdateTemplate(ctx, next, in.GetEtag(), s.change(ctx, ""))
	if err != nil {
		return nil, err
	}
	s.refresh(ctx)
	return &pb.UpdateTemplateResponse{Template: protoconv.TemplateToProto(&updated)}, nil
}

func (s *Service) DeleteTemplate(ctx context.Context, req *pb.DeleteTemplateRequest) (*pb.DeleteTemplateResponse, error) {
	var v qbank.Violations
	qbank.ValidateQuestionID(&v, "id", req.GetId())
	if req.GetEtag() == "" {
		v.Add("etag", "is required: send the etag you read")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.store.DeleteTemplate(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, err
	}
	s.refresh(ctx)
	return &pb.DeleteTemplateResponse{}, nil
}
