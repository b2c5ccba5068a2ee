package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/layersrank/qbank/internal/testserver"
)

func init() {
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
}

// served is one request to a route of the document: the route's template
// (as the document names it), the concrete path, a token and a body.
type served struct {
	method, template, path, token, body string
}

// TestResponsesMatchTheOpenAPIDocument calls every operation of the served
// OpenAPI document on a live server (successes and errors) and validates
// each response — status, headers and body — against it, so the document
// cannot drift from what the server does. An operation the document lists
// but no request here exercises fails the test too.
func TestResponsesMatchTheOpenAPIDocument(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	raw := do(t, ts, "GET", "/openapi.json", "", "", nil)
	var doc2 openapi2.T
	if err := json.Unmarshal(raw.body, &doc2); err != nil {
		t.Fatal(err)
	}
	if doc2.Info.Version == "" || doc2.Info.Version == "version not set" || !strings.Contains(doc2.Info.Title, "qbank") {
		t.Errorf("info = %+v", doc2.Info)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}

	cur := ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil).Body
	tpl := ts.Must(t, http.StatusOK, "GET", "/v1/templates/backend-engineer-default", readerToken, nil).Body
	create, _ := json.Marshal(newQuestion("openapi-created"))
	calls := []served{
		{"GET", "/healthz", "/healthz", "", ""},
		{"GET", "/readyz", "/readyz", "", ""},
		{"GET", "/metrics", "/metrics", "", ""},
		{"GET", "/openapi.json", "/openapi.json", "", ""},
		{"GET", "/v1/question-bank.pdf", "/v1/question-bank.pdf?role=devops-engineer", readerToken, ""},
		{"GET", "/v1/question-bank.pdf", "/v1/question-bank.pdf?role=nope", readerToken, ""},
		{"GET", "/v1/question-bank.pdf", "/v1/question-bank.pdf?collection=layersrank-50", readerToken, ""},
		{"GET", "/v1/interview-kit.pdf", "/v1/interview-kit.pdf?role=backend-engineer&refs=api-rate-limiting-design@1&refs=regretted-technical-decision@1&stacks=go", readerToken, ""},
		{"GET", "/v1/interview-kit.pdf", "/v1/interview-kit.pdf?role=backend-engineer", readerToken, ""},
		{"GET", "/v1/questions", "/v1/questions", readerToken, ""},
		{"GET", "/v1/questions", "/v1/questions?view=QUESTION_VIEW_FULL&pageSize=2", readerToken, ""},
		{"GET", "/v1/questions", "/v1/questions?role=nope", readerToken, ""},
		{"GET", "/v1/questions", "/v1/questions", "", ""},
		{"POST", "/v1/questions", "/v1/questions", adminToken, string(create)},
		{"POST", "/v1/questions", "/v1/questions", readerToken, string(create)},
		{"GET", "/v1/questions/{id}", "/v1/questions/api-rate-limiting-design", readerToken, ""},
		{"GET", "/v1/questions/{id}", "/v1/questions/no-such-question", readerToken, ""},
		{"PATCH", "/v1/questions/{id}", "/v1/questions/api-rate-limiting-design?updateMask=minutes", adminToken, `{"minutes": 6, "etag": "` + str(cur["etag"]) + `"}`},
		{"PATCH", "/v1/questions/{id}", "/v1/questions/api-rate-limiting-design?updateMask=minutes", adminToken, `{"minutes": 7, "etag": "stale"}`},
		{"GET", "/v1/questions:batchGet", "/v1/questions:batchGet?refs=api-rate-limiting-design@1&refs=regretted-technical-decision", readerToken, ""},
		{"GET", "/v1/questions/{id}/versions", "/v1/questions/api-rate-limiting-design/versions?pageSize=1", readerToken, ""},
		{"POST", "/v1/questions/{id}:retire", "/v1/questions/openapi-created:retire", adminToken, `{"etag": "@created"}`},
		{"POST", "/v1/questions/{id}:restore", "/v1/questions/openapi-created:restore", adminToken, `{"etag": "@created"}`},
		{"GET", "/v1/taxonomy", "/v1/taxonomy", readerToken, ""},
		{"POST", "/v1/assessments:assemble", "/v1/assessments:assemble", readerToken, `{"role": "backend-engineer", "stacks": ["golang"], "seed": 7}`},
		{"POST", "/v1/assessments:assemble", "/v1/assessments:assemble", readerToken, `{"role": "backend-engineer", "seed": "x"}`},
		{"POST", "/v1/assessments:analyzeExposure", "/v1/assessments:analyzeExposure", readerToken, `{"role": "backend-engineer"}`},
		{"GET", "/v1/templates", "/v1/templates?owner=acme", readerToken, ""},
		{"POST", "/v1/templates", "/v1/templates", adminToken, `{"title": "OpenAPI check", "role": "backend-engineer"}`},
		{"GET", "/v1/templates/{id}", "/v1/templates/backend-engineer-default", readerToken, ""},
		{"PATCH", "/v1/templates/{id}", "/v1/templates/backend-engineer-default?updateMask=title", adminToken, `{"title": "Backend (checked)", "etag": "` + str(tpl["etag"]) + `"}`},
		{"DELETE", "/v1/templates/{id}", "/v1/templates/openapi-check?etag=@created", adminToken, ""},
		{"GET", "/v1/question-bank:export", "/v1/question-bank:export?role=devops-engineer", readerToken, ""},
		{"GET", "/v1/question-bank:export", "/v1/question-bank:export?role=nope", readerToken, ""},
		{"POST", "/v1/questions:import", "/v1/questions:import", adminToken, `{"questions": [], "validateOnly": true}`},
	}
	covered := map[string]bool{}
	etags := map[string]string{} // a created resource's etag, for the calls after it
	for _, c := range calls {
		if strings.Contains(c.body, "@created") || strings.Contains(c.path, "@created") {
			id := strings.TrimSuffix(strings.TrimSuffix(strings.Split(strings.TrimPrefix(strings.TrimPrefix(c.path, "/v1/questions/"), "/v1/templates/"), "?")[0], ":retire"), ":restore")
			c.body = strings.ReplaceAll(c.body, "@created", etags[id])
			c.path = strings.ReplaceAll(c.path, "@created", etags[id])
		}
		r := do(t, ts, c.method, c.path, c.token, c.body, nil)
		if c.method != "DELETE" && r.code == http.StatusOK && strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			var m map[string]any
			if json.Unmarshal(r.body, &m) == nil && m["id"] != nil && m["etag"] != nil {
				etags[str(m["id"])] = str(m["etag"])
			}
		}
		covered[c.method+" "+c.template] = true
		validateLive(t, doc, c, r)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !covered[method+" "+path] {
				t.Errorf("%s %s is in the document but not checked here", method, path)
			}
		}
	}
}

