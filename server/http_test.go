package server_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcgzip "google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/server"
)

// rawReply is an HTTP reply as a client sees it, headers included.
type rawReply struct {
	code   int
	header http.Header
	body   []byte
}

func (r rawReply) json(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("not JSON (%d, %s): %q", r.code, r.header.Get("Content-Type"), r.body)
	}
	return out
}

// do sends a request with the given headers through real HTTP, never
// asking for compression unless the headers do.
func do(t *testing.T, ts *testserver.Server, method, path, token, body string, headers map[string]string) rawReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.Base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return rawReply{resp.StatusCode, resp.Header, raw}
}

// reason is the ErrorInfo reason of a google.rpc.Status body, checking the
// domain on the way.
func reason(t *testing.T, body map[string]any) string {
	t.Helper()
	for _, d := range list(body, "details") {
		if m := obj(d); m["@type"] == "type.googleapis.com/google.rpc.ErrorInfo" {
			if m["domain"] != "qbank.layersrank.com" {
				t.Errorf("ErrorInfo domain %v", m["domain"])
			}
			return str(m["reason"])
		}
	}
	t.Errorf("no ErrorInfo in %v", body)
	return ""
}

func detail(body map[string]any, typ string) map[string]any {
	for _, d := range list(body, "details") {
		if m := obj(d); m["@type"] == "type.googleapis.com/google.rpc."+typ {
			return m
		}
	}
	return nil
}

func violationFieldsOf(body map[string]any) []string {
	var out []string
	for _, v := range list(detail(body, "BadRequest"), "fieldViolations") {
		out = append(out, str(obj(v)["field"]))
	}
	return out
}

// TestHTTPMethodsAndPaths: `curl -I` works on every GET, a wrong method is
// 405 with Allow, an unknown path is 404, OPTIONS lists what is allowed,
// and every one of these errors is a JSON google.rpc.Status.
func TestHTTPMethodsAndPaths(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	for _, path := range []string{"/v1/questions/api-rate-limiting-design", "/v1/questions", "/v1/taxonomy", "/v1/templates/backend-engineer-default", "/healthz", "/openapi.json"} {
		head := do(t, ts, "HEAD", path, readerToken, "", nil)
		get := do(t, ts, "GET", path, readerToken, "", nil)
		if head.code != http.StatusOK || len(head.body) != 0 || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d, %d body bytes, %q; GET gave %q", path, head.code, len(head.body), head.header.Get("Content-Type"), get.header.Get("Content-Type"))
		}
		if head.header.Get("ETag") != get.header.Get("ETag") {
			t.Errorf("HEAD %s: ETag %q, GET's %q", path, head.header.Get("ETag"), get.header.Get("ETag"))
		}
	}
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/v1/questions/api-rate-limiting-design", "GET, HEAD, OPTIONS, PATCH"},
		{"PUT", "/v1/taxonomy", "GET, HEAD, OPTIONS"},
		{"GET", "/v1/questions/api-rate-limiting-design:retire", "OPTIONS, POST"},
		{"POST", "/v1/question-bank.pdf", "GET, HEAD, OPTIONS"},
		{"DELETE", "/healthz", "GET, HEAD, OPTIONS"},
	} {
		r := do(t, ts, c.method, c.path, readerToken, "", nil)
		if r.code != http.StatusMethodNotAllowed || r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", c.method, c.path, r.code, r.header.Get("Allow"), c.allow)
			continue
		}
		if got := reason(t, r.json(t)); got != "METHOD_NOT_ALLOWED" {
			t.Errorf("%s %s: reason %s", c.method, c.path, got)
		}
		opts := do(t, ts, "OPTIONS", c.path, "", "", nil)
		if opts.code != http.StatusNoContent || opts.header.Get("Allow") != c.allow {
			t.Errorf("OPTIONS %s: %d Allow %q", c.path, opts.code, opts.header.Get("Allow"))
		}
	}
	for _, path := range []string{"/", "/nope", "/v1/nope", "/v1/questions/a/b/c", "/v1/questions/"} {
		r := do(t, ts, "GET", path, readerToken, "", nil)
		if r.code != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %q, want a JSON 404", path, r.code, r.header.Get("Content-Type"))
			continue
		}
		if got := reason(t, r.json(t)); got != "ROUTE_NOT_FOUND" {
			t.Errorf("GET %s: reason %s", path, got)
		}
	}
}

