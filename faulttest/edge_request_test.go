package faulttest_test

// Regression tests for issue #11 ("Hardening the edge"), the request half:
// bounded work and bounded errors per request, files and secrets on disk,
// undecodable gRPC requests, authenticated page tokens and the retired
// question's read-only state. Each runs a real server on loopback and talks
// to it over gRPC and HTTP.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server"
)

// maxErrorBytes is what any error response may weigh, however large or bad
// the request: a handful of violations and one "and K more".
const maxErrorBytes = 8 << 10

func startEdge(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Start(t, server.Config{DataDir: t.TempDir()})
}

// grpcViolations returns the BadRequest field violations of a gRPC error.
func grpcViolations(err error) []*errdetails.BadRequest_FieldViolation {
	st, _ := status.FromError(err)
	var out []*errdetails.BadRequest_FieldViolation
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			out = append(out, br.GetFieldViolations()...)
		}
	}
	return out
}

func violationNamed(vs []*errdetails.BadRequest_FieldViolation, field string) bool {
	return slices.ContainsFunc(vs, func(v *errdetails.BadRequest_FieldViolation) bool { return v.GetField() == field })
}

// statusSize is the encoded size of a gRPC error: what the client receives
// in the grpc-status-details-bin trailer (the message travels beside it).
func statusSize(err error) int {
	st, _ := status.FromError(err)
	return proto.Size(st.Proto()) + len(st.Message())
}

// cpuTime is the process's user and system CPU time so far: the server runs
// in this process, so a difference measures what one call cost it.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// longestLogLine is the length of the longest line the server logged.
func longestLogLine(ts *testserver.Server) int {
	longest := 0
	for line := range strings.SplitSeq(ts.Logs.String(), "\n") {
		longest = max(longest, len(line))
	}
	return longest
}

// TestEdgeRequestAssembleHugeExclusionList: 100,000 excluded ids with a
// template were merged with the template's by a quadratic loop (16.6 s of
// server CPU). They must be refused by count, before any merge or lookup,
// with one small violation.
func TestEdgeRequestAssembleHugeExclusionList(t *testing.T) {
	ts := startEdge(t)
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("excluded-question-%06d", i)
	}
	ctx := testserver.GRPCContext(t, readerToken)
	cpu0, began := cpuTime(t), time.Now()
	_, err := ts.API.AssembleAssessment(ctx, &pb.AssembleAssessmentRequest{TemplateId: "backend-engineer-default", ExcludedQuestionIds: ids})
	wall, cpu := time.Since(began), cpuTime(t)-cpu0
	t.Logf("gRPC assemble with 100,000 excluded ids: refused in %v wall, %v CPU (client and server), error %d bytes", wall, cpu, statusSize(err))
	if status.Code(err) != codes.InvalidArgument || !violationNamed(grpcViolations(err), "excluded_question_ids") {
		t.Fatalf("assemble with 100,000 excluded ids: %v, want InvalidArgument naming excluded_question_ids", err)
	}
	if n := statusSize(err); n > maxErrorBytes {
		t.Errorf("error is %d bytes, want at most %d", n, maxErrorBytes)
	}
	for line := range strings.SplitSeq(ts.Logs.String(), "\n") {
		if strings.Contains(line, "AssembleAssessment") && strings.Contains(line, "finished call") {
			t.Logf("server's access log: %s", truncate(line, 600))
		}
	}

	// Over HTTP the body limit (1 MiB) comes first for 100,000 ids; 50,000
	// short ones fit under it and reach the service.
	short := make([]string, 50_000)
	for i := range short {
		short[i] = fmt.Sprintf("x-%d", i)
	}
	began = time.Now()
	r := ts.Call(t, "POST", "/v1/assessments:assemble", readerToken, map[string]any{"templateId": "backend-engineer-default", "excludedQuestionIds": short})
	t.Logf("HTTP assemble with 50,000 excluded ids: %d in %v, body %d bytes", r.Code, time.Since(began), len(r.Raw))
	if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "excludedQuestionIds") {
		t.Fatalf("HTTP: %d %s, want 400 naming excludedQuestionIds", r.Code, truncate(string(r.Raw), 300))
	}
	if len(r.Raw) > maxErrorBytes {
		t.Errorf("HTTP error body is %d bytes, want at most %d", len(r.Raw), maxErrorBytes)
	}
}

