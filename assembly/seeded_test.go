package assembly_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/seed"
)

// seededBank is the shipped bank as the server serves it on first start,
// with its templates.
func seededBank(t testing.TB) (assembly.Bank, []qbank.Template) {
	t.Helper()
	loaded, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	qs := slices.Clone(loaded.Questions)
	for i := range qs {
		qs[i].Version = 1
		if qs[i].State == "" {
			qs[i].State = qbank.StateActive
		}
	}
	return assembly.Bank{Taxonomy: &loaded.Taxonomy, Questions: qs, Revision: 1}, loaded.Templates
}

// defaultRequest is the role's default template (seed/data/templates.yaml)
// as a request: 35–45 minutes, any seniority, no stack.
func defaultRequest(t *testing.T, templates []qbank.Template, role string) assembly.Request {
	t.Helper()
	i := slices.IndexFunc(templates, func(x qbank.Template) bool { return x.Role == role && x.Owner == "" })
	if i < 0 {
		t.Fatalf("no default template for %s", role)
	}
	tp := templates[i]
	if tp.MinMinutes != 35 || tp.MaxMinutes != 45 || len(tp.Stacks) != 0 || len(tp.RequiredQuestionIDs) != 0 {
		t.Fatalf("default template %s is not the 35–45-minute, no-stack default: %+v", tp.ID, tp)
	}
	return assembly.Request{Template: &tp}
}

// TestSeededBankExposure is issue #14's "done when" on the shipped bank:
// for each role's default request over 1,000 seeds, every assessment is
// within ±5 points on every dimension, no question is in more than 50% of
// them, the mean pairwise overlap is at most 35%, and AnalyzeExposure's
// figures agree with the observed ones within 0.03. Its largest exposure
// is also the exact minimax optimum (oracle_test.go) and its count of
// acceptable assessments the oracle's.
func TestSeededBankExposure(t *testing.T) {
	b, templates := seededBank(t)
	const seeds = 1000
	for _, role := range b.Taxonomy.Roles {
		t.Run(role.ID, func(t *testing.T) {
			r := defaultRequest(t, templates, role.ID)
			asm := assembly.NewAssembler(4, 16<<20)
			e, err := asm.AnalyzeExposure(context.Background(), b, r)
			if err != nil {
				t.Fatal(err)
			}
			if e.Balance != assembly.WithinTolerance {
				t.Fatalf("balance %v: the bank allows no assessment within ±5", e.Balance)
			}
			o, ok := newOracle(t, b, r)
			if !ok || !o.within {
				t.Fatalf("oracle: feasible %v, within ±5 %v", ok, o.within)
			}
			lower, upper := o.minimax()
			if e.MaxExposure < lower-0.01 || e.MaxExposure > upper+0.01 {
				t.Errorf("largest exposure %.4f, exact minimax optimum %.6f", e.MaxExposure, lower)
			}
			if n := o.countSelections(); float64(e.AcceptableAssessments) != n || e.AcceptableIsLowerBound {
				t.Errorf("%d acceptable assessments reported, the oracle counts %.0f", e.AcceptableAssessments, n)
			}

			count := map[string]int{}
			var drawn [][]string
			worstDev := 0.0
			for s := range seeds {
				r.Seed = int64(s)
				a, err := asm.Assemble(context.Background(), b, r)
				if err != nil {
					t.Fatal(err)
				}
				checkAssessment(t, b, r, a)
				for d, w := range role.DimensionWeights {
					worstDev = max(worstDev, math.Abs(a.DimensionShares[d]-float64(w)))
				}
				if !a.WithinTolerance {
					t.Fatalf("seed %d: shares %v, not within ±5 of %v", s, a.DimensionShares, role.DimensionWeights)
				}
				drawn = append(drawn, ids(a))
				for _, it := range a.Items {
					count[it.QuestionID]++
				}
			}
			if worstDev > 5 {
				t.Errorf("a dimension's share is %.2f points from its weight", worstDev)
			}
			maxSeen, maxGap := 0.0, 0.0
			for _, it := range e.Items {
				got := float64(count[it.QuestionID]) / seeds
				maxSeen = max(maxSeen, got)
				maxGap = max(maxGap, math.Abs(got-it.Exposure))
				delete(count, it.QuestionID)
			}
			if len(count) > 0 {
				t.Errorf("drawn but not in the report: %v", count)
			}
			overlap := meanPairwiseOverlap(drawn)
			t.Logf("%d eligible, %.2f items, %d acceptable: max exposure %.3f (observed %.3f, optimum %.3f), mean overlap %.3f (observed %.3f, floor %.3f), worst dimension deviation %.2f points, report vs observed: items %.4f, max %.4f, overlap %.4f",
				len(e.Items), e.ExpectedItems, e.AcceptableAssessments, e.MaxExposure, maxSeen, lower, e.ExpectedOverlap, overlap,
				e.ExpectedItems/float64(len(e.Items)), worstDev, maxGap, math.Abs(maxSeen-e.MaxExposure), math.Abs(overlap-e.ExpectedOverlap))
			if maxGap > 0.03 || math.Abs(maxSeen-e.MaxExposure) > 0.03 || math.Abs(overlap-e.ExpectedOverlap) > 0.03 {
				t.Errorf("the report disagrees with 1,000 draws: per item by up to %.3f, largest exposure %.3f vs %.3f, overlap %.3f vs %.3f",
					maxGap, e.MaxExposure, maxSeen, e.ExpectedOverlap, overlap)
			}
			if maxSeen > 0.5 || e.MaxExposure > 0.5 {
				t.Errorf("a question is in %.3f of assessments (reported %.3f), want at most 0.5", maxSeen, e.MaxExposure)
			}
			if overlap > 0.35 || e.ExpectedOverlap > 0.35 {
				t.Errorf("mean pairwise overlap %.3f (reported %.3f), want at most 0.35", overlap, e.ExpectedOverlap)
			}
		})
	}
}

