package assembly

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// Defaults and limits of a request.
const (
	DefaultMinMinutes = 35
	DefaultMaxMinutes = 45
	// MaxTotalMinutes bounds maxMinutes: three hours is already more than any
	// candidate should be asked to record.
	MaxTotalMinutes = 180
	// MaxStacks bounds the requested stacks: the search is exponential in the
	// number of stacks that need a stack-specific question.
	MaxStacks = 8
	// Tolerance is how far, in percentage points, a dimension's share may be
	// from its weight before the engine tries a different selection.
	Tolerance = 5
)

// Bank is an immutable snapshot the engine reads.
type Bank struct {
	Taxonomy *qbank.Taxonomy
	// Questions are the current versions; only active ones are used.
	Questions []qbank.Question
	Revision  int64
}

// Request asks for one assessment.
type Request struct {
	Role       string
	Seniority  string   // "" = any
	Stacks     []string // ids or aliases, any case
	MinMinutes int      // 0 → DefaultMinMinutes
	MaxMinutes int      // 0 → DefaultMaxMinutes
	// Weights maps dimension → percent; nil or empty → the role's weights.
	Weights  map[string]int
	Required []string // question ids that must be included
	Excluded []string // question ids that must be absent
	Seed     int64
}

// Item is one question of an assessment, pinned to its version.
type Item struct {
	QuestionID     string
	Version        int
	Text           string // as rendered for the requested stacks
	Stack          string // the stack whose variant Text is, "" if none
	Dimension      string
	Competency     string
	ResponseFormat qbank.ResponseFormat
	Minutes        int
	WhatItReveals  string
	// Reason says, for the hiring manager, why the item is there.
	Reason string
	// Required is set when the request named the question.
	Required bool
}

// Assessment is an assembled assessment with the figures that show the
// constraints hold.
type Assessment struct {
	Items        []Item
	TotalMinutes int
	// DimensionShares maps every taxonomy dimension to its percent of the
	// total minutes (0–100).
	DimensionShares map[string]float64
	// Deviation is the objective: Σ over dimensions of |share − weight|.
	Deviation    float64
	BankRevision int64
	Seed         int64

	// The request as resolved: stack ids in request order without
	// duplicates, minutes with defaults applied, the weights used.
	Role            string
	Seniority       string
	Stacks          []string
	MinMinutes      int
	MaxMinutes      int
	Weights         map[string]int
	WithinTolerance bool // every dimension within ±Tolerance points
}

// Assemble builds the optimal assessment for r from the bank b (see the
// package documentation for what optimal means).
func Assemble(b Bank, r Request) (Assessment, error) {
	if b.Taxonomy == nil {
		return Assessment{}, qbank.Errorf(qbank.EINTERNAL, "assembly: bank has no taxonomy")
	}
	p, err := resolve(b.Taxonomy, r)
	if err != nil {
		return Assessment{}, err
	}
	pr, err := p.buildProblem(b.Questions)
	if err != nil {
		return Assessment{}, err
	}
	rng := rand.New(rand.NewPCG(uint64(r.Seed), 0x9e3779b97f4a7c15))
	sel, ok := pr.solve(p.max, rng)
	if !ok {
		return Assessment{}, pr.explainInfeasible()
	}
	return p.assessment(pr, sel, b.Revision, r.Seed), nil
}

// plan is a request validated and resolved against the taxonomy.
type plan struct {
	tax       *qbank.Taxonomy
	role      qbank.Role
	seniority string
	stacks    []string // resolved ids, request order, unique
	min, max  int
	dims      []string
	dimIndex  map[string]int
	weights   []int // per dimension, taxonomy order
	required  []string
	excluded  map[string]bool
}

