package server_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server"
)

// TestAssemblyOnTheSeededBank is the acceptance matrix of the assembly issue,
// through a real gRPC server: every role, seeds 1–20, with and without
// stacks (and an alias), checking every hard constraint on every answer.
func TestAssemblyOnTheSeededBank(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	client := pb.NewQuestionBankServiceClient(ts.Conn)
	tax, err := client.GetTaxonomy(testserver.GRPCContext(t, readerToken), &pb.GetTaxonomyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The published bank is public: no assessment may use it.
	pub, err := client.ListQuestions(testserver.GRPCContext(t, readerToken), &pb.ListQuestionsRequest{Collection: "layersrank-50", PageSize: 100})
	if err != nil || len(pub.GetQuestions()) != 50 {
		t.Fatalf("the published bank: %d questions, %v", len(pub.GetQuestions()), err)
	}
	published := map[string]bool{}
	for _, q := range pub.GetQuestions() {
		published[q.GetId()] = true
	}
	for _, role := range tax.GetTaxonomy().GetRoles() {
		for _, stacks := range [][]string{nil, {"go"}, {"java"}, {"python"}, {"kubernetes"}, {"golang"}} {
			t.Run(fmt.Sprintf("%s/%v", role.GetId(), stacks), func(t *testing.T) {
				distinct := map[string]bool{}
				for seed := int64(1); seed <= 20; seed++ {
					req := &pb.AssembleAssessmentRequest{Role: role.GetId(), Stacks: stacks, Seed: proto.Int64(seed)}
					a, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), req)
					if err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
					checkAssessment(t, role, a, 35, 45)
					var ids []string
					for _, it := range a.GetItems() {
						ids = append(ids, it.GetQuestionId())
						if published[it.GetQuestionId()] {
							t.Errorf("seed %d uses %s, which is in the published bank", seed, it.GetQuestionId())
						}
					}
					distinct[strings.Join(ids, ",")] = true
					again, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), req)
					if err != nil || !proto.Equal(a, again) {
						t.Fatalf("seed %d twice gave different answers", seed)
					}
				}
				if role.GetId() == "backend-engineer" && len(stacks) == 0 && len(distinct) < 5 {
					t.Errorf("20 seeds gave %d distinct backend selections, want at least 5", len(distinct))
				}
			})
		}
	}
}

// checkAssessment asserts the hard constraints and the ±5 point balance.
func checkAssessment(t *testing.T, role *pb.Role, a *pb.AssembleAssessmentResponse, minM, maxM int32) {
	t.Helper()
	if a.GetTotalMinutes() < minM || a.GetTotalMinutes() > maxM {
		t.Errorf("total %d minutes, want %d–%d", a.GetTotalMinutes(), minM, maxM)
	}
	covered := map[string]bool{}
	formats := map[pb.ResponseFormat]bool{}
	minutes := map[string]int32{}
	var sum int32
	for _, it := range a.GetItems() {
		covered[it.GetCompetency()] = true
		formats[it.GetResponseFormat()] = true
		minutes[it.GetDimension()] += it.GetMinutes()
		sum += it.GetMinutes()
		if it.GetVersion() < 1 || it.GetText() == "" || it.GetReason() == "" {
			t.Errorf("item %s is incomplete: %v", it.GetQuestionId(), it)
		}
	}
	if sum != a.GetTotalMinutes() {
		t.Errorf("items add up to %d minutes, total says %d", sum, a.GetTotalMinutes())
	}
	for _, c := range role.GetCompetencies() {
		if !covered[c] {
			t.Errorf("competency %s not covered", c)
		}
	}
	if !formats[pb.ResponseFormat_RESPONSE_FORMAT_VIDEO] || !formats[pb.ResponseFormat_RESPONSE_FORMAT_WRITTEN] {
		t.Errorf("formats %v, want a video and a written item", formats)
	}
	for dim, w := range role.GetDimensionWeights() {
		share := 100 * float64(minutes[dim]) / float64(sum)
		if math.Abs(share-float64(w)) > 5 || math.Abs(share-a.GetDimensionShares()[dim]) > 1e-9 {
			t.Errorf("%s: %.1f%% of minutes (reported %.1f%%), weight %d", dim, share, a.GetDimensionShares()[dim], w)
		}
	}
}

