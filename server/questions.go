package server

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/catalog"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/server/auth"
)

// Service implements QuestionBankService: it reads through the catalog (the
// only reader), writes through the store, then refreshes the catalog so the
// writer reads its own write.
type Service struct {
	pb.UnimplementedQuestionBankServiceServer
	store   repository.Store
	catalog *catalog.Catalog
	log     *slog.Logger
	// assembler caches each assembly request shape's distribution per
	// bank revision (server/assemble.go).
	assembler *assembly.Assembler
}

// NewService returns the service over a store and its catalog.
func NewService(store repository.Store, cat *catalog.Catalog, log *slog.Logger) *Service {
	return &Service{store: store, catalog: cat, log: log,
		assembler: assembly.NewAssembler(assembly.DefaultCacheEntries, assembly.DefaultCacheBytes)}
}

// MaxBatch bounds BatchGetQuestions.
const MaxBatch = 100

func (s *Service) ListQuestions(ctx context.Context, req *pb.ListQuestionsRequest) (*pb.ListQuestionsResponse, error) {
	snap := s.catalog.Snapshot()
	f := protoconv.ListFilter(req)
	var v qbank.Violations
	f.Validate(&v, snap.Taxonomy)
	catalog.ValidatePageSize(&v, int(req.GetPageSize()))
	if _, ok := pb.QuestionView_name[int32(req.GetView())]; !ok {
		v.Add("view", "unknown view %d", req.GetView())
	}
	if f.ResponseFormat != "" && f.ResponseFormat != qbank.FormatVideo && f.ResponseFormat != qbank.FormatWritten {
		v.Add("responseFormat", "unknown response format %q", req.GetResponseFormat())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	page, err := snap.List(f, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &pb.ListQuestionsResponse{
		Questions:     protoconv.QuestionsToProtoView(page.Questions, req.GetView()),
		NextPageToken: page.NextPageToken,
		TotalSize:     int32(page.TotalSize),
	}, nil
}

func (s *Service) GetQuestion(ctx context.Context, req *pb.GetQuestionRequest) (*pb.GetQuestionResponse, error) {
	var v qbank.Violations
	qbank.ValidateQuestionID(&v, "id", req.GetId())
	if req.GetVersion() < 0 {
		v.Add("version", "must be 0 (current) or a version number ≥ 1")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	q, err := s.wireQuestion(ctx, qbank.Ref{ID: req.GetId(), Version: int(req.GetVersion())})
	if err != nil {
		return nil, err
	}
	return &pb.GetQuestionResponse{Question: q}, nil
}

func (s *Service) BatchGetQuestions(ctx context.Context, req *pb.BatchGetQuestionsRequest) (*pb.BatchGetQuestionsResponse, error) {
	var v qbank.Violations
	// The count is known before any ref is parsed: too many is refused
	// at once, with one violation, whatever the refs hold.
	switch n := len(req.GetRefs()); {
	case n == 0:
		v.Add("refs", "at least one ref (id or id@version) is required")
		return nil, v.Err()
	case n > MaxBatch:
		v.Add("refs", "has %d refs, the limit is %d", n, MaxBatch)
		return nil, v.Err()
	}
	refs := make([]qbank.Ref, 0, len(req.GetRefs()))
	for i, raw := range req.GetRefs() {
		ref, err := qbank.ParseRef(raw)
		if err != nil {
			v.Add("refs["+strconv.Itoa(i)+"]", "%v", err)
			continue
		}
		refs = append(refs, ref)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := make([]*pb.Question, 0, len(refs))
	for _, ref := range refs {
		q, err := s.wireQuestion(ctx, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return &pb.BatchGetQuestionsResponse{Questions: out}, nil
}

func (s *Service) ListQuestionVersions(ctx context.Context, req *pb.ListQuestionVersionsRequest) (*pb.ListQuestionVersionsResponse, error) {
	var v qbank.Violations
	qbank.ValidateQuestionID(&v, "id", req.GetId())
	if req.GetPageSize() < 0 {
		v.Add("pageSize", "must not be negative, got %d", req.GetPageSize())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	page, err := s.catalog.ListVersions(ctx, req.GetId(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &pb.ListQuestionVersionsResponse{Versions: protoconv.QuestionsToProto(page.Versions), NextPageToken: page.NextPageToken}, nil
}

func (s *Service) CreateQuestion(ctx context.Context, req *pb.CreateQuestionRequest) (*pb.CreateQuestionResponse, error) {
	in := req.GetQuestion()
	var v qbank.Violations
	if in == nil {
		v.Add("question", "is required")
		return nil, v.Err()
	}
	q := protoconv.QuestionFromProto(in)
	idField := "question.id"
	if req.GetQuestionId() != "" {
		q.ID, idField = req.GetQuestionId(), "questionId"
	}
	if q.ID == "" {
		// The client id is optional (AIP-133): derive a readable one.
		snap := s.catalog.Snapshot()
		q.ID = qbank.DeriveID(q.Content.Text, func(id string) bool { _, taken := snap.Question(id); return taken })
	}
	tax := s.catalog.Snapshot().Taxonomy
	qbank.ValidateQuestionID(&v, idField, q.ID)
	qbank.NormalizeContent(&q.Content, tax)
	qbank.ValidateContent(&v, "question.", &q.Content, tax)
	qbank.ValidateChangeNote(&v, "question.changeNote", in.GetChangeNote())
	switch q.State {
	case "":
		q.State = qbank.StateActive
	case qbank.StateActive, qbank.StateDraft:
	default:
		v.Add("question.state", "a new question is STATE_ACTIVE or STATE_DRAFT, not %s", in.GetState())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	created, err := s.store.CreateQuestion(ctx, q, s.change(ctx, in.GetChangeNote()))
	if err != nil {
		return nil, err
	}
	s.refresh(ctx)
	return &pb.CreateQuestionResponse{Question: protoconv.QuestionToProto(&created)}, nil
}

func (s *Service) UpdateQuestion(ctx context.Context, req *pb.UpdateQuestionRequest) (*pb.UpdateQuestionResponse, error) {
	in := req.GetQuestion()
	var v qbank.Violations
	if in == nil {
		v.Add("question", "is required")
		return nil, v.Err()
	}
	qbank.ValidateQuestionID(&v, "question.id", in.GetId())
	if in.GetEtag() == "" {
		v.Add("question.etag", "is required: send the etag of the version you edited")
	}
	paths := protoconv.QuestionMask(&v, req.GetUpdateMask())
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.catalog.Head(ctx, in.GetId(), in.GetEtag())
	if err != nil {
		return nil, err
	}
	if cur.State == qbank.StateRetired {
		return nil, qbank.Errorf(qbank.EPRECONDITION, "question %q is retired and read-only: restore it (RestoreQuestion, POST /v1/questions/%s:restore) before editing it", cur.ID, cur.ID).WithReason(qbank.ReasonQuestionRetired)
	}
	content, state := protoconv.ApplyQuestionMask(cur, in, paths)
	if state == qbank.StateRetired {
		// Retiring has its own call, which keeps the content as it is.
		return nil, (qbank.Violations{{Field: "question.state", Description: "cannot be set to STATE_RETIRED by an update: use RetireQuestion (POST /v1/questions/{id}:retire)"}}).Err()
	}
	tax := s.catalog.Snapshot().Taxonomy
	qbank.NormalizeContent(&content, tax)
	qbank.ValidateContent(&v, "question.", &content, tax)
	qbank.ValidateChangeNote(&v, "question.changeNote", in.GetChangeNote())
	if state == "" {
		v.Add("question.state", "must be STATE_DRAFT, STATE_ACTIVE or STATE_RETIRED")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	updated, err := s.store.UpdateQuestion(ctx, cur.ID, in.GetEtag(), content, state, s.change(ctx, in.GetChangeNote()))
	if err != nil {
		return nil, err
	}
	s.refresh(ctx)
	return &pb.UpdateQuestionResponse{Question: protoconv.QuestionToProto(&updated)}, nil
}

func (s *Service) RetireQuestion(ctx context.Context, req *pb.RetireQuestionRequest) (*pb.RetireQuestionResponse, error) {
	q, err := s.setState(ctx, req.GetId(), req.GetEtag(), req.GetChangeNote(), qbank.StateRetired)
	if err != nil {
		return nil, err
	}
	return &pb.RetireQuestionResponse{Question: q}, nil
}

func (s *Service) RestoreQuestion(ctx context.Context, req *pb.RestoreQuestionRequest) (*pb.RestoreQuestionResponse, error) {
	q, err := s.setState(ctx, req.GetId(), req.GetEtag(), req.GetChangeNote(), qbank.StateActive)
	if err != nil {
		return nil, err
	}
	return &pb.RestoreQuestionResponse{Question: q}, nil
}

func (s *Service) setState(ctx context.Context, id, etag, note string, to qbank.State) (*pb.Question, error) {
	var v qbank.Violations
	qbank.ValidateQuestionID(&v, "id", id)
	if etag == "" {
		v.Add("etag", "is required: send the etag you read")
	}
	qbank.ValidateChangeNote(&v, "changeNote", note)
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.catalog.Head(ctx, id, etag)
	if err != nil {
		return nil, err
	}
	switch {
	case to == qbank.StateRetired && cur.State == qbank.StateRetired:
		return nil, qbank.Errorf(qbank.EPRECONDITION, "question %q is already retired", id).WithReason(qbank.ReasonAlreadyRetired)
	case to == qbank.StateActive && cur.State != qbank.StateRetired:
		return nil, qbank.Errorf(qbank.EPRECONDITION, "question %q is %s, not retired: only a retired question can be restored", id, cur.State).WithReason(qbank.ReasonNotRetired)
	}
	updated, err := s.store.UpdateQuestion(ctx, id, etag, cur.Content, to, s.change(ctx, note))
	if err != nil {
		return nil, err
	}
	s.refresh(ctx)
	return protoconv.QuestionToProto(&updated), nil
}

func (s *Service) GetTaxonomy(ctx context.Context, _ *pb.GetTaxonomyRequest) (*pb.GetTaxonomyResponse, error) {
	return &pb.GetTaxonomyResponse{Taxonomy: protoconv.TaxonomyToProto(s.catalog.Snapshot().Taxonomy)}, nil
}

// change records the calling principal as the author of a write.
func (s *Service) change(ctx context.Context, note string) qbank.Change {
	p, _ := auth.FromContext(ctx)
	return qbank.Change{Author: p.Name, Note: note, Time: repository.Now()}
}

// refreshBudget bounds how long a committed write waits to see itself in the
// snapshot before it answers anyway: an acknowledged write must not be held
// hostage by a store that went away just after it committed.
const refreshBudget = 300 * time.Millisecond

// refresh makes a committed write visible to the next read. If the store
// cannot be read right now the write still stands; the watcher catches up.
func (s *Service) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, refreshBudget)
	defer cancel()
	if err := s.catalog.Refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "catalog refresh after write failed", "err", err)
	}
}
