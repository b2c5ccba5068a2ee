package server_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf/pdftest"
	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/seed"
)

// get fetches path with token ("" sends none) and returns the status and
// body.
func get(t *testing.T, ts *testserver.Server, path, token string) (int, []byte) {
	t.Helper()
	r := ts.Call(t, "GET", path, token, nil)
	return r.Code, r.Raw
}

// violations returns the field violations of a google.rpc.Status JSON body.
func violations(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var st struct {
		Details []struct {
			Type            string `json:"@type"`
			FieldViolations []struct{ Field, Description string }
		}
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("the error body is not a JSON status: %v\n%s", err, body)
	}
	out := map[string]string{}
	for _, d := range st.Details {
		for _, v := range d.FieldViolations {
			out[v.Field] = v.Description
		}
	}
	return out
}

func renders(ts *testserver.Server) int {
	return strings.Count(ts.Logs.String(), `"msg":"rendered PDF"`)
}

func TestPDFRoutes(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	// The token is checked before anything is parsed: a request that is
	// wrong in every other way is still a 401 without one.
	for _, path := range []string{"/v1/question-bank.pdf?role=%ff&bogus=1", "/v1/interview-kit.pdf?refs=Not+A+Ref&role=astronaut"} {
		if code, _ := get(t, ts, path, ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: %d, want 401", path, code)
		}
	}
	for _, c := range []struct {
		path, field string
	}{
		{"/v1/question-bank.pdf?role=astronaut", "role"},
		{"/v1/question-bank.pdf?collection=nope", "collection"},
		{"/v1/question-bank.pdf?roles=backend-engineer", "roles"},
		{"/v1/question-bank.pdf?role=%ff", "role"},
		{"/v1/interview-kit.pdf?role=backend-engineer", "refs"},
	} {
		code, body := get(t, ts, c.path, readerToken)
		if code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", c.path, code)
			continue
		}
		if _, ok := violations(t, body)[c.field]; !ok {
			t.Errorf("GET %s: the 400 does not name %s: %s", c.path, c.field, body)
		}
	}

	// A document is rendered once per bank revision and request.
	before := renders(ts)
	for range 3 {
		if code, body := get(t, ts, "/v1/question-bank.pdf?role=devops-engineer", readerToken); code != http.StatusOK || !strings.HasPrefix(string(body), "%PDF-") {
			t.Fatalf("role kit: %d %.40q", code, body)
		}
	}
	if n := renders(ts) - before; n != 1 {
		t.Errorf("three requests for one document rendered it %d times, want once", n)
	}
	q := ts.Must(t, http.StatusOK, "GET", "/v1/questions/api-rate-limiting-design", readerToken, nil).Body
	ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/api-rate-limiting-design?updateMask=minutes", adminToken, map[string]any{"minutes": 6, "etag": q["etag"]})
	_, pdf := get(t, ts, "/v1/question-bank.pdf?role=devops-engineer", readerToken)
	if n := renders(ts) - before; n != 2 {
		t.Errorf("after an edit the document was rendered %d times in all, want twice (the bank changed)", n)
	}
	// The whole bank is the active bank: each active question once, with
	// its version, and no retired one.
	_, whole := get(t, ts, "/v1/question-bank.pdf", readerToken)
	text := pdftest.NewWords(pdftest.Pages(t, whole))
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	retired := 0
	for _, sq := range b.Questions {
		want := 1
		if sq.State != "" && sq.State != qbank.StateActive {
			want = 0
			retired++
		}
		if n := text.Count(sq.Text); n != want {
			t.Errorf("%s (%s) is printed %d times in the whole bank, want %d", sq.ID, cmp.Or(sq.State, qbank.StateActive), n, want)
		}
	}
	if retired == 0 {
		t.Error("the seed retires no question: the test no longer shows retired questions are left out")
	}
	if !text.Contains("api-rate-limiting-design@2") {
		t.Error("the edited question is not printed at version 2")
	}
	pdftest.CheckFooters(t, pdftest.Pages(t, pdf))
}

// The published bank, once the taxonomy names it: exactly the collection's
// questions, the page's five samples among them.
func TestPublishedBankRoute(t *testing.T) {
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Taxonomy.Collection("layersrank-50"); !ok {
		t.Fatal("the seed does not define the layersrank-50 collection")
	}
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	code, pdf := get(t, ts, "/v1/question-bank.pdf?collection=layersrank-50", readerToken)
	if code != http.StatusOK {
		t.Fatalf("published bank: %d %s", code, pdf)
	}
	text := pdftest.NewWords(pdftest.Pages(t, pdf))
	in := 0
	for _, q := range b.Questions {
		want := 0
		if slices.Contains(q.Collections, "layersrank-50") && (q.State == "" || q.State == qbank.StateActive) {
			want, in = 1, in+1
		}
		if n := text.Count(q.Text); n != want {
			t.Errorf("%s is printed %d times, want %d", q.ID, n, want)
		}
	}
	if in != 50 {
		t.Errorf("the collection holds %d questions, want 50", in)
	}
}

