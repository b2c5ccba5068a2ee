package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/layersrank/qbank"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server/apierr"
	"github.com/layersrank/qbank/server/gateway"
)

// inProcess lets the gateway call the service's methods directly, without a
// second gRPC round trip over loopback, while still running every call
// through the same interceptor chain as a gRPC call (auth, metrics, access
// log, error mapping, panic recovery). The gateway puts the HTTP headers
// into the incoming metadata, which is all the interceptors read. Errors
// name fields by their JSON paths, as HTTP clients send them.
type inProcess struct {
	pb.UnimplementedQuestionBankServiceServer
	svc    pb.QuestionBankServiceServer
	chain  grpc.UnaryServerInterceptor
	stream grpc.StreamServerInterceptor
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

// chainStream is chainUnary for stream interceptors.
func chainStream(interceptors []grpc.StreamServerInterceptor) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		next := handler
		for i := len(interceptors) - 1; i >= 0; i-- {
			ic, h := interceptors[i], next
			next = func(srv any, ss grpc.ServerStream) error { return ic(srv, ss, info, h) }
		}
		return next(srv, ss)
	}
}

// call runs one in-process call through the interceptor chain.
func call[Req, Resp any](p *inProcess, ctx context.Context, method string, req Req, h func(context.Context, Req) (Resp, error)) (Resp, error) {
	info := &grpc.UnaryServerInfo{Server: p.svc, FullMethod: method}
	out, err := p.chain(apierr.WithJSONPaths(ctx), req, info, func(ctx context.Context, r any) (any, error) { return h(ctx, r.(Req)) })
	if err != nil {
		var zero Resp
		return zero, err
	}
	return out.(Resp), nil
}

// ifMatch puts the request's If-Match header (which grpc-gateway passes on
// as metadata) in place of an etag the body left out. A body etag that
// differs from the header is refused: the client must mean one of them.
func ifMatch(ctx context.Context, etag *string, field string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("grpcgateway-if-match")
	if len(values) == 0 {
		return nil
	}
	header, ok, bad := gateway.ParseIfMatch(values[0])
	switch {
	case !ok:
		return nil
	case bad != "":
		return qbank.Violations{{Field: field, Description: bad}}.Err()
	case *etag == "":
		*etag = header
	case *etag != header:
		return qbank.Violations{{Field: field, Description: "differs from the If-Match header: send one etag"}}.Err()
	}
	return nil
}

// withIfMatch applies ifMatch before a write, reporting its error through
// the interceptor chain like any other.
func withIfMatch[Req, Resp any](p *inProcess, ctx context.Context, method string, req Req, etag *string, field string, h func(context.Context, Req) (Resp, error)) (Resp, error) {
	return call(p, ctx, method, req, func(ctx context.Context, r Req) (Resp, error) {
		if err := ifMatch(ctx, etag, field); err != nil {
			var zero Resp
			return zero, err
		}
		return h(ctx, r)
	})
}

// Export runs ExportQuestionBank in process through the stream chain.
func (p *inProcess) Export(ctx context.Context, req *pb.ExportQuestionBankRequest, send func(*pb.ExportQuestionBankResponse) error) error {
	info := &grpc.StreamServerInfo{FullMethod: pb.QuestionBankService_ExportQuestionBank_FullMethodName, IsServerStream: true}
	ss := &sendStream{ctx: apierr.WithJSONPaths(ctx), send: send}
	return p.stream(p.svc, ss, info, func(_ any, ss grpc.ServerStream) error {
		return p.svc.ExportQuestionBank(req, &exportStream{ServerStream: ss})
	})
}

// sendStream is a grpc.ServerStream whose messages go to a function: the
// gateway's writer.
type sendStream struct {
	ctx  context.Context
	send func(*pb.ExportQuestionBankResponse) error
}

func (s *sendStream) SetHeader(metadata.MD) error  { return nil }
func (s *sendStream) SendHeader(metadata.MD) error { return nil }
func (s *sendStream) SetTrailer(metadata.MD)       {}
func (s *sendStream) Context() context.Context     { return s.ctx }
func (s *sendStream) SendMsg(m any) error          { return s.send(m.(*pb.ExportQuestionBankResponse)) }
func (s *sendStream) RecvMsg(any) error            { return nil }

type exportStream struct{ grpc.ServerStream }

func (s *exportStream) Send(m *pb.ExportQuestionBankResponse) error { return s.SendMsg(m) }

func (p *inProcess) ListQuestions(ctx context.Context, r *pb.ListQuestionsRequest) (*pb.ListQuestionsResponse, error) {
	return call(p, ctx, pb.QuestionBankService_ListQuestions_FullMethodName, r, p.svc.ListQuestions)
}

func (p *inProcess) GetQuestion(ctx context.Context, r *pb.GetQuestionRequest) (*pb.GetQuestionResponse, error) {
	return call(p, ctx, pb.QuestionBankService_GetQuestion_FullMethodName, r, p.svc.GetQuestion)
}

