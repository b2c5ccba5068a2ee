package assembly_test

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
)

// testTaxonomy mirrors the shipped taxonomy's shape: three dimensions, four
// roles of seven or eight competencies, stacks with aliases.
func testTaxonomy() *qbank.Taxonomy {
	comp := func(id, dim string) qbank.Competency {
		title := strings.ToUpper(id[:1]) + strings.ReplaceAll(id[1:], "-", " ")
		return qbank.Competency{ID: id, Dimension: dim, Title: title, Description: "d", GreatLooksLike: "g", RedFlags: "r"}
	}
	w := map[string]int{"technical": 45, "behavioral": 35, "contextual": 20}
	shared := []string{"technical-communication", "collaboration", "ownership", "growth-trajectory"}
	return &qbank.Taxonomy{
		Dimensions: []qbank.Dimension{{ID: "technical", Title: "Technical", Weight: 45}, {ID: "behavioral", Title: "Behavioral", Weight: 35}, {ID: "contextual", Title: "Contextual", Weight: 20}},
		Competencies: []qbank.Competency{
			comp("system-design", "technical"), comp("api-architecture", "technical"), comp("debugging-operations", "technical"),
			comp("code-quality", "technical"), comp("frontend-architecture", "technical"), comp("api-integration", "technical"),
			comp("infrastructure-as-code", "technical"), comp("ci-cd", "technical"), comp("observability", "technical"),
			comp("pipeline-design", "technical"), comp("data-modeling", "technical"), comp("data-quality", "technical"),
			comp("technical-communication", "behavioral"), comp("collaboration", "behavioral"), comp("ownership", "behavioral"),
			comp("growth-trajectory", "contextual"),
		},
		Roles: []qbank.Role{
			{ID: "backend-engineer", Title: "Backend Engineer", DimensionWeights: w, Competencies: append([]string{"system-design", "api-architecture", "debugging-operations", "code-quality"}, shared...)},
			{ID: "full-stack-developer", Title: "Full Stack Developer", DimensionWeights: w, Competencies: append([]string{"frontend-architecture", "api-integration", "system-design", "code-quality"}, shared...)},
			{ID: "devops-engineer", Title: "DevOps Engineer", DimensionWeights: w, Competencies: append([]string{"infrastructure-as-code", "ci-cd", "observability", "debugging-operations"}, shared...)},
			{ID: "data-engineer", Title: "Data Engineer", DimensionWeights: w, Competencies: append([]string{"pipeline-design", "data-modeling", "data-quality"}, shared...)},
		},
		Stacks: []qbank.Stack{
			{ID: "go", Title: "Go", Aliases: []string{"golang"}}, {ID: "java", Title: "Java"},
			{ID: "python", Title: "Python", Aliases: []string{"py"}}, {ID: "nodejs", Title: "Node.js", Aliases: []string{"node", "node.js"}},
			{ID: "postgresql", Title: "PostgreSQL", Aliases: []string{"postgres", "pg"}}, {ID: "kafka", Title: "Apache Kafka"},
			{ID: "kubernetes", Title: "Kubernetes", Aliases: []string{"k8s"}}, {ID: "aws", Title: "AWS"},
		},
		Seniorities: []string{"junior", "mid", "senior"},
	}
}

var compDim = func() map[string]string {
	m := map[string]string{}
	for _, c := range testTaxonomy().Competencies {
		m[c.ID] = c.Dimension
	}
	return m
}()

var allRoles = []string{"backend-engineer", "full-stack-developer", "devops-engineer", "data-engineer"}

// q builds an active question; opts tweak it.
func q(id, competency string, format qbank.ResponseFormat, minutes int, roles []string, opts ...func(*qbank.Question)) qbank.Question {
	x := qbank.Question{
		ID: id, Version: 1, State: qbank.StateActive,
		Content: qbank.Content{
			Text: "Tell us about " + id + ".", Roles: roles, Dimension: compDim[competency], Competency: competency,
			WhatItReveals: "How they think about " + competency + ".", ResponseFormat: format, Minutes: minutes,
		},
	}
	for _, o := range opts {
		o(&x)
	}
	return x
}

