package qbank

import (
	"slices"
	"strconv"
	"strings"
)

// idPattern is lowercase kebab-case: the form of every id in the bank.
// IsKebabID reports whether s is a lowercase kebab-case id:
// ^[a-z0-9]+(-[a-z0-9]+)*$, checked by hand because every read by id runs
// it and a regexp costs as much as the rest of a cached read.
func IsKebabID(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// Dimension is one scored dimension of an assessment.
type Dimension struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Weight int    `json:"weight"` // percent of the overall score
}

// Competency is a skill a question probes, with the evaluation criteria
// reviewers score it against.
type Competency struct {
	ID             string `json:"id"`
	Dimension      string `json:"dimension"`
	Title          string `json:"title"`
	Description    string `json:"description"`
	GreatLooksLike string `json:"greatLooksLike"`
	RedFlags       string `json:"redFlags"`
}

// Role is a job an assessment is assembled for.
type Role struct {
	ID               string         `json:"id"`
	Title            string         `json:"title"`
	DimensionWeights map[string]int `json:"dimensionWeights"`
	// Competencies every assessment for the role must cover at least once.
	Competencies []string `json:"competencies"`
	// Criteria overrides a competency's evaluation criteria for this role,
	// where what great looks like differs by job (a DevOps engineer's
	// collaboration is not about frontend concerns).
	Criteria map[string]Criteria `json:"criteria,omitempty"`
}

// Criteria are the evaluation criteria reviewers score a competency against.
type Criteria struct {
	GreatLooksLike string `json:"greatLooksLike"`
	RedFlags       string `json:"redFlags"`
}

// Stack is a technology a customer can customise an assessment for.
type Stack struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Aliases []string `json:"aliases,omitempty"`
}

