package assembly_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
)

func item(a assembly.Assessment, id string) (assembly.Item, bool) {
	i := slices.IndexFunc(a.Items, func(it assembly.Item) bool { return it.QuestionID == id })
	if i < 0 {
		return assembly.Item{}, false
	}
	return a.Items[i], true
}

func mustAssemble(t *testing.T, b assembly.Bank, r assembly.Request) assembly.Assessment {
	t.Helper()
	a, err := assembly.Assemble(b, r)
	if err != nil {
		t.Fatalf("Assemble(%+v): %v", r, err)
	}
	checkAssessment(t, b, r, a)
	return a
}

func TestAssemble(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		b := smallBank()
		r := assembly.Request{Role: "backend-engineer", Seed: 1}
		a := mustAssemble(t, b, r)
		if !a.WithinTolerance || a.Balance != assembly.WithinTolerance || a.TolerancePoints != 5 {
			t.Fatalf("shares %v: within tolerance %v, balance %v, ±%d", a.DimensionShares, a.WithinTolerance, a.Balance, a.TolerancePoints)
		}
		if a.MinMinutes != 35 || a.MaxMinutes != 45 || a.Weights["technical"] != 45 || a.Role != "backend-engineer" {
			t.Fatalf("resolved request not echoed: %+v", a)
		}
		// Dimension order of the taxonomy, then the role's competency order.
		order := map[string]int{"technical": 0, "behavioral": 1, "contextual": 2}
		for i := 1; i < len(a.Items); i++ {
			if order[a.Items[i-1].Dimension] > order[a.Items[i].Dimension] {
				t.Fatalf("items out of dimension order: %v then %v", a.Items[i-1].Dimension, a.Items[i].Dimension)
			}
		}
	})

	t.Run("InterchangeableQuestionsShareEvenly", func(t *testing.T) {
		// Two growth questions alike in every way the constraints see
		// (competency, format, minutes): whatever the distribution, each
		// is exactly as exposed as the other.
		b := smallBank()
		b.Questions = append(b.Questions, q("growth-trajectory-4", "growth-trajectory", video, 4, allRoles))
		e, err := assembly.AnalyzeExposure(b, assembly.Request{Role: "backend-engineer"})
		if err != nil {
			t.Fatal(err)
		}
		p := map[string]float64{}
		for _, it := range e.Items {
			p[it.QuestionID] = it.Exposure
		}
		if p["growth-trajectory-1"] != p["growth-trajectory-4"] || p["growth-trajectory-1"] == 0 {
			t.Fatalf("interchangeable questions exposed %v and %v", p["growth-trajectory-1"], p["growth-trajectory-4"])
		}
		if e.MaxExposure >= 1 || e.Balance != assembly.WithinTolerance {
			t.Fatalf("max exposure %v, balance %v", e.MaxExposure, e.Balance)
		}
	})

	t.Run("Tolerance", func(t *testing.T) {
		b := smallBank()
		zero, wide := 0, 30
		for _, c := range []struct {
			tol  *int
			want int
		}{{nil, 5}, {&zero, 0}, {&wide, 30}} {
			r := assembly.Request{Role: "backend-engineer", TolerancePoints: c.tol, Seed: 3}
			a := mustAssemble(t, b, r)
			if a.TolerancePoints != c.want {
				t.Fatalf("tolerance %d, want %d", a.TolerancePoints, c.want)
			}
		}
		// A template's tolerance applies unless the request sets one.
		tpl := qbank.Template{ID: "t", Role: "backend-engineer", MinMinutes: 35, MaxMinutes: 45, TolerancePoints: 12}
		a := mustAssemble(t, b, assembly.Request{Template: &tpl, Seed: 1})
		if a.TolerancePoints != 12 || a.Role != "backend-engineer" {
			t.Fatalf("template tolerance: %d for %s", a.TolerancePoints, a.Role)
		}
		a = mustAssemble(t, b, assembly.Request{Template: &tpl, TolerancePoints: &zero, Seed: 1})
		if a.TolerancePoints != 0 {
			t.Fatalf("request tolerance 0 over the template's 12: got %d", a.TolerancePoints)
		}
	})

	t.Run("OnlyActiveQuestions", func(t *testing.T) {
		b := smallBank()
		for i := range b.Questions {
			if id := b.Questions[i].ID; id == "ownership-1" || id == "ownership-2" {
				b.Questions[i].State = qbank.StateRetired
			}
			if b.Questions[i].ID == "ownership-3" {
				b.Questions[i].State = qbank.StateDraft
			}
		}
		b.Questions = append(b.Questions, q("ownership-4", "ownership", video, 5, allRoles))
		for seed := range int64(10) {
			a := mustAssemble(t, b, assembly.Request{Role: "backend-engineer", Seed: seed})
			if _, ok := item(a, "ownership-4"); !ok {
				t.Fatal("the only active ownership question is missing")
			}
		}
	})

	t.Run("Seniority", func(t *testing.T) {
		b := smallBank()
		for i := range b.Questions {
			if strings.HasPrefix(b.Questions[i].ID, "collaboration-") {
				b.Questions[i].Seniorities = []string{"senior"}
			}
		}
		b.Questions = append(b.Questions, q("collaboration-junior", "collaboration", video, 4, allRoles, seniorities("junior", "mid")))
		a := mustAssemble(t, b, assembly.Request{Role: "backend-engineer", Seniority: "junior"})
		if _, ok := item(a, "collaboration-junior"); !ok {
			t.Fatal("the junior collaboration question is missing")
		}
		a = mustAssemble(t, b, assembly.Request{Role: "backend-engineer", Seniority: "Senior"})
		if _, ok := item(a, "collaboration-junior"); ok || a.Seniority != "senior" {
			t.Fatal("a junior-only question in a senior assessment")
		}
	})

	t.Run("CustomWeights", func(t *testing.T) {
		b := smallBank()
		r := assembly.Request{Role: "backend-engineer", Weights: map[string]int{"technical": 60, "behavioral": 25, "contextual": 15}, MinMinutes: 35, MaxMinutes: 60}
		a := mustAssemble(t, b, r)
		if a.Weights["technical"] != 60 || a.DimensionShares["technical"] < 55 {
			t.Fatalf("weights %v, shares %v", a.Weights, a.DimensionShares)
		}
	})

	t.Run("BestEffortOutsideTolerance", func(t *testing.T) {
		// Every stack-specific question is technical, so three stacks push
		// technical past 45%: the assessment is still the best possible.
		b := smallBank()
		r := assembly.Request{Role: "backend-engineer", Stacks: []string{"go", "kafka", "postgresql"}}
		a := mustAssemble(t, b, r)
		if a.WithinTolerance || a.Balance != assembly.ClosestPossible {
			t.Fatalf("shares %v reported within ±5 (balance %v)", a.DimensionShares, a.Balance)
		}
		acc := bruteForceSmall(t, b, r)
		if acc.within || !acc.has(ids(a)) {
			t.Fatalf("%v is not one of the closest selections (brute force: within %v)", ids(a), acc.within)
		}
	})
}