func stacks(s ...string) func(*qbank.Question) { return func(x *qbank.Question) { x.Stacks = s } }
func variants(kv ...string) func(*qbank.Question) {
	return func(x *qbank.Question) {
		x.StackVariants = map[string]qbank.StackVariant{}
		for i := 0; i < len(kv); i += 2 {
			x.StackVariants[kv[i]] = qbank.StackVariant{Text: kv[i+1]}
		}
	}
}
func state(s qbank.State) func(*qbank.Question) { return func(x *qbank.Question) { x.State = s } }
func seniorities(s ...string) func(*qbank.Question) {
	return func(x *qbank.Question) { x.Seniorities = s }
}

const (
	video   = qbank.FormatVideo
	written = qbank.FormatWritten
)

// smallBank is a realistic 51-question bank: three questions per
// competency, behavioral and contextual ones shared by every role, a few
// stack-specific questions and variants.
func smallBank() assembly.Bank {
	be, fs, do, de := "backend-engineer", "full-stack-developer", "devops-engineer", "data-engineer"
	var qs []qbank.Question
	add := func(comp string, roles []string, specs ...any) {
		for i := 0; i < len(specs); i += 2 {
			qs = append(qs, q(fmt.Sprintf("%s-%d", comp, i/2+1), comp, specs[i].(qbank.ResponseFormat), specs[i+1].(int), roles))
		}
	}
	add("system-design", []string{be, fs}, written, 10, video, 5, written, 8)
	add("api-architecture", []string{be}, written, 8, video, 4, written, 6)
	add("debugging-operations", []string{be, do}, video, 5, written, 7, video, 3)
	add("code-quality", []string{be, fs}, written, 5, video, 4, written, 9)
	add("frontend-architecture", []string{fs}, written, 8, video, 5, written, 6)
	add("api-integration", []string{fs}, video, 4, written, 7, written, 5)
	add("infrastructure-as-code", []string{do}, written, 8, video, 4, written, 6)
	add("ci-cd", []string{do}, video, 5, written, 6, written, 8)
	add("observability", []string{do}, written, 7, video, 6, written, 4)
	add("pipeline-design", []string{de}, written, 10, video, 5, written, 7)
	add("data-modeling", []string{de}, written, 8, video, 4, written, 6)
	add("data-quality", []string{de}, video, 5, written, 6, written, 8)
	add("technical-communication", allRoles, video, 4, video, 5, written, 6)
	add("collaboration", allRoles, video, 3, video, 5, written, 5)
	add("ownership", allRoles, video, 4, written, 6, video, 6)
	add("growth-trajectory", allRoles, video, 4, written, 5, video, 3)
	qs[0].StackVariants = map[string]qbank.StackVariant{"go": {Text: "Design it in Go."}, "java": {Text: "Design it in Java."}}
	qs = append(qs,
		q("go-concurrency-leak", "debugging-operations", written, 6, []string{be, do}, stacks("go")),
		q("kafka-consumer-lag", "system-design", video, 5, []string{be, de}, stacks("kafka"), variants("kafka", "Walk us through lag on your Kafka consumers.")),
		q("postgres-slow-query", "debugging-operations", written, 8, []string{be, de}, stacks("postgresql")),
	)
	return assembly.Bank{Taxonomy: testTaxonomy(), Questions: qs, Revision: 7}
}

// genBank generates n questions over the test taxonomy: random roles,
// competencies, formats (video 3–6 min, written 4–10), some seniority- and
// stack-specific questions and variants.
func genBank(n int, seed uint64) assembly.Bank {
	rng := rand.New(rand.NewPCG(seed, 1))
	tax := testTaxonomy()
	stackIDs := make([]string, len(tax.Stacks))
	for i, s := range tax.Stacks {
		stackIDs[i] = s.ID
	}
	qs := make([]qbank.Question, 0, n)
	for i := range n {
		role := tax.Roles[rng.IntN(len(tax.Roles))]
		comp := role.Competencies[rng.IntN(len(role.Competencies))]
		roles := []string{role.ID}
		if compDim[comp] != "technical" && rng.IntN(2) == 0 {
			roles = allRoles
		}
		f, m := video, 3+rng.IntN(4)
		if rng.IntN(2) == 0 {
			f, m = written, 4+rng.IntN(7)
		}
		x := q(fmt.Sprintf("q-%05d", i), comp, f, m, roles)
		switch r := rng.IntN(20); {
		case r == 0:
			x.State = qbank.StateRetired
		case r == 1:
			x.State = qbank.StateDraft
		case r < 4:
			x.Seniorities = []string{tax.Seniorities[rng.IntN(3)]}
		}
		switch r := rng.IntN(10); {
		case r == 0:
			x.Stacks = []string{stackIDs[rng.IntN(len(stackIDs))]}
		case r < 3:
			s := stackIDs[rng.IntN(len(stackIDs))]
			x.StackVariants = map[string]qbank.StackVariant{s: {Text: x.Text + " (" + s + ")"}}
		}
		qs = append(qs, x)
	}
	return assembly.Bank{Taxonomy: tax, Questions: qs, Revision: 1}
}

