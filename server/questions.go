package server

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/catalog"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/server/auth"
)

// Service implements QuestionBankService: reads from the catalog's snapshot
// (old versions from the store), writes through the store, then refreshes
// the catalog so the writer reads its own write.
type Service struct {
	pb.UnimplementedQuestionBankServiceServer
	store   repository.Store
	catalog *catalog.Catalog
	history *catalog.History
	log     *slog.Logger
	// assembler caches each assembly request shape's distribution per
	// bank revision (server/assemble.go).
	assembler *assembly.Assembler
}

// NewService returns the service over a store and its catalog.
func NewService(store repository.Store, cat *catalog.Catalog, log *slog.Logger) *Service {
	return &Service{store: store, catalog: cat, history: catalog.NewHistory(store), log: log,
		assembler: assembly.NewAssembler(assembly.DefaultCacheEntries, assembly.DefaultCacheBytes)}
}

// MaxBatch bounds BatchGetQuestions.
const MaxBatch = 100

func (s *Service) ListQuestions(ctx context.Context, req *pb.ListQuestionsRequest) (*pb.ListQuestionsResponse, error) {
	snap := s.catalog.Snapshot()
	f := catalog.Filter{
		Role: req.GetRole(), Dimension: req.GetDimension(), Competency: req.GetCompetency(),
		Stack: req.GetStack(), Seniority: req.GetSeniority(), Query: req.GetQuery(),
		ResponseFormat: protoconv.FormatFromProto(req.GetResponseFormat()),
		State:          protoconv.StateFromProto(req.GetState()),
		Collection:     req.GetCollection(),
	}
	var v qbank.Violations
	f.Validate(&v, snap.Taxonomy)
	if req.GetPageSize() < 0 || req.GetPageSize() > catalog.MaxPageSize {
		v.Add("pageSize", "must be between 0 and %d, got %d", catalog.MaxPageSize, req.GetPageSize())
	}
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
	out := &pb.ListQuestionsResponse{NextPageToken: page.NextPageToken, TotalSize: int32(page.TotalSize)}
	convert := protoconv.QuestionToProtoBasic
	if req.GetView() == pb.QuestionView_QUESTION_VIEW_FULL {
		convert = protoconv.QuestionToProto
	}
	out.Questions = make([]*pb.Question, len(page.Questions))
	for i := range page.Questions {
		out.Questions[i] = convert(&page.Questions[i])
	}
	return out, nil
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
	snap := s.catalog.Snapshot()
	if head, ok := snap.Question(req.GetId()); ok && (req.GetVersion() == 0 || int(req.GetVersion()) == head.Version) {
		// The current version's wire form is built once per snapshot and
		// shared (read-only) by every reader: the hottest read there is.
		wire := snap.Memo("question|"+head.ID, func() any { return protoconv.QuestionToProto(&head) }).(*pb.Question)
		return &pb.GetQuestionResponse{Question: wire}, nil
	}
	q, err := s.resolve(ctx, qbank.Ref{ID: req.GetId(), Version: int(req.GetVersion())})
	if err != nil {
		return nil, err
	}
	return &pb.GetQuestionResponse{Question: protoconv.QuestionToProto(&q)}, nil
}

// resolve reads a ref from memory: the current version from the snapshot,
// an older one from the version history (read once from the store).
func (s *Service) resolve(ctx context.Context, ref qbank.Ref) (qbank.Question, error) {
	head, ok := s.catalog.Snapshot().Question(ref.ID)
	switch {
	case !ok:
		return s.store.Question(ctx, ref) // perhaps written on another replica a moment ago
	case ref.Version == 0:
		return head, nil
	}
	return s.history.Version(ctx, head, ref.Version)
}

