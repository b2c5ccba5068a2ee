package seed_test

// Content quality gates for the curated bank in seed/data, split by concern:
//
//	references_test.go  ids, references, required fields, classification
//	quality_test.go     minutes, near-duplicates, protected topics, framing, placeholders
//	levels_test.go      level guides and per-role level coverage
//	variants_test.go    stack variants and stack-specific questions
//	collection_test.go  the published layersrank-50 and the page's samples
//	taxonomy_test.go    rating scale, reviewer guidance, role criteria
//	coverage_test.go    coverage, templates, assembly, exposure, COVERAGE.md
//
// Every gate is a rule: a function over a *seed.Bank that returns one
// human-readable line per problem it finds (nil means the bank passes). Each
// file registers its rules with at least one broken-bank case: TestContent
// runs every rule on the shipped bank, and TestRulesCatchBrokenContent feeds
// each rule deliberately broken copies of the bank and asserts that it fires,
// so a rule that silently stops checking anything fails the build too.

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

type rule func(b *seed.Bank) []string

// brokenCase breaks a fresh copy of the shipped bank so that rule must fire.
type brokenCase struct {
	rule, name string
	mutate     func(b *seed.Bank)
}

var (
	rules       = map[string]rule{}
	brokenCases []brokenCase
)

// register adds a file's rules and their broken-bank cases (called from init).
func register(rs map[string]rule, cases ...brokenCase) {
	for name, r := range rs {
		if _, dup := rules[name]; dup {
			panic("rule " + name + " registered twice")
		}
		rules[name] = r
	}
	brokenCases = append(brokenCases, cases...)
}

// shipped is the embedded seed, parsed once: parsing is most of the cost of
// a broken-bank case, and there are many.
var shipped = sync.OnceValues(seed.Load)

// mustLoad returns a fresh, unshared copy of the embedded seed, which the
// caller may change freely.
func mustLoad(t testing.TB) *seed.Bank {
	t.Helper()
	b, err := shipped()
	if err != nil {
		t.Fatalf("seed.Load: %v", err)
	}
	return cloneBank(t, b)
}

func cloneBank(t testing.TB, b *seed.Bank) *seed.Bank {
	c := &seed.Bank{
		Questions: make([]qbank.Question, len(b.Questions)),
		Templates: make([]qbank.Template, len(b.Templates)),
	}
	raw, err := json.Marshal(b.Taxonomy)
	if err == nil {
		err = json.Unmarshal(raw, &c.Taxonomy)
	}
	if err != nil {
		t.Fatalf("copy the taxonomy: %v", err)
	}
	for i, q := range b.Questions {
		q.Content = q.Content.Clone()
		c.Questions[i] = q
	}
	for i, tp := range b.Templates {
		tp.Stacks = slices.Clone(tp.Stacks)
		tp.RequiredQuestionIDs = slices.Clone(tp.RequiredQuestionIDs)
		tp.ExcludedQuestionIDs = slices.Clone(tp.ExcludedQuestionIDs)
		tp.DimensionWeights = maps.Clone(tp.DimensionWeights)
		c.Templates[i] = tp
	}
	return c
}

// shippedProblems runs a rule on the shipped bank once and remembers what it
// found, for TestContent and for the broken cases' precondition.
var shippedResults sync.Map // rule name → []string

func shippedProblems(t testing.TB, name string) []string {
	if p, ok := shippedResults.Load(name); ok {
		return p.([]string)
	}
	p := rules[name](mustLoad(t))
	shippedResults.Store(name, p)
	return p
}

func TestContent(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(rules)) {
		t.Run(name, func(t *testing.T) {
			for _, p := range shippedProblems(t, name) {
				t.Error(p)
			}
		})
	}
}

func TestRulesCatchBrokenContent(t *testing.T) {
	tested := map[string]bool{}
	for _, tc := range brokenCases {
		tested[tc.rule] = true
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			check, ok := rules[tc.rule]
			if !ok {
				t.Fatalf("no rule %q", tc.rule)
			}
			if p := shippedProblems(t, tc.rule); len(p) > 0 {
				t.Fatalf("rule fails on the shipped bank already (see TestContent/%s): %d problems", tc.rule, len(p))
			}
			b := mustLoad(t) // a fresh, unshared copy each time
			tc.mutate(b)
			if p := check(b); len(p) == 0 {
				t.Errorf("rule %s did not catch: %s", tc.rule, tc.name)
			} else {
				t.Logf("caught: %s", p[0])
			}
		})
	}
	for name := range rules {
		if !tested[name] {
			t.Errorf("rule %s has no broken-content case", name)
		}
	}
}