// wantCode asserts err is a *qbank.Error with the code and, when field is
// set, a violation of that field whose description contains all of want;
// otherwise the message must contain them.
func wantCode(t *testing.T, err error, code qbank.Code, field string, want ...string) {
	t.Helper()
	var e *qbank.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *qbank.Error %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, e, code)
	}
	text := e.Message
	if field != "" {
		i := slices.IndexFunc(e.Violations, func(v qbank.FieldViolation) bool { return v.Field == field })
		if i < 0 {
			t.Fatalf("no violation of %s in %v", field, e)
		}
		text = e.Violations[i].Description
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%q does not mention %q", text, w)
		}
	}
}

// resolved is a request normalised as the API documents, independently of
// the engine: case-insensitive role and seniority, stack aliases, trimmed
// ids, 35–45 minutes and ±5 points by default.
type resolved struct {
	tax                *qbank.Taxonomy
	role               qbank.Role
	seniority          string
	stacks             []string
	required, excluded []string
	lo, hi, tol        int
	weights            map[string]int
}

func normalise(t *testing.T, tax *qbank.Taxonomy, r assembly.Request) resolved {
	if t == nil {
		t = &testing.T{} // only for requests known to be valid
	} else {
		t.Helper()
	}
	n := resolved{tax: tax}
	if tp := r.Template; tp != nil {
		// The template fills what the request leaves unset; its ids add to
		// the request's.
		r.Role = cmp.Or(r.Role, tp.Role)
		r.Seniority = cmp.Or(r.Seniority, tp.Seniority)
		if len(r.Stacks) == 0 {
			r.Stacks = tp.Stacks
		}
		r.MinMinutes, r.MaxMinutes = cmp.Or(r.MinMinutes, tp.MinMinutes), cmp.Or(r.MaxMinutes, tp.MaxMinutes)
		if len(r.Weights) == 0 {
			r.Weights = tp.DimensionWeights
		}
		if r.TolerancePoints == nil && tp.TolerancePoints != 0 {
			r.TolerancePoints = &tp.TolerancePoints
		}
		r.Required = append(slices.Clone(tp.RequiredQuestionIDs), r.Required...)
		r.Excluded = append(slices.Clone(tp.ExcludedQuestionIDs), r.Excluded...)
	}
	role, ok := tax.Role(strings.ToLower(strings.TrimSpace(r.Role)))
	if !ok {
		t.Fatalf("assembled for unknown role %q", r.Role)
	}
	n.role = role
	n.seniority = strings.ToLower(strings.TrimSpace(r.Seniority))
	for _, s := range r.Stacks {
		id, ok := tax.ResolveStack(s)
		if !ok {
			t.Fatalf("assembled with unknown stack %q", s)
		}
		if !slices.Contains(n.stacks, id) {
			n.stacks = append(n.stacks, id)
		}
	}
	for _, id := range r.Required {
		n.required = append(n.required, strings.TrimSpace(id))
	}
	for _, id := range r.Excluded {
		n.excluded = append(n.excluded, strings.TrimSpace(id))
	}
	n.lo, n.hi = cmp.Or(r.MinMinutes, 35), cmp.Or(r.MaxMinutes, 45)
	n.tol = 5
	if r.TolerancePoints != nil {
		n.tol = *r.TolerancePoints
	}
	n.weights = r.Weights
	if len(n.weights) == 0 {
		n.weights = role.DimensionWeights
	}
	return n
}