func TestAssemblyStackCustomization(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	client := pb.NewQuestionBankServiceClient(ts.Conn)
	list, err := client.ListQuestions(testserver.GRPCContext(t, readerToken), &pb.ListQuestionsRequest{Role: "backend-engineer", PageSize: 100, View: pb.QuestionView_QUESTION_VIEW_FULL})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*pb.Question{}
	for _, q := range list.GetQuestions() {
		byID[q.GetId()] = q
	}
	a, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "backend-engineer", Stacks: []string{"Golang"}, Seed: proto.Int64(7)})
	if err != nil {
		t.Fatal(err)
	}
	goSpecific, goVariant := 0, 0
	for _, it := range a.GetItems() {
		q := byID[it.GetQuestionId()]
		if slices.Contains(q.GetStacks(), "go") {
			goSpecific++
		}
		if v, ok := q.GetStackVariants()["go"]; ok {
			if it.GetText() != v.GetText() || it.GetStack() != "go" {
				t.Errorf("%s has a Go variant but was rendered as %q", q.GetId(), it.GetText())
			}
			goVariant++
		} else if it.GetText() != q.GetText() {
			t.Errorf("%s rendered as %q, want its text", q.GetId(), it.GetText())
		}
	}
	if goSpecific == 0 {
		t.Error("stacks [golang] gave no Go-specific question")
	}
	t.Logf("go: %d stack-specific, %d variants of %d items", goSpecific, goVariant, len(a.GetItems()))

	// Unknown values name the field and the valid values.
	_, err = client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "astronaut", Stacks: []string{"cobol"}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "backend-engineer") || !strings.Contains(err.Error(), "stacks") {
		t.Errorf("unknown role and stack: %v", err)
	}
	// A request the bank cannot satisfy says which constraint failed.
	_, err = client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "backend-engineer", MinMinutes: 5, MaxMinutes: 10})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("10 minutes for 8 competencies: %v, want FailedPrecondition", err)
	}
}

// TestAssemblyIsPinned: an assessment's id@version refs resolve to exactly
// the texts assembled, after the questions are edited and retired.
func TestAssemblyIsPinned(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		client := pb.NewQuestionBankServiceClient(ts.Conn)
		a, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "backend-engineer", Stacks: []string{"go"}, Seed: proto.Int64(11)})
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, it := range a.GetItems() {
			refs = append(refs, fmt.Sprintf("%s@%d", it.GetQuestionId(), it.GetVersion()))
		}
		// Edit the first item and retire the second.
		first, _ := client.GetQuestion(testserver.GRPCContext(t, adminToken), &pb.GetQuestionRequest{Id: a.GetItems()[0].GetQuestionId()})
		edited := proto.Clone(first.GetQuestion()).(*pb.Question)
		edited.Text = "Reworded after the assessment was sent."
		edited.StackVariants = nil
		if _, err := client.UpdateQuestion(testserver.GRPCContext(t, adminToken), &pb.UpdateQuestionRequest{Question: edited}); err != nil {
			t.Fatal(err)
		}
		second, _ := client.GetQuestion(testserver.GRPCContext(t, adminToken), &pb.GetQuestionRequest{Id: a.GetItems()[1].GetQuestionId()})
		if _, err := client.RetireQuestion(testserver.GRPCContext(t, adminToken), &pb.RetireQuestionRequest{Id: second.GetQuestion().GetId(), Etag: second.GetQuestion().GetEtag()}); err != nil {
			t.Fatal(err)
		}
		got, err := client.BatchGetQuestions(testserver.GRPCContext(t, readerToken), &pb.BatchGetQuestionsRequest{Refs: refs})
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range got.GetQuestions() {
			it := a.GetItems()[i]
			text := q.GetText()
			if it.GetStack() != "" {
				text = q.GetStackVariants()[it.GetStack()].GetText()
			}
			if q.GetId() != it.GetQuestionId() || q.GetVersion() != it.GetVersion() || text != it.GetText() {
				t.Errorf("ref %s resolved to v%d %q, assembled %q", refs[i], q.GetVersion(), text, it.GetText())
			}
		}
		// The bank moved, and a new assessment never uses the retired one.
		b, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "backend-engineer", Stacks: []string{"go"}, Seed: proto.Int64(11)})
		if err != nil {
			t.Fatal(err)
		}
		if b.GetBankRevision() <= a.GetBankRevision() {
			t.Errorf("bank revision %d → %d after two writes", a.GetBankRevision(), b.GetBankRevision())
		}
		for _, it := range b.GetItems() {
			if it.GetQuestionId() == second.GetQuestion().GetId() {
				t.Error("a retired question was assembled")
			}
		}
	})
}

