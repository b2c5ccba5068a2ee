package faulttest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
)

// accessRow is one RPC of QuestionBankService: who may call it, a valid
// request for gRPC and the same call through its HTTP route. Requests are
// built at call time, so writes get the current etag of their fixture.
type accessRow struct {
	reader bool
	grpc   func(t *testing.T) proto.Message
	// route is the OpenAPI path and verb, e.g. "post /v1/questions/{id}:retire".
	route string
	http  func(t *testing.T) (path string, body any)
}

// accessFixtures are the resources the write rows act on; gRPC and HTTP get
// their own, since the admin call of each really happens.
type accessFixtures struct {
	ts  *testserver.Server
	seq atomic.Int64
}

func (f *accessFixtures) unique(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, f.seq.Add(1))
}

func (f *accessFixtures) questionEtag(t *testing.T, id string) string {
	t.Helper()
	r, err := f.ts.API.GetQuestion(testserver.GRPCContext(t, adminToken), &pb.GetQuestionRequest{Id: id})
	if err != nil {
		t.Fatalf("fixture %s: %v", id, err)
	}
	return r.GetQuestion().GetEtag()
}

func (f *accessFixtures) templateEtag(t *testing.T, id string) string {
	t.Helper()
	r, err := f.ts.API.GetTemplate(testserver.GRPCContext(t, adminToken), &pb.GetTemplateRequest{Id: id})
	if err != nil {
		t.Fatalf("fixture %s: %v", id, err)
	}
	return r.GetTemplate().GetEtag()
}

