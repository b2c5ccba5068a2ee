package server

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/catalog"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
)

// AssembleAssessment draws an assessment for the request (and its
// template) from the current snapshot; the distribution it draws from is
// computed once per request shape and bank revision (package assembly).
func (s *Service) AssembleAssessment(ctx context.Context, req *pb.AssembleAssessmentRequest) (*pb.AssembleAssessmentResponse, error) {
	snap := s.catalog.Snapshot()
	r, err := assemblyRequest(snap, req)
	if err != nil {
		return nil, err
	}
	if req.Seed == nil {
		r.Seed = randomSeed()
	}
	a, err := s.assembler.Assemble(ctx, assemblyBank(snap, r), r)
	if err != nil {
		return nil, err
	}
	return protoconv.AssessmentToProto(&a), nil
}

// AnalyzeExposure reports how often each eligible question appears in the
// assessments AssembleAssessment draws for the request.
func (s *Service) AnalyzeExposure(ctx context.Context, req *pb.AnalyzeExposureRequest) (*pb.AnalyzeExposureResponse, error) {
	if req.GetAssessment() == nil {
		return nil, (qbank.Violations{{Field: "assessment", Description: "is required: the assemble request to analyse"}}).Err()
	}
	snap := s.catalog.Snapshot()
	r, err := assemblyRequest(snap, req.GetAssessment())
	if err != nil {
		return nil, err
	}
	e, err := s.assembler.AnalyzeExposure(ctx, assemblyBank(snap, r), r)
	if err != nil {
		return nil, err
	}
	return protoconv.ExposureToProto(&e), nil
}

func assemblyRequest(snap *catalog.Snapshot, req *pb.AssembleAssessmentRequest) (assembly.Request, error) {
	r := protoconv.AssemblyRequestFromProto(req)
	if id := req.GetTemplateId(); id != "" {
		t, ok := snap.Template(id)
		if !ok {
			return r, (qbank.Violations{{Field: "templateId", Description: "no template " + quote(id)}}).Err()
		}
		r.Template = &t
	}
	return r, nil
}

// assemblyBank is what the engine reads: the role's active questions (the
// snapshot keeps that list ready, so assembly cost follows the role, not
// the bank) and a lookup of any question, so that a request naming an
// unusable one is told why.
func assemblyBank(snap *catalog.Snapshot, r assembly.Request) assembly.Bank {
	role := r.Role
	if role == "" && r.Template != nil {
		role = r.Template.Role
	}
	return assembly.Bank{
		Taxonomy:  snap.Taxonomy,
		Questions: snap.ActiveForRole(strings.ToLower(strings.TrimSpace(role))),
		Lookup:    snap.Question,
		Revision:  snap.Revision,
	}
}

func quote(s string) string { return "\"" + s + "\"" }

// randomSeed picks a seed when the caller gives none; the response returns
// it so the assessment can be reproduced.
func randomSeed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}