func TestTemplatesAndAssemblyFromTemplate(t *testing.T) {
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		ts := testserver.Start(t, cfg())
		out := ts.Must(t, http.StatusOK, "GET", "/v1/templates", readerToken, nil).Body
		if int(out["totalSize"].(float64)) != 4 {
			t.Fatalf("%v default templates, want 4", out["totalSize"])
		}
		tpl := map[string]any{
			"id": "acme-go-backend", "title": "Acme: senior Go backend", "owner": "acme", "role": "backend-engineer",
			"stacks": []string{"golang"}, "minMinutes": 35, "maxMinutes": 45,
			"excludedQuestionIds": []string{"api-rate-limiting-design"},
		}
		if r := ts.Call(t, "POST", "/v1/templates", readerToken, tpl); r.Code != http.StatusForbidden {
			t.Errorf("reader template create: %d, want 403", r.Code)
		}
		created := ts.Must(t, http.StatusOK, "POST", "/v1/templates", adminToken, tpl).Body
		if stacks := list(created, "stacks"); len(stacks) != 1 || stacks[0] != "go" {
			t.Errorf("alias not resolved: %v", stacks)
		}
		acme := ts.Must(t, http.StatusOK, "GET", "/v1/templates?owner=acme", readerToken, nil).Body
		other := ts.Must(t, http.StatusOK, "GET", "/v1/templates?owner=globex", readerToken, nil).Body
		if acme["totalSize"] != float64(5) || other["totalSize"] != float64(4) {
			t.Errorf("owner filter: acme sees %v, globex sees %v; want 5 and 4", acme["totalSize"], other["totalSize"])
		}
		bad := map[string]any{"id": "Bad Template", "title": "", "role": "astronaut", "minMinutes": 50, "maxMinutes": 40,
			"dimensionWeights": map[string]int{"technical": 90}, "requiredQuestionIds": []string{"no-such-question"}}
		r := ts.Call(t, "POST", "/v1/templates", adminToken, bad)
		msg := str(r.Body["message"])
		for _, field := range []string{"template.id", "template.title", "template.role", "template.maxMinutes", "template.dimensionWeights", "template.requiredQuestionIds"} {
			if !strings.Contains(msg, field) {
				t.Errorf("invalid template: %d, message lacks %s: %s", r.Code, field, msg)
			}
		}
		a := ts.Must(t, http.StatusOK, "POST", "/v1/assessments:assemble", readerToken,
			map[string]any{"templateId": "acme-go-backend", "seed": 4, "excludedQuestionIds": []string{"service-scaling-10x-100x"}}).Body
		for _, it := range list(a, "items") {
			if id := obj(it)["questionId"]; id == "api-rate-limiting-design" || id == "service-scaling-10x-100x" {
				t.Errorf("excluded question %s assembled", id)
			}
		}
		// A stale etag loses; the current one wins; delete needs the etag too.
		upd := ts.Must(t, http.StatusOK, "PATCH", "/v1/templates/acme-go-backend", adminToken, map[string]any{"maxMinutes": 40, "etag": created["etag"]}).Body
		if r := ts.Call(t, "PATCH", "/v1/templates/acme-go-backend", adminToken, map[string]any{"maxMinutes": 44, "etag": created["etag"]}); r.Code != http.StatusConflict {
			t.Errorf("stale template update: %d, want 409", r.Code)
		}
		if r := ts.Call(t, "DELETE", "/v1/templates/acme-go-backend?etag="+str(created["etag"]), adminToken, nil); r.Code != http.StatusConflict {
			t.Errorf("stale delete: %d, want 409", r.Code)
		}
		ts.Must(t, http.StatusOK, "DELETE", "/v1/templates/acme-go-backend?etag="+str(upd["etag"]), adminToken, nil)
		if r := ts.Call(t, "GET", "/v1/templates/acme-go-backend", readerToken, nil); r.Code != http.StatusNotFound {
			t.Errorf("deleted template: %d, want 404", r.Code)
		}
	})
}