func (s *Service) BatchGetQuestions(ctx context.Context, req *pb.BatchGetQuestionsRequest) (*pb.BatchGetQuestionsResponse, error) {
	var v qbank.Violations
	refs := make([]qbank.Ref, 0, len(req.GetRefs()))
	switch n := len(req.GetRefs()); {
	case n == 0:
		v.Add("refs", "at least one ref (id or id@version) is required")
	case n > MaxBatch:
		v.Add("refs", "has %d refs, the limit is %d", n, MaxBatch)
	}
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
		q, err := s.resolve(ctx, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, protoconv.QuestionToProto(&q))
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
	// Page sizes above the maximum are coerced to it (AIP-158).
	size := int(req.GetPageSize())
	switch {
	case size == 0:
		size = catalog.DefaultPageSize
	case size > catalog.MaxPageSize:
		size = catalog.MaxPageSize
	}
	// Versions are immutable and numbered, so "after version N" names a
	// position that stays valid however many versions are added meanwhile.
	request := fmt.Sprintf("versions|%q|%d", req.GetId(), size)
	below := math.MaxInt32
	if tok := req.GetPageToken(); tok != "" {
		after, err := catalog.ParsePageToken(tok, request)
		if err != nil {
			return nil, err
		}
		if below, err = strconv.Atoi(after); err != nil {
			return nil, (qbank.Violations{{Field: "pageToken", Description: "is not a page token from this service"}}).Err()
		}
	}
	var versions []qbank.Question
	var err error
	if head, ok := s.catalog.Snapshot().Question(req.GetId()); ok {
		versions, err = s.history.Versions(ctx, head)
	} else {
		versions, err = s.store.QuestionVersions(ctx, req.GetId())
	}
	if err != nil {
		return nil, err
	}
	// Newest first: skip to the first version below the token's.
	start, _ := slices.BinarySearchFunc(versions, below, func(q qbank.Question, v int) int { return v - q.Version })
	for start < len(versions) && versions[start].Version >= below {
		start++
	}
	end := min(start+size, len(versions))
	out := &pb.ListQuestionVersionsResponse{Versions: protoconv.QuestionsToProto(versions[start:end])}
	if end < len(versions) {
		out.NextPageToken = catalog.PageToken(request, strconv.Itoa(versions[end-1].Version))
	}
	return out, nil
}

func (s *Service) CreateQuestion(ctx context.Context, req *pb.CreateQuestionRequest) (*pb.CreateQuestionResponse, error) {
	in := req.GetQuestion()
	var v qbank.Violations
	if in == nil {
		v.Add("question", "is required")
		return nil, v.Err()
	}
	q := qbank.Question{ID: in.GetId(), Content: protoconv.ContentFromProto(in), State: protoconv.StateFromProto(in.GetState())}
	idField := "question.id"
	if req.GetQuestionId() != "" {
		q.ID, idField = req.GetQuestionId(), "questionId"
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

// contentPaths are the update-mask paths that change content; statePath
// changes the state; outputOnly paths are ignored, as AIP-134 asks.
var (
	// contentFields are the updatable content fields ("*" means all of
	// them); contentPaths adds the parts of the scoring guide.
	contentFields = []string{"text", "roles", "dimension", "competency", "what_it_reveals", "response_format",
		"minutes", "seniorities", "stacks", "stack_variants", "follow_ups", "scoring_guide", "collections"}
	contentPaths = append(slices.Clone(contentFields),
		"scoring_guide.strong", "scoring_guide.adequate", "scoring_guide.weak", "scoring_guide.levels")
	outputOnlyPaths = []string{"id", "version", "etag", "create_time", "update_time", "author", "change_note"}
)

const statePath = "state"

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
	paths := maskPaths(req.GetUpdateMask())
	for _, p := range paths {
		if !slices.Contains(contentPaths, p) && p != statePath && !slices.Contains(outputOnlyPaths, p) {
			v.Add("updateMask", "unknown field %q (updatable: %v, state)", p, contentFields)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.head(ctx, in.GetId(), in.GetEtag())
	if err != nil {
		return nil, err
	}
	content, state := applyMask(cur, in, paths)
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

// maskPaths returns the mask's paths, with "*" (or an empty mask) meaning
// every updatable field: a full replacement.
func maskPaths(m *fieldmaskpb.FieldMask) []string {
	paths := m.GetPaths()
	if len(paths) == 0 || slices.Contains(paths, "*") {
		return append(slices.Clone(contentFields), statePath)
	}
	return paths
}

// applyMask overlays the masked fields of in onto the current content.
func applyMask(cur qbank.Question, in *pb.Question, paths []string) (qbank.Content, qbank.State) {
	c := cur.Content.Clone()
	state := cur.State
	src := protoconv.ContentFromProto(in)
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
		case statePath:
			state = protoconv.StateFromProto(in.GetState())
		}
	}
	return c, state
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
	cur, err := s.head(ctx, id, etag)
	if err != nil {
		return nil, err
	}
	switch {
	case to == qbank.StateRetired && cur.State == qbank.StateRetired:
		return nil, qbank.Errorf(qbank.EPRECONDITION, "question %q is already retired", id)
	case to == qbank.StateActive && cur.State != qbank.StateRetired:
		return nil, qbank.Errorf(qbank.EPRECONDITION, "question %q is %s, not retired: only a retired question can be restored", id, cur.State)
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

// head returns the current version a write applies to. When the snapshot's
// head carries the etag the client sent, it is that head (an etag names one
// head state), and the store's compare-and-swap will confirm it is still
// current, so the store need not be read; otherwise the store decides.
func (s *Service) head(ctx context.Context, id, etag string) (qbank.Question, error) {
	if q, ok := s.catalog.Snapshot().Question(id); ok && q.Etag == etag {
		return q, nil
	}
	return s.store.Question(ctx, qbank.Ref{ID: id})
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
