package seed_test

// Identity and reference gates: ids, every reference resolving, required
// fields, classification, and no unfinished text.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

// rl is a page sample: its id and presence are fixed by the product page, so
// broken cases can always rely on it.
const rl = "api-rate-limiting-design"

func init() {
	register(map[string]rule{
		"references":           checkReferences,
		"ids":                  checkIDs,
		"required-fields":      checkRequiredFields,
		"competency-dimension": checkCompetencyDimension,
		"role-fit":             checkRoleFit,
		"placeholders":         checkPlaceholders,
	},
		brokenCase{"references", "unknown role", func(b *seed.Bank) { q(b, rl).Roles = append(q(b, rl).Roles, "frontend-engineer") }},
		brokenCase{"references", "unknown competency", func(b *seed.Bank) { q(b, rl).Competency = "scalability" }},
		brokenCase{"references", "unknown dimension", func(b *seed.Bank) { q(b, rl).Dimension = "cultural" }},
		brokenCase{"references", "unknown stack", func(b *seed.Bank) {
			first(b, func(x qbank.Question) bool { return len(x.Stacks) > 0 }).Stacks = []string{"golang"}
		}},
		brokenCase{"references", "variant key is not a stack", func(b *seed.Bank) {
			x := q(b, rl)
			if x.StackVariants == nil {
				x.StackVariants = map[string]qbank.StackVariant{}
			}
			x.StackVariants["rust"] = qbank.StackVariant{Text: "Rust: design a rate limiter."}
		}},
		brokenCase{"references", "unknown seniority", func(b *seed.Bank) { q(b, rl).Seniorities = []string{"principal"} }},
		brokenCase{"references", "role lists unknown competency", func(b *seed.Bank) {
			role(b, "data-engineer").Competencies = append(role(b, "data-engineer").Competencies, "ml-ops")
		}},
		brokenCase{"references", "unknown collection", func(b *seed.Bank) { q(b, rl).Collections = []string{"layersrank-100"} }},
		brokenCase{"references", "template role", func(b *seed.Bank) { tmpl(b, "backend-engineer-default").Role = "backend" }},
		brokenCase{"references", "template required question", func(b *seed.Bank) {
			tmpl(b, "backend-engineer-default").RequiredQuestionIDs = []string{"no-such-question"}
		}},
		brokenCase{"references", "template stack", func(b *seed.Bank) { tmpl(b, "backend-engineer-default").Stacks = []string{"cobol"} }},
		brokenCase{"ids", "duplicate question id", func(b *seed.Bank) { q(b, "next-career-steps").ID = rl }},
		brokenCase{"ids", "not kebab-case", func(b *seed.Bank) { q(b, rl).ID = "API_Rate_Limiting" }},
		brokenCase{"ids", "too short", func(b *seed.Bank) { q(b, rl).ID = "rl" }},
		brokenCase{"ids", "too long", func(b *seed.Bank) { q(b, rl).ID = strings.Repeat("rate-", 13) + "limit" }},
		brokenCase{"ids", "duplicate template id", func(b *seed.Bank) { tmpl(b, "data-engineer-default").ID = "devops-engineer-default" }},
		brokenCase{"ids", "alias clashes with a stack id", func(b *seed.Bank) {
			b.Taxonomy.Stacks[0].Aliases = append(b.Taxonomy.Stacks[0].Aliases, "java")
		}},
		brokenCase{"required-fields", "empty text", func(b *seed.Bank) { q(b, rl).Text = " " }},
		brokenCase{"required-fields", "empty whatItReveals", func(b *seed.Bank) { q(b, rl).WhatItReveals = "" }},
		brokenCase{"required-fields", "one follow-up", func(b *seed.Bank) { q(b, rl).FollowUps = q(b, rl).FollowUps[:1] }},
		brokenCase{"required-fields", "empty follow-up", func(b *seed.Bank) { q(b, rl).FollowUps[1] = "" }},
		brokenCase{"required-fields", "empty scoring guide part", func(b *seed.Bank) { q(b, rl).ScoringGuide.Weak = "" }},
		brokenCase{"required-fields", "competency without red flags", func(b *seed.Bank) { b.Taxonomy.Competencies[0].RedFlags = "" }},
		brokenCase{"required-fields", "retired without a change note", func(b *seed.Bank) {
			x := q(b, "next-career-steps")
			x.State, x.ChangeNote = qbank.StateRetired, ""
		}},
		brokenCase{"competency-dimension", "behavioral competency on a technical question", func(b *seed.Bank) { q(b, rl).Competency = "ownership" }},
		brokenCase{"role-fit", "role that does not cover the competency", func(b *seed.Bank) {
			first(b, func(x qbank.Question) bool { return x.Competency == "api-architecture" }).Roles = append(
				first(b, func(x qbank.Question) bool { return x.Competency == "api-architecture" }).Roles, "data-engineer")
		}},
		brokenCase{"placeholders", "TBD", func(b *seed.Bank) { q(b, rl).ScoringGuide.Adequate = "TBD" }},
		brokenCase{"placeholders", "lorem ipsum", func(b *seed.Bank) { q(b, rl).WhatItReveals = "Lorem ipsum dolor sit amet." }},
		brokenCase{"placeholders", "in a level guide", func(b *seed.Bank) { q(b, "next-career-steps").ScoringGuide.Levels[0].Strong = "TODO" }},
	)
}