// TestConditionalRequests: single resources carry a strong ETag; sending it
// back in If-None-Match gives 304 until the resource changes; If-Match
// stands in for the body's etag, and a stale one is still 409.
func TestConditionalRequests(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	for _, path := range []string{"/v1/questions/api-rate-limiting-design", "/v1/templates/backend-engineer-default"} {
		first := do(t, ts, "GET", path, readerToken, "", nil)
		etag := first.header.Get("ETag")
		body := first.json(t)
		if first.code != http.StatusOK || etag != `"`+str(body["etag"])+`"` {
			t.Fatalf("GET %s: %d ETag %q, body etag %v", path, first.code, etag, body["etag"])
		}
		again := do(t, ts, "GET", path, readerToken, "", map[string]string{"If-None-Match": etag})
		if again.code != http.StatusNotModified || len(again.body) != 0 || again.header.Get("ETag") != etag {
			t.Errorf("GET %s If-None-Match: %d, %d bytes, ETag %q; want 304", path, again.code, len(again.body), again.header.Get("ETag"))
		}
		other := do(t, ts, "GET", path, readerToken, "", map[string]string{"If-None-Match": `"something-else"`})
		if other.code != http.StatusOK {
			t.Errorf("GET %s with another ETag: %d, want 200", path, other.code)
		}
	}

	const q = "/v1/questions/api-rate-limiting-design"
	etag := do(t, ts, "GET", q, readerToken, "", nil).header.Get("ETag")
	updated := do(t, ts, "PATCH", q+"?updateMask=minutes", adminToken, `{"minutes": 7, "changeNote": "If-Match"}`, map[string]string{"If-Match": etag})
	if updated.code != http.StatusOK || updated.header.Get("ETag") == etag || updated.header.Get("ETag") == "" {
		t.Fatalf("PATCH with If-Match: %d ETag %q %s", updated.code, updated.header.Get("ETag"), updated.body)
	}
	if r := do(t, ts, "GET", q, readerToken, "", map[string]string{"If-None-Match": etag}); r.code != http.StatusOK {
		t.Errorf("GET with the old ETag after an update: %d, want 200", r.code)
	}
	stale := do(t, ts, "PATCH", q+"?updateMask=minutes", adminToken, `{"minutes": 8}`, map[string]string{"If-Match": etag})
	if stale.code != http.StatusConflict || reason(t, stale.json(t)) != "ETAG_MISMATCH" {
		t.Errorf("PATCH with a stale If-Match: %d %s, want 409 ETAG_MISMATCH", stale.code, stale.body)
	}
	if ri := detail(stale.json(t), "ResourceInfo"); ri["resourceName"] != "api-rate-limiting-design" {
		t.Errorf("409 ResourceInfo = %v", ri)
	}
	both := do(t, ts, "PATCH", q+"?updateMask=minutes", adminToken, `{"minutes": 8, "etag": "x"}`, map[string]string{"If-Match": updated.header.Get("ETag")})
	if both.code != http.StatusBadRequest || !slices.Contains(violationFieldsOf(both.json(t)), "question.etag") {
		t.Errorf("PATCH with a body etag and another If-Match: %d %s, want 400 on question.etag", both.code, both.body)
	}
	retired := do(t, ts, "POST", q+":retire", adminToken, `{}`, map[string]string{"If-Match": updated.header.Get("ETag")})
	if retired.code != http.StatusOK || str(retired.json(t)["state"]) != "STATE_RETIRED" {
		t.Errorf("retire with If-Match: %d %s", retired.code, retired.body)
	}
}

// TestCreateWithoutIDAndLocation: a create may leave the id out; the server
// derives a readable one, and every create says where the new resource is.
func TestCreateWithoutIDAndLocation(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	q := newQuestion("")
	delete(q, "id")
	raw, _ := json.Marshal(q)
	var ids []string
	for range 2 {
		r := do(t, ts, "POST", "/v1/questions", adminToken, string(raw), nil)
		body := r.json(t)
		id := str(body["id"])
		if r.code != http.StatusOK || r.header.Get("Location") != "/v1/questions/"+id || r.header.Get("ETag") == "" {
			t.Fatalf("create without id: %d Location %q %s", r.code, r.header.Get("Location"), r.body)
		}
		ids = append(ids, id)
	}
	if ids[0] != "schema-migration-ran-busy-table-keep" || ids[1] != ids[0]+"-2" {
		t.Errorf("derived ids %v", ids)
	}
	tpl := do(t, ts, "POST", "/v1/templates", adminToken, `{"title": "Acme: Go backend", "owner": "acme", "role": "backend-engineer"}`, nil)
	if tpl.code != http.StatusOK || str(tpl.json(t)["id"]) != "acme-go-backend" || tpl.header.Get("Location") != "/v1/templates/acme-go-backend" {
		t.Errorf("template without id: %d Location %q %s", tpl.code, tpl.header.Get("Location"), tpl.body)
	}
}

