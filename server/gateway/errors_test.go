package gateway

import "testing"

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
	r := newRouter(routes)
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
