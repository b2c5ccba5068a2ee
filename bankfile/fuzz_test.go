package bankfile_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankfile"
	"github.com/layersrank/qbank/importer"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/seed"
)

// fzQuestionFields are the fields an import can be faulted on, as
// questions[i].<field>.
var fzQuestionFields = map[string]bool{
	"id": true, "text": true, "roles": true, "dimension": true, "competency": true, "whatItReveals": true,
	"responseFormat": true, "minutes": true, "seniorities": true, "stacks": true, "stackVariants": true,
	"followUps": true, "scoringGuide": true, "state": true, "etag": true,
}

// FuzzReadImportFile feeds arbitrary bytes to bankfile.Read (JSON, or YAML
// when it does not start with '{'), then what it parsed to importer.Build
// against the seeded bank. Neither may panic. Build's errors are EINVALID
// and every violation names "questions" or questions[i].<field> with i in
// range; a plan it returns accounts for every item. And whatever Read
// accepts, the export writers write back to a file that Read parses to the
// same request (in both formats): an export always re-imports.
//
// CI runs it briefly: go test ./bankfile -run '^$' -fuzz '^FuzzReadImportFile$' -fuzztime 10s
func FuzzReadImportFile(f *testing.F) {
	bank, err := seed.Load()
	if err != nil {
		f.Fatal(err)
	}
	tax := &bank.Taxonomy
	current := map[string]qbank.Question{}
	for _, q := range bank.Questions {
		q.Version, q.State = 1, qbank.StateActive
		q.Etag = qbank.ComputeEtag(q.ID, 1, q.State, 1)
		current[q.ID] = q
	}
	lookup := func(id string) (qbank.Question, bool) { q, ok := current[id]; return q, ok }

	// Seeds: an export of two seed questions in both formats (as the
	// writers make them), then hand-made edge cases.
	for _, format := range []bankfile.Format{bankfile.JSON, bankfile.YAML} {
		var buf bytes.Buffer
		w, err := bankfile.NewWriter(&buf, format)
		if err != nil {
			f.Fatal(err)
		}
		if err := w.Header(&pb.ExportHeader{BankRevision: 1, Role: "backend-engineer"}); err != nil {
			f.Fatal(err)
		}
		for _, id := range []string{bank.Questions[0].ID, bank.Questions[1].ID} {
			q := current[id]
			if err := w.Question(protoconv.QuestionToProto(&q)); err != nil {
				f.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	for _, s := range []string{
		``, `{}`, `{"questions": []}`, `{"questions": [{}]}`, `[]`, `null`, `questions:`, `- a`, `{"questions": null}`,
		`{"questions": [{"id": "x", "minutes": 99999999999}]}`,
		`{"questions": [{"id": "api-rate-limiting-design", "text": "changed"}]}`,
		`{"questions": [{"id": "dup-id-one", "text": "a"}, {"id": "dup-id-one", "text": "b"}]}`,
		`{"questions": [{"stackVariants": {"golang": "x", "go": "y"}, "responseFormat": "RESPONSE_FORMAT_AUDIO"}]}`,
		`{"unknown": 1}`, `{"questions": [{"state": 7}]}`, `{"validateOnly": "yes"}`,
		"questions:\n- id: new-question-yaml\n  text: \"t\"\n  minutes: 5\n",
		"questions:\n- &a {id: anchor-one}\n- *a\n",
		"source: {bankRevision: 3}\nquestions: []\n",
		"\xef\xbb\xbf{\"questions\": []}", "{\"questions\": [{\"text\": \"\\u0000\"}]}",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := bankfile.Read(bytes.NewReader(data))
		if err != nil {
			return // refusing a malformed file is fine; panicking is not
		}
		items := make([]qbank.Question, len(req.GetQuestions()))
		for i, q := range req.GetQuestions() {
			items[i] = protoconv.QuestionFromProto(q)
		}
		plan, err := importer.Build(tax, lookup, items)
		if err != nil {
			fzCheckImportError(t, err, len(items))
		} else {
			if len(plan.Results) != len(items) {
				t.Fatalf("%d results for %d items", len(plan.Results), len(items))
			}
			created, updated, unchanged := plan.Counts()
			if created+updated+unchanged != len(items) || len(plan.Ops) != created+updated {
				t.Fatalf("plan of %d ops for %d created, %d updated, %d unchanged", len(plan.Ops), created, updated, unchanged)
			}
			for i, r := range plan.Results {
				if _, exists := current[r.ID]; r.ID != items[i].ID || exists == (r.Action == importer.Created) {
					t.Fatalf("result %d is %+v for item %q", i, r, items[i].ID)
				}
			}
		}

		// Whatever Read accepted round-trips through both writers.
		want := proto.Clone(req).(*pb.ImportQuestionsRequest)
		want.ValidateOnly = false // not part of the file format
		for _, format := range []bankfile.Format{bankfile.JSON, bankfile.YAML} {
			var buf bytes.Buffer
			w, err := bankfile.NewWriter(&buf, format)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Header(req.GetSource()); err != nil {
				t.Fatalf("%s header: %v", format, err)
			}
			for _, q := range req.GetQuestions() {
				if err := w.Question(q); err != nil {
					t.Fatalf("%s question: %v", format, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			again, err := bankfile.Read(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("the %s writer wrote a file Read refuses: %v\n%s", format, err, buf.String())
			}
			if want.Source == nil {
				again.Source = nil // an empty header is written as {}
			}
			if !proto.Equal(again, want) {
				t.Fatalf("%s round trip changed the request:\nread    %v\nwritten %v\n%s", format, want, again, buf.String())
			}
		}
	})
}

// fzCheckImportError requires EINVALID with violations of "questions" or
// questions[i].<known field>, 0 ≤ i < n.
func fzCheckImportError(t *testing.T, err error, n int) {
	t.Helper()
	var e *qbank.Error
	if !errors.As(err, &e) || e.Code != qbank.EINVALID || len(e.Violations) == 0 {
		t.Fatalf("Build error %v is not EINVALID with field violations", err)
	}
	for _, v := range e.Violations {
		if v.Field == "questions" {
			continue
		}
		rest, ok := strings.CutPrefix(v.Field, "questions[")
		idx, field, ok2 := strings.Cut(rest, "].")
		i, err := strconv.Atoi(idx)
		name := field
		if j := strings.IndexAny(field, ".["); j >= 0 {
			name = field[:j]
		}
		if !ok || !ok2 || err != nil || i < 0 || i >= n || !fzQuestionFields[name] {
			t.Fatalf("violation field %q (%s) is not questions[i].<field> for %d items", v.Field, v.Description, n)
		}
	}
}