// RatingPoint is one point of the scale reviewers rate an answer on. Value 0
// is "no evidence": the answer did not touch the competency, which is not the
// same as a weak answer and is not averaged as one.
type RatingPoint struct {
	Value       int    `json:"value"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

// GuidanceNote is one rule of the reviewer guidance printed with every kit
// and served with the taxonomy (rate content not delivery, how follow-ups are
// used, accommodations, confidentiality).
type GuidanceNote struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Collection is a named set of questions, such as the published bank.
type Collection struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Size, when set, is exactly how many active questions the collection
	// holds (the published bank is 50); the seed's content tests hold it.
	Size int `json:"size,omitempty"`
	// Published marks a collection anyone can read (the bank behind the
	// product page's download): a candidate may have seen its questions, so
	// assembly never puts them in an assessment.
	Published bool `json:"published,omitempty"`
}

// PublishedIn returns the first published collection a question belongs
// to, which keeps it out of every assessment; "" when there is none.
func (t *Taxonomy) PublishedIn(c *Content) string {
	for _, id := range c.Collections {
		if col, ok := t.Collection(id); ok && col.Published {
			return id
		}
	}
	return ""
}

// Taxonomy is the vocabulary questions are tagged with. It is data (seed/),
// not code, so adding a stack or a role needs no release of the service.
type Taxonomy struct {
	Dimensions   []Dimension  `json:"dimensions"`
	Competencies []Competency `json:"competencies"`
	Roles        []Role       `json:"roles"`
	Stacks       []Stack      `json:"stacks"`
	Seniorities  []string     `json:"seniorities"`
	// RatingScale is ordered from "no evidence" (value 0) up to the best
	// rating; ReviewerGuidance says how to use it.
	RatingScale      []RatingPoint  `json:"ratingScale,omitempty"`
	ReviewerGuidance []GuidanceNote `json:"reviewerGuidance,omitempty"`
	Collections      []Collection   `json:"collections,omitempty"`
}

// Dimension returns the dimension with the given id.
func (t *Taxonomy) Dimension(id string) (Dimension, bool) {
	for _, d := range t.Dimensions {
		if d.ID == id {
			return d, true
		}
	}
	return Dimension{}, false
}

// Competency returns the competency with the given id.
func (t *Taxonomy) Competency(id string) (Competency, bool) {
	for _, c := range t.Competencies {
		if c.ID == id {
			return c, true
		}
	}
	return Competency{}, false
}

// Role returns the role with the given id.
func (t *Taxonomy) Role(id string) (Role, bool) {
	for _, r := range t.Roles {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}

// CriteriaFor returns the evaluation criteria of a competency as reviewers
// of the role apply them: the role's own where it has them, else the
// competency's.
func (t *Taxonomy) CriteriaFor(role, competency string) Criteria {
	if r, ok := t.Role(role); ok {
		if c, ok := r.Criteria[competency]; ok {
			return c
		}
	}
	c, _ := t.Competency(competency)
	return Criteria{GreatLooksLike: c.GreatLooksLike, RedFlags: c.RedFlags}
}

// Collection returns the collection with the given id.
func (t *Taxonomy) Collection(id string) (Collection, bool) {
	for _, c := range t.Collections {
		if c.ID == id {
			return c, true
		}
	}
	return Collection{}, false
}

// ForRole returns the taxonomy limited to one role ("" keeps all): what an
// export or a kit for that role describes.
func (t *Taxonomy) ForRole(role string) *Taxonomy {
	if role == "" {
		return t
	}
	out := *t
	out.Roles = nil
	for _, r := range t.Roles {
		if r.ID == role {
			out.Roles = append(out.Roles, r)
		}
	}
	return &out
}

// ResolveStack maps a stack id or alias (any case, e.g. "Golang") to the
// stack's id.
func (t *Taxonomy) ResolveStack(idOrAlias string) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(idOrAlias))
	for _, st := range t.Stacks {
		if st.ID == s || slices.Contains(st.Aliases, s) {
			return st.ID, true
		}
	}
	return "", false
}

// HasSeniority reports whether s is a known seniority.
func (t *Taxonomy) HasSeniority(s string) bool { return slices.Contains(t.Seniorities, s) }

// DimensionIDs lists the dimension ids, in taxonomy order.
func (t *Taxonomy) DimensionIDs() []string {
	return ids(t.Dimensions, func(d Dimension) string { return d.ID })
}

// CompetencyIDs lists the competency ids, in taxonomy order.
func (t *Taxonomy) CompetencyIDs() []string {
	return ids(t.Competencies, func(c Competency) string { return c.ID })
}

// RoleIDs lists the role ids, in taxonomy order.
func (t *Taxonomy) RoleIDs() []string { return ids(t.Roles, func(r Role) string { return r.ID }) }

// CollectionIDs lists the collection ids, in taxonomy order.
func (t *Taxonomy) CollectionIDs() []string {
	return ids(t.Collections, func(c Collection) string { return c.ID })
}

// StackIDs lists the stack ids, in taxonomy order.
func (t *Taxonomy) StackIDs() []string { return ids(t.Stacks, func(s Stack) string { return s.ID }) }

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// Validate checks the taxonomy is self-consistent: kebab-case unique ids,
// weights summing to 100, every reference resolving. The seed loader runs it
// so that a broken data file fails the build's tests, not a live request.
func (t *Taxonomy) Validate() error {
	var v Violations
	seen := map[string]bool{}
	unique := func(field, kind, id string) {
		if !IsKebabID(id) {
			v.Add(field, "%s id %q is not lowercase kebab-case", kind, id)
		}
		if seen[kind+"/"+id] {
			v.Add(field, "duplicate %s id %q", kind, id)
		}
		seen[kind+"/"+id] = true
	}
	total := 0
	for i, d := range t.Dimensions {
		unique(fieldAt("dimensions", i), "dimension", d.ID)
		total += d.Weight
	}
	if total != 100 {
		v.Add("dimensions", "weights sum to %d, want 100", total)
	}
	for i, c := range t.Competencies {
		f := fieldAt("competencies", i)
		unique(f, "competency", c.ID)
		if _, ok := t.Dimension(c.Dimension); !ok {
			v.Add(f+".dimension", "unknown dimension %q", c.Dimension)
		}
		if c.Title == "" || c.Description == "" || c.GreatLooksLike == "" || c.RedFlags == "" {
			v.Add(f, "competency %q needs a title, description, greatLooksLike and redFlags", c.ID)
		}
	}
	for i, r := range t.Roles {
		f := fieldAt("roles", i)
		unique(f, "role", r.ID)
		sum := 0
		for dim, w := range r.DimensionWeights {
			if _, ok := t.Dimension(dim); !ok {
				v.Add(f+".dimensionWeights", "unknown dimension %q", dim)
			}
			sum += w
		}
		if sum != 100 {
			v.Add(f+".dimensionWeights", "role %q weights sum to %d, want 100", r.ID, sum)
		}
		if len(r.Competencies) == 0 {
			v.Add(f+".competencies", "role %q lists no competencies", r.ID)
		}
		for _, c := range r.Competencies {
			if _, ok := t.Competency(c); !ok {
				v.Add(f+".competencies", "unknown competency %q", c)
			}
		}
		for _, c := range sortedKeys(r.Criteria) {
			if !slices.Contains(r.Competencies, c) {
				v.Add(f+".criteria", "%q is not one of the role's competencies", c)
			}
			if r.Criteria[c].GreatLooksLike == "" || r.Criteria[c].RedFlags == "" {
				v.Add(f+".criteria["+c+"]", "needs greatLooksLike and redFlags")
			}
		}
	}
	for i, s := range t.Stacks {
		f := fieldAt("stacks", i)
		unique(f, "stack", s.ID)
		for _, a := range s.Aliases {
			if a != strings.ToLower(a) || a == "" {
				v.Add(f+".aliases", "alias %q must be lowercase", a)
			}
			if seen["stack/"+a] || seen["alias/"+a] {
				v.Add(f+".aliases", "alias %q is already a stack id or alias", a)
			}
			seen["alias/"+a] = true
		}
	}
	for i, s := range t.Seniorities {
		unique(fieldAt("seniorities", i), "seniority", s)
	}
	for i, c := range t.Collections {
		f := fieldAt("collections", i)
		unique(f, "collection", c.ID)
		if c.Title == "" {
			v.Add(f+".title", "collection %q needs a title", c.ID)
		}
		if c.Size < 0 {
			v.Add(f+".size", "must be 0 (any) or a positive count")
		}
	}
	t.validateRatingScale(&v)
	for i, g := range t.ReviewerGuidance {
		f := fieldAt("reviewerGuidance", i)
		unique(f, "guidance", g.ID)
		if g.Title == "" || g.Text == "" {
			v.Add(f, "guidance %q needs a title and a text", g.ID)
		}
	}
	return v.Err()
}

func fieldAt(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// MinRatingPoints is how many points above "no evidence" a rating scale has
// at least: fewer cannot tell a partial answer from a weak one.
const MinRatingPoints = 4

// validateRatingScale checks the scale when there is one: "no evidence" (0)
// first, then values rising by one, each labelled and described.
func (t *Taxonomy) validateRatingScale(v *Violations) {
	if len(t.RatingScale) == 0 {
		return
	}
	if len(t.RatingScale) < MinRatingPoints+1 {
		v.Add("ratingScale", "has %d points, want \"no evidence\" (0) and at least %d ratings", len(t.RatingScale), MinRatingPoints)
	}
	for i, p := range t.RatingScale {
		f := fieldAt("ratingScale", i)
		if p.Value != i {
			v.Add(f+".value", "is %d, want %d: the scale starts at 0 (no evidence) and rises by one", p.Value, i)
		}
		if p.Label == "" || p.Description == "" {
			v.Add(f, "rating %d needs a label and a description", p.Value)
		}
	}
}
