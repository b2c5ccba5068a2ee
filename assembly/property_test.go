package assembly_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
)

// randomCase draws a small taxonomy (two to four dimensions, so the ±5 band
// rule is exercised where it matters), a bank of at most 16 eligible
// questions among ineligible noise, and a request.
func randomCase(rng *rand.Rand) (assembly.Bank, assembly.Request) {
	nd := 2 + rng.IntN(3)
	tax := &qbank.Taxonomy{Seniorities: []string{"junior", "mid", "senior"}}
	weights := randomWeights(rng, nd)
	var comps []string
	for d := range nd {
		id := fmt.Sprintf("dim%d", d)
		tax.Dimensions = append(tax.Dimensions, qbank.Dimension{ID: id, Title: id, Weight: weights[d]})
		for c := range 1 + rng.IntN(3) {
			cid := fmt.Sprintf("c%d-%d", d, c)
			tax.Competencies = append(tax.Competencies, qbank.Competency{ID: cid, Dimension: id, Title: "C " + cid, Description: "x", GreatLooksLike: "x", RedFlags: "x"})
			comps = append(comps, cid)
		}
	}
	roleWeights := randomWeights(rng, nd)
	role := qbank.Role{ID: "role-a", Title: "A", DimensionWeights: map[string]int{}}
	for d := range nd {
		role.DimensionWeights[fmt.Sprintf("dim%d", d)] = roleWeights[d]
	}
	for _, c := range comps {
		if rng.IntN(2) == 0 && len(role.Competencies) < 5 {
			role.Competencies = append(role.Competencies, c)
		}
	}
	if len(role.Competencies) == 0 {
		role.Competencies = []string{comps[0]}
	}
	tax.Roles = []qbank.Role{role, {ID: "role-b", Title: "B", DimensionWeights: role.DimensionWeights, Competencies: comps[:1]}}
	for s := range 4 {
		tax.Stacks = append(tax.Stacks, qbank.Stack{ID: fmt.Sprintf("s%d", s), Title: "S", Aliases: []string{fmt.Sprintf("alias-s%d", s)}})
	}
	dimOf := map[string]string{}
	for _, c := range tax.Competencies {
		dimOf[c.ID] = c.Dimension
	}

	r := assembly.Request{Role: "role-a", Seed: rng.Int64()}
	if rng.IntN(4) == 0 {
		r.Seniority = tax.Seniorities[rng.IntN(3)]
	}
	for s := range 4 {
		if rng.IntN(3) == 0 {
			name := fmt.Sprintf("s%d", s)
			switch rng.IntN(3) {
			case 0:
				name = "ALIAS-" + strings.ToUpper(name)
			case 1:
				name = strings.ToUpper(name)
			}
			r.Stacks = append(r.Stacks, name)
		}
	}
	r.MinMinutes = 1 + rng.IntN(30)
	r.MaxMinutes = r.MinMinutes + rng.IntN(20)
	if rng.IntN(3) == 0 {
		r.Weights = map[string]int{}
		for d, w := range randomWeights(rng, nd) {
			r.Weights[fmt.Sprintf("dim%d", d)] = w
		}
	}

	var b assembly.Bank
	for {
		var qs []qbank.Question
		for i := range 10 + rng.IntN(14) {
			c := comps[rng.IntN(len(comps))]
			if rng.IntN(3) > 0 {
				c = role.Competencies[rng.IntN(len(role.Competencies))]
			}
			x := qbank.Question{ID: fmt.Sprintf("q-%02d", i), Version: 1 + rng.IntN(3), State: qbank.StateActive, Content: qbank.Content{
				Text: fmt.Sprintf("question %d", i), Roles: []string{"role-a"}, Dimension: dimOf[c], Competency: c,
				WhatItReveals: "x", ResponseFormat: video, Minutes: 1 + rng.IntN(10),
			}}
			if rng.IntN(2) == 0 {
				x.ResponseFormat = written
			}
			switch rng.IntN(12) {
			case 0:
				x.State = qbank.StateRetired
			case 1:
				x.State = qbank.StateDraft
			case 2:
				x.Roles = []string{"role-b"}
			case 3:
				x.Seniorities = []string{tax.Seniorities[rng.IntN(3)]}
			}
			if rng.IntN(4) == 0 {
				x.Stacks = []string{fmt.Sprintf("s%d", rng.IntN(4))}
				if rng.IntN(3) == 0 {
					x.Stacks = append(x.Stacks, fmt.Sprintf("s%d", rng.IntN(4)))
				}
			}
			if rng.IntN(4) == 0 {
				x.StackVariants = map[string]qbank.StackVariant{}
				for s := range 4 {
					if rng.IntN(2) == 0 {
						x.StackVariants[fmt.Sprintf("s%d", s)] = qbank.StackVariant{Text: fmt.Sprintf("question %d for s%d", i, s)}
					}
				}
			}
			qs = append(qs, x)
		}
		b = assembly.Bank{Taxonomy: tax, Questions: qs, Revision: rng.Int64N(100)}
		var elig []string
		n := normalise(nil, tax, r)
		for i := range qs {
			if n.eligible(&qs[i]) {
				elig = append(elig, qs[i].ID)
			}
		}
		if len(elig) > 16 {
			continue
		}
		if len(elig) > 0 && rng.IntN(3) == 0 {
			r.Required = []string{elig[rng.IntN(len(elig))]}
		}
		if rng.IntN(3) == 0 {
			id := qs[rng.IntN(len(qs))].ID
			if !slices.Contains(r.Required, id) {
				r.Excluded = []string{id}
			}
		}
		return b, r
	}
}