func ids(a assembly.Assessment) []string {
	var out []string
	for _, it := range a.Items {
		out = append(out, it.QuestionID)
	}
	return out
}

// bruteForceSmall enumerates a bank trimmed to the role's eligible
// questions when there are few enough.
func bruteForceSmall(t *testing.T, b assembly.Bank, r assembly.Request) accepted {
	t.Helper()
	n := normalise(t, b.Taxonomy, r)
	trimmed := b
	trimmed.Questions = nil
	for i := range b.Questions {
		if n.eligible(&b.Questions[i]) {
			trimmed.Questions = append(trimmed.Questions, b.Questions[i])
		}
	}
	acc, ok := bruteForce(t, trimmed, r)
	if !ok {
		t.Fatal("brute force finds no selection")
	}
	return acc
}

func TestStacks(t *testing.T) {
	t.Run("VariantOfFirstRequestedStack", func(t *testing.T) {
		b := smallBank() // system-design-1 has go and java variants
		for _, c := range []struct {
			stacks    []string
			text, tag string
		}{
			{[]string{"java", "golang"}, "Design it in Java.", "java"},
			{[]string{"python", "go"}, "Design it in Go.", "go"},
			{[]string{"GOLANG", "java"}, "Design it in Go.", "go"},
			{nil, "Tell us about system-design-1.", ""},
		} {
			r := assembly.Request{Role: "backend-engineer", Stacks: c.stacks, Required: []string{"system-design-1"}, MaxMinutes: 60}
			a := mustAssemble(t, b, r)
			it, _ := item(a, "system-design-1")
			if it.Text != c.text || it.Stack != c.tag {
				t.Errorf("stacks %v: text %q (stack %q), want %q (%q)", c.stacks, it.Text, it.Stack, c.text, c.tag)
			}
			if c.tag != "" && !strings.Contains(it.Reason, "worded for") {
				t.Errorf("reason %q does not mention the variant", it.Reason)
			}
		}
	})

	t.Run("AliasesAnyCase", func(t *testing.T) {
		b := smallBank()
		a := mustAssemble(t, b, assembly.Request{Role: "backend-engineer", Stacks: []string{"Golang", "POSTGRES", "go"}, MaxMinutes: 50})
		if !slices.Equal(a.Stacks, []string{"go", "postgresql"}) {
			t.Fatalf("stacks resolved to %v", a.Stacks)
		}
		for _, id := range []string{"go-concurrency-leak", "postgres-slow-query"} {
			it, ok := item(a, id)
			if !ok {
				t.Fatalf("%s, the only question specific to its stack, is missing", id)
			}
			if !strings.Contains(it.Reason, "specific to") {
				t.Errorf("reason %q does not say it is stack-specific", it.Reason)
			}
		}
	})

	t.Run("OneStackSpecificPerRequestedStack", func(t *testing.T) {
		size := 1500
		if raceEnabled {
			size = 500
		}
		b := genBank(size, 4)
		asm := assembly.NewAssembler(4, 64<<20)
		for seed := range int64(20) {
			r := assembly.Request{Role: "backend-engineer", Stacks: []string{"go", "kafka", "kubernetes"}, Seed: seed}
			a, err := asm.Assemble(context.Background(), b, r)
			if err != nil {
				t.Fatal(err)
			}
			checkAssessment(t, b, r, a) // asserts one per stack
			if !a.WithinTolerance {
				t.Fatalf("seed %d: shares %v outside ±5 on a large bank", seed, a.DimensionShares)
			}
		}
	})

	t.Run("UnrequestedStackSpecificNeverUsed", func(t *testing.T) {
		b := smallBank()
		for seed := range int64(20) {
			a := mustAssemble(t, b, assembly.Request{Role: "backend-engineer", Stacks: []string{"java"}, Seed: seed})
			for _, it := range a.Items {
				if slices.Contains([]string{"go-concurrency-leak", "kafka-consumer-lag", "postgres-slow-query"}, it.QuestionID) {
					t.Fatalf("%s is specific to a stack the request did not ask for", it.QuestionID)
				}
			}
		}
	})
}