// TestPagingAndMasks: version history pages, oversized page sizes are
// coerced to the maximum (AIP-158), and an update mask may be spelt either
// way.
func TestPagingAndMasks(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	const q = "/v1/questions/api-rate-limiting-design"
	for i, path := range []string{"whatItReveals", "what_it_reveals"} {
		cur := ts.Must(t, http.StatusOK, "GET", q, readerToken, nil).Body
		body := map[string]any{"whatItReveals": "Reveals " + path, "etag": cur["etag"], "changeNote": "mask " + path}
		out := ts.Must(t, http.StatusOK, "PATCH", q+"?updateMask="+path, adminToken, body).Body
		if out["whatItReveals"] != "Reveals "+path || out["version"] != float64(2+i) {
			t.Errorf("updateMask=%s: %v v%v", path, out["whatItReveals"], out["version"])
		}
	}
	var seen []float64
	token := ""
	for pages := 0; pages < 10; pages++ {
		path := q + "/versions?pageSize=1"
		if token != "" {
			path += "&pageToken=" + url.QueryEscape(token)
		}
		out := ts.Must(t, http.StatusOK, "GET", path, readerToken, nil).Body
		vs := list(out, "versions")
		if len(vs) != 1 {
			t.Fatalf("page of %d versions", len(vs))
		}
		seen = append(seen, obj(vs[0])["version"].(float64))
		if token = str(out["nextPageToken"]); out["nextPageToken"] == nil {
			break
		}
	}
	if !slices.Equal(seen, []float64{3, 2, 1}) {
		t.Errorf("paged versions %v, want 3 2 1", seen)
	}
	for _, path := range []string{"/v1/questions?pageSize=1000&state=STATE_UNSPECIFIED", "/v1/templates?pageSize=1000"} {
		ts.Must(t, http.StatusOK, "GET", path, readerToken, nil)
	}
	big := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=1000", readerToken, nil).Body
	total, _ := big["totalSize"].(float64)
	if n, total := len(list(big, "questions")), int(total); n != min(total, 100) {
		t.Errorf("pageSize=1000 returned %d of %d questions, want %d (coerced to 100)", n, total, min(total, 100))
	}
}

// TestCORS: off by default; with origins configured, a preflight from one
// of them is allowed and one from elsewhere is not.
func TestCORS(t *testing.T) {
	preflight := func(ts *testserver.Server, origin string) rawReply {
		return do(t, ts, "OPTIONS", "/v1/questions/api-rate-limiting-design", "", "", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "PATCH", // As browsers send it: lowercase, sorted, no spaces (Fetch).
			"Access-Control-Request-Headers": "authorization,content-type,if-match",
		})
	}
	off := testserver.Start(t, testserver.Backends[0].Config(t)())
	if r := preflight(off, "https://console.example.com"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS is on by default: %v", r.header)
	}
	cfg := testserver.Backends[0].Config(t)()
	cfg.CORSOrigins = []string{"https://console.example.com"}
	on := testserver.Start(t, cfg)
	ok := preflight(on, "https://console.example.com")
	if ok.code/100 != 2 || ok.header.Get("Access-Control-Allow-Origin") != "https://console.example.com" ||
		!strings.Contains(ok.header.Get("Access-Control-Allow-Methods"), "PATCH") ||
		!strings.Contains(strings.ToLower(ok.header.Get("Access-Control-Allow-Headers")), "if-match") {
		t.Errorf("allowed origin's preflight: %d %v", ok.code, ok.header)
	}
	if r := preflight(on, "https://evil.example.com"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("refused origin's preflight allowed: %v", r.header)
	}
	get := do(t, on, "GET", "/v1/questions/api-rate-limiting-design", readerToken, "", map[string]string{"Origin": "https://console.example.com"})
	if get.header.Get("Access-Control-Allow-Origin") != "https://console.example.com" || !strings.Contains(get.header.Get("Access-Control-Expose-Headers"), "Etag") {
		t.Errorf("allowed origin's GET: %v", get.header)
	}
}