// TestSeededBankOneStack: with one stack requested on top of the role's
// default, the largest exposure is within 0.01 of the exact minimax
// optimum, and every draw meets the rules.
func TestSeededBankOneStack(t *testing.T) {
	b, templates := seededBank(t)
	for _, c := range []struct{ role, stack string }{
		{"backend-engineer", "go"}, {"devops-engineer", "kubernetes"}, {"data-engineer", "spark"}, {"full-stack-developer", "react"},
	} {
		t.Run(c.role+"/"+c.stack, func(t *testing.T) {
			r := defaultRequest(t, templates, c.role)
			r.Stacks = []string{c.stack}
			asm := assembly.NewAssembler(4, 16<<20)
			e, err := asm.AnalyzeExposure(context.Background(), b, r)
			if err != nil {
				t.Fatal(err)
			}
			o, ok := newOracle(t, b, r)
			if !ok {
				t.Fatal("the oracle finds no selection")
			}
			lower, upper := o.minimax()
			if e.MaxExposure < lower-0.01 || e.MaxExposure > upper+0.01 {
				t.Errorf("largest exposure %.4f, exact minimax optimum %.6f", e.MaxExposure, lower)
			}
			if want := map[bool]assembly.Balance{true: assembly.WithinTolerance, false: assembly.ClosestPossible}[o.within]; e.Balance != want {
				t.Errorf("balance %v, the oracle says %v", e.Balance, want)
			}
			specific := 0
			for _, x := range o.cands {
				if len(x.Stacks) > 0 {
					specific++
				}
			}
			for s := range int64(50) {
				r.Seed = s
				a, err := asm.Assemble(context.Background(), b, r)
				if err != nil {
					t.Fatal(err)
				}
				checkAssessment(t, b, r, a)
			}
			t.Logf("%s: %d eligible (%d specific to %s): max exposure %.4f (optimum %.6f), overlap %.3f, balance %v",
				c.stack, len(o.cands), specific, c.stack, e.MaxExposure, lower, e.ExpectedOverlap, e.Balance)
		})
	}
}

// meanPairwiseOverlap averages, over ordered pairs of distinct draws, the
// share of the first's items the second also has: for draw a, the pairs
// (a, b) together share Σ_{q∈a} (count_q − 1) items, so the mean is exact
// without visiting the pairs.
func meanPairwiseOverlap(drawn [][]string) float64 {
	count := map[string]int{}
	for _, d := range drawn {
		for _, id := range d {
			count[id]++
		}
	}
	sum := 0.0
	for _, d := range drawn {
		shared := 0
		for _, id := range d {
			shared += count[id] - 1
		}
		sum += float64(shared) / float64(len(d))
	}
	n := float64(len(drawn))
	return sum / (n * (n - 1))
}