// setup creates, for each transport, a question to update, one to retire, a
// retired one to restore, and templates to update and delete.
func (f *accessFixtures) setup(t *testing.T) {
	t.Helper()
	ctx := testserver.GRPCContext(t, adminToken)
	for _, via := range []string{"grpc", "http"} {
		for _, role := range []string{"update", "retire", "restore"} {
			id := "access-" + via + "-" + role
			if _, err := f.ts.API.CreateQuestion(ctx, &pb.CreateQuestionRequest{Question: questionPB(id, "Fixture question for the access matrix: "+id+".")}); err != nil {
				t.Fatal(err)
			}
		}
		id := "access-" + via + "-restore"
		if _, err := f.ts.API.RetireQuestion(ctx, &pb.RetireQuestionRequest{Id: id, Etag: f.questionEtag(t, id)}); err != nil {
			t.Fatal(err)
		}
		for _, role := range []string{"update", "delete"} {
			if _, err := f.ts.API.CreateTemplate(ctx, &pb.CreateTemplateRequest{Template: &pb.Template{
				Id: "access-" + via + "-tpl-" + role, Title: "Access fixture", Role: "backend-engineer", MinMinutes: 35, MaxMinutes: 45,
			}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// accessTable is the policy under test, one row per RPC. It is keyed by
// method name; TestAccessMatrix fails when the service has a method without
// a row, so a new RPC cannot ship untested (or open by accident).
func accessTable(f *accessFixtures) map[string]accessRow {
	seed7 := int64(7)
	return map[string]accessRow{
		"ListQuestions": {reader: true, route: "get /v1/questions",
			grpc: func(*testing.T) proto.Message { return &pb.ListQuestionsRequest{Role: "backend-engineer"} },
			http: func(*testing.T) (string, any) { return "/v1/questions?role=backend-engineer", nil }},
		"GetQuestion": {reader: true, route: "get /v1/questions/{id}",
			grpc: func(*testing.T) proto.Message { return &pb.GetQuestionRequest{Id: "api-rate-limiting-design"} },
			http: func(*testing.T) (string, any) { return "/v1/questions/api-rate-limiting-design?version=1", nil }},
		"BatchGetQuestions": {reader: true, route: "get /v1/questions:batchGet",
			grpc: func(*testing.T) proto.Message {
				return &pb.BatchGetQuestionsRequest{Refs: []string{"api-rate-limiting-design@1", "regretted-technical-decision"}}
			},
			http: func(*testing.T) (string, any) {
				return "/v1/questions:batchGet?refs=api-rate-limiting-design@1&refs=regretted-technical-decision", nil
			}},
		"ListQuestionVersions": {reader: true, route: "get /v1/questions/{id}/versions",
			grpc: func(*testing.T) proto.Message { return &pb.ListQuestionVersionsRequest{Id: "api-rate-limiting-design"} },
			http: func(*testing.T) (string, any) { return "/v1/questions/api-rate-limiting-design/versions", nil }},
		"CreateQuestion": {route: "post /v1/questions",
			grpc: func(*testing.T) proto.Message {
				id := f.unique("access-grpc-created")
				return &pb.CreateQuestionRequest{Question: questionPB(id, "Created through gRPC by the access matrix: "+id+".")}
			},
			http: func(*testing.T) (string, any) {
				id := f.unique("access-http-created")
				return "/v1/questions", questionJSON(id, "Created through HTTP by the access matrix: "+id+".")
			}},
		"UpdateQuestion": {route: "patch /v1/questions/{question.id}",
			grpc: func(t *testing.T) proto.Message {
				return &pb.UpdateQuestionRequest{
					Question:   &pb.Question{Id: "access-grpc-update", Etag: f.questionEtag(t, "access-grpc-update"), Text: f.unique("Updated through gRPC by the access matrix, edit")},
					UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}},
				}
			},
			http: func(t *testing.T) (string, any) {
				return "/v1/questions/access-http-update?updateMask=text",
					map[string]any{"text": f.unique("Updated through HTTP by the access matrix, edit"), "etag": f.questionEtag(t, "access-http-update")}
			}},
		"RetireQuestion": {route: "post /v1/questions/{id}:retire",
			grpc: func(t *testing.T) proto.Message {
				return &pb.RetireQuestionRequest{Id: "access-grpc-retire", Etag: f.questionEtag(t, "access-grpc-retire")}
			},
			http: func(t *testing.T) (string, any) {
				return "/v1/questions/access-http-retire:retire", map[string]any{"etag": f.questionEtag(t, "access-http-retire")}
			}},
		"RestoreQuestion": {route: "post /v1/questions/{id}:restore",
			grpc: func(t *testing.T) proto.Message {
				return &pb.RestoreQuestionRequest{Id: "access-grpc-restore", Etag: f.questionEtag(t, "access-grpc-restore")}
			},
			http: func(t *testing.T) (string, any) {
				return "/v1/questions/access-http-restore:restore", map[string]any{"etag": f.questionEtag(t, "access-http-restore")}
			}},
		"GetTaxonomy": {reader: true, route: "get /v1/taxonomy",
			grpc: func(*testing.T) proto.Message { return &pb.GetTaxonomyRequest{} },
			http: func(*testing.T) (string, any) { return "/v1/taxonomy", nil }},
		"AssembleAssessment": {reader: true, route: "post /v1/assessments:assemble",
			grpc: func(*testing.T) proto.Message {
				return &pb.AssembleAssessmentRequest{Role: "backend-engineer", Stacks: []string{"golang"}, Seed: &seed7}
			},
			http: func(*testing.T) (string, any) {
				return "/v1/assessments:assemble", map[string]any{"templateId": "backend-engineer-default", "seed": 7}
			}},
		"AnalyzeExposure": {reader: true, route: "post /v1/assessments:analyzeExposure",
			grpc: func(*testing.T) proto.Message {
				return &pb.AnalyzeExposureRequest{Assessment: &pb.AssembleAssessmentRequest{Role: "backend-engineer", Stacks: []string{"golang"}}}
			},
			http: func(*testing.T) (string, any) {
				return "/v1/assessments:analyzeExposure", map[string]any{"templateId": "backend-engineer-default"}
			}},
		"ListTemplates": {reader: true, route: "get /v1/templates",
			grpc: func(*testing.T) proto.Message { return &pb.ListTemplatesRequest{Owner: "acme"} },
			http: func(*testing.T) (string, any) { return "/v1/templates?owner=acme", nil }},
		"GetTemplate": {reader: true, route: "get /v1/templates/{id}",
			grpc: func(*testing.T) proto.Message { return &pb.GetTemplateRequest{Id: "backend-engineer-default"} },
			http: func(*testing.T) (string, any) { return "/v1/templates/backend-engineer-default", nil }},
		"CreateTemplate": {route: "post /v1/templates",
			grpc: func(*testing.T) proto.Message {
				return &pb.CreateTemplateRequest{Template: &pb.Template{Id: f.unique("access-grpc-tpl-new"), Title: "Access matrix", Owner: "acme", Role: "data-engineer"}}
			},
			http: func(*testing.T) (string, any) {
				return "/v1/templates", map[string]any{"id": f.unique("access-http-tpl-new"), "title": "Access matrix", "owner": "acme", "role": "data-engineer"}
			}},
		"UpdateTemplate": {route: "patch /v1/templates/{template.id}",
			grpc: func(t *testing.T) proto.Message {
				return &pb.UpdateTemplateRequest{
					Template:   &pb.Template{Id: "access-grpc-tpl-update", Etag: f.templateEtag(t, "access-grpc-tpl-update"), Title: f.unique("Renamed over gRPC")},
					UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
				}
			},
			http: func(t *testing.T) (string, any) {
				return "/v1/templates/access-http-tpl-update?updateMask=title",
					map[string]any{"title": f.unique("Renamed over HTTP"), "etag": f.templateEtag(t, "access-http-tpl-update")}
			}},
		"DeleteTemplate": {route: "delete /v1/templates/{id}",
			grpc: func(t *testing.T) proto.Message {
				return &pb.DeleteTemplateRequest{Id: "access-grpc-tpl-delete", Etag: f.templateEtag(t, "access-grpc-tpl-delete")}
			},
			http: func(t *testing.T) (string, any) {
				return "/v1/templates/access-http-tpl-delete?etag=" + f.templateEtag(t, "access-http-tpl-delete"), nil
			}},
		"ExportQuestionBank": {reader: true, route: "get /v1/question-bank:export",
			grpc: func(*testing.T) proto.Message { return &pb.ExportQuestionBankRequest{Role: "devops-engineer"} },
			http: func(*testing.T) (string, any) { return "/v1/question-bank:export?role=data-engineer", nil }},
		"ImportQuestions": {route: "post /v1/questions:import",
			grpc: func(*testing.T) proto.Message {
				return &pb.ImportQuestionsRequest{ValidateOnly: true, Questions: []*pb.Question{questionPB("access-import-dry-run", "Validated, not written, by the access matrix.")}}
			},
			http: func(*testing.T) (string, any) {
				return "/v1/questions:import", map[string]any{"validateOnly": true, "questions": []any{questionJSON("access-import-dry-run", "Validated, not written, by the access matrix.")}}
			}},
	}
}

// caller is one of the four kinds of caller the matrix tries.
type caller struct {
	name  string
	token string
}

var callers = []caller{{"no token", ""}, {"bad token", badToken}, {"reader", readerToken}, {"admin", adminToken}}

// TestAccessMatrix calls every RPC of QuestionBankService over gRPC, and
// every HTTP route (each RPC's, the PDF, and the open health, metrics and
// OpenAPI routes), with no token, an unknown token, the reader's and the
// admin's: 401/401/(403 or OK)/OK as the policy says, and the open routes
// answer everyone. Then it checks the server's logs from that run, which
// saw failed authentications and writes: no token anywhere, and no question
// text at info level or above.
func TestAccessMatrix(t *testing.T) {
	ts := testserver.Start(t, server.Config{DataDir: t.TempDir()})
	fx := &accessFixtures{ts: ts}
	fx.setup(t)
	table := accessTable(fx)
	desc := pb.QuestionBankService_ServiceDesc

	// Every method of the service has a row, and every row a method.
	var methods []string
	for _, m := range desc.Methods {
		methods = append(methods, m.MethodName)
	}
	for _, s := range desc.Streams {
		methods = append(methods, s.StreamName)
	}
	for _, m := range methods {
		if _, ok := table[m]; !ok {
			t.Errorf("%s has no row in accessTable: add one saying who may call it", m)
		}
	}
	for name := range table {
		if !slices.Contains(methods, name) {
			t.Errorf("accessTable has a row for %s, which the service does not have", name)
		}
	}

	svc, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(desc.ServiceName))
	if err != nil {
		t.Fatal(err)
	}
	sd := svc.(protoreflect.ServiceDescriptor)

	t.Run("grpc", func(t *testing.T) {
		for _, name := range methods {
			row, ok := table[name]
			if !ok {
				continue
			}
			md := sd.Methods().ByName(protoreflect.Name(name))
			for _, c := range callers {
				err := invoke(t, ts, desc.ServiceName, md, row.grpc(t), c.token)
				want := codes.OK
				switch {
				case c.token == "" || c.token == badToken:
					want = codes.Unauthenticated
				case c.token == readerToken && !row.reader:
					want = codes.PermissionDenied
				}
				if got := status.Code(err); got != want {
					t.Errorf("%s as %s: %v, want %v", name, c.name, err, want)
				}
			}
		}
	})

	t.Run("http", func(t *testing.T) {
		// Every route of the OpenAPI document (generated from the proto's
		// HTTP bindings) is covered by a row.
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		raw := ts.Must(t, http.StatusOK, "GET", "/openapi.json", "", nil).Raw
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		routes := map[string]string{}
		for name, row := range table {
			routes[row.route] = name
		}
		var documented []string
		for path, verbs := range doc.Paths {
			for verb := range verbs {
				documented = append(documented, verb+" "+path)
				if _, ok := routes[verb+" "+path]; !ok {
					t.Errorf("route %s %s of the OpenAPI document has no row in accessTable", strings.ToUpper(verb), path)
				}
			}
		}
		sort.Strings(documented)

		for _, name := range methods {
			row, ok := table[name]
			if !ok {
				continue
			}
			if !slices.Contains(documented, row.route) {
				t.Errorf("%s's route %q is not in the OpenAPI document", name, row.route)
			}
			verb := strings.ToUpper(strings.Fields(row.route)[0])
			for _, c := range callers {
				path, body := row.http(t)
				r := ts.Call(t, verb, path, c.token, body)
				want := http.StatusOK
				switch {
				case c.token == "" || c.token == badToken:
					want = http.StatusUnauthorized
				case c.token == readerToken && !row.reader:
					want = http.StatusForbidden
				}
				if r.Code != want {
					t.Errorf("%s %s (%s) as %s: %d %s, want %d", verb, path, name, c.name, r.Code, truncate(string(r.Raw), 200), want)
				}
			}
		}

		// Routes outside the gateway's RPCs.
		for _, route := range []struct {
			path   string
			reader bool // else open
		}{
			{"/v1/question-bank.pdf?role=devops-engineer", true},
			{"/v1/interview-kit.pdf?role=backend-engineer&refs=api-rate-limiting-design@1&refs=regretted-technical-decision@1&stacks=go", true},
			{"/healthz", false}, {"/readyz", false}, {"/metrics", false}, {"/openapi.json", false},
		} {
			for _, c := range callers {
				r := ts.Call(t, "GET", route.path, c.token, nil)
				want := http.StatusOK
				if route.reader && (c.token == "" || c.token == badToken) {
					want = http.StatusUnauthorized
				}
				if r.Code != want {
					t.Errorf("GET %s as %s: %d %s, want %d", route.path, c.name, r.Code, truncate(string(r.Raw), 200), want)
				}
				if route.reader && r.Code == http.StatusOK && !strings.HasPrefix(string(r.Raw), "%PDF") {
					t.Errorf("GET %s as %s: 200 but not a PDF", route.path, c.name)
				}
			}
		}
		// Malformed Authorization headers are refused like a missing token,
		// never taken for a token.
		for _, h := range []string{"Basic " + adminToken, "Bearer", "Bearer ", adminToken, "Token " + adminToken} {
			req, _ := http.NewRequest("GET", ts.Base+"/v1/taxonomy", nil)
			req.Header.Set("Authorization", h)
			resp, err := ts.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization: %q → %d, want 401", h, resp.StatusCode)
			}
		}
	})

	t.Run("logs", func(t *testing.T) {
		checkLogs(t, ts.Logs.String())
	})
}

// invoke calls a method of the service by name with a dynamic response
// message, so no row needs to know its response type; a server stream is
// read to its end.
func invoke(t *testing.T, ts *testserver.Server, service string, md protoreflect.MethodDescriptor, req proto.Message, token string) error {
	t.Helper()
	ctx := testserver.AuthContext(context.Background(), token)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	full := "/" + service + "/" + string(md.Name())
	if !md.IsStreamingServer() {
		return ts.Conn.Invoke(ctx, full, req, dynamicpb.NewMessage(md.Output()))
	}
	stream, err := ts.Conn.NewStream(ctx, &grpc.StreamDesc{StreamName: string(md.Name()), ServerStreams: true}, full)
	if err != nil {
		return err
	}
	if err := stream.SendMsg(req); err != nil {
		return err
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	for n := 0; ; n++ {
		err := stream.RecvMsg(dynamicpb.NewMessage(md.Output()))
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return fmt.Errorf("%s: the stream ended without a message", md.Name())
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// checkLogs parses JSON log lines: no token may appear at any level, and no
// question text (every seed question's text, stack variants and what it
// reveals, and the texts this test wrote) at info level or above.
func checkLogs(t *testing.T, logs string) {
	t.Helper()
	bank, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, q := range bank.Questions {
		texts = append(texts, q.Text, q.WhatItReveals)
		for _, v := range q.StackVariants {
			texts = append(texts, v.Text)
		}
	}
	texts = append(texts, "by the access matrix", "Fixture question for the access matrix")
	secrets := []string{adminToken, readerToken, badToken}

	var lines, infoPlus, authFailures, writes int
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		lines++
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("a log line is not JSON: %q", truncate(line, 200))
			continue
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a token is in the log: %s", truncate(line, 300))
			}
		}
		if strings.Contains(str(rec["msg"]), "auth: rejected") || strings.Contains(str(rec["msg"]), "permission denied") {
			authFailures++
		}
		if strings.Contains(line, "CreateQuestion") || strings.Contains(line, "UpdateQuestion") {
			writes++
		}
		if lvl := str(rec["level"]); lvl == "DEBUG" {
			continue
		}
		infoPlus++
		for _, text := range texts {
			if len(text) >= 20 && strings.Contains(line, text) {
				t.Errorf("question text %q is in an %s log line: %s", truncate(text, 60), rec["level"], truncate(line, 300))
			}
		}
	}
	if authFailures == 0 || writes == 0 || infoPlus == 0 {
		t.Errorf("the captured log (%d lines, %d at info or above) shows %d failed authentications and %d writes: it does not cover what this test checks", lines, infoPlus, authFailures, writes)
	}
	t.Logf("%d log lines (%d at info or above), %d recording failed auth, %d recording writes: no token, no question text", lines, infoPlus, authFailures, writes)
}