// TestAnalyzeExposure: the report over gRPC and HTTP (body: the assemble
// request), agreeing with what assembly draws.
func TestAnalyzeExposure(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	client := pb.NewQuestionBankServiceClient(ts.Conn)
	rep, err := client.AnalyzeExposure(testserver.GRPCContext(t, readerToken), &pb.AnalyzeExposureRequest{Assessment: &pb.AssembleAssessmentRequest{Role: "backend-engineer"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.GetItems()) == 0 || rep.GetMaxExposure() <= 0 || rep.GetMaxExposure() > 1 || rep.GetBalance() != pb.Balance_BALANCE_WITHIN_TOLERANCE ||
		rep.GetAcceptableAssessments() < 2 || rep.GetExpectedItems() < 8 || rep.GetExpectedOverlap() > rep.GetMaxExposure() {
		t.Fatalf("report %v", rep)
	}
	exposure := map[string]float64{}
	for i, it := range rep.GetItems() {
		exposure[it.GetQuestionId()] = it.GetExposure()
		if i > 0 && it.GetExposure() > rep.GetItems()[i-1].GetExposure() {
			t.Fatal("items not most exposed first")
		}
		if it.GetVersion() < 1 || it.GetCompetency() == "" {
			t.Fatalf("item %v is incomplete", it)
		}
	}
	a, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "backend-engineer", Seed: proto.Int64(3)})
	if err != nil {
		t.Fatal(err)
	}
	if a.GetBankRevision() != rep.GetBankRevision() || a.GetBalance() != pb.Balance_BALANCE_WITHIN_TOLERANCE || a.GetTolerancePoints() != 5 {
		t.Fatalf("assessment revision %d balance %v ±%d; report revision %d", a.GetBankRevision(), a.GetBalance(), a.GetTolerancePoints(), rep.GetBankRevision())
	}
	for _, it := range a.GetItems() {
		if exposure[it.GetQuestionId()] <= 0 {
			t.Errorf("%s was drawn but its reported exposure is %v", it.GetQuestionId(), exposure[it.GetQuestionId()])
		}
	}

	out := ts.Must(t, http.StatusOK, "POST", "/v1/assessments:analyzeExposure", readerToken,
		map[string]any{"templateId": "data-engineer-default", "tolerancePoints": 8}).Body
	if out["balance"] != "BALANCE_WITHIN_TOLERANCE" || len(list(out, "items")) == 0 || out["maxExposure"] == nil {
		t.Fatalf("HTTP report %v", out)
	}
	for _, it := range list(out, "items") {
		if str(obj(it)["competency"]) == "" {
			t.Fatalf("HTTP item %v", it)
		}
	}
	if r := ts.Call(t, "POST", "/v1/assessments:analyzeExposure", "", map[string]any{"role": "data-engineer"}); r.Code != http.StatusUnauthorized {
		t.Errorf("anonymous report: %d, want 401", r.Code)
	}
	_, err = client.AnalyzeExposure(testserver.GRPCContext(t, readerToken), &pb.AnalyzeExposureRequest{})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "assessment") {
		t.Errorf("no request to analyse: %v", err)
	}
}