// checkReferences: every id a question, role or template mentions exists in
// the taxonomy (or, for template question refs, in the bank). Ids must be the
// canonical ones; aliases are for API callers, not for the seed files.
func checkReferences(b *seed.Bank) []string {
	var p []string
	tax := &b.Taxonomy
	isStack := func(s string) bool { return slices.Contains(tax.StackIDs(), s) }
	for _, c := range tax.Competencies {
		if _, ok := tax.Dimension(c.Dimension); !ok {
			p = append(p, fmt.Sprintf("competency %s: unknown dimension %q", c.ID, c.Dimension))
		}
	}
	for _, r := range tax.Roles {
		for _, c := range r.Competencies {
			if _, ok := tax.Competency(c); !ok {
				p = append(p, fmt.Sprintf("role %s: unknown competency %q", r.ID, c))
			}
		}
		for d := range r.DimensionWeights {
			if _, ok := tax.Dimension(d); !ok {
				p = append(p, fmt.Sprintf("role %s: dimensionWeights names unknown dimension %q", r.ID, d))
			}
		}
	}
	for _, q := range b.Questions {
		for _, r := range q.Roles {
			if _, ok := tax.Role(r); !ok {
				p = append(p, fmt.Sprintf("%s: unknown role %q", q.ID, r))
			}
		}
		if _, ok := tax.Dimension(q.Dimension); !ok {
			p = append(p, fmt.Sprintf("%s: unknown dimension %q", q.ID, q.Dimension))
		}
		if _, ok := tax.Competency(q.Competency); !ok {
			p = append(p, fmt.Sprintf("%s: unknown competency %q", q.ID, q.Competency))
		}
		for _, s := range q.Stacks {
			if !isStack(s) {
				p = append(p, fmt.Sprintf("%s: unknown stack %q", q.ID, s))
			}
		}
		for s := range q.StackVariants {
			if !isStack(s) {
				p = append(p, fmt.Sprintf("%s: stackVariants key %q is not a stack id", q.ID, s))
			}
		}
		for _, s := range q.Seniorities {
			if !tax.HasSeniority(s) {
				p = append(p, fmt.Sprintf("%s: unknown seniority %q", q.ID, s))
			}
		}
		for _, c := range q.Collections {
			if _, ok := tax.Collection(c); !ok {
				p = append(p, fmt.Sprintf("%s: unknown collection %q", q.ID, c))
			}
		}
	}
	for _, t := range b.Templates {
		if _, ok := tax.Role(t.Role); !ok {
			p = append(p, fmt.Sprintf("template %s: unknown role %q", t.ID, t.Role))
		}
		if t.Seniority != "" && !tax.HasSeniority(t.Seniority) {
			p = append(p, fmt.Sprintf("template %s: unknown seniority %q", t.ID, t.Seniority))
		}
		for _, s := range t.Stacks {
			if !isStack(s) {
				p = append(p, fmt.Sprintf("template %s: unknown stack %q", t.ID, s))
			}
		}
		for d := range t.DimensionWeights {
			if _, ok := tax.Dimension(d); !ok {
				p = append(p, fmt.Sprintf("template %s: dimensionWeights names unknown dimension %q", t.ID, d))
			}
		}
		for _, id := range slices.Concat(t.RequiredQuestionIDs, t.ExcludedQuestionIDs) {
			if questionByID(b, id) == nil {
				p = append(p, fmt.Sprintf("template %s: unknown question %q", t.ID, id))
			}
		}
	}
	return p
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// checkIDs: every id is lowercase kebab-case and unique in its kind; question
// and template ids are 3–64 characters; stack aliases are lowercase and clash
// with no stack id or other alias.
func checkIDs(b *seed.Bank) []string {
	var p []string
	unique := func(kind string, ids []string, minLen, maxLen int) {
		seen := map[string]bool{}
		for _, id := range ids {
			if !kebab.MatchString(id) {
				p = append(p, fmt.Sprintf("%s id %q is not lowercase kebab-case", kind, id))
			}
			if len(id) < minLen || len(id) > maxLen {
				p = append(p, fmt.Sprintf("%s id %q must be %d–%d characters", kind, id, minLen, maxLen))
			}
			if seen[id] {
				p = append(p, fmt.Sprintf("duplicate %s id %q", kind, id))
			}
			seen[id] = true
		}
	}
	tax := &b.Taxonomy
	unique("dimension", tax.DimensionIDs(), 1, 64)
	unique("competency", tax.CompetencyIDs(), 1, 64)
	unique("role", tax.RoleIDs(), 1, 64)
	unique("stack", tax.StackIDs(), 1, 64)
	unique("seniority", tax.Seniorities, 1, 64)
	unique("collection", tax.CollectionIDs(), 1, 64)
	var qids, tids []string
	for _, q := range b.Questions {
		qids = append(qids, q.ID)
	}
	for _, t := range b.Templates {
		tids = append(tids, t.ID)
	}
	unique("question", qids, qbank.MinIDLen, qbank.MaxIDLen)
	unique("template", tids, qbank.MinIDLen, qbank.MaxIDLen)
	names := map[string]string{}
	for _, s := range tax.Stacks {
		names[s.ID] = s.ID
	}
	for _, s := range tax.Stacks {
		for _, a := range s.Aliases {
			if a == "" || a != strings.ToLower(a) {
				p = append(p, fmt.Sprintf("stack %s: alias %q must be non-empty lowercase", s.ID, a))
			}
			if other, taken := names[a]; taken {
				p = append(p, fmt.Sprintf("stack %s: alias %q is already used by stack %s", s.ID, a, other))
			}
			names[a] = s.ID
		}
	}
	return p
}

const minFollowUps = 2

// checkRequiredFields: everything a reviewer or the PDF relies on is present,
// and a retired question says why (its change note is the history a running
// deployment shows).
func checkRequiredFields(b *seed.Bank) []string {
	var p []string
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	for _, q := range b.Questions {
		if blank(q.Text) {
			p = append(p, q.ID+": text is empty")
		}
		if blank(q.WhatItReveals) {
			p = append(p, q.ID+": whatItReveals is empty")
		}
		if !blank(q.Text) && strings.TrimSpace(q.WhatItReveals) == strings.TrimSpace(q.Text) {
			p = append(p, q.ID+": whatItReveals repeats the question text")
		}
		if len(q.Roles) == 0 {
			p = append(p, q.ID+": no roles")
		}
		if q.ResponseFormat != qbank.FormatVideo && q.ResponseFormat != qbank.FormatWritten {
			p = append(p, fmt.Sprintf("%s: responseFormat %q is neither video nor written", q.ID, q.ResponseFormat))
		}
		n := 0
		for _, f := range q.FollowUps {
			if !blank(f) {
				n++
			}
		}
		if n < minFollowUps || n != len(q.FollowUps) {
			p = append(p, fmt.Sprintf("%s: needs at least %d non-empty followUps, has %d of %d", q.ID, minFollowUps, n, len(q.FollowUps)))
		}
		for _, part := range []struct{ name, s string }{{"strong", q.ScoringGuide.Strong}, {"adequate", q.ScoringGuide.Adequate}, {"weak", q.ScoringGuide.Weak}} {
			if blank(part.s) {
				p = append(p, q.ID+": scoringGuide."+part.name+" is empty")
			}
		}
		if q.State == qbank.StateRetired && blank(q.ChangeNote) {
			p = append(p, q.ID+": a retired question needs a changeNote saying why and what replaces it")
		}
	}
	for _, c := range b.Taxonomy.Competencies {
		if blank(c.Title) || blank(c.Description) || blank(c.GreatLooksLike) || blank(c.RedFlags) {
			p = append(p, "competency "+c.ID+": needs title, description, greatLooksLike and redFlags")
		}
	}
	for _, r := range b.Taxonomy.Roles {
		if blank(r.Title) || len(r.Competencies) == 0 {
			p = append(p, "role "+r.ID+": needs a title and competencies")
		}
	}
	for _, t := range b.Templates {
		if blank(t.Title) || blank(t.Role) {
			p = append(p, "template "+t.ID+": needs a title and a role")
		}
	}
	return p
}

// checkCompetencyDimension: a question's competency belongs to its dimension.
func checkCompetencyDimension(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		if c, ok := b.Taxonomy.Competency(q.Competency); ok && c.Dimension != q.Dimension {
			p = append(p, fmt.Sprintf("%s: competency %s belongs to %s, not %s", q.ID, c.ID, c.Dimension, q.Dimension))
		}
	}
	return p
}