func TestInterviewKit(t *testing.T) {
	ts := testserver.Start(t, testserver.Backends[0].Config(t)())
	api := ts.API
	tax, err := api.GetTaxonomy(testserver.GRPCContext(t, readerToken), &pb.GetTaxonomyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range tax.GetTaxonomy().GetRoles() {
		for _, stacks := range [][]string{nil, {"golang"}} {
			t.Run(fmt.Sprintf("%s/%v", role.GetId(), stacks), func(t *testing.T) {
				seed := int64(7)
				a, err := api.AssembleAssessment(testserver.GRPCContext(t, readerToken), &pb.AssembleAssessmentRequest{Role: role.GetId(), Stacks: stacks, Seed: &seed})
				if err != nil {
					t.Fatal(err)
				}
				v := url.Values{"role": {role.GetId()}, "stacks": stacks}
				for _, it := range a.GetItems() {
					v.Add("refs", fmt.Sprintf("%s@%d", it.GetQuestionId(), it.GetVersion()))
				}
				code, pdf := get(t, ts, "/v1/interview-kit.pdf?"+v.Encode(), readerToken)
				if code != http.StatusOK {
					t.Fatalf("kit: %d %s", code, pdf)
				}
				pages := pdftest.Pages(t, pdf)
				pdftest.CheckFooters(t, pages)
				whole := strings.Join(pages, "\f")
				// Exactly the items, in order, worded as assembled.
				last := -1
				for i, it := range a.GetItems() {
					if n := pdftest.Count(whole, it.GetText()); n != 1 {
						t.Errorf("item %d (%s): its assembled text is printed %d times, want once", i, it.GetQuestionId(), n)
					}
					at := strings.Index(pdftest.Norm(strings.Join(pages[1:], " ")), pdftest.Norm(it.GetText()))
					if at < last {
						t.Errorf("item %d (%s) is printed out of order", i, it.GetQuestionId())
					}
					last = at
				}
				if n := strings.Count(whole, "Q"+fmt.Sprint(len(a.GetItems())+1)+" "); n != 0 {
					t.Errorf("the kit numbers more questions than its %d items", len(a.GetItems()))
				}
				// The scorecard has every competency the role lists.
				card := whole[strings.Index(whole, "Rate each competency once"):]
				for _, c := range role.GetCompetencies() {
					i := slices.IndexFunc(tax.GetTaxonomy().GetCompetencies(), func(x *pb.Competency) bool { return x.GetId() == c })
					if title := tax.GetTaxonomy().GetCompetencies()[i].GetTitle(); !pdftest.Contains(card, title) {
						t.Errorf("the scorecard lacks %s", title)
					}
				}
			})
		}
	}

	t.Run("Refused", func(t *testing.T) {
		code, body := get(t, ts, "/v1/interview-kit.pdf?role=backend-engineer&refs=api-rate-limiting-design@1&refs=no-such-question@1&refs=regretted-technical-decision&refs=api-rate-limiting-design@9", readerToken)
		if code != http.StatusBadRequest {
			t.Fatalf("bad refs: %d %s", code, body)
		}
		got := violations(t, body)
		for _, f := range []string{"refs[1]", "refs[2]", "refs[3]"} {
			if _, ok := got[f]; !ok {
				t.Errorf("the 400 does not name %s: %v", f, got)
			}
		}
		if _, ok := got["refs[0]"]; ok {
			t.Errorf("a good ref was blamed: %v", got)
		}
	})

	t.Run("OldVersion", func(t *testing.T) {
		q := ts.Must(t, http.StatusOK, "GET", "/v1/questions/regretted-technical-decision", readerToken, nil).Body
		ts.Must(t, http.StatusOK, "PATCH", "/v1/questions/regretted-technical-decision?updateMask=text", adminToken,
			map[string]any{"text": "Describe a technical decision you regret, and what you changed afterwards.", "etag": q["etag"]})
		code, pdf := get(t, ts, "/v1/interview-kit.pdf?role=backend-engineer&refs=regretted-technical-decision@1", readerToken)
		if code != http.StatusOK {
			t.Fatalf("kit of a superseded version: %d %s", code, pdf)
		}
		text := pdftest.Text(t, pdf)
		if !pdftest.Contains(text, str(q["text"])) || pdftest.Contains(text, "what you changed afterwards") {
			t.Error("the kit of version 1 does not print version 1's text")
		}
	})
}