// TestEdgeRequestErrorBodiesBounded: one violation per bad entry, each
// repeating the valid values, made a 200 KB request answer 26 MB. Every
// such request now gets a bounded error: at most 20 violations and one
// "and K more", the valid values once. The access-log line is bounded too.
func TestEdgeRequestErrorBodiesBounded(t *testing.T) {
	ts := startEdge(t)
	many := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%d", prefix, i)
		}
		return out
	}

	q := questionJSON("edge-bounded-errors", "How do you bound the work one request can cause?")
	q["stacks"] = many("no-such-stack", 5000)
	q["roles"] = many("no-such-role", 5000)
	q["followUps"] = many("", 5000)
	q["stackVariants"] = map[string]any{}
	for _, k := range many("no-such-variant", 2000) {
		q["stackVariants"].(map[string]any)[k] = map[string]any{"text": "x"}
	}
	raw, _ := json.Marshal(q)
	r := ts.Call(t, "POST", "/v1/questions", adminToken, q)
	t.Logf("create with 5,000 unknown stacks and roles (%d-byte request): %d, body %d bytes", len(raw), r.Code, len(r.Raw))
	if r.Code != http.StatusBadRequest || len(r.Raw) > maxErrorBytes {
		t.Errorf("create with thousands of bad entries: %d, %d-byte body, want 400 under %d bytes", r.Code, len(r.Raw), maxErrorBytes)
	}

	// An import of 3,000 bad questions: violations for each, capped.
	var items []map[string]any
	for i := range 3000 {
		item := questionJSON(fmt.Sprintf("edge-import-%04d", i), "An imported question that names an unknown stack.")
		item["stacks"] = []string{"no-such-stack"}
		item["dimension"] = "no-such-dimension"
		items = append(items, item)
	}
	r = ts.Call(t, "POST", "/v1/questions:import", adminToken, map[string]any{"questions": items})
	t.Logf("import of 3,000 bad questions: %d, body %d bytes", r.Code, len(r.Raw))
	if r.Code != http.StatusBadRequest || len(r.Raw) > maxErrorBytes || !strings.Contains(string(r.Raw), "more") {
		t.Errorf("import of 3,000 bad questions: %d, %d-byte body %s, want 400 under %d bytes saying how many more", r.Code, len(r.Raw), truncate(string(r.Raw), 200), maxErrorBytes)
	}

	// Assemble with thousands of unknown dimension weights, over gRPC.
	weights := map[string]int32{}
	for _, k := range many("no-such-dimension", 5000) {
		weights[k] = 1
	}
	ctx := testserver.GRPCContext(t, readerToken)
	_, err := ts.API.AssembleAssessment(ctx, &pb.AssembleAssessmentRequest{Role: "backend-engineer", DimensionWeights: weights})
	t.Logf("gRPC assemble with 5,000 unknown dimension weights: %v, error %d bytes", status.Code(err), statusSize(err))
	if status.Code(err) != codes.InvalidArgument || statusSize(err) > maxErrorBytes {
		t.Errorf("assemble with 5,000 unknown weights: %v (%d bytes), want InvalidArgument under %d bytes", status.Code(err), statusSize(err), maxErrorBytes)
	}

	// An update mask of thousands of unknown paths, over gRPC.
	adminCtx := testserver.GRPCContext(t, adminToken)
	_, err = ts.API.UpdateQuestion(adminCtx, &pb.UpdateQuestionRequest{
		Question:   &pb.Question{Id: "api-rate-limiting-design", Etag: "x"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: many("no_such_field", 5000)}})
	t.Logf("gRPC update with 5,000 unknown mask paths: %v, error %d bytes", status.Code(err), statusSize(err))
	if status.Code(err) != codes.InvalidArgument || !violationNamed(grpcViolations(err), "update_mask") || statusSize(err) > maxErrorBytes {
		t.Errorf("update with 5,000 mask paths: %v (%d bytes), want InvalidArgument naming update_mask under %d bytes", err, statusSize(err), maxErrorBytes)
	}

	// The same create over gRPC: the trailers stay small enough for any client.
	pq := questionPB("edge-bounded-errors-grpc", "How do you bound the work one request can cause?")
	pq.Stacks, pq.Roles = many("no-such-stack", 5000), many("no-such-role", 5000)
	_, err = ts.API.CreateQuestion(adminCtx, &pb.CreateQuestionRequest{Question: pq})
	t.Logf("gRPC create with 5,000 unknown stacks and roles: %v, error %d bytes", status.Code(err), statusSize(err))
	if status.Code(err) != codes.InvalidArgument || statusSize(err) > maxErrorBytes {
		t.Errorf("gRPC create: %v (%d bytes), want InvalidArgument under %d bytes", status.Code(err), statusSize(err), maxErrorBytes)
	}

	if n := longestLogLine(ts); n > 16<<10 {
		t.Errorf("the longest log line is %d bytes, want at most 16 KiB", n)
	}
	t.Logf("longest log line: %d bytes", longestLogLine(ts))
}