func TestRequiredExcluded(t *testing.T) {
	b := smallBank()
	r := assembly.Request{Role: "backend-engineer", Required: []string{"system-design-1", "ownership-2"}, Excluded: []string{"collaboration-1", "growth-trajectory-3"}, MaxMinutes: 50}
	for seed := range int64(10) {
		r.Seed = seed
		a := mustAssemble(t, b, r)
		it, _ := item(a, "system-design-1")
		if !it.Required || !strings.HasPrefix(it.Reason, "Required by the request") {
			t.Fatalf("required item not marked: %+v", it)
		}
	}
}

func TestErrors(t *testing.T) {
	b := smallBank()
	be := "backend-engineer"
	for _, c := range []struct {
		name  string
		bank  func(*assembly.Bank)
		req   assembly.Request
		code  qbank.Code
		field string
		want  []string
	}{
		{name: "ErrRoleRequired", req: assembly.Request{}, code: qbank.EINVALID, field: "role", want: []string{"required", "backend-engineer", "data-engineer"}},
		{name: "ErrUnknownRole", req: assembly.Request{Role: "astronaut"}, code: qbank.EINVALID, field: "role", want: []string{`"astronaut"`, "backend-engineer, full-stack-developer, devops-engineer, data-engineer"}},
		{name: "ErrUnknownStack", req: assembly.Request{Role: be, Stacks: []string{"go", "rust"}}, code: qbank.EINVALID, field: "stacks", want: []string{`"rust"`, "go (golang)", "postgresql (postgres, pg)"}},
		{name: "ErrUnknownSeniority", req: assembly.Request{Role: be, Seniority: "principal"}, code: qbank.EINVALID, field: "seniority", want: []string{`"principal"`, "junior, mid, senior"}},
		{name: "ErrUnknownDimension", req: assembly.Request{Role: be, Weights: map[string]int{"technical": 50, "vibes": 50}}, code: qbank.EINVALID, field: "dimensionWeights", want: []string{`"vibes"`, "technical, behavioral, contextual"}},
		{name: "ErrWeightsSum", req: assembly.Request{Role: be, Weights: map[string]int{"technical": 50, "behavioral": 40}}, code: qbank.EINVALID, field: "dimensionWeights", want: []string{"sum to 90", "want 100"}},
		{name: "ErrNegativeWeight", req: assembly.Request{Role: be, Weights: map[string]int{"technical": 110, "behavioral": -10}}, code: qbank.EINVALID, field: "dimensionWeights", want: []string{"0–100"}},
		{name: "ErrMinMinutes", req: assembly.Request{Role: be, MinMinutes: -5}, code: qbank.EINVALID, field: "minMinutes", want: []string{"at least 1"}},
		{name: "ErrMaxMinutesTooLarge", req: assembly.Request{Role: be, MaxMinutes: 240}, code: qbank.EINVALID, field: "maxMinutes", want: []string{"at most 180"}},
		{name: "ErrMaxBelowMin", req: assembly.Request{Role: be, MinMinutes: 30, MaxMinutes: 20}, code: qbank.EINVALID, field: "maxMinutes", want: []string{"at least minMinutes (30)"}},
		{name: "ErrMaxBelowMinByDefault", req: assembly.Request{Role: be, MinMinutes: 50}, code: qbank.EINVALID, field: "maxMinutes", want: []string{"45 (the default)"}},
		{name: "ErrRequiredPublished", bank: func(b *assembly.Bank) { publish(b, "api-architecture-1") }, req: assembly.Request{Role: be, Required: []string{"api-architecture-1"}}, code: qbank.EINVALID, field: "requiredQuestionIds", want: []string{`"api-architecture-1"`, "published in page-bank", "never part of an assessment"}},
		{name: "ErrRequiredUnknown", req: assembly.Request{Role: be, Required: []string{"no-such-question"}}, code: qbank.EINVALID, field: "requiredQuestionIds", want: []string{`unknown question "no-such-question"`}},
		{name: "ErrRequiredRetired", bank: func(b *assembly.Bank) { b.Questions[3].State = qbank.StateRetired }, req: assembly.Request{Role: be, Required: []string{"api-architecture-1"}}, code: qbank.EINVALID, field: "requiredQuestionIds", want: []string{`"api-architecture-1"`, "retired"}},
		{name: "ErrRequiredOtherRole", req: assembly.Request{Role: be, Required: []string{"ci-cd-1"}}, code: qbank.EINVALID, field: "requiredQuestionIds", want: []string{`"ci-cd-1"`, "not for role backend-engineer", "devops-engineer"}},
		{name: "ErrRequiredUnrequestedStack", req: assembly.Request{Role: be, Required: []string{"go-concurrency-leak"}}, code: qbank.EINVALID, field: "requiredQuestionIds", want: []string{"specific to go"}},
		{name: "ErrRequiredAndExcluded", req: assembly.Request{Role: be, Required: []string{"ownership-1"}, Excluded: []string{"ownership-1"}}, code: qbank.EINVALID, field: "excludedQuestionIds", want: []string{`"ownership-1"`, "both required and excluded"}},
		{name: "ErrCompetencyUncovered", req: assembly.Request{Role: be, Excluded: []string{"ownership-1", "ownership-2", "ownership-3"}}, code: qbank.EPRECONDITION, want: []string{`competency "ownership" has no eligible question for role backend-engineer`}},
		{name: "ErrCompetencyUncoveredForSeniority", bank: func(b *assembly.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "collaboration" {
					b.Questions[i].Seniorities = []string{"senior"}
				}
			}
		}, req: assembly.Request{Role: be, Seniority: "junior"}, code: qbank.EPRECONDITION, want: []string{`competency "collaboration"`, "seniority junior"}},
		{name: "ErrNoWritten", bank: func(b *assembly.Bank) {
			for i := range b.Questions {
				b.Questions[i].ResponseFormat = video
			}
		}, req: assembly.Request{Role: be}, code: qbank.EPRECONDITION, want: []string{"no written question is eligible"}},
		{name: "ErrNoVideo", bank: func(b *assembly.Bank) {
			for i := range b.Questions {
				b.Questions[i].ResponseFormat = written
			}
		}, req: assembly.Request{Role: be}, code: qbank.EPRECONDITION, want: []string{"no video question is eligible"}},
		{name: "ErrWindowTooShort", req: assembly.Request{Role: be, MinMinutes: 10, MaxMinutes: 20}, code: qbank.EPRECONDITION, want: []string{"no selection of 10–20 minutes covers every competency of backend-engineer", "the shortest such selection takes 31 minutes"}},
		{name: "ErrWindowGap", bank: func(b *assembly.Bank) {
			// Only 10-minute questions: totals are multiples of 10.
			for i := range b.Questions {
				b.Questions[i].Minutes = 10
			}
		}, req: assembly.Request{Role: be, MinMinutes: 81, MaxMinutes: 89}, code: qbank.EPRECONDITION, want: []string{"81–89 minutes", "nearest totals possible are 80 and 90 minutes"}},
		{name: "ErrBankTooSmall", req: assembly.Request{Role: "data-engineer", MinMinutes: 170, MaxMinutes: 180}, code: qbank.EPRECONDITION, want: []string{"every eligible question together takes", "less than minMinutes 170"}},
		{name: "ErrRequiredOverMax", req: assembly.Request{Role: be, Required: []string{"system-design-1", "system-design-3", "code-quality-3", "api-architecture-1", "debugging-operations-2"}, MaxMinutes: 40}, code: qbank.EPRECONDITION, want: []string{"required questions take 42 minutes", "maxMinutes 40"}},
		{name: "ErrStacksDoNotFit", req: assembly.Request{Role: be, Stacks: []string{"go", "kafka", "postgres"}, MaxMinutes: 40}, code: qbank.EPRECONDITION, want: []string{"stack-specific question for each of go, kafka, postgresql", "shortest such selection takes"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bank := b
			bank.Questions = slices.Clone(b.Questions)
			if c.bank != nil {
				c.bank(&bank)
			}
			_, err := assembly.Assemble(bank, c.req)
			wantCode(t, err, c.code, c.field, c.want...)
		})
	}

	t.Run("ErrNoTaxonomy", func(t *testing.T) {
		_, err := assembly.Assemble(assembly.Bank{}, assembly.Request{Role: be})
		if qbank.ErrorCode(err) != qbank.EINTERNAL {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("AllViolationsAtOnce", func(t *testing.T) {
		_, err := assembly.Assemble(b, assembly.Request{Role: "x", Stacks: []string{"cobol"}, Seniority: "guru", MinMinutes: -1, MaxMinutes: 999})
		var fields []string
		for _, v := range err.(*qbank.Error).Violations {
			fields = append(fields, v.Field)
		}
		if want := []string{"maxMinutes", "minMinutes", "role", "seniority", "stacks"}; !slices.Equal(fields, want) {
			t.Fatalf("fields %v, want %v", fields, want)
		}
	})
}

// publish puts the questions ids in a published collection, page-bank, on a
// copy of b's taxonomy.
func publish(b *assembly.Bank, ids ...string) {
	tax := *b.Taxonomy
	tax.Collections = append(slices.Clone(tax.Collections), qbank.Collection{ID: "page-bank", Title: "Page bank", Published: true})
	b.Taxonomy = &tax
	for i := range b.Questions {
		if slices.Contains(ids, b.Questions[i].ID) {
			b.Questions[i].Collections = append(slices.Clone(b.Questions[i].Collections), "page-bank")
		}
	}
}

// TestPublishedQuestionsNeverDrawn: a question in a collection anyone can
// read is in no assessment and has no exposure, and the rest of its
// competency carries the load; a collection that is not published changes
// nothing.
func TestPublishedQuestionsNeverDrawn(t *testing.T) {
	b := smallBank()
	b.Questions = slices.Clone(b.Questions)
	var published []string
	for _, q := range b.Questions {
		if q.Competency == "system-design" && len(published) < 2 {
			published = append(published, q.ID)
		}
	}
	publish(&b, published...)
	req := assembly.Request{Role: "backend-engineer"}
	x, err := assembly.AnalyzeExposure(b, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range x.Items {
		if slices.Contains(published, it.QuestionID) {
			t.Errorf("%s is published but has exposure %.3f", it.QuestionID, it.Exposure)
		}
	}
	for seed := range int64(200) {
		req.Seed = seed
		a, err := assembly.Assemble(b, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range a.Items {
			if slices.Contains(published, it.QuestionID) {
				t.Fatalf("seed %d drew published question %s", seed, it.QuestionID)
			}
		}
	}
	// The same collection unpublished: its questions are drawn again.
	tax := *b.Taxonomy
	tax.Collections = slices.Clone(tax.Collections)
	tax.Collections[len(tax.Collections)-1].Published = false
	b.Taxonomy = &tax
	x, err = assembly.AnalyzeExposure(b, assembly.Request{Role: "backend-engineer"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(x.Items, func(it assembly.ItemExposure) bool {
		return slices.Contains(published, it.QuestionID) && it.Exposure > 0
	}) {
		t.Error("an unpublished collection's questions are never drawn")
	}
}