func randomWeights(rng *rand.Rand, n int) []int {
	w := make([]int, n)
	left := 100
	for i := range n - 1 {
		w[i] = rng.IntN(left + 1)
		left -= w[i]
	}
	w[n-1] = left
	rng.Shuffle(n, func(i, j int) { w[i], w[j] = w[j], w[i] })
	return w
}

// TestAgainstBruteForce: on banks small enough to enumerate, every answer
// meets the hard constraints and is one of the selections the engine may
// draw (within the tolerance when the bank has any, else of least
// deviation); every refusal is a bank with no feasible selection; and the
// distribution's largest exposure is the exact minimax optimum, computed
// by an independent linear programme over the enumerated selections.
func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	iterations := 1500
	if testing.Short() || raceEnabled {
		iterations = 200
	}
	var feasible, infeasible, closest int
	worst := 0.0
	for it := range iterations {
		b, r := randomCase(rng)
		if rng.IntN(4) == 0 {
			tol := rng.IntN(15)
			r.TolerancePoints = &tol
		}
		acc, ok := bruteForce(t, b, r)
		a, err := assembly.Assemble(b, r)
		if !ok {
			if qbank.ErrorCode(err) != qbank.EPRECONDITION {
				t.Fatalf("case %d: brute force finds nothing but the engine gave %v, %+v\nrequest %+v", it, err, a, r)
			}
			if _, feasible := newOracle(t, b, r); feasible {
				t.Fatalf("case %d: the oracle finds a selection where enumeration finds none", it)
			}
			infeasible++
			continue
		}
		if err != nil {
			t.Fatalf("case %d: engine failed on a feasible bank: %v\nrequest %+v", it, err, r)
		}
		checkAssessment(t, b, r, a)
		if !acc.has(ids(a)) {
			t.Fatalf("case %d: %v is not an acceptable selection (within tolerance: %v)\nrequest %+v", it, ids(a), acc.within, r)
		}
		if want := map[bool]assembly.Balance{true: assembly.WithinTolerance, false: assembly.ClosestPossible}[acc.within]; a.Balance != want {
			t.Fatalf("case %d: balance %v, want %v", it, a.Balance, want)
		}
		e, err := assembly.AnalyzeExposure(b, r)
		if err != nil {
			t.Fatalf("case %d: exposure: %v", it, err)
		}
		opt := minimaxExposure(t, acc)
		worst = max(worst, math.Abs(e.MaxExposure-opt))
		if math.Abs(e.MaxExposure-opt) > 1e-6 {
			t.Fatalf("case %d: largest exposure %.9f, the exact minimax optimum is %.9f\nrequest %+v", it, e.MaxExposure, opt, r)
		}
		// The oracle used where enumeration is out of reach
		// (oracle_test.go) must agree with the enumeration.
		o, ok := newOracle(t, b, r)
		if !ok || o.within != acc.within {
			t.Fatalf("case %d: oracle feasible %v within %v, enumeration within %v", it, ok, o.within, acc.within)
		}
		if lower, upper := o.minimax(); opt < lower-1e-6 || opt > upper+1e-6 {
			t.Fatalf("case %d: oracle %.9f–%.9f, enumeration %.9f\nrequest %+v", it, lower, upper, opt, r)
		}
		if n := o.countSelections(); n != float64(len(acc.sets)) {
			t.Fatalf("case %d: oracle counts %.0f selections, enumeration %d", it, n, len(acc.sets))
		}
		if e.AcceptableAssessments != int64(len(acc.sets)) || e.AcceptableIsLowerBound {
			t.Fatalf("case %d: %d acceptable assessments reported, brute force counts %d", it, e.AcceptableAssessments, len(acc.sets))
		}
		if !acc.within {
			closest++
		}
		feasible++
	}
	t.Logf("%d feasible (%d closest possible), %d infeasible; largest |engine − oracle| %.2g", feasible, closest, infeasible, worst)
	if feasible < iterations/5 || infeasible < iterations/20 || closest < iterations/50 {
		t.Fatalf("generator is lopsided: %d feasible, %d closest, %d infeasible", feasible, closest, infeasible)
	}
}

