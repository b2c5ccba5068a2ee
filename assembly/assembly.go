package assembly

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/layersrank/qbank"
)

// Defaults and limits of a request. The longest assessment is
// qbank.MaxAssessmentMinutes and the default tolerance
// qbank.DefaultTolerancePoints, shared with templates.
const (
	DefaultMinMinutes = 35
	DefaultMaxMinutes = 45
	// MaxStacks bounds the distinct requested stacks: the search is
	// exponential in the number of stacks that need a stack-specific
	// question.
	MaxStacks = 8
	// MaxStackEntries bounds the stacks list as sent (aliases and repeats
	// count), so a request cannot make the engine resolve a long list.
	MaxStackEntries = 32
	// MaxRequiredIDs bounds requiredQuestionIds: more questions than an
	// assessment of MaxAssessmentMinutes can hold is a mistake.
	MaxRequiredIDs = 50
	// MaxExcludedIDs bounds excludedQuestionIds: enough to exclude every
	// question a candidate has seen in several earlier rounds.
	MaxExcludedIDs = 1000
)

// Bank is an immutable snapshot the engine reads.
type Bank struct {
	Taxonomy *qbank.Taxonomy
	// Questions are the current versions the engine may use; only active
	// ones are. The server passes the role's active questions.
	Questions []qbank.Question
	// Lookup finds any question of the bank by id, whatever its state or
	// role, so that a request naming one the engine cannot use is told
	// why. Nil means: look in Questions.
	Lookup func(id string) (qbank.Question, bool)
	// Revision identifies the bank's content: the Assembler caches per
	// revision, so two different banks must not share one.
	Revision int64
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
	// TolerancePoints is how far each dimension's share may be from its
	// weight; nil → the template's, else qbank.DefaultTolerancePoints.
	TolerancePoints *int
	// Template, when set, fills the fields the request leaves unset, and
	// its required and excluded ids are added to the request's.
	Template *qbank.Template
	Seed     int64
}

// Balance says whether an assessment met the tolerance.
type Balance int

const (
	// WithinTolerance: every dimension's share is within the tolerance of
	// its weight.
	WithinTolerance Balance = iota + 1
	// ClosestPossible: no acceptable assessment exists; this one has the
	// least total deviation the bank allows.
	ClosestPossible
)

func (b Balance) String() string {
	switch b {
	case WithinTolerance:
		return "WITHIN_TOLERANCE"
	case ClosestPossible:
		return "CLOSEST_POSSIBLE"
	}
	return "UNSPECIFIED"
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
	// Deviation is Σ over dimensions of |share − weight|.
	Deviation    float64
	BankRevision int64
	Seed         int64

	// The request as resolved: stack ids in request order without
	// duplicates, minutes with defaults applied, the weights and tolerance
	// used.
	Role            string
	Seniority       string
	Stacks          []string
	MinMinutes      int
	MaxMinutes      int
	Weights         map[string]int
	TolerancePoints int
	// Balance is WithinTolerance when the bank allows an acceptable
	// assessment (and this is one), else ClosestPossible.
	Balance Balance
	// WithinTolerance: every dimension is within ±TolerancePoints.
	WithinTolerance bool
}

// Assemble builds an assessment for r from the bank b without a cache (see
// the package documentation for how it is chosen). Servers use an
// Assembler, which computes each request shape's distribution once.
func Assemble(b Bank, r Request) (Assessment, error) {
	return (*Assembler)(nil).Assemble(context.Background(), b, r)
}

// AnalyzeExposure reports, without a cache, how often each eligible
// question appears in assessments for r.
func AnalyzeExposure(b Bank, r Request) (Exposure, error) {
	return (*Assembler)(nil).AnalyzeExposure(context.Background(), b, r)
}

// plan is a request validated and resolved against the taxonomy.
type plan struct {
	tax       *qbank.Taxonomy
	role      qbank.Role
	seniority string
	stacks    []string // resolved ids, request order, unique
	min, max  int
	tol       int
	dims      []string
	dimIndex  map[string]int
	weights   []int    // per dimension, taxonomy order
	required  []string // trimmed, unique, request order
	excluded  map[string]bool
}

// checkCaps refuses oversized lists before anything reads them, so a
// request with 100,000 ids costs a length check, not 100,000 violations.
func checkCaps(r Request) error {
	var v qbank.Violations
	if n := len(r.Stacks); n > MaxStackEntries {
		v.Add("stacks", "has %d entries, the limit is %d", n, MaxStackEntries)
	}
	if n := len(r.Required); n > MaxRequiredIDs {
		v.Add("requiredQuestionIds", "has %d ids, the limit is %d", n, MaxRequiredIDs)
	}
	if n := len(r.Excluded); n > MaxExcludedIDs {
		v.Add("excludedQuestionIds", "has %d ids, the limit is %d", n, MaxExcludedIDs)
	}
	if n := len(r.Weights); n > qbank.MaxWeightEntries {
		v.Add("dimensionWeights", "has %d entries, the limit is %d", n, qbank.MaxWeightEntries)
	}
	return v.Err()
}

// withTemplate fills the request's unset fields from its template; required
// and excluded ids are added to the template's, so a caller can exclude the
// questions a candidate has already seen without losing the template's own.
func withTemplate(r Request) Request {
	t := r.Template
	if t == nil {
		return r
	}
	r.Role = cmp.Or(r.Role, t.Role)
	r.Seniority = cmp.Or(r.Seniority, t.Seniority)
	if len(r.Stacks) == 0 {
		r.Stacks = t.Stacks
	}
	r.MinMinutes = cmp.Or(r.MinMinutes, t.MinMinutes)
	r.MaxMinutes = cmp.Or(r.MaxMinutes, t.MaxMinutes)
	if len(r.Weights) == 0 {
		r.Weights = t.DimensionWeights
	}
	if r.TolerancePoints == nil && t.TolerancePoints != 0 {
		tol := t.TolerancePoints
		r.TolerancePoints = &tol
	}
	r.Required = union(t.RequiredQuestionIDs, r.Required)
	r.Excluded = union(t.ExcludedQuestionIDs, r.Excluded)
	r.Template = nil
	return r
}