// eligible applies SPEC §4's candidate rules, and keeps out the questions
// anyone can read in a published collection.
func (n resolved) eligible(x *qbank.Question) bool {
	if x.State != qbank.StateActive || !slices.Contains(x.Roles, n.role.ID) {
		return false
	}
	if n.tax.PublishedIn(&x.Content) != "" {
		return false
	}
	if n.seniority != "" && len(x.Seniorities) > 0 && !slices.Contains(x.Seniorities, n.seniority) {
		return false
	}
	if len(x.Stacks) > 0 && !slices.ContainsFunc(x.Stacks, func(s string) bool { return slices.Contains(n.stacks, s) }) {
		return false
	}
	return !slices.Contains(n.excluded, x.ID)
}

// checkAssessment is the one oracle for SPEC §4's hard constraints: it
// verifies them on a from the bank and the raw request alone, with the
// rendering (variant text, reason) and the reported figures.
func checkAssessment(t *testing.T, b assembly.Bank, r assembly.Request, a assembly.Assessment) {
	t.Helper()
	tax := b.Taxonomy
	n := normalise(t, tax, r)
	byID := map[string]*qbank.Question{}
	for i := range b.Questions {
		byID[b.Questions[i].ID] = &b.Questions[i]
	}
	total := 0
	seen := map[string]bool{}
	covered := map[string]bool{}
	formats := map[qbank.ResponseFormat]bool{}
	minutes := map[string]int{}
	stackHit := map[string]bool{}
	for _, it := range a.Items {
		x := byID[it.QuestionID]
		switch {
		case x == nil:
			t.Fatalf("item %s is not in the bank", it.QuestionID)
		case seen[x.ID]:
			t.Fatalf("item %s appears twice", x.ID)
		case !n.eligible(x):
			t.Fatalf("item %s is not eligible (state %s, roles %v, seniorities %v, stacks %v)", x.ID, x.State, x.Roles, x.Seniorities, x.Stacks)
		case it.Version != x.Version || it.Minutes != x.Minutes || it.Dimension != x.Dimension || it.Competency != x.Competency || it.ResponseFormat != x.ResponseFormat:
			t.Fatalf("item %s is not pinned to its question's version and figures", x.ID)
		}
		seen[x.ID] = true
		wantText, wantStack := x.Text, ""
		for _, s := range n.stacks {
			if v, ok := x.StackVariants[s]; ok {
				wantText, wantStack = v.Text, s
				break
			}
		}
		if it.Text != wantText || it.Stack != wantStack {
			t.Fatalf("item %s text %q (stack %q), want %q (%q)", x.ID, it.Text, it.Stack, wantText, wantStack)
		}
		if it.Reason == "" {
			t.Fatalf("item %s has no reason", x.ID)
		}
		total += x.Minutes
		covered[x.Competency] = true
		formats[x.ResponseFormat] = true
		minutes[x.Dimension] += x.Minutes
		for _, s := range x.Stacks {
			stackHit[s] = true
		}
	}
	if total != a.TotalMinutes || total < n.lo || total > n.hi {
		t.Fatalf("total %d minutes (reported %d) outside [%d, %d]", total, a.TotalMinutes, n.lo, n.hi)
	}
	for _, c := range n.role.Competencies {
		if !covered[c] {
			t.Fatalf("competency %s of %s is not covered", c, n.role.ID)
		}
	}
	if !formats[video] || !formats[written] {
		t.Fatalf("formats %v: want a video and a written item", formats)
	}
	for _, id := range n.required {
		if id != "" && !seen[id] {
			t.Fatalf("required %s is missing", id)
		}
	}
	for _, id := range n.excluded {
		if seen[id] {
			t.Fatalf("excluded %s is present", id)
		}
	}
	for _, s := range n.stacks {
		if !stackHit[s] && slices.ContainsFunc(b.Questions, func(x qbank.Question) bool { return slices.Contains(x.Stacks, s) && n.eligible(&x) }) {
			t.Fatalf("stack %s has eligible stack-specific questions but got none", s)
		}
	}
	dev, sum := 0.0, 0.0
	inside := true
	for _, d := range tax.Dimensions {
		share := 100 * float64(minutes[d.ID]) / float64(total)
		if got := a.DimensionShares[d.ID]; math.Abs(got-share) > 1e-9 {
			t.Fatalf("share of %s reported %v, is %v", d.ID, got, share)
		}
		sum += share
		dev += math.Abs(share - float64(n.weights[d.ID]))
		if abs(100*minutes[d.ID]-n.weights[d.ID]*total) > n.tol*total {
			inside = false
		}
	}
	if math.Abs(sum-100) > 1e-6 || math.Abs(dev-a.Deviation) > 1e-9 {
		t.Fatalf("shares sum to %v, deviation %v reported %v", sum, dev, a.Deviation)
	}
	if a.WithinTolerance != inside || a.TolerancePoints != n.tol {
		t.Fatalf("WithinTolerance %v (±%d) but the shares are inside: %v (±%d)", a.WithinTolerance, a.TolerancePoints, inside, n.tol)
	}
	if a.Balance == assembly.WithinTolerance && !inside {
		t.Fatalf("balance %v but shares %v are not within ±%d of %v", a.Balance, a.DimensionShares, n.tol, n.weights)
	}
	if a.BankRevision != b.Revision || a.Seed != r.Seed {
		t.Fatalf("revision/seed not echoed")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// accepted is what the brute force finds: the eligible questions and every
// subset (bit i: cands[i]) the engine may draw: those within the tolerance
// or, when there are none, those of least deviation.
type accepted struct {
	cands  []*qbank.Question
	sets   []uint64
	within bool
	// devN/devT is the least deviation Σ|100·m_d − w_d·T| / T (only
	// meaningful when !within).
	devN, devT int
}

func (a accepted) has(ids []string) bool {
	var set uint64
	for _, id := range ids {
		i := slices.IndexFunc(a.cands, func(x *qbank.Question) bool { return x.ID == id })
		if i < 0 {
			return false
		}
		set |= 1 << i
	}
	_, ok := slices.BinarySearch(a.sets, set)
	return ok
}

// bruteForce enumerates every subset of the eligible questions (at most 20)
// and keeps the ones the engine may draw; ok is false when no subset meets
// the hard constraints.
func bruteForce(t *testing.T, b assembly.Bank, r assembly.Request) (accepted, bool) {
	t.Helper()
	n := normalise(t, b.Taxonomy, r)
	var out accepted
	for i := range b.Questions {
		if n.eligible(&b.Questions[i]) {
			out.cands = append(out.cands, &b.Questions[i])
		}
	}
	if len(out.cands) > 64 {
		t.Fatalf("%d candidates: too many to enumerate", len(out.cands))
	}
	// Each question's features: the role competency it covers, its format,
	// the needed stack it is specific to. A selection must have them all.
	var needStacks []string
	for _, s := range n.stacks {
		if slices.ContainsFunc(out.cands, func(x *qbank.Question) bool { return slices.Contains(x.Stacks, s) }) {
			needStacks = append(needStacks, s)
		}
	}
	comps := len(n.role.Competencies)
	need := uint64(1)<<(comps+2+len(needStacks)) - 1
	feat := make([]uint64, len(out.cands))
	var reqMask uint64
	for i, x := range out.cands {
		if c := slices.Index(n.role.Competencies, x.Competency); c >= 0 {
			feat[i] |= 1 << c
		}
		if x.ResponseFormat == video {
			feat[i] |= 1 << comps
		} else {
			feat[i] |= 1 << (comps + 1)
		}
		for k, s := range needStacks {
			if slices.Contains(x.Stacks, s) {
				feat[i] |= 1 << (comps + 2 + k)
			}
		}
		if slices.Contains(n.required, x.ID) {
			reqMask |= 1 << i
		}
	}
	suffix := make([]uint64, len(out.cands)+1)
	for i := len(out.cands) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] | feat[i]
	}
	type cand struct {
		set  uint64
		n, T int
		in   bool
	}
	var all []cand
	// A depth-first walk over include/exclude decisions, cut where the
	// minutes overflow or the rest cannot supply a missing feature: every
	// selection meeting the hard constraints is visited once.
	var walk func(i int, set, have uint64, total int)
	walk = func(i int, set, have uint64, total int) {
		if total > n.hi || (have|suffix[i])&need != need {
			return
		}
		if i == len(out.cands) {
			if total < n.lo {
				return
			}
			minutes := map[string]int{}
			for j, x := range out.cands {
				if set&(1<<j) != 0 {
					minutes[x.Dimension] += x.Minutes
				}
			}
			c := cand{set: set, T: total, in: true}
			for _, d := range b.Taxonomy.Dimensions {
				x := abs(100*minutes[d.ID] - n.weights[d.ID]*total)
				c.n += x
				if x > n.tol*total {
					c.in = false
				}
			}
			all = append(all, c)
			return
		}
		walk(i+1, set|1<<i, have|feat[i], total+out.cands[i].Minutes)
		if reqMask&(1<<i) == 0 {
			walk(i+1, set, have, total)
		}
	}
	walk(0, 0, 0, 0)
	if len(all) == 0 {
		return out, false
	}
	out.within = slices.ContainsFunc(all, func(c cand) bool { return c.in })
	if !out.within {
		out.devN, out.devT = all[0].n, all[0].T
		for _, c := range all {
			if c.n*out.devT < out.devN*c.T {
				out.devN, out.devT = c.n, c.T
			}
		}
	}
	for _, c := range all {
		if (out.within && c.in) || (!out.within && c.n*out.devT == out.devN*c.T) {
			out.sets = append(out.sets, c.set)
		}
	}
	slices.Sort(out.sets)
	return out, true
}

