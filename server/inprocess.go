package server

import (
	"context"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"

	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
)

// inProcess lets the gateway call the service's unary methods directly,
// without a second gRPC round trip over loopback, while still running every
// call through the same interceptor chain as a gRPC call (auth, metrics,
// access log, error mapping, panic recovery). The gateway's in-process
// handlers put the HTTP headers into the incoming metadata and the method
// name into the context, which is all the interceptors read.
type inProcess struct {
	pb.UnimplementedQuestionBankServiceServer
	svc   pb.QuestionBankServiceServer
	chain grpc.UnaryServerInterceptor
}

// chainUnary composes interceptors in order, the first outermost, as
// grpc.ChainUnaryInterceptor does.
func chainUnary(interceptors []grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		next := handler
		for i := len(interceptors) - 1; i >= 0; i-- {
			ic, h := interceptors[i], next
			next = func(ctx context.Context, req any) (any, error) { return ic(ctx, req, info, h) }
		}
		return next(ctx, req)
	}
}

// call runs one in-process call through the interceptor chain.
func call[Req, Resp any](p *inProcess, ctx context.Context, req Req, h func(context.Context, Req) (Resp, error)) (Resp, error) {
	method, _ := runtime.RPCMethod(ctx)
	info := &grpc.UnaryServerInfo{Server: p.svc, FullMethod: method}
	out, err := p.chain(ctx, req, info, func(ctx context.Context, r any) (any, error) { return h(ctx, r.(Req)) })
	if err != nil {
		var zero Resp
		return zero, err
	}
	return out.(Resp), nil
}

func (p *inProcess) ListQuestions(ctx context.Context, r *pb.ListQuestionsRequest) (*pb.ListQuestionsResponse, error) {
	return call(p, ctx, r, p.svc.ListQuestions)
}

func (p *inProcess) GetQuestion(ctx context.Context, r *pb.GetQuestionRequest) (*pb.GetQuestionResponse, error) {
	return call(p, ctx, r, p.svc.GetQuestion)
}

func (p *inProcess) BatchGetQuestions(ctx context.Context, r *pb.BatchGetQuestionsRequest) (*pb.BatchGetQuestionsResponse, error) {
	return call(p, ctx, r, p.svc.BatchGetQuestions)
}

func (p *inProcess) ListQuestionVersions(ctx context.Context, r *pb.ListQuestionVersionsRequest) (*pb.ListQuestionVersionsResponse, error) {
	return call(p, ctx, r, p.svc.ListQuestionVersions)
}

func (p *inProcess) CreateQuestion(ctx context.Context, r *pb.CreateQuestionRequest) (*pb.CreateQuestionResponse, error) {
	return call(p, ctx, r, p.svc.CreateQuestion)
}

func (p *inProcess) UpdateQuestion(ctx context.Context, r *pb.UpdateQuestionRequest) (*pb.UpdateQuestionResponse, error) {
	return call(p, ctx, r, p.svc.UpdateQuestion)
}

func (p *inProcess) RetireQuestion(ctx context.Context, r *pb.RetireQuestionRequest) (*pb.RetireQuestionResponse, error) {
	return call(p, ctx, r, p.svc.RetireQuestion)
}

func (p *inProcess) RestoreQuestion(ctx context.Context, r *pb.RestoreQuestionRequest) (*pb.RestoreQuestionResponse, error) {
	return call(p, ctx, r, p.svc.RestoreQuestion)
}

func (p *inProcess) GetTaxonomy(ctx context.Context, r *pb.GetTaxonomyRequest) (*pb.GetTaxonomyResponse, error) {
	return call(p, ctx, r, p.svc.GetTaxonomy)
}

func (p *inProcess) AssembleAssessment(ctx context.Context, r *pb.AssembleAssessmentRequest) (*pb.AssembleAssessmentResponse, error) {
	return call(p, ctx, r, p.svc.AssembleAssessment)
}

func (p *inProcess) ListTemplates(ctx context.Context, r *pb.ListTemplatesRequest) (*pb.ListTemplatesResponse, error) {
	return call(p, ctx, r, p.svc.ListTemplates)
}

func (p *inProcess) GetTemplate(ctx context.Context, r *pb.GetTemplateRequest) (*pb.GetTemplateResponse, error) {
	return call(p, ctx, r, p.svc.GetTemplate)
}

func (p *inProcess) CreateTemplate(ctx context.Context, r *pb.CreateTemplateRequest) (*pb.CreateTemplateResponse, error) {
	return call(p, ctx, r, p.svc.CreateTemplate)
}

func (p *inProcess) UpdateTemplate(ctx context.Context, r *pb.UpdateTemplateRequest) (*pb.UpdateTemplateResponse, error) {
	return call(p, ctx, r, p.svc.UpdateTemplate)
}

func (p *inProcess) DeleteTemplate(ctx context.Context, r *pb.DeleteTemplateRequest) (*pb.DeleteTemplateResponse, error) {
	return call(p, ctx, r, p.svc.DeleteTemplate)
}

func (p *inProcess) ImportQuestions(ctx context.Context, r *pb.ImportQuestionsRequest) (*pb.ImportQuestionsResponse, error) {
	return call(p, ctx, r, p.svc.ImportQuestions)
}

func (p *inProcess) AnalyzeExposure(ctx context.Context, r *pb.AnalyzeExposureRequest) (*pb.AnalyzeExposureResponse, error) {
	return call(p, ctx, r, p.svc.AnalyzeExposure)
}