// TestAssemblyExplainsBadIDs: a required question that exists but cannot be
// used says why; an excluded id the bank never held is named; lists over
// their caps are refused with one violation.
func TestAssemblyExplainsBadIDs(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	client := pb.NewQuestionBankServiceClient(ts.Conn)
	other, err := client.ListQuestions(testserver.GRPCContext(t, readerToken), &pb.ListQuestionsRequest{Role: "data-engineer", Competency: "pipeline-design", PageSize: 1})
	if err != nil || len(other.GetQuestions()) == 0 {
		t.Fatalf("no data-engineer question: %v", err)
	}
	mine, err := client.ListQuestions(testserver.GRPCContext(t, readerToken), &pb.ListQuestionsRequest{Role: "backend-engineer", Competency: "ownership", PageSize: 1, View: pb.QuestionView_QUESTION_VIEW_FULL})
	if err != nil || len(mine.GetQuestions()) == 0 {
		t.Fatalf("no backend ownership question: %v", err)
	}
	retired := mine.GetQuestions()[0]
	if _, err := client.RetireQuestion(testserver.GRPCContext(t, adminToken), &pb.RetireQuestionRequest{Id: retired.GetId(), Etag: retired.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	draft := proto.Clone(retired).(*pb.Question)
	draft.Id, draft.Etag, draft.State = "a-draft-ownership-question", "", pb.Question_STATE_DRAFT
	draft.Text = "A question still being written about owning a service."
	if _, err := client.CreateQuestion(testserver.GRPCContext(t, adminToken), &pb.CreateQuestionRequest{Question: draft}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		req   *pb.AssembleAssessmentRequest
		field string
		want  []string
	}{
		{"Retired", &pb.AssembleAssessmentRequest{Role: "backend-engineer", RequiredQuestionIds: []string{retired.GetId()}}, "requiredQuestionIds", []string{retired.GetId(), "retired"}},
		{"Draft", &pb.AssembleAssessmentRequest{Role: "backend-engineer", RequiredQuestionIds: []string{"a-draft-ownership-question"}}, "requiredQuestionIds", []string{"a-draft-ownership-question", "draft"}},
		{"OtherRole", &pb.AssembleAssessmentRequest{Role: "backend-engineer", RequiredQuestionIds: []string{other.GetQuestions()[0].GetId()}}, "requiredQuestionIds", []string{"not for role backend-engineer", "data-engineer"}},
		{"Published", &pb.AssembleAssessmentRequest{Role: "backend-engineer", RequiredQuestionIds: []string{"api-rate-limiting-design"}}, "requiredQuestionIds", []string{"api-rate-limiting-design", "published in layersrank-50"}},
		{"Unknown", &pb.AssembleAssessmentRequest{Role: "backend-engineer", RequiredQuestionIds: []string{"no-such-question"}}, "requiredQuestionIds", []string{`unknown question "no-such-question"`}},
		{"UnknownExcluded", &pb.AssembleAssessmentRequest{Role: "backend-engineer", ExcludedQuestionIds: []string{retired.GetId(), "never-was-a-question"}}, "excludedQuestionIds", []string{`"never-was-a-question"`}},
		{"TooManyExcluded", &pb.AssembleAssessmentRequest{Role: "backend-engineer", ExcludedQuestionIds: manyIDs(100000)}, "excludedQuestionIds", []string{"100000 ids", "limit is 1000"}},
		{"TooManyRequired", &pb.AssembleAssessmentRequest{Role: "backend-engineer", RequiredQuestionIds: manyIDs(51)}, "requiredQuestionIds", []string{"limit is 50"}},
		{"TooManyStacks", &pb.AssembleAssessmentRequest{Role: "backend-engineer", Stacks: slices.Repeat([]string{"go"}, 33)}, "stacks", []string{"limit is 32"}},
		{"Tolerance", &pb.AssembleAssessmentRequest{Role: "backend-engineer", TolerancePoints: proto.Int32(51)}, "tolerancePoints", []string{"between 0 and 50"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), c.req)
			st := status.Convert(err)
			if st.Code() != codes.InvalidArgument {
				t.Fatalf("%v, want InvalidArgument", err)
			}
			var found []string
			for _, d := range st.Details() {
				if br, ok := d.(*errdetails.BadRequest); ok {
					for _, v := range br.GetFieldViolations() {
						// gRPC names fields by their proto paths.
						if v.GetField() == qbank.ProtoFieldPath(c.field) {
							found = append(found, v.GetDescription())
						}
					}
				}
			}
			if len(found) != 1 {
				t.Fatalf("violations of %s: %q (error %v)", c.field, found, err)
			}
			for _, w := range c.want {
				if !strings.Contains(found[0], w) {
					t.Errorf("%q does not mention %q", found[0], w)
				}
			}
			if len(err.Error()) > 2000 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
	// Excluding a retired question is fine: it is absent already.
	if _, err := client.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: "backend-engineer", ExcludedQuestionIds: []string{retired.GetId()}}); err != nil {
		t.Errorf("excluding a retired question: %v", err)
	}
}

func manyIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("excluded-question-%06d", i)
	}
	return out
}
