package server

import (
	"context"

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
	catalog.ValidatePageSize(&v, int(req.GetPageSize()))
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
	return &pb.ListTemplatesResponse{
		Templates:     protoconv.TemplatesToProto(page.Templates),
		NextPageToken: page.NextPageToken,
		TotalSize:     int32(page.TotalSize),
	}, nil
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
	paths := protoconv.TemplateMask(&v, req.GetUpdateMask())
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.catalog.TemplateHead(ctx, in.GetId(), in.GetEtag())
	if err != nil {
		return nil, err
	}
	next := protoconv.ApplyTemplateMask(cur, in, paths)
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