// TestCompression: large responses and the export stream are gzipped for
// clients that ask; small ones are not; gRPC clients may compress too.
func TestCompression(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	gz := map[string]string{"Accept-Encoding": "gzip"}
	full := do(t, ts, "GET", "/v1/questions?view=QUESTION_VIEW_FULL&pageSize=100", readerToken, "", gz)
	plain := do(t, ts, "GET", "/v1/questions?view=QUESTION_VIEW_FULL&pageSize=100", readerToken, "", nil)
	if full.header.Get("Content-Encoding") != "gzip" || len(full.body)*2 > len(plain.body) {
		t.Fatalf("FULL list: %q, %d bytes gzipped vs %d plain", full.header.Get("Content-Encoding"), len(full.body), len(plain.body))
	}
	unzipped, err := io.ReadAll(must(gzip.NewReader(strings.NewReader(string(full.body)))))
	if err != nil || string(unzipped) != string(plain.body) {
		t.Errorf("gunzipped list differs from the plain one (%v)", err)
	}
	if small := do(t, ts, "GET", "/healthz", "", "", gz); small.header.Get("Content-Encoding") != "" {
		t.Errorf("a %d-byte response was compressed", len(small.body))
	}
	export := do(t, ts, "GET", "/v1/question-bank:export", readerToken, "", gz)
	if export.header.Get("Content-Encoding") != "gzip" || export.header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("export: %q %q", export.header.Get("Content-Encoding"), export.header.Get("Content-Type"))
	}
	lines := 0
	sc := bufio.NewScanner(must(gzip.NewReader(strings.NewReader(string(export.body)))))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
	}
	all := 0
	for _, state := range []string{"STATE_ACTIVE", "STATE_DRAFT", "STATE_RETIRED"} {
		n, _ := ts.Must(t, http.StatusOK, "GET", "/v1/questions?pageSize=1&state="+state, readerToken, nil).Body["totalSize"].(float64) // absent when 0
		all += int(n)
	}
	if lines != all+1 {
		t.Errorf("gzipped export has %d lines, want a header and %d questions", lines, all)
	}

	api := pb.NewQuestionBankServiceClient(ts.Conn)
	q, err := api.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: "api-rate-limiting-design"}, grpc.UseCompressor(grpcgzip.Name))
	if err != nil || q.GetQuestion().GetId() != "api-rate-limiting-design" {
		t.Errorf("gRPC with gzip: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestErrorDetails: every error carries an ErrorInfo reason a client can
// switch on, 401s carry an RFC 6750 challenge on every route, NotFound names
// the resource, and fields are named by JSON paths over HTTP and proto paths
// over gRPC — including fields only the body parser could find bad.
func TestErrorDetails(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	for _, path := range []string{"/v1/questions/api-rate-limiting-design", "/v1/questions", "/v1/question-bank:export", "/v1/question-bank.pdf"} {
		missing := do(t, ts, "GET", path, "", "", nil)
		if missing.code != http.StatusUnauthorized || missing.header.Get("WWW-Authenticate") != `Bearer realm="qbank"` || reason(t, missing.json(t)) != "TOKEN_MISSING" {
			t.Errorf("GET %s without a token: %d %q %s", path, missing.code, missing.header.Get("WWW-Authenticate"), missing.body)
		}
		unknown := do(t, ts, "GET", path, "not-a-real-token-at-all", "", nil)
		if unknown.code != http.StatusUnauthorized || !strings.HasPrefix(unknown.header.Get("WWW-Authenticate"), `Bearer realm="qbank", error="invalid_token"`) || reason(t, unknown.json(t)) != "TOKEN_UNKNOWN" {
			t.Errorf("GET %s with an unknown token: %d %q %s", path, unknown.code, unknown.header.Get("WWW-Authenticate"), unknown.body)
		}
	}
	if r := do(t, ts, "POST", "/v1/questions", readerToken, `{}`, nil); r.code != http.StatusForbidden || reason(t, r.json(t)) != "PERMISSION_DENIED" {
		t.Errorf("reader create: %d %s", r.code, r.body)
	}
	for path, want := range map[string]string{
		"/v1/questions/no-such-question":                    "QUESTION_NOT_FOUND",
		"/v1/questions/api-rate-limiting-design?version=99": "VERSION_NOT_FOUND",
		"/v1/templates/no-such-template":                    "TEMPLATE_NOT_FOUND",
	} {
		r := do(t, ts, "GET", path, readerToken, "", nil)
		body := r.json(t)
		if r.code != http.StatusNotFound || reason(t, body) != want || detail(body, "ResourceInfo") == nil {
			t.Errorf("GET %s: %d %s, want 404 %s with ResourceInfo", path, r.code, r.body, want)
		}
	}
	for _, c := range []struct{ path, body, field string }{
		{"/v1/assessments:assemble", `{"role": "backend-engineer", "seed": "seven"}`, "seed"},
		{"/v1/assessments:assemble", `{"role": "backend-engineer", "stacks": ["go", 7]}`, "stacks[1]"},
		{"/v1/assessments:assemble", "{\n  \"role\": \"backend-engineer\",\n  \"minMinutes\": true\n}", "minMinutes"},
		{"/v1/assessments:assemble", `{"role": "backend-engineer", "nonsense": 1}`, "nonsense"},
		{"/v1/assessments:analyzeExposure", `{"role": "backend-engineer", "seed": []}`, "assessment.seed"},
	} {
		r := do(t, ts, "POST", c.path, readerToken, c.body, nil)
		body := r.json(t)
		if r.code != http.StatusBadRequest || !slices.Contains(violationFieldsOf(body), c.field) || reason(t, body) != "FIELD_INVALID" {
			t.Errorf("POST %s %s: %d %s, want 400 naming %s", c.path, c.body, r.code, r.body, c.field)
		}
	}
	if r := do(t, ts, "POST", "/v1/assessments:assemble", readerToken, `{"role": `, nil); r.code != http.StatusBadRequest || reason(t, r.json(t)) == "" {
		t.Errorf("truncated body: %d %s", r.code, r.body)
	}
	for _, c := range []struct{ path, field string }{
		{"/v1/questions?pageSize=abc", "pageSize"},
		{"/v1/questions?page_size=abc", "pageSize"},
		{"/v1/questions/api-rate-limiting-design?version=x", "version"},
		{"/v1/question-bank:export?state=NOPE", "state"},
	} {
		r := do(t, ts, "GET", c.path, readerToken, "", nil)
		if body := r.json(t); r.code != http.StatusBadRequest || !slices.Contains(violationFieldsOf(body), c.field) {
			t.Errorf("GET %s: %d %s, want 400 naming %s", c.path, r.code, r.body, c.field)
		}
	}
	// The export's errors are statuses like every other route's.
	if r := do(t, ts, "GET", "/v1/question-bank:export?role=no-such-role", readerToken, "", nil); r.code != http.StatusBadRequest || !slices.Contains(violationFieldsOf(r.json(t)), "role") {
		t.Errorf("export with a bad role: %d %s", r.code, r.body)
	}

	// Over gRPC the same violations use proto paths.
	api := pb.NewQuestionBankServiceClient(ts.Conn)
	_, err := api.ListQuestions(testserver.GRPCContext(t, readerToken), &pb.ListQuestionsRequest{PageSize: -1, ResponseFormat: 9})
	st := status.Convert(err)
	var fields []string
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		case *errdetails.ErrorInfo:
			info = d
		}
	}
	if st.Code() != codes.InvalidArgument || !slices.Equal(fields, []string{"page_size", "response_format"}) || info.GetReason() != "FIELD_INVALID" || !strings.Contains(st.Message(), "page_size") {
		t.Errorf("gRPC violations: %v %v %v", st, fields, info)
	}
	_, err = api.GetQuestion(testserver.GRPCContext(t, readerToken), &pb.GetQuestionRequest{Id: "no-such-question"})
	st = status.Convert(err)
	var res *errdetails.ResourceInfo
	for _, d := range st.Details() {
		if r, ok := d.(*errdetails.ResourceInfo); ok {
			res = r
		}
	}
	if st.Code() != codes.NotFound || res.GetResourceName() != "no-such-question" || res.GetResourceType() != "qbank.layersrank.com/Question" {
		t.Errorf("gRPC NotFound: %v %v", st, res)
	}
}

var _ = server.Config{}

// TestReadLogging: at info level successful reads leave no access-log line
// and failed ones leave the usual one, with the call's code and duration.
func TestReadLogging(t *testing.T) {
	logs := &testserver.LogBuffer{}
	cfg := testserver.Backends[0].Config(t)()
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ts := testserver.Start(t, cfg)
	ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil)
	ts.Must(t, http.StatusNotFound, "GET", "/v1/questions/no-such-question", readerToken, nil)
	var finished []map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "finished call" && m["grpc.method"] == "GetQuestion" {
			finished = append(finished, m)
		}
	}
	if len(finished) != 1 || finished[0]["grpc.code"] != "NotFound" || finished[0]["grpc.time_ms"] == nil || finished[0]["principal"] != "reader" {
		t.Errorf("GetQuestion log lines at info: %v", finished)
	}
}