// union appends b's ids missing from a, in linear time.
func union(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	out := slices.Clone(a)
	seen := make(map[string]bool, len(a)+len(b))
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func resolve(t *qbank.Taxonomy, r Request) (*plan, error) {
	if err := checkCaps(r); err != nil {
		return nil, err
	}
	r = withTemplate(r)
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
		v.Add("role", "unknown role %s (valid: %s)", qbank.Quote(r.Role), strings.Join(t.RoleIDs(), ", "))
	}
	p.role = role

	p.seniority = strings.ToLower(strings.TrimSpace(r.Seniority))
	if p.seniority != "" && !t.HasSeniority(p.seniority) {
		v.Add("seniority", "unknown seniority %s (valid: %s, or empty for any)", qbank.Quote(r.Seniority), strings.Join(t.Seniorities, ", "))
	}

	var unknownStacks []string
	for _, s := range r.Stacks {
		id, ok := t.ResolveStack(s)
		if !ok {
			unknownStacks = append(unknownStacks, qbank.Quote(s))
			continue
		}
		if !slices.Contains(p.stacks, id) { // at most MaxStackEntries
			p.stacks = append(p.stacks, id)
		}
	}
	if len(unknownStacks) > 0 {
		// The valid values are listed once, however many stacks are bad.
		v.Add("stacks", "unknown stack%s %s (valid: %s)", plural(len(unknownStacks)), listSome(unknownStacks), stackChoices(t))
	}
	if len(p.stacks) > MaxStacks {
		v.Add("stacks", "asks for %d stacks, the limit is %d", len(p.stacks), MaxStacks)
	}

	p.min, p.max = cmp.Or(r.MinMinutes, DefaultMinMinutes), cmp.Or(r.MaxMinutes, DefaultMaxMinutes)
	if p.min < 1 {
		v.Add("minMinutes", "must be at least 1, got %d (0 means %d)", p.min, DefaultMinMinutes)
	}
	switch {
	case p.max > qbank.MaxAssessmentMinutes:
		v.Add("maxMinutes", "must be at most %d, got %d", qbank.MaxAssessmentMinutes, p.max)
	case p.max < p.min:
		v.Add("maxMinutes", "must be at least minMinutes (%d), got %d%s", p.min, p.max, defaultNote(r.MaxMinutes))
	}
	p.tol = qbank.DefaultTolerancePoints
	if r.TolerancePoints != nil {
		p.tol = *r.TolerancePoints
		if p.tol < 0 || p.tol > qbank.MaxTolerancePoints {
			v.Add("tolerancePoints", "must be between 0 and %d, got %d", qbank.MaxTolerancePoints, p.tol)
		}
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
		var unknown []string
		for _, k := range keys {
			w := r.Weights[k]
			i, ok := p.dimIndex[k]
			if !ok {
				unknown = append(unknown, qbank.Quote(k))
				continue
			}
			if w < 0 || w > 100 {
				v.Add("dimensionWeights", "weight of %q must be 0–100, got %d", k, w)
				continue
			}
			p.weights[i] = w
			sum += w
		}
		if len(unknown) > 0 {
			// The valid dimensions are listed once, however many keys are bad.
			v.Add("dimensionWeights", "unknown dimension%s %s (valid: %s)", plural(len(unknown)), listSome(unknown), strings.Join(p.dims, ", "))
		}
		if sum != 100 {
			v.Add("dimensionWeights", "weights sum to %d, want 100 (dimensions: %s)", sum, strings.Join(p.dims, ", "))
		}
	}

	p.excluded = make(map[string]bool, len(r.Excluded))
	for _, id := range r.Excluded {
		p.excluded[strings.TrimSpace(id)] = true
	}
	seenReq := make(map[string]bool, len(r.Required))
	var both []string
	empty := false
	for _, id := range r.Required {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			empty = true
		case p.excluded[id]:
			both = append(both, qbank.Quote(id))
		case !seenReq[id]:
			seenReq[id] = true
			p.required = append(p.required, id)
		}
	}
	if empty {
		v.Add("requiredQuestionIds", "contains an empty id")
	}
	if len(both) > 0 {
		v.Add("excludedQuestionIds", "question%s %s %s both required and excluded", plural(len(both)), listSome(both), isAre(len(both)))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// key identifies what the plan asks, whatever order or spelling the
// request used: the cache's key for a request shape.
func (p *plan) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%d-%d|tol%d|w", p.role.ID, p.seniority, strings.Join(p.stacks, ","), p.min, p.max, p.tol)
	for _, w := range p.weights {
		fmt.Fprintf(&b, "%d,", w)
	}
	req := slices.Sorted(slices.Values(p.required))
	b.WriteString("|r")
	for _, id := range req {
		b.WriteString(strconv.Quote(id))
	}
	exc := make([]string, 0, len(p.excluded))
	for id := range p.excluded {
		exc = append(exc, id)
	}
	slices.Sort(exc)
	b.WriteString("|x")
	for _, id := range exc {
		b.WriteString(strconv.Quote(id))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// listSome joins at most a few items and says how many more there are, so
// an error stays short whatever the request's size.
func listSome(items []string) string { return qbank.ListSome(items) }

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