// TestFrequenciesMatchDistribution: over many seeds, each question appears
// in the share of assessments its reported exposure says (within five
// standard errors), and the mean overlap of pairs matches the expected
// overlap.
func TestFrequenciesMatchDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 55))
	draws, want := 3000, 12
	if testing.Short() || raceEnabled {
		draws, want = 1000, 4
	}
	cases := 0
	for cases < want {
		b, r := randomCase(rng)
		asm := assembly.NewAssembler(8, 1<<20)
		e, err := asm.AnalyzeExposure(context.Background(), b, r)
		if err != nil {
			continue
		}
		cases++
		checkFrequencies(t, asm, b, r, e, draws)
	}
	b := smallBank()
	for _, r := range []assembly.Request{{Role: "backend-engineer"}, {Role: "data-engineer", Stacks: []string{"kafka"}}} {
		asm := assembly.NewAssembler(8, 1<<20)
		e, err := asm.AnalyzeExposure(context.Background(), b, r)
		if err != nil {
			t.Fatal(err)
		}
		checkFrequencies(t, asm, b, r, e, draws)
	}
}

func checkFrequencies(t *testing.T, asm *assembly.Assembler, b assembly.Bank, r assembly.Request, e assembly.Exposure, draws int) {
	t.Helper()
	seen := map[string]int{}
	for seed := range int64(draws) {
		r.Seed = seed*7919 + 1
		a, err := asm.Assemble(context.Background(), b, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range a.Items {
			seen[it.QuestionID]++
		}
	}
	for _, it := range e.Items {
		got := float64(seen[it.QuestionID]) / float64(draws)
		se := math.Sqrt(it.Exposure*(1-it.Exposure)/float64(draws)) + 1e-9
		if math.Abs(got-it.Exposure) > 5*se {
			t.Fatalf("%s: in %.4f of %d assessments, exposure %.4f (±%.4f)", it.QuestionID, got, draws, it.Exposure, 5*se)
		}
		delete(seen, it.QuestionID)
	}
	if len(seen) > 0 {
		t.Fatalf("drawn but not in the report: %v", seen)
	}
}

// TestConstraintsOnGeneratedBanks runs many requests against large
// generated banks, where brute force is out of reach: every answer must
// still meet every hard constraint.
func TestConstraintsOnGeneratedBanks(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	tax := testTaxonomy()
	var answered, refused int
	// Each request is a new shape, so each computes its distribution.
	// Under the race detector (about ten times slower, and the engine runs
	// one goroutine per computation) three banks, one request each.
	banks, perBank := 6, 8
	if testing.Short() || raceEnabled {
		banks, perBank = 3, 1
	}
	for bank := range banks {
		b := genBank(200+bank*150, uint64(bank))
		for range perBank {
			r := assembly.Request{Role: tax.Roles[rng.IntN(4)].ID, Seed: rng.Int64()}
			if rng.IntN(3) == 0 {
				r.Seniority = tax.Seniorities[rng.IntN(3)]
			}
			for range rng.IntN(4) {
				r.Stacks = append(r.Stacks, tax.Stacks[rng.IntN(len(tax.Stacks))].ID)
			}
			if rng.IntN(2) == 0 {
				r.MinMinutes = 20 + rng.IntN(40)
				r.MaxMinutes = r.MinMinutes + rng.IntN(30)
			}
			if rng.IntN(3) == 0 {
				r.Weights = map[string]int{"technical": 60, "behavioral": 25, "contextual": 15}
			}
			a, err := assembly.Assemble(b, r)
			if err != nil {
				if qbank.ErrorCode(err) != qbank.EPRECONDITION {
					t.Fatalf("bank %d, %+v: %v", bank, r, err)
				}
				refused++
				continue
			}
			checkAssessment(t, b, r, a)
			answered++
		}
	}
	t.Logf("%d answered, %d refused", answered, refused)
	if answered < banks*perBank*2/3 {
		t.Fatalf("only %d answered", answered)
	}
}

// TestDeterministic: the same seed on the same bank gives the same answer,
// whatever order the bank lists its questions in.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 200 {
		b, r := randomCase(rng)
		a1, err1 := assembly.Assemble(b, r)
		a2, err2 := assembly.Assemble(b, r)
		shuffled := b
		shuffled.Questions = slices.Clone(b.Questions)
		rng.Shuffle(len(shuffled.Questions), func(i, j int) {
			shuffled.Questions[i], shuffled.Questions[j] = shuffled.Questions[j], shuffled.Questions[i]
		})
		a3, err3 := assembly.Assemble(shuffled, r)
		if !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(a1, a3) || fmt.Sprint(err1) != fmt.Sprint(err2) || fmt.Sprint(err1) != fmt.Sprint(err3) {
			t.Fatalf("not deterministic for %+v:\n%+v\n%+v\n%+v", r, a1, a2, a3)
		}
	}
	size := 1200
	if raceEnabled {
		size = 400
	}
	b := genBank(size, 9)
	r := assembly.Request{Role: "backend-engineer", Stacks: []string{"go", "kafka"}, Seed: 42}
	a1, err1 := assembly.Assemble(b, r)
	a2, err2 := assembly.Assemble(b, r)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a1, a2) {
		t.Fatalf("%d-question bank: not deterministic (%v, %v)", size, err1, err2)
	}
}