// minimaxExposure is the test oracle for the engine's distribution: the
// least possible largest exposure over distributions on the accepted
// selections, solved as an explicit linear programme by gonum's simplex:
//
//	minimise t  s.t.  Σ_s π_s·[i ∈ s] + slack_i − t = 0 for every question i,
//	                  Σ_s π_s = 1,  π, slack, t ≥ 0.
//
// With many selections it adds them as cuts to the dual instead (see
// minimaxByCuts), which gives the same optimum.
func minimaxExposure(t *testing.T, a accepted) float64 {
	t.Helper()
	if len(a.sets) > 3000 {
		return minimaxByCuts(t, a)
	}
	I, S := len(a.cands), len(a.sets)
	cols := S + 1 + I
	A := mat.NewDense(I+1, cols, nil)
	c := make([]float64, cols)
	c[S] = 1
	b := make([]float64, I+1)
	for j, set := range a.sets {
		for i := range I {
			if set&(1<<i) != 0 {
				A.Set(i, j, 1)
			}
		}
		A.Set(I, j, 1)
	}
	for i := range I {
		A.Set(i, S, -1)
		A.Set(i, S+1+i, 1)
	}
	b[I] = 1
	opt, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	if err != nil {
		t.Fatalf("oracle LP: %v", err)
	}
	return opt
}