func (p *inProcess) BatchGetQuestions(ctx context.Context, r *pb.BatchGetQuestionsRequest) (*pb.BatchGetQuestionsResponse, error) {
	return call(p, ctx, pb.QuestionBankService_BatchGetQuestions_FullMethodName, r, p.svc.BatchGetQuestions)
}

func (p *inProcess) ListQuestionVersions(ctx context.Context, r *pb.ListQuestionVersionsRequest) (*pb.ListQuestionVersionsResponse, error) {
	return call(p, ctx, pb.QuestionBankService_ListQuestionVersions_FullMethodName, r, p.svc.ListQuestionVersions)
}

func (p *inProcess) CreateQuestion(ctx context.Context, r *pb.CreateQuestionRequest) (*pb.CreateQuestionResponse, error) {
	return call(p, ctx, pb.QuestionBankService_CreateQuestion_FullMethodName, r, p.svc.CreateQuestion)
}

func (p *inProcess) UpdateQuestion(ctx context.Context, r *pb.UpdateQuestionRequest) (*pb.UpdateQuestionResponse, error) {
	if r.Question == nil {
		r.Question = &pb.Question{}
	}
	return withIfMatch(p, ctx, pb.QuestionBankService_UpdateQuestion_FullMethodName, r, &r.Question.Etag, "question.etag", p.svc.UpdateQuestion)
}

func (p *inProcess) RetireQuestion(ctx context.Context, r *pb.RetireQuestionRequest) (*pb.RetireQuestionResponse, error) {
	return withIfMatch(p, ctx, pb.QuestionBankService_RetireQuestion_FullMethodName, r, &r.Etag, "etag", p.svc.RetireQuestion)
}

func (p *inProcess) RestoreQuestion(ctx context.Context, r *pb.RestoreQuestionRequest) (*pb.RestoreQuestionResponse, error) {
	return withIfMatch(p, ctx, pb.QuestionBankService_RestoreQuestion_FullMethodName, r, &r.Etag, "etag", p.svc.RestoreQuestion)
}

func (p *inProcess) GetTaxonomy(ctx context.Context, r *pb.GetTaxonomyRequest) (*pb.GetTaxonomyResponse, error) {
	return call(p, ctx, pb.QuestionBankService_GetTaxonomy_FullMethodName, r, p.svc.GetTaxonomy)
}

func (p *inProcess) AssembleAssessment(ctx context.Context, r *pb.AssembleAssessmentRequest) (*pb.AssembleAssessmentResponse, error) {
	return call(p, ctx, pb.QuestionBankService_AssembleAssessment_FullMethodName, r, p.svc.AssembleAssessment)
}

func (p *inProcess) AnalyzeExposure(ctx context.Context, r *pb.AnalyzeExposureRequest) (*pb.AnalyzeExposureResponse, error) {
	return call(p, ctx, pb.QuestionBankService_AnalyzeExposure_FullMethodName, r, p.svc.AnalyzeExposure)
}

func (p *inProcess) ListTemplates(ctx context.Context, r *pb.ListTemplatesRequest) (*pb.ListTemplatesResponse, error) {
	return call(p, ctx, pb.QuestionBankService_ListTemplates_FullMethodName, r, p.svc.ListTemplates)
}

func (p *inProcess) GetTemplate(ctx context.Context, r *pb.GetTemplateRequest) (*pb.GetTemplateResponse, error) {
	return call(p, ctx, pb.QuestionBankService_GetTemplate_FullMethodName, r, p.svc.GetTemplate)
}

func (p *inProcess) CreateTemplate(ctx context.Context, r *pb.CreateTemplateRequest) (*pb.CreateTemplateResponse, error) {
	return call(p, ctx, pb.QuestionBankService_CreateTemplate_FullMethodName, r, p.svc.CreateTemplate)
}

func (p *inProcess) UpdateTemplate(ctx context.Context, r *pb.UpdateTemplateRequest) (*pb.UpdateTemplateResponse, error) {
	if r.Template == nil {
		r.Template = &pb.Template{}
	}
	return withIfMatch(p, ctx, pb.QuestionBankService_UpdateTemplate_FullMethodName, r, &r.Template.Etag, "template.etag", p.svc.UpdateTemplate)
}

func (p *inProcess) DeleteTemplate(ctx context.Context, r *pb.DeleteTemplateRequest) (*pb.DeleteTemplateResponse, error) {
	return withIfMatch(p, ctx, pb.QuestionBankService_DeleteTemplate_FullMethodName, r, &r.Etag, "etag", p.svc.DeleteTemplate)
}

func (p *inProcess) ImportQuestions(ctx context.Context, r *pb.ImportQuestionsRequest) (*pb.ImportQuestionsResponse, error) {
	return call(p, ctx, pb.QuestionBankService_ImportQuestions_FullMethodName, r, p.svc.ImportQuestions)
}