func resolve(t *qbank.Taxonomy, r Request) (*plan, error) {
	var v qbank.Violations
	p := &plan{tax: t, dims: t.DimensionIDs(), dimIndex: map[string]int{}}
	for i, d := range p.dims {
		p.dimIndex[d] = i
	}

	roleID := strings.ToLower(strings.TrimSpace(r.Role))
	role, roleOK := t.Role(roleID)
	switch {
	case roleID == "":
		v.Add("role", "is required (one of %s)", strings.Join(t.RoleIDs(), ", "))
	case !roleOK:
		v.Add("role", "unknown role %q (valid: %s)", r.Role, strings.Join(t.RoleIDs(), ", "))
	}
	p.role = role

	p.seniority = strings.ToLower(strings.TrimSpace(r.Seniority))
	if p.seniority != "" && !t.HasSeniority(p.seniority) {
		v.Add("seniority", "unknown seniority %q (valid: %s, or empty for any)", r.Seniority, strings.Join(t.Seniorities, ", "))
	}

	for _, s := range r.Stacks {
		id, ok := t.ResolveStack(s)
		if !ok {
			v.Add("stacks", "unknown stack %q (valid: %s)", s, stackChoices(t))
			continue
		}
		if !slices.Contains(p.stacks, id) {
			p.stacks = append(p.stacks, id)
		}
	}
	if len(p.stacks) > MaxStacks {
		v.Add("stacks", "asks for %d stacks, the limit is %d", len(p.stacks), MaxStacks)
	}

	p.min, p.max = cmp.Or(r.MinMinutes, DefaultMinMinutes), cmp.Or(r.MaxMinutes, DefaultMaxMinutes)
	if p.min < 1 {
		v.Add("minMinutes", "must be at least 1, got %d (0 means %d)", p.min, DefaultMinMinutes)
	}
	switch {
	case p.max > MaxTotalMinutes:
		v.Add("maxMinutes", "must be at most %d, got %d", MaxTotalMinutes, p.max)
	case p.max < p.min:
		v.Add("maxMinutes", "must be at least minMinutes (%d), got %d%s", p.min, p.max, defaultNote(r.MaxMinutes))
	}

	p.weights = make([]int, len(p.dims))
	if len(r.Weights) == 0 {
		if roleOK {
			for i, d := range p.dims {
				p.weights[i] = role.DimensionWeights[d]
			}
			if len(role.DimensionWeights) == 0 {
				for i, d := range t.Dimensions {
					p.weights[i] = d.Weight
				}
			}
		}
	} else {
		sum := 0
		keys := make([]string, 0, len(r.Weights))
		for k := range r.Weights {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w := r.Weights[k]
			i, ok := p.dimIndex[k]
			if !ok {
				v.Add("dimensionWeights", "unknown dimension %q (valid: %s)", k, strings.Join(p.dims, ", "))
				continue
			}
			if w < 0 || w > 100 {
				v.Add("dimensionWeights", "weight of %q must be 0–100, got %d", k, w)
				continue
			}
			p.weights[i] = w
			sum += w
		}
		if sum != 100 {
			v.Add("dimensionWeights", "weights sum to %d, want 100 (dimensions: %s)", sum, strings.Join(p.dims, ", "))
		}
	}

	p.excluded = make(map[string]bool, len(r.Excluded))
	for _, id := range r.Excluded {
		p.excluded[strings.TrimSpace(id)] = true
	}
	for _, id := range r.Required {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			v.Add("requiredQuestionIds", "contains an empty id")
		case p.excluded[id]:
			v.Add("excludedQuestionIds", "question %q is both required and excluded", id)
		case !slices.Contains(p.required, id):
			p.required = append(p.required, id)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// defaultNote explains a value the caller did not send, so that an error
// about it is not a puzzle.
func defaultNote(given int) string {
	if given == 0 {
		return " (the default)"
	}
	return ""
}

// stackChoices lists the stacks with their aliases, e.g. "go (golang), java".
func stackChoices(t *qbank.Taxonomy) string {
	parts := make([]string, len(t.Stacks))
	for i, s := range t.Stacks {
		parts[i] = s.ID
		if len(s.Aliases) > 0 {
			parts[i] += " (" + strings.Join(s.Aliases, ", ") + ")"
		}
	}
	return strings.Join(parts, ", ")
}