// TestEdgeRequestBatchGetRefusedEarly: a batch of more than 100 refs is
// refused on its count, with one violation, not parsed ref by ref.
func TestEdgeRequestBatchGetRefusedEarly(t *testing.T) {
	ts := startEdge(t)
	refs := make([]string, 10_000)
	for i := range refs {
		refs[i] = fmt.Sprintf("Not A Ref %d@@", i) // each would be a violation of its own
	}
	ctx := testserver.GRPCContext(t, readerToken)
	_, err := ts.API.BatchGetQuestions(ctx, &pb.BatchGetQuestionsRequest{Refs: refs})
	vs := grpcViolations(err)
	t.Logf("gRPC batchGet of 10,000 bad refs: %v, %d violations, error %d bytes", status.Code(err), len(vs), statusSize(err))
	if status.Code(err) != codes.InvalidArgument || len(vs) != 1 || vs[0].GetField() != "refs" {
		t.Fatalf("batchGet of 10,000 refs: %v with %d violations, want InvalidArgument with one violation naming refs", status.Code(err), len(vs))
	}

	q := url.Values{"refs": refs[:2000]}
	r := ts.Call(t, "GET", "/v1/questions:batchGet?"+q.Encode(), readerToken, nil)
	t.Logf("HTTP batchGet of 2,000 bad refs: %d, body %d bytes", r.Code, len(r.Raw))
	if r.Code != http.StatusBadRequest || len(violationFields(r.Body)) != 1 || len(r.Raw) > maxErrorBytes {
		t.Errorf("HTTP batchGet of 2,000 refs: %d, %d-byte body, fields %v; want 400 with one violation", r.Code, len(r.Raw), violationFields(r.Body))
	}
}

// mode is a file's permission bits.
func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// TestEdgeRequestDataFileModes: a data dir someone made 0755 and a
// database left 0644 are both made private when the server opens them.
func TestEdgeRequestDataFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	db := filepath.Join(dir, "qbank.db")
	ts := testserver.Start(t, server.Config{DataDir: dir})
	ts.Stop()
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ts = testserver.Start(t, server.Config{DataDir: dir})
	defer ts.Stop()
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("data dir is %04o after start, want 0700", m)
	}
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		if _, err := os.Stat(p); os.IsNotExist(err) {
			continue
		}
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s is %04o after start, want 0600", filepath.Base(p), m)
		}
	}
}

