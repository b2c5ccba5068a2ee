package assembly_test

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

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

// eligible applies SPEC §4's candidate rules, written independently of the
// engine.
func eligible(tax *qbank.Taxonomy, x *qbank.Question, r assembly.Request, reqStacks []string) bool {
	if x.State != qbank.StateActive || !slices.Contains(x.Roles, r.Role) {
		return false
	}
	if sen := strings.ToLower(r.Seniority); sen != "" && len(x.Seniorities) > 0 && !slices.Contains(x.Seniorities, sen) {
		return false
	}
	if len(x.Stacks) > 0 && !slices.ContainsFunc(x.Stacks, func(s string) bool { return slices.Contains(reqStacks, s) }) {
		return false
	}
	return !slices.Contains(r.Excluded, x.ID)
}

func resolvedStacks(tax *qbank.Taxonomy, r assembly.Request) []string {
	var out []string
	for _, s := range r.Stacks {
		if id, ok := tax.ResolveStack(s); ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func window(r assembly.Request) (int, int) {
	return cmp.Or(r.MinMinutes, 35), cmp.Or(r.MaxMinutes, 45)
}

func weightsOf(tax *qbank.Taxonomy, r assembly.Request) map[string]int {
	if len(r.Weights) > 0 {
		return r.Weights
	}
	role, _ := tax.Role(r.Role)
	return role.DimensionWeights
}

// checkAssessment verifies every hard constraint of SPEC §4 on a, from the
// bank and the request alone.
func checkAssessment(t *testing.T, b assembly.Bank, r assembly.Request, a assembly.Assessment) {
	t.Helper()
	tax := b.Taxonomy
	reqStacks := resolvedStacks(tax, r)
	byID := map[string]*qbank.Question{}
	for i := range b.Questions {
		byID[b.Questions[i].ID] = &b.Questions[i]
	}
	lo, hi := window(r)
	role, _ := tax.Role(r.Role)
	total := 0
	seen := map[string]bool{}
	covered := map[string]bool{}
	formats := map[qbank.ResponseFormat]bool{}
	minutes := map[string]int{}
	stackHit := map[string]bool{}
	for _, it := range a.Items {
		x := byID[it.QuestionID]
		if x == nil {
			t.Fatalf("item %s is not in the bank", it.QuestionID)
		}
		if seen[it.QuestionID] {
			t.Fatalf("item %s twice", it.QuestionID)
		}
		seen[it.QuestionID] = true
		if !eligible(tax, x, r, reqStacks) {
			t.Fatalf("item %s is not eligible (state %s, roles %v, stacks %v)", x.ID, x.State, x.Roles, x.Stacks)
		}
		if it.Version != x.Version || it.Minutes != x.Minutes || it.Dimension != x.Dimension || it.Competency != x.Competency || it.ResponseFormat != x.ResponseFormat {
			t.Fatalf("item %s does not match its question", x.ID)
		}
		wantText, wantStack := x.Text, ""
		for _, s := range reqStacks {
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
	if total != a.TotalMinutes || total < lo || total > hi {
		t.Fatalf("total %d (reported %d), window %d–%d", total, a.TotalMinutes, lo, hi)
	}
	for _, c := range role.Competencies {
		if !covered[c] {
			t.Fatalf("competency %s not covered", c)
		}
	}
	if !formats[video] || !formats[written] {
		t.Fatalf("formats %v", formats)
	}
	for _, id := range r.Required {
		if !seen[id] {
			t.Fatalf("required %s missing", id)
		}
	}
	for _, id := range r.Excluded {
		if seen[id] {
			t.Fatalf("excluded %s present", id)
		}
	}
	for _, s := range reqStacks {
		has := false
		for i := range b.Questions {
			x := &b.Questions[i]
			if slices.Contains(x.Stacks, s) && eligible(tax, x, r, reqStacks) {
				has = true
				break
			}
		}
		if has && !stackHit[s] {
			t.Fatalf("stack %s has eligible stack-specific questions but none was picked", s)
		}
	}
	w := weightsOf(tax, r)
	dev := 0.0
	for _, d := range tax.Dimensions {
		share := 100 * float64(minutes[d.ID]) / float64(total)
		if got := a.DimensionShares[d.ID]; got != share {
			t.Fatalf("share of %s = %v, want %v", d.ID, got, share)
		}
		dev += abs(share - float64(w[d.ID]))
	}
	if abs(dev-a.Deviation) > 1e-9 {
		t.Fatalf("deviation %v, want %v", a.Deviation, dev)
	}
	if a.BankRevision != b.Revision || a.Seed != r.Seed {
		t.Fatalf("revision/seed not echoed")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// optimum is the lexicographic key the engine minimises.
type optimum struct {
	outside bool // some dimension outside ±5
	n, T    int  // deviation = n / T
	items   int
}

func (o optimum) less(p optimum) bool {
	if o.outside != p.outside {
		return !o.outside
	}
	if c := o.n*p.T - p.n*o.T; c != 0 {
		return c < 0
	}
	return o.items < p.items
}

func keyOf(tax *qbank.Taxonomy, w map[string]int, minutes map[string]int, total, items int) optimum {
	o := optimum{T: total, items: items}
	for _, d := range tax.Dimensions {
		x := 100*minutes[d.ID] - w[d.ID]*total
		if x < 0 {
			x = -x
		}
		o.n += x
		if x > 5*total {
			o.outside = true
		}
	}
	return o
}

func keyOfAssessment(tax *qbank.Taxonomy, r assembly.Request, a assembly.Assessment) optimum {
	minutes := map[string]int{}
	for _, it := range a.Items {
		minutes[it.Dimension] += it.Minutes
	}
	return keyOf(tax, weightsOf(tax, r), minutes, a.TotalMinutes, len(a.Items))
}

// bruteForce enumerates every subset of the eligible questions and returns
// the best key, or false when no subset meets the hard constraints.
func bruteForce(b assembly.Bank, r assembly.Request) (optimum, bool) {
	best, _, ok := bruteForceDetail(b, r)
	return best, ok
}

// bruteForceDetail also returns the smallest deviation ignoring the ±5 band,
// so tests can see when the band rule changed the answer.
func bruteForceDetail(b assembly.Bank, r assembly.Request) (best, minSum optimum, found bool) {
	tax := b.Taxonomy
	reqStacks := resolvedStacks(tax, r)
	var cands []*qbank.Question
	for i := range b.Questions {
		if eligible(tax, &b.Questions[i], r, reqStacks) {
			cands = append(cands, &b.Questions[i])
		}
	}
	if len(cands) > 20 {
		panic("too many candidates to enumerate")
	}
	role, _ := tax.Role(r.Role)
	var needStacks []string
	for _, s := range reqStacks {
		if slices.ContainsFunc(cands, func(x *qbank.Question) bool { return slices.Contains(x.Stacks, s) }) {
			needStacks = append(needStacks, s)
		}
	}
	var reqMask uint32
	for i, x := range cands {
		if slices.Contains(r.Required, x.ID) {
			reqMask |= 1 << i
		}
	}
	lo, hi := window(r)
	w := weightsOf(tax, r)
	minutes := map[string]int{}
	for set := uint32(0); set < 1<<len(cands); set++ {
		if set&reqMask != reqMask {
			continue
		}
		total, items := 0, 0
		for i, x := range cands {
			if set&(1<<i) != 0 {
				total += x.Minutes
				items++
			}
		}
		if total < lo || total > hi {
			continue
		}
		clear(minutes)
		covered := map[string]bool{}
		var v, wr bool
		stackHit := map[string]bool{}
		for i, x := range cands {
			if set&(1<<i) == 0 {
				continue
			}
			minutes[x.Dimension] += x.Minutes
			covered[x.Competency] = true
			v = v || x.ResponseFormat == video
			wr = wr || x.ResponseFormat == written
			for _, s := range x.Stacks {
				stackHit[s] = true
			}
		}
		ok := v && wr
		for _, c := range role.Competencies {
			ok = ok && covered[c]
		}
		for _, s := range needStacks {
			ok = ok && stackHit[s]
		}
		if !ok {
			continue
		}
		k := keyOf(tax, w, minutes, total, items)
		if !found || k.less(best) {
			best = k
		}
		if !found || k.n*minSum.T < minSum.n*k.T {
			minSum = k
		}
		found = true
	}
	return best, minSum, found
}
