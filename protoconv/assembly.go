package protoconv

import (
	"github.com/layersrank/qbank/assembly"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// AssemblyRequestFromProto maps an assemble request; the template (looked
// up by the caller from TemplateId) and the seed are the caller's to set.
func AssemblyRequestFromProto(req *pb.AssembleAssessmentRequest) assembly.Request {
	r := assembly.Request{
		Role:       req.GetRole(),
		Seniority:  req.GetSeniority(),
		Stacks:     req.GetStacks(),
		MinMinutes: int(req.GetMinMinutes()),
		MaxMinutes: int(req.GetMaxMinutes()),
		Weights:    WeightsFromProto(req.GetDimensionWeights()),
		Required:   req.GetRequiredQuestionIds(),
		Excluded:   req.GetExcludedQuestionIds(),
		Seed:       req.GetSeed(),
	}
	if req.TolerancePoints != nil {
		tol := int(req.GetTolerancePoints())
		r.TolerancePoints = &tol
	}
	return r
}

// BalanceToProto maps an assessment's balance.
func BalanceToProto(b assembly.Balance) pb.Balance {
	switch b {
	case assembly.WithinTolerance:
		return pb.Balance_BALANCE_WITHIN_TOLERANCE
	case assembly.ClosestPossible:
		return pb.Balance_BALANCE_CLOSEST_POSSIBLE
	}
	return pb.Balance_BALANCE_UNSPECIFIED
}

// AssessmentToProto maps an assembled assessment.
func AssessmentToProto(a *assembly.Assessment) *pb.AssembleAssessmentResponse {
	out := &pb.AssembleAssessmentResponse{
		TotalMinutes:     int32(a.TotalMinutes),
		DimensionShares:  a.DimensionShares,
		BankRevision:     a.BankRevision,
		Seed:             a.Seed,
		DimensionWeights: WeightsToProto(a.Weights),
		Deviation:        a.Deviation,
		Balance:          BalanceToProto(a.Balance),
		TolerancePoints:  int32(a.TolerancePoints),
		Items:            make([]*pb.AssessmentItem, 0, len(a.Items)),
	}
	for _, it := range a.Items {
		out.Items = append(out.Items, &pb.AssessmentItem{
			QuestionId: it.QuestionID, Version: int32(it.Version), Text: it.Text,
			Dimension: it.Dimension, Competency: it.Competency,
			ResponseFormat: FormatToProto[it.ResponseFormat], Minutes: int32(it.Minutes),
			WhatItReveals: it.WhatItReveals, Reason: it.Reason, Stack: it.Stack,
		})
	}
	return out
}

// ExposureToProto maps an exposure report.
func ExposureToProto(e *assembly.Exposure) *pb.AnalyzeExposureResponse {
	out := &pb.AnalyzeExposureResponse{
		MaxExposure:                       e.MaxExposure,
		ExpectedOverlap:                   e.ExpectedOverlap,
		AcceptableAssessments:             e.AcceptableAssessments,
		AcceptableAssessmentsIsLowerBound: e.AcceptableIsLowerBound,
		Balance:                           BalanceToProto(e.Balance),
		BankRevision:                      e.BankRevision,
		ExpectedItems:                     e.ExpectedItems,
		Items:                             make([]*pb.ItemExposure, 0, len(e.Items)),
	}
	for _, it := range e.Items {
		out.Items = append(out.Items, &pb.ItemExposure{
			QuestionId: it.QuestionID, Version: int32(it.Version), Dimension: it.Dimension,
			Competency: it.Competency, ResponseFormat: FormatToProto[it.ResponseFormat],
			Minutes: int32(it.Minutes), Exposure: it.Exposure,
		})
	}
	return out
}