// ---------------------------------------------------------------------------
// Helpers shared by the rules and their broken cases

func active(q qbank.Question) bool { return q.State == qbank.StateActive }

func questionByID(b *seed.Bank, id string) *qbank.Question {
	for i := range b.Questions {
		if b.Questions[i].ID == id {
			return &b.Questions[i]
		}
	}
	return nil
}

// q returns a question of the bank for a broken case to mutate; a missing id
// is a bug in the case, so it panics (which fails the test).
func q(b *seed.Bank, id string) *qbank.Question {
	if x := questionByID(b, id); x != nil {
		return x
	}
	panic("broken case names unknown question " + id)
}

// first returns the first active question matching keep, for broken cases
// that need "some question of this kind" without naming one.
func first(b *seed.Bank, keep func(qbank.Question) bool) *qbank.Question {
	for i := range b.Questions {
		if active(b.Questions[i]) && keep(b.Questions[i]) {
			return &b.Questions[i]
		}
	}
	panic("broken case found no matching question")
}

func tmpl(b *seed.Bank, id string) *qbank.Template {
	for i := range b.Templates {
		if b.Templates[i].ID == id {
			return &b.Templates[i]
		}
	}
	panic("broken case names unknown template " + id)
}

func role(b *seed.Bank, id string) *qbank.Role {
	for i := range b.Taxonomy.Roles {
		if b.Taxonomy.Roles[i].ID == id {
			return &b.Taxonomy.Roles[i]
		}
	}
	panic("broken case names unknown role " + id)
}

func removeWhere(b *seed.Bank, drop func(qbank.Question) bool) {
	b.Questions = slices.DeleteFunc(b.Questions, drop)
}

// askedAt lists the seniorities a question is asked at: all of the
// taxonomy's when it names none.
func askedAt(tax *qbank.Taxonomy, q qbank.Question) []string {
	if len(q.Seniorities) == 0 {
		return tax.Seniorities
	}
	return q.Seniorities
}

type prose struct{ where, text string }

// candidateTexts returns what a candidate reads: the question and its stack
// variants.
func candidateTexts(b *seed.Bank) []prose {
	var out []prose
	for _, q := range b.Questions {
		out = append(out, prose{q.ID + ".text", q.Text})
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			out = append(out, prose{q.ID + ".stackVariants." + k + ".text", q.StackVariants[k].Text})
		}
	}
	return out
}

// texts returns every piece of prose in the bank with a label saying where it
// is, for the checks that read all of it.
func texts(b *seed.Bank) []prose {
	var out []prose
	add := func(where, text string) { out = append(out, prose{where, text}) }
	guide := func(where string, g qbank.ScoringGuide) {
		add(where+".strong", g.Strong)
		add(where+".adequate", g.Adequate)
		add(where+".weak", g.Weak)
		for _, l := range g.Levels {
			add(where+".levels."+l.Seniority+".strong", l.Strong)
			add(where+".levels."+l.Seniority+".adequate", l.Adequate)
			add(where+".levels."+l.Seniority+".weak", l.Weak)
		}
	}
	for _, q := range b.Questions {
		add(q.ID+".text", q.Text)
		add(q.ID+".whatItReveals", q.WhatItReveals)
		for i, f := range q.FollowUps {
			add(fmt.Sprintf("%s.followUps[%d]", q.ID, i), f)
		}
		guide(q.ID+".scoringGuide", q.ScoringGuide)
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			v := q.StackVariants[k]
			add(q.ID+".stackVariants."+k+".text", v.Text)
			for i, f := range v.FollowUps {
				add(fmt.Sprintf("%s.stackVariants.%s.followUps[%d]", q.ID, k, i), f)
			}
			guide(q.ID+".stackVariants."+k+".scoringGuide", v.ScoringGuide)
		}
		add(q.ID+".changeNote", q.ChangeNote)
	}
	for _, c := range b.Taxonomy.Competencies {
		add("competency "+c.ID+".description", c.Description)
		add("competency "+c.ID+".greatLooksLike", c.GreatLooksLike)
		add("competency "+c.ID+".redFlags", c.RedFlags)
	}
	for _, r := range b.Taxonomy.Roles {
		for _, c := range slices.Sorted(maps.Keys(r.Criteria)) {
			add("role "+r.ID+".criteria."+c+".greatLooksLike", r.Criteria[c].GreatLooksLike)
			add("role "+r.ID+".criteria."+c+".redFlags", r.Criteria[c].RedFlags)
		}
	}
	for _, t := range b.Templates {
		add("template "+t.ID+".title", t.Title)
	}
	return out
}