// TestSeedsVary: on a bank with many equally good selections, different
// seeds pick different ones, all optimal.
func TestSeedsVary(t *testing.T) {
	size := 1000
	if raceEnabled {
		size = 400
	}
	b := genBank(size, 5)
	r := assembly.Request{Role: "backend-engineer"}
	distinct := map[string]bool{}
	asm := assembly.NewAssembler(4, 64<<20)
	for seed := range int64(30) {
		r.Seed = seed
		a, err := asm.Assemble(context.Background(), b, r)
		if err != nil {
			t.Fatal(err)
		}
		checkAssessment(t, b, r, a)
		if a.Balance != assembly.WithinTolerance {
			t.Fatalf("seed %d: balance %v on a large bank", seed, a.Balance)
		}
		distinct[strings.Join(ids(a), ",")] = true
	}
	if len(distinct) < 25 {
		t.Fatalf("30 seeds gave only %d distinct assessments", len(distinct))
	}

	small := smallBank()
	distinct = map[string]bool{}
	for seed := range int64(30) {
		a, err := assembly.Assemble(small, assembly.Request{Role: "backend-engineer", Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, it := range a.Items {
			ids = append(ids, it.QuestionID)
		}
		distinct[strings.Join(ids, ",")] = true
	}
	t.Logf("small bank: %d distinct assessments over 30 seeds", len(distinct))
	if len(distinct) < 2 {
		t.Fatal("the seed never changes the small bank's assessment")
	}
}

// TestOptimalRealisticShapes: the shipped taxonomy's shape (45/35/20,
// seven competencies for data-engineer), one or two questions per
// competency with realistic minutes, the default window: mostly feasible
// and inside ±5, and still checked against brute force.
func TestOptimalRealisticShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(99, 1))
	tax := testTaxonomy()
	role, _ := tax.Role("data-engineer")
	iterations := 800
	if testing.Short() || raceEnabled {
		iterations = 100
	}
	var inside, infeasible int
	for it := range iterations {
		var qs []qbank.Question
		for _, c := range role.Competencies {
			for k := range 1 + rng.IntN(2) {
				f, m := video, 3+rng.IntN(4)
				if rng.IntN(2) == 0 {
					f, m = written, 4+rng.IntN(7)
				}
				qs = append(qs, q(fmt.Sprintf("%s-%d", c, k), c, f, m, []string{role.ID}))
			}
		}
		if rng.IntN(2) == 0 && len(qs) < 16 {
			c := role.Competencies[rng.IntN(len(role.Competencies))]
			qs = append(qs, q("kafka-specific", c, written, 4+rng.IntN(7), []string{role.ID}, stacks("kafka"), variants("kafka", "Kafka wording")))
		}
		b := assembly.Bank{Taxonomy: tax, Questions: qs}
		r := assembly.Request{Role: role.ID, Seed: rng.Int64()}
		if rng.IntN(2) == 0 {
			r.Stacks = []string{"kafka"}
		}
		if rng.IntN(3) == 0 {
			r.MinMinutes, r.MaxMinutes = 30+rng.IntN(10), 45+rng.IntN(15)
		}
		acc, ok := bruteForce(t, b, r)
		a, err := assembly.Assemble(b, r)
		if !ok {
			if qbank.ErrorCode(err) != qbank.EPRECONDITION {
				t.Fatalf("case %d: infeasible bank gave %v, %+v", it, err, a)
			}
			infeasible++
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", it, err)
		}
		checkAssessment(t, b, r, a)
		if !acc.has(ids(a)) || (a.Balance == assembly.WithinTolerance) != acc.within {
			t.Fatalf("case %d: %v (balance %v) is not acceptable", it, ids(a), a.Balance)
		}
		if it%4 == 0 {
			e, err := assembly.AnalyzeExposure(b, r)
			if err != nil {
				t.Fatal(err)
			}
			if opt := minimaxExposure(t, acc); math.Abs(e.MaxExposure-opt) > 1e-6 {
				t.Fatalf("case %d: largest exposure %.9f, optimum %.9f", it, e.MaxExposure, opt)
			}
		}
		if a.WithinTolerance {
			inside++
		}
	}
	t.Logf("%d of %d inside ±5, %d infeasible", inside, iterations, infeasible)
}
