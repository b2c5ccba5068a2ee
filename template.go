package qbank

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Template is a saved assembly configuration: LayersRank's default for a role
// (Owner empty) or a customer's own (Owner is the customer org id).
type Template struct {
	ID                  string         `json:"id"`
	Title               string         `json:"title"`
	Owner               string         `json:"owner,omitempty"`
	Role                string         `json:"role"`
	Seniority           string         `json:"seniority,omitempty"`
	Stacks              []string       `json:"stacks,omitempty"`
	MinMinutes          int            `json:"minMinutes"`
	MaxMinutes          int            `json:"maxMinutes"`
	DimensionWeights    map[string]int `json:"dimensionWeights,omitempty"` // empty = the role's
	RequiredQuestionIDs []string       `json:"requiredQuestionIds,omitempty"`
	ExcludedQuestionIDs []string       `json:"excludedQuestionIds,omitempty"`
	// TolerancePoints is how far each dimension's share of minutes may be
	// from its weight for an assessment to count as balanced; 0 = the
	// default (DefaultTolerancePoints).
	TolerancePoints int       `json:"tolerancePoints,omitempty"`
	Etag            string    `json:"etag,omitempty"`
	CreateTime      time.Time `json:"createTime,omitzero"`
	UpdateTime      time.Time `json:"updateTime,omitzero"`
}

// Equal reports whether two templates configure the same assembly, treating
// nil and empty lists and maps alike.
func (t Template) Equal(o Template) bool {
	a, _ := json.Marshal(t.normalized())
	b, _ := json.Marshal(o.normalized())
	return string(a) == string(b)
}

func (t Template) normalized() Template {
	if len(t.Stacks) == 0 {
		t.Stacks = nil
	}
	if len(t.DimensionWeights) == 0 {
		t.DimensionWeights = nil
	}
	if len(t.RequiredQuestionIDs) == 0 {
		t.RequiredQuestionIDs = nil
	}
	if len(t.ExcludedQuestionIDs) == 0 {
		t.ExcludedQuestionIDs = nil
	}
	return t
}

// Template limits, documented in the README.
const (
	MaxTemplateTitleLen  = 200
	MaxOwnerLen          = 64
	MaxAssessmentMinutes = 180
	MaxTemplateQuestions = 50 // required or excluded ids
	// MaxWeightEntries bounds a dimension-weight override: one entry per
	// dimension, with room for a taxonomy that grows.
	MaxWeightEntries = 16
	// DefaultTolerancePoints is the balance an assessment must reach: each
	// dimension's share of minutes within this many points of its weight.
	DefaultTolerancePoints = 5
	// MaxTolerancePoints bounds the tolerance: beyond it "balanced" means
	// nothing (a dimension at 20 % could then vanish).
	MaxTolerancePoints = 50
)

// NormalizeTemplate trims fields and resolves stack aliases.
func NormalizeTemplate(t *Template, tax *Taxonomy) {
	t.Title = strings.TrimSpace(t.Title)
	t.Owner = strings.TrimSpace(t.Owner)
	t.Role = strings.TrimSpace(t.Role)
	t.Seniority = strings.TrimSpace(t.Seniority)
	stacks := trimAll(t.Stacks)
	for i, s := range stacks {
		if id, ok := tax.ResolveStack(s); ok {
			stacks[i] = id
		}
	}
	t.Stacks = dedupe(stacks)
	t.RequiredQuestionIDs = dedupe(trimAll(t.RequiredQuestionIDs))
	t.ExcludedQuestionIDs = dedupe(trimAll(t.ExcludedQuestionIDs))
}

