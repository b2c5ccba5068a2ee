package assembly_test

import (
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
	"dimensionWeights": true, "requiredQuestionIds": true, "excludedQuestionIds": true,
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
// constraint of SPEC §4 holds, checked here independently of the engine,
// and the same request gives the same assessment again.
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
		fzCheckHardConstraints(t, bank, r, a)
		again, err := assembly.Assemble(bank, r)
		if err != nil || !slices.EqualFunc(a.Items, again.Items, func(x, y assembly.Item) bool { return x.QuestionID == y.QuestionID && x.Version == y.Version }) {
			t.Fatalf("the same request assembled differently the second time (%v)", err)
		}
	})
}

// fzCheckHardConstraints restates SPEC §4's hard constraints from the bank
// and the raw request (normalised as the API documents: case-insensitive
// role and seniority, stack aliases, trimmed ids, 35–45 by default).
func fzCheckHardConstraints(t *testing.T, b assembly.Bank, r assembly.Request, a assembly.Assessment) {
	t.Helper()
	tax := b.Taxonomy
	roleID := strings.ToLower(strings.TrimSpace(r.Role))
	role, ok := tax.Role(roleID)
	if !ok {
		t.Fatalf("assembled for unknown role %q", r.Role)
	}
	seniority := strings.ToLower(strings.TrimSpace(r.Seniority))
	var stacks []string
	for _, s := range r.Stacks {
		id, ok := tax.ResolveStack(s)
		if !ok {
			t.Fatalf("assembled with unknown stack %q", s)
		}
		if !slices.Contains(stacks, id) {
			stacks = append(stacks, id)
		}
	}
	trim := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, strings.TrimSpace(id))
		}
		return out
	}
	required, excluded := trim(r.Required), trim(r.Excluded)
	lo, hi := r.MinMinutes, r.MaxMinutes
	if lo == 0 {
		lo = assembly.DefaultMinMinutes
	}
	if hi == 0 {
		hi = assembly.DefaultMaxMinutes
	}
	eligible := func(q *qbank.Question) bool {
		return q.State == qbank.StateActive && slices.Contains(q.Roles, roleID) &&
			(seniority == "" || len(q.Seniorities) == 0 || slices.Contains(q.Seniorities, seniority)) &&
			(len(q.Stacks) == 0 || slices.ContainsFunc(q.Stacks, func(s string) bool { return slices.Contains(stacks, s) })) &&
			!slices.Contains(excluded, q.ID)
	}
	byID := map[string]*qbank.Question{}
	for i := range b.Questions {
		byID[b.Questions[i].ID] = &b.Questions[i]
	}

	total := 0
	seen := map[string]bool{}
	covered := map[string]bool{}
	formats := map[qbank.ResponseFormat]bool{}
	perDim := map[string]int{}
	stackHit := map[string]bool{}
	for _, it := range a.Items {
		q := byID[it.QuestionID]
		switch {
		case q == nil:
			t.Fatalf("item %s is not in the bank", it.QuestionID)
		case seen[q.ID]:
			t.Fatalf("item %s appears twice", q.ID)
		case !eligible(q):
			t.Fatalf("item %s is not eligible (state %s, roles %v, seniorities %v, stacks %v)", q.ID, q.State, q.Roles, q.Seniorities, q.Stacks)
		case it.Version != q.Version || it.Minutes != q.Minutes || it.Dimension != q.Dimension || it.ResponseFormat != q.ResponseFormat:
			t.Fatalf("item %s is not pinned to its question's version and figures", q.ID)
		}
		seen[q.ID] = true
		total += q.Minutes
		covered[q.Competency] = true
		formats[q.ResponseFormat] = true
		perDim[q.Dimension] += q.Minutes
		for _, s := range q.Stacks {
			stackHit[s] = true
		}
	}
	if total != a.TotalMinutes || total < lo || total > hi {
		t.Fatalf("total %d minutes (reported %d) outside [%d, %d]", total, a.TotalMinutes, lo, hi)
	}
	for _, c := range role.Competencies {
		if !covered[c] {
			t.Fatalf("competency %s of %s is not covered", c, roleID)
		}
	}
	if !formats[qbank.FormatVideo] || !formats[qbank.FormatWritten] {
		t.Fatalf("formats %v: want a video and a written item", formats)
	}
	for _, id := range required {
		if id != "" && !seen[id] {
			t.Fatalf("required %s is missing", id)
		}
	}
	for _, id := range excluded {
		if seen[id] {
			t.Fatalf("excluded %s is present", id)
		}
	}
	for _, s := range stacks {
		if !stackHit[s] && slices.ContainsFunc(b.Questions, func(q qbank.Question) bool { return slices.Contains(q.Stacks, s) && eligible(&q) }) {
			t.Fatalf("stack %s has eligible stack-specific questions but got none", s)
		}
	}
	sum := 0.0
	for _, d := range tax.Dimensions {
		share := 100 * float64(perDim[d.ID]) / float64(total)
		if math.Abs(a.DimensionShares[d.ID]-share) > 1e-9 {
			t.Fatalf("share of %s reported %v, is %v", d.ID, a.DimensionShares[d.ID], share)
		}
		sum += share
		if a.WithinTolerance && math.Abs(share-float64(a.Weights[d.ID])) > assembly.Tolerance+1e-9 {
			t.Fatalf("reported within ±%d points, but %s is at %.1f for weight %d", assembly.Tolerance, d.ID, share, a.Weights[d.ID])
		}
	}
	if math.Abs(sum-100) > 1e-6 {
		t.Fatalf("shares sum to %v", sum)
	}
}