// TestEdgeRequestTokenFileModes: a token file group or others may read
// (they could take the tokens) or write (they could add an admin hash) is
// refused with an error that names it, its mode and the fix.
func TestEdgeRequestTokenFileModes(t *testing.T) {
	start := func(cfg server.Config) error {
		cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		srv, err := server.New(ctx, cfg)
		if err == nil {
			srv.Shutdown(ctx)
		}
		return err
	}
	// dev-tokens.json, readable by everyone.
	dir := t.TempDir()
	dev := filepath.Join(dir, "dev-tokens.json")
	if err := os.WriteFile(dev, []byte(`{"admin": "qbk_admin_0123456789abcdef", "reader": "qbk_reader_0123456789abcdef"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range []fs.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(dev, m); err != nil {
			t.Fatal(err)
		}
		err := start(server.Config{DataDir: dir})
		if err == nil || !strings.Contains(err.Error(), dev) || !strings.Contains(err.Error(), fmt.Sprintf("%04o", m)) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("dev tokens file at %04o: start said %v; want a refusal naming the file, its mode and chmod 600", m, err)
		}
	}

	// A --tokens-file anyone may write.
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	hash := sha256.Sum256([]byte("a-token-of-sixteen-or-more"))
	body := fmt.Sprintf("tokens:\n  - {name: ops, role: admin, sha256: %x}\n", hash)
	if err := os.WriteFile(tokens, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range []fs.FileMode{0o666, 0o620, 0o644} {
		if err := os.Chmod(tokens, m); err != nil {
			t.Fatal(err)
		}
		err := start(server.Config{DataDir: t.TempDir(), TokensFile: tokens})
		if err == nil || !strings.Contains(err.Error(), tokens) || !strings.Contains(err.Error(), fmt.Sprintf("%04o", m)) {
			t.Errorf("tokens file at %04o: start said %v; want a refusal naming the file and its mode", m, err)
		}
	}
	// At 0600 (and 0400) it is accepted.
	for _, m := range []fs.FileMode{0o600, 0o400} {
		if err := os.Chmod(tokens, m); err != nil {
			t.Fatal(err)
		}
		if err := start(server.Config{DataDir: t.TempDir(), TokensFile: tokens}); err != nil {
			t.Errorf("tokens file at %04o refused: %v", m, err)
		}
	}
}

// TestEdgeRequestExportFileMode: an export written over an existing file
// anyone could read is itself private (written whole, then renamed).
func TestEdgeRequestExportFileMode(t *testing.T) {
	ts := startEdge(t)
	out := filepath.Join(t.TempDir(), "bank.ndjson")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(out, 0o644); err != nil {
		t.Fatal(err)
	}
	r := ts.Must(t, http.StatusOK, "GET", "/v1/question-bank:export", readerToken, nil)
	if err := bankfile.WriteFile(out, func(w io.Writer) error { _, err := w.Write(r.Raw); return err }); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, out); m != 0o600 {
		t.Errorf("export is %04o, want 0600", m)
	}
}

// TestEdgeRequestInvalidUTF8 sends string fields holding invalid UTF-8 over
// gRPC: the client's fault, so InvalidArgument (grpc-go said Internal),
// counted in the metrics and logged like any other refused call. Without a
// token it is still Unauthenticated first.
func TestEdgeRequestInvalidUTF8(t *testing.T) {
	ts := startEdge(t)
	bad := func(field protowire.Number) []byte {
		b := protowire.AppendTag(nil, field, protowire.BytesType)
		return protowire.AppendString(b, "api-\xff\xfe-design")
	}
	var out []byte
	for _, c := range []struct {
		method string
		field  protowire.Number
	}{
		{"GetQuestion", 1},   // id
		{"ListQuestions", 8}, // query
	} {
		full := "/" + pb.QuestionBankService_ServiceDesc.ServiceName + "/" + c.method
		err := ts.Conn.Invoke(testserver.GRPCContext(t, readerToken), full, bad(c.field), &out, grpc.ForceCodecV2(rawCodec{}))
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s with invalid UTF-8: %v, want InvalidArgument", c.method, err)
		}
		err = ts.Conn.Invoke(testserver.GRPCContext(t, ""), full, bad(c.field), &out, grpc.ForceCodecV2(rawCodec{}))
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s with invalid UTF-8 and no token: %v, want Unauthenticated", c.method, err)
		}
	}
	metrics := string(ts.Must(t, http.StatusOK, "GET", "/metrics", "", nil).Raw)
	for _, m := range []string{"GetQuestion", "ListQuestions"} {
		if !strings.Contains(metrics, `grpc_server_handled_total{grpc_code="InvalidArgument",grpc_method="`+m+`"`) {
			t.Errorf("/metrics counts no InvalidArgument for %s", m)
		}
	}
	if !strings.Contains(ts.Logs.String(), `"grpc.code":"InvalidArgument"`) {
		t.Errorf("the refused calls were not logged")
	}
}

// forge re-signs a page token the way an unauthenticated scheme would (a
// plain hash anyone can compute) after pointing it elsewhere.
func forge(t *testing.T, token, after string) string {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("page token %q is not base64url: %v", token, err)
	}
	var tok map[string]string
	if err := json.Unmarshal(raw, &tok); err != nil {
		t.Fatalf("page token is not JSON: %v", err)
	}
	tok["a"] = after
	h := sha256.Sum256([]byte("qbank-page\x00" + tok["f"] + "\x00" + after))
	tok["c"] = base64.RawURLEncoding.EncodeToString(h[:9])
	raw, _ = json.Marshal(tok)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// TestEdgeRequestPageTokens: a page token is authenticated with the
// server's key, so an edited or made-up token, or one from another
// deployment, is InvalidArgument naming pageToken; a genuine one works.
func TestEdgeRequestPageTokens(t *testing.T) {
	ts := startEdge(t)
	first := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=2", readerToken, nil)
	next := str(first.Body["nextPageToken"])
	if next == "" || next == "<nil>" {
		t.Fatalf("no next page token: %s", truncate(string(first.Raw), 300))
	}
	ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=2&pageToken="+url.QueryEscape(next), readerToken, nil)

	forged := forge(t, next, "m")
	r := ts.Call(t, "GET", "/v1/questions?pageSize=2&pageToken="+url.QueryEscape(forged), readerToken, nil)
	if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "pageToken") {
		t.Errorf("forged page token: %d %s, want 400 naming pageToken", r.Code, truncate(string(r.Raw), 200))
	}
	_, err := ts.API.ListQuestions(testserver.GRPCContext(t, readerToken), &pb.ListQuestionsRequest{PageSize: 2, PageToken: forged})
	if status.Code(err) != codes.InvalidArgument || !violationNamed(grpcViolations(err), "page_token") {
		t.Errorf("forged page token over gRPC: %v, want InvalidArgument naming page_token", err)
	}

	// Another deployment (its own data, so its own key) refuses the token.
	other := startEdge(t)
	r = other.Call(t, "GET", "/v1/questions?pageSize=2&pageToken="+url.QueryEscape(next), readerToken, nil)
	if r.Code != http.StatusBadRequest || !slices.Contains(violationFields(r.Body), "pageToken") {
		t.Errorf("another deployment's page token: %d %s, want 400 naming pageToken", r.Code, truncate(string(r.Raw), 200))
	}
}

// TestEdgeRequestRetiredQuestionReadOnly: a retired question cannot be
// edited until it is restored, and an update cannot retire a question
// (RetireQuestion does); neither writes anything.
func TestEdgeRequestRetiredQuestionReadOnly(t *testing.T) {
	ts := startEdge(t)
	ctx := testserver.GRPCContext(t, adminToken)
	created, err := ts.API.CreateQuestion(ctx, &pb.CreateQuestionRequest{Question: questionPB("edge-retired-read-only", "Which parts of a retired question may still change?")})
	if err != nil {
		t.Fatal(err)
	}
	q := created.GetQuestion()

	// An update may not retire it.
	_, err = ts.API.UpdateQuestion(ctx, &pb.UpdateQuestionRequest{
		Question:   &pb.Question{Id: q.GetId(), Etag: q.GetEtag(), State: pb.Question_STATE_RETIRED},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"state"}}})
	if status.Code(err) != codes.InvalidArgument || !violationNamed(grpcViolations(err), "question.state") {
		t.Errorf("update setting STATE_RETIRED: %v, want InvalidArgument naming question.state", err)
	}

	retired, err := ts.API.RetireQuestion(ctx, &pb.RetireQuestionRequest{Id: q.GetId(), Etag: q.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	rq := retired.GetQuestion()
	_, err = ts.API.UpdateQuestion(ctx, &pb.UpdateQuestionRequest{
		Question:   &pb.Question{Id: rq.GetId(), Etag: rq.GetEtag(), Minutes: 9},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"minutes"}}})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(status.Convert(err).Message(), "restore") {
		t.Errorf("update of a retired question: %v, want FailedPrecondition saying to restore it", err)
	}
	for _, m := range []string{"state", "*"} {
		_, err = ts.API.UpdateQuestion(ctx, &pb.UpdateQuestionRequest{
			Question:   &pb.Question{Id: rq.GetId(), Etag: rq.GetEtag(), State: pb.Question_STATE_ACTIVE},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{m}}})
		if status.Code(err) != codes.FailedPrecondition {
			t.Errorf("update (mask %q) making a retired question active: %v, want FailedPrecondition", m, err)
		}
	}
	got, err := ts.API.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: q.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetQuestion().GetState() != pb.Question_STATE_RETIRED || got.GetQuestion().GetMinutes() != q.GetMinutes() {
		t.Errorf("after refused updates the question is %v with %d minutes, want retired with %d", got.GetQuestion().GetState(), got.GetQuestion().GetMinutes(), q.GetMinutes())
	}

	// Restored, it can be edited again.
	restored, err := ts.API.RestoreQuestion(ctx, &pb.RestoreQuestionRequest{Id: q.GetId(), Etag: got.GetQuestion().GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.API.UpdateQuestion(ctx, &pb.UpdateQuestionRequest{
		Question:   &pb.Question{Id: q.GetId(), Etag: restored.GetQuestion().GetEtag(), Minutes: 9},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"minutes"}}}); err != nil {
		t.Errorf("update after restore: %v", err)
	}
}