// ValidateTemplate checks a normalised template against the taxonomy;
// exists says whether a question id is in the bank.
func ValidateTemplate(v *Violations, prefix string, t *Template, tax *Taxonomy, exists func(id string) bool) {
	if t.Title == "" {
		v.Add(prefix+"title", "is required")
	}
	ValidateText(v, prefix+"title", t.Title, MaxTemplateTitleLen)
	if len(t.Owner) > MaxOwnerLen || !ownerPattern.MatchString(t.Owner) {
		v.Add(prefix+"owner", "must be empty (a LayersRank default) or an org id of up to %d letters, digits, '.', '_' or '-'", MaxOwnerLen)
	}
	if _, ok := tax.Role(t.Role); !ok {
		v.Add(prefix+"role", "unknown role %s (valid: %s)", Quote(t.Role), strings.Join(tax.RoleIDs(), ", "))
	}
	if t.Seniority != "" && !tax.HasSeniority(t.Seniority) {
		v.Add(prefix+"seniority", "unknown seniority %s (valid: %s)", Quote(t.Seniority), strings.Join(tax.Seniorities, ", "))
	}
	checkList(v, prefix+"stacks", "stack", t.Stacks, func(s string) bool { _, ok := tax.ResolveStack(s); return ok }, tax.StackIDs())
	if t.MinMinutes < 1 || t.MinMinutes > MaxAssessmentMinutes {
		v.Add(prefix+"minMinutes", "must be between 1 and %d, got %d", MaxAssessmentMinutes, t.MinMinutes)
	}
	if t.MaxMinutes < t.MinMinutes || t.MaxMinutes > MaxAssessmentMinutes {
		v.Add(prefix+"maxMinutes", "must be between minMinutes (%d) and %d, got %d", t.MinMinutes, MaxAssessmentMinutes, t.MaxMinutes)
	}
	ValidateWeights(v, prefix+"dimensionWeights", t.DimensionWeights, tax)
	if t.TolerancePoints < 0 || t.TolerancePoints > MaxTolerancePoints {
		v.Add(prefix+"tolerancePoints", "must be between 0 (the default, %d) and %d, got %d", DefaultTolerancePoints, MaxTolerancePoints, t.TolerancePoints)
	}
	over := false
	for _, field := range []string{"requiredQuestionIds", "excludedQuestionIds"} {
		ids := t.RequiredQuestionIDs
		if field == "excludedQuestionIds" {
			ids = t.ExcludedQuestionIDs
		}
		if len(ids) > MaxTemplateQuestions {
			// Its ids are not looked up: the request is refused anyway.
			v.Add(prefix+field, "has %d ids, the limit is %d", len(ids), MaxTemplateQuestions)
			over = true
			continue
		}
		var unknown []string
		for _, id := range ids {
			if !exists(id) {
				unknown = append(unknown, Quote(id))
			}
		}
		if len(unknown) > 0 {
			v.Add(prefix+field, "no question%s %s in the bank", plural(len(unknown)), ListSome(unknown))
		}
	}
	if over {
		return
	}
	excluded := make(map[string]bool, len(t.ExcludedQuestionIDs))
	for _, id := range t.ExcludedQuestionIDs {
		excluded[id] = true
	}
	var both []string
	for _, id := range t.RequiredQuestionIDs {
		if excluded[id] {
			both = append(both, Quote(id))
		}
	}
	if len(both) > 0 {
		v.Add(prefix+"excludedQuestionIds", "%s also required", ListSome(both))
	}
}

// ValidateWeights checks an optional dimension-weight override: known
// dimensions, each 0–100, summing to 100.
func ValidateWeights(v *Violations, field string, w map[string]int, tax *Taxonomy) {
	if len(w) == 0 {
		return
	}
	if len(w) > MaxWeightEntries {
		v.Add(field, "has %d entries, the limit is %d (one per dimension: %s)", len(w), MaxWeightEntries, strings.Join(tax.DimensionIDs(), ", "))
		return
	}
	sum := 0
	var unknown []string
	for _, dim := range sortedKeysInt(w) {
		if _, ok := tax.Dimension(dim); !ok {
			unknown = append(unknown, Quote(dim))
		}
		if w[dim] < 0 || w[dim] > 100 {
			v.Add(field, "weight of %s must be 0–100, got %d", Quote(dim), w[dim])
		}
		sum += w[dim]
	}
	if len(unknown) > 0 {
		v.Add(field, "unknown dimension%s %s (valid: %s)", plural(len(unknown)), ListSome(unknown), strings.Join(tax.DimensionIDs(), ", "))
	}
	if sum != 100 {
		v.Add(field, "weights sum to %d, want 100", sum)
	}
}

var ownerPattern = regexp.MustCompile(`^[A-Za-z0-9._-]*$`)

func sortedKeysInt(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