// checkRoleFit: a question only names roles whose assessment covers its
// competency, so it lands in the right role × competency section of the PDF
// and counts towards that role's coverage.
func checkRoleFit(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		for _, rid := range q.Roles {
			if r, ok := b.Taxonomy.Role(rid); ok && !slices.Contains(r.Competencies, q.Competency) {
				p = append(p, fmt.Sprintf("%s: role %s does not list competency %s", q.ID, rid, q.Competency))
			}
		}
	}
	return p
}

// placeholderWords mark unfinished text (as well as "???" and runs of x).
var placeholderWords = phrases(`tbd|todo|fixme|lorem|ipsum|placeholder|fill in|to be written`)

func placeholderIn(s string) string {
	if strings.Contains(s, "???") {
		return "???"
	}
	ws := words(s)
	if m := findPhrase(ws, placeholderWords); m != "" {
		return m
	}
	for _, w := range ws {
		if len(w) >= 3 && strings.Trim(w, "x") == "" {
			return w
		}
	}
	return ""
}

// checkPlaceholders: no unfinished content ships.
func checkPlaceholders(b *seed.Bank) []string {
	var p []string
	for _, x := range texts(b) {
		if m := placeholderIn(x.text); m != "" {
			p = append(p, fmt.Sprintf("%s contains placeholder text %q", x.where, m))
		}
	}
	return p
}
