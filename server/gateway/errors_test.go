package gateway

import (
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/server/apierr"
)

func TestJSONPathAt(t *testing.T) {
	for _, c := range []struct {
		body      string
		line, col int
		want      string
	}{
		{`{"role": "x", "seed": "seven"}`, 1, 23, "seed"},
		{`{"stacks": ["go", 7]}`, 1, 19, "stacks[1]"},
		{"{\n  \"role\": \"r\",\n  \"minMinutes\": true\n}", 3, 17, "minMinutes"},
		{`{"nonsense": 1}`, 1, 2, "nonsense"},
		{`{"a": {"b": [{"c": 1}, {"d": "x"}]}}`, 1, 30, "a.b[1].d"},
		{`{"text": "é", "minutes": "x"}`, 1, 26, "minutes"},
		{`[1, 2]`, 1, 5, "[1]"},
	} {
		if got := jsonPathAt([]byte(c.body), c.line, c.col); got != c.want {
			t.Errorf("jsonPathAt(%s, %d:%d) = %q, want %q", c.body, c.line, c.col, got, c.want)
		}
	}
}

func TestRoutesMatch(t *testing.T) {
	routes := apiRoutes()
	r := newRouter(routes, nil)
	find := func(method, path string) string {
		for _, rt := range r.routes {
			if rt.Method == method && rt.matches(splitPath(path)) {
				return rt.fullMethod()
			}
		}
		return ""
	}
	for path, want := range map[string]string{
		"/v1/questions/abc":           "/layersrank.questionbank.v1.QuestionBankService/GetQuestion",
		"/v1/questions:batchGet":      "/layersrank.questionbank.v1.QuestionBankService/BatchGetQuestions",
		"/v1/questions/abc/versions":  "/layersrank.questionbank.v1.QuestionBankService/ListQuestionVersions",
		"/v1/question-bank:export":    "/layersrank.questionbank.v1.QuestionBankService/ExportQuestionBank",
		"/v1/questions/abc:retire":    "",
		"/v1/questions/":              "",
		"/v1/questions/abc/versions/": "",
	} {
		if got := find("GET", path); got != want {
			t.Errorf("GET %s → %q, want %q", path, got, want)
		}
	}
	if got := find("POST", "/v1/questions/abc:retire"); got != "/layersrank.questionbank.v1.QuestionBankService/RetireQuestion" {
		t.Errorf("POST :retire → %q", got)
	}
}

func TestWriteStatusHeaders(t *testing.T) {
	for _, c := range []struct {
		st            *status.Status
		code          int
		header, value string
	}{
		{apierr.Status(qbank.Unavailable("the database is unreachable"), true), 503, "Retry-After", "1"},
		{apierr.New(codes.ResourceExhausted, qbank.ReasonRateLimited, "slow down", nil, apierr.Retry(1500*time.Millisecond)), 429, "Retry-After", "2"},
		{apierr.New(codes.Unauthenticated, qbank.ReasonTokenMissing, "no token", nil), 401, "WWW-Authenticate", `Bearer realm="qbank"`},
		{apierr.New(codes.Unauthenticated, qbank.ReasonTokenUnknown, "bad token", nil), 401, "WWW-Authenticate", `Bearer realm="qbank", error="invalid_token", error_description="unknown or revoked token"`},
		{status.New(codes.Unavailable, "made elsewhere"), 503, "Retry-After", "1"},
	} {
		w := httptest.NewRecorder()
		WriteStatus(w, httptest.NewRequest("GET", "/v1/x", nil), c.st)
		if w.Code != c.code || w.Header().Get(c.header) != c.value || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%v: %d %s=%q, want %d %q", c.st.Message(), w.Code, c.header, w.Header().Get(c.header), c.code, c.value)
		}
	}
}
