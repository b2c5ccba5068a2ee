package assembly_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/seed"
)

// fzRequestFields are the request fields an assembly may be refused on.
var fzRequestFields = map[string]bool{
	"role": true, "seniority": true, "stacks": true, "minMinutes": true, "maxMinutes": true,
	"dimensionWeights": true, "requiredQuestionIds": true, "excludedQuestionIds": true, "tolerancePoints": true,
}

// fzList splits a comma-separated fuzz string into a list ("" is none).
func fzList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// fzWeights parses "dimension=percent,…"; entries that do not parse are
// dropped, so the fuzzer reaches unknown dimensions, bad sums and negative
// weights as easily as valid overrides.
func fzWeights(s string) map[string]int {
	var w map[string]int
	for _, kv := range fzList(s) {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			continue
		}
		if w == nil {
			w = map[string]int{}
		}
		w[k] = n
	}
	return w
}

// FuzzAssembleRequest runs arbitrary requests (role, seniority, stacks,
// minutes, weights, required and excluded ids, seed) against the seeded
// bank. Assemble must never panic; an error is EINVALID naming request
// fields or EPRECONDITION with a message; and a nil error means every hard
// constraint of SPEC §4 holds (checkAssessment, independent of the engine),
// the same request gives the same assessment again, with or without the
// cache, and the exposure report gives every drawn item a positive
// exposure.
//
// CI runs it briefly: go test ./assembly -run '^$' -fuzz '^FuzzAssembleRequest$' -fuzztime 10s
func FuzzAssembleRequest(f *testing.F) {
	loaded, err := seed.Load()
	if err != nil {
		f.Fatal(err)
	}
	qs := slices.Clone(loaded.Questions)
	for i := range qs {
		qs[i].Version = 1
		if qs[i].State == "" {
			qs[i].State = qbank.StateActive
		}
	}
	bank := assembly.Bank{Taxonomy: &loaded.Taxonomy, Questions: qs, Revision: 3}
	asm := assembly.NewAssembler(64, 64<<20)
	someID := qs[0].ID

	f.Add("backend-engineer", "", "", 0, 0, "", "", "", int64(1))
	f.Add("backend-engineer", "senior", "golang,postgres", 35, 45, "", "", "", int64(7))
	f.Add("Full-Stack-Developer ", "MID", "node,GO", 30, 60, "technical=50,behavioral=30,contextual=20", "", someID, int64(-3))
	f.Add("devops-engineer", "junior", "k8s,aws,kafka,java,python,go,nodejs,postgresql", 1, 180, "", "", "", int64(99))
	f.Add("data-engineer", "", "", 45, 35, "technical=100", someID, someID, int64(0))
	f.Add("data-engineer", "", "kafka", 10, 12, "technical=40,behavioral=40,contextual=20,extra=0", " "+someID+" ", "", int64(5))
	f.Add("", "principal", "cobol", -1, 181, "technical=-5,behavioral=105", ",", "nope", int64(math.MaxInt64))
	f.Add("backend-engineer", "", "go,go,golang", 35, 36, "", "", "", int64(math.MinInt64))

	f.Fuzz(func(t *testing.T, role, seniority, stacks string, minMin, maxMin int, weights, required, excluded string, seedN int64) {
		r := assembly.Request{
			Role: role, Seniority: seniority, Stacks: fzList(stacks), MinMinutes: minMin, MaxMinutes: maxMin,
			Weights: fzWeights(weights), Required: fzList(required), Excluded: fzList(excluded), Seed: seedN,
		}
		a, err := assembly.Assemble(bank, r)
		if err != nil {
			var e *qbank.Error
			switch {
			case !errors.As(err, &e):
				t.Fatalf("error %v is not a *qbank.Error", err)
			case e.Code == qbank.EPRECONDITION:
				if e.Message == "" {
					t.Fatal("FailedPrecondition without a message")
				}
			case e.Code == qbank.EINVALID:
				if len(e.Violations) == 0 {
					t.Fatalf("InvalidArgument without field violations: %v", e)
				}
				for _, v := range e.Violations {
					if !fzRequestFields[v.Field] || v.Description == "" {
						t.Fatalf("violation %+v does not name a request field", v)
					}
				}
			default:
				t.Fatalf("error code %s (%v), want EINVALID or EPRECONDITION", e.Code, e)
			}
			return
		}
		checkAssessment(t, bank, r, a)
		again, err := asm.Assemble(context.Background(), bank, r)
		if err != nil || !slices.EqualFunc(a.Items, again.Items, func(x, y assembly.Item) bool { return x.QuestionID == y.QuestionID && x.Version == y.Version }) {
			t.Fatalf("the same request assembled differently the second time (%v)", err)
		}
		e, err := asm.AnalyzeExposure(context.Background(), bank, r)
		if err != nil {
			t.Fatalf("exposure report failed where assembly succeeded: %v", err)
		}
		for _, it := range a.Items {
			i := slices.IndexFunc(e.Items, func(x assembly.ItemExposure) bool { return x.QuestionID == it.QuestionID })
			if i < 0 || e.Items[i].Exposure <= 0 || e.Items[i].Exposure > 1+1e-9 {
				t.Fatalf("drawn item %s has no positive exposure in the report", it.QuestionID)
			}
		}
		if e.Balance != a.Balance {
			t.Fatalf("report balance %v, assessment %v", e.Balance, a.Balance)
		}
	})
}