func validateLive(t *testing.T, doc *openapi3.T, c served, r rawReply) {
	t.Helper()
	name := c.method + " " + c.path
	item := doc.Paths.Find(c.template)
	if item == nil {
		t.Errorf("%s: no path %s in the document", name, c.template)
		return
	}
	op := item.GetOperation(c.method)
	if op == nil {
		t.Errorf("%s: the document has no %s on %s", name, c.method, c.template)
		return
	}
	req, _ := http.NewRequest(c.method, "http://qbank"+c.path, nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, Route: &routers.Route{Spec: doc, Path: c.template, PathItem: item, Method: c.method, Operation: op},
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: r.code, Header: r.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if r.header.Get("Content-Type") == "application/x-ndjson" {
		// One object a line: the header, then questions (see the operation).
		validateNDJSON(t, doc, name, r.body)
		in.Options.ExcludeResponseBody = true
	}
	in.SetBodyBytes(r.body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s → %d does not match the document: %v\n%s", name, r.code, err, truncateBytes(r.body, 300))
	}
}

func validateNDJSON(t *testing.T, doc *openapi3.T, name string, body []byte) {
	header, question := doc.Components.Schemas["v1ExportHeader"], doc.Components.Schemas["v1Question"]
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; sc.Scan(); i++ {
		var v any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Errorf("%s line %d: %v", name, i, err)
			return
		}
		schema := question
		if i == 0 {
			schema = header
		}
		if err := schema.Value.VisitJSON(v); err != nil {
			t.Errorf("%s line %d does not match its schema: %v", name, i, err)
		}
	}
}

func truncateBytes(b []byte, n int) string {
	return string(b[:min(len(b), n)])
}

var _ = slices.Contains[[]string]