// minimaxByCuts solves the dual, max μ s.t. μ ≤ Σ_{i∈s} y_i for every
// accepted s, Σ y = 1, y ≥ 0 (its optimum is the primal's, by LP duality),
// adding the most violated selection as a cut until none is violated. Every
// accepted selection is checked at each round, so the answer is exact.
func minimaxByCuts(t *testing.T, a accepted) float64 {
	t.Helper()
	I := len(a.cands)
	cuts := []uint64{a.sets[0]}
	for round := 0; ; round++ {
		// Variables: y_0..y_{I-1}, μ⁺, μ⁻ (μ is free), a slack per cut.
		// Rows: Σ y = 1; μ⁺ − μ⁻ − Σ_{i∈s} y_i + slack_s = 0 per cut.
		C := len(cuts)
		cols := I + 2 + C
		A := mat.NewDense(1+C, cols, nil)
		for i := range I {
			A.Set(0, i, 1)
		}
		for k, s := range cuts {
			for i := range I {
				if s&(1<<i) != 0 {
					A.Set(1+k, i, -1)
				}
			}
			A.Set(1+k, I, 1)
			A.Set(1+k, I+1, -1)
			A.Set(1+k, I+2+k, 1)
		}
		c := make([]float64, cols)
		c[I], c[I+1] = -1, 1
		b := make([]float64, 1+C)
		b[0] = 1
		opt, x, err := lp.Simplex(c, A, b, 1e-10, nil)
		if err != nil {
			t.Fatalf("oracle cut LP: %v", err)
		}
		mu := -opt
		worst, worstVal := uint64(0), math.Inf(1)
		for _, s := range a.sets {
			v := 0.0
			for i := range I {
				if s&(1<<i) != 0 {
					v += x[i]
				}
			}
			if v < worstVal {
				worst, worstVal = s, v
			}
		}
		if worstVal >= mu-1e-9 || round > 10*len(a.sets) {
			return mu
		}
		cuts = append(cuts, worst)
	}
}
