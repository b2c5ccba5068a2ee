package server

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
)

// AssembleAssessment resolves the request against its template (if any) and
// runs the pure assembly engine on the current snapshot.
func (s *Service) AssembleAssessment(ctx context.Context, req *pb.AssembleAssessmentRequest) (*pb.AssembleAssessmentResponse, error) {
	snap := s.catalog.Snapshot()
	r := assembly.Request{
		Role:       req.GetRole(),
		Seniority:  req.GetSeniority(),
		Stacks:     req.GetStacks(),
		MinMinutes: int(req.GetMinMinutes()),
		MaxMinutes: int(req.GetMaxMinutes()),
		Weights:    protoconv.WeightsFromProto(req.GetDimensionWeights()),
		Required:   req.GetRequiredQuestionIds(),
		Excluded:   req.GetExcludedQuestionIds(),
	}
	if id := req.GetTemplateId(); id != "" {
		t, ok := snap.Template(id)
		if !ok {
			return nil, (qbank.Violations{{Field: "templateId", Description: "no template " + quote(id)}}).Err()
		}
		r = withTemplate(r, t)
	}
	if req.Seed != nil {
		r.Seed = req.GetSeed()
	} else {
		r.Seed = randomSeed()
	}
	// The engine only ever uses the role's active questions; the snapshot
	// keeps that list ready, so assembly cost follows the role, not the bank.
	candidates := snap.ActiveForRole(strings.ToLower(strings.TrimSpace(r.Role)))
	a, err := assembly.Assemble(assembly.Bank{Taxonomy: snap.Taxonomy, Questions: candidates, Revision: snap.Revision}, r)
	if err != nil {
		return nil, err
	}
	out := &pb.AssembleAssessmentResponse{
		TotalMinutes:     int32(a.TotalMinutes),
		DimensionShares:  a.DimensionShares,
		BankRevision:     a.BankRevision,
		Seed:             a.Seed,
		DimensionWeights: protoconv.WeightsToProto(a.Weights),
		Deviation:        a.Deviation,
	}
	for _, it := range a.Items {
		out.Items = append(out.Items, &pb.AssessmentItem{
			QuestionId: it.QuestionID, Version: int32(it.Version), Text: it.Text,
			Dimension: it.Dimension, Competency: it.Competency,
			ResponseFormat: protoconv.FormatToProto[it.ResponseFormat], Minutes: int32(it.Minutes),
			WhatItReveals: it.WhatItReveals, Reason: it.Reason, Stack: it.Stack,
		})
	}
	return out, nil
}

// withTemplate fills the request's unset fields from a template; required
// and excluded ids are added to the template's, so a caller can exclude the
// questions a candidate has already seen without losing the template's own.
func withTemplate(r assembly.Request, t qbank.Template) assembly.Request {
	if r.Role == "" {
		r.Role = t.Role
	}
	if r.Seniority == "" {
		r.Seniority = t.Seniority
	}
	if len(r.Stacks) == 0 {
		r.Stacks = t.Stacks
	}
	if r.MinMinutes == 0 {
		r.MinMinutes = t.MinMinutes
	}
	if r.MaxMinutes == 0 {
		r.MaxMinutes = t.MaxMinutes
	}
	if len(r.Weights) == 0 {
		r.Weights = t.DimensionWeights
	}
	r.Required = union(t.RequiredQuestionIDs, r.Required)
	r.Excluded = union(t.ExcludedQuestionIDs, r.Excluded)
	return r
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func quote(s string) string { return "\"" + s + "\"" }

// randomSeed picks a seed when the caller gives none; the response returns
// it so the assessment can be reproduced.
func randomSeed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}
