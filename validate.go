package qbank

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on question content. They keep a single question readable on one
// PDF page and keep requests small; they are documented in the README.
const (
	MinIDLen        = 3
	MaxIDLen        = 64
	MaxTextLen      = 2000 // characters in text, a variant, a follow-up
	MaxNoteLen      = 4000 // characters in whatItReveals, a scoring-guide part, a change note
	MinMinutes      = 1
	MaxMinutes      = 15
	MaxListItems    = 20 // roles, stacks, follow-ups, seniorities
	MaxStackVariant = 20
)

// ValidateQuestionID checks a question id, reporting under field.
func ValidateQuestionID(v *Violations, field, id string) {
	switch {
	case id == "":
		v.Add(field, "is required")
	case len(id) < MinIDLen || len(id) > MaxIDLen:
		v.Add(field, "must be %d–%d characters, got %d", MinIDLen, MaxIDLen, len(id))
	case !IsKebabID(id):
		v.Add(field, "%q is not lowercase kebab-case (a-z, 0-9 and single hyphens)", id)
	}
}

// NormalizeContent trims whitespace, resolves stack aliases to stack ids and
// drops duplicate list entries, so that equal questions compare equal and
// filters match however the admin spelled a stack.
func NormalizeContent(c *Content, tax *Taxonomy) {
	c.Text = strings.TrimSpace(c.Text)
	c.WhatItReveals = strings.TrimSpace(c.WhatItReveals)
	c.Dimension = strings.TrimSpace(c.Dimension)
	c.Competency = strings.TrimSpace(c.Competency)
	c.Roles = dedupe(trimAll(c.Roles))
	c.Seniorities = dedupe(trimAll(c.Seniorities))
	stacks := trimAll(c.Stacks)
	for i, s := range stacks {
		if id, ok := tax.ResolveStack(s); ok {
			stacks[i] = id
		}
	}
	c.Stacks = dedupe(stacks)
	if len(c.StackVariants) > 0 {
		// A key is resolved to its stack id only when no other key names
		// the same stack; colliding keys ("go" and "golang") are all kept
		// as written, so ValidateContent refuses them instead of one text
		// silently replacing another.
		perStack := map[string]int{}
		for k := range c.StackVariants {
			if id, ok := tax.ResolveStack(k); ok {
				perStack[id]++
			}
		}
		variants := make(map[string]StackVariant, len(c.StackVariants))
		for k, sv := range c.StackVariants {
			if id, ok := tax.ResolveStack(k); ok && perStack[id] == 1 {
				k = id
			}
			sv.Text = strings.TrimSpace(sv.Text)
			sv.FollowUps = trimAll(sv.FollowUps)
			normalizeGuide(&sv.ScoringGuide)
			variants[k] = sv
		}
		c.StackVariants = variants
	}
	c.FollowUps = trimAll(c.FollowUps)
	c.Collections = dedupe(trimAll(c.Collections))
	normalizeGuide(&c.ScoringGuide)
}

func normalizeGuide(g *ScoringGuide) {
	g.Strong = strings.TrimSpace(g.Strong)
	g.Adequate = strings.TrimSpace(g.Adequate)
	g.Weak = strings.TrimSpace(g.Weak)
	if len(g.Levels) == 0 {
		g.Levels = nil
		return
	}
	levels := make([]LevelGuide, len(g.Levels))
	for i, l := range g.Levels {
		levels[i] = LevelGuide{
			Seniority: strings.TrimSpace(l.Seniority), Strong: strings.TrimSpace(l.Strong),
			Adequate: strings.TrimSpace(l.Adequate), Weak: strings.TrimSpace(l.Weak),
		}
	}
	g.Levels = levels
}

// ValidateContent checks normalised content against the taxonomy, recording
// every bad field under prefix (e.g. "question.").
func ValidateContent(v *Violations, prefix string, c *Content, tax *Taxonomy) {
	text := func(field, s string, max int) {
		if s == "" {
			v.Add(prefix+field, "is required")
			return
		}
		ValidateText(v, prefix+field, s, max)
	}
	text("text", c.Text, MaxTextLen)
	text("whatItReveals", c.WhatItReveals, MaxNoteLen)

	if len(c.Roles) == 0 {
		v.Add(prefix+"roles", "at least one role is required (one of %s)", strings.Join(tax.RoleIDs(), ", "))
	}
	checkList(v, prefix+"roles", "role", c.Roles, func(r string) bool { _, ok := tax.Role(r); return ok }, tax.RoleIDs())

	dim, dimOK := tax.Dimension(c.Dimension)
	switch {
	case c.Dimension == "":
		v.Add(prefix+"dimension", "is required (one of %s)", strings.Join(tax.DimensionIDs(), ", "))
	case !dimOK:
		v.Add(prefix+"dimension", "unknown dimension %s (valid: %s)", Quote(c.Dimension), strings.Join(tax.DimensionIDs(), ", "))
	}
	comp, compOK := tax.Competency(c.Competency)
	switch {
	case c.Competency == "":
		v.Add(prefix+"competency", "is required")
	case !compOK:
		v.Add(prefix+"competency", "unknown competency %s (valid: %s)", Quote(c.Competency), strings.Join(tax.CompetencyIDs(), ", "))
	case dimOK && comp.Dimension != dim.ID:
		v.Add(prefix+"competency", "competency %q belongs to dimension %q, not %q", comp.ID, comp.Dimension, dim.ID)
	}

	switch c.ResponseFormat {
	case FormatVideo, FormatWritten:
	case "":
		v.Add(prefix+"responseFormat", "is required (RESPONSE_FORMAT_VIDEO or RESPONSE_FORMAT_WRITTEN)")
	default:
		v.Add(prefix+"responseFormat", "unknown response format %s", Quote(string(c.ResponseFormat)))
	}
	if c.Minutes < MinMinutes || c.Minutes > MaxMinutes {
		v.Add(prefix+"minutes", "must be between %d and %d, got %d", MinMinutes, MaxMinutes, c.Minutes)
	}

	checkList(v, prefix+"seniorities", "seniority", c.Seniorities, tax.HasSeniority, tax.Seniorities)
	checkList(v, prefix+"stacks", "stack", c.Stacks, func(s string) bool { _, ok := tax.ResolveStack(s); return ok }, tax.StackIDs())
	if len(c.StackVariants) > MaxStackVariant {
		// Each entry is not looked at: its checks would cost, and report,
		// as much as the request is long.
		v.Add(prefix+"stackVariants", "has %d entries, the limit is %d", len(c.StackVariants), MaxStackVariant)
	} else {
		validateVariants(v, prefix, c, tax)
	}
	validateFollowUps(v, prefix+"followUps", c.FollowUps)
	validateGuide(v, prefix+"scoringGuide", c.ScoringGuide, c.Seniorities, tax)
	checkList(v, prefix+"collections", "collection", c.Collections, func(id string) bool { _, ok := tax.Collection(id); return ok }, tax.CollectionIDs())
}

// validateVariants checks each stack variant (at most MaxStackVariant); the
// unknown keys are reported in one violation that lists the stacks once.
func validateVariants(v *Violations, prefix string, c *Content, tax *Taxonomy) {
	var unknown []string
	for _, k := range sortedKeys(c.StackVariants) {
		id, ok := tax.ResolveStack(k)
		switch {
		case !ok:
			unknown = append(unknown, Quote(k))
			continue
		case id != k:
			v.Add(prefix+"stackVariants", "%s is one of several keys naming stack %q: give one variant per stack", Quote(k), id)
		}
		sv, field := c.StackVariants[k], prefix+"stackVariants["+k+"]"
		if sv.Text == "" {
			v.Add(field+".text", "must not be empty")
		}
		ValidateText(v, field+".text", sv.Text, MaxTextLen)
		validateFollowUps(v, field+".followUps", sv.FollowUps)
		validateGuide(v, field+".scoringGuide", sv.ScoringGuide, c.Seniorities, tax)
	}
	if len(unknown) > 0 {
		v.Add(prefix+"stackVariants", "unknown stack%s %s (valid: %s)", plural(len(unknown)), ListSome(unknown), strings.Join(tax.StackIDs(), ", "))
	}
}

// checkList checks a list of taxonomy ids: at most MaxListItems (a longer
// list is refused without looking at its entries), and every entry known.
// The unknown ones are reported in one violation that names the first few
// and lists the valid values once, however many entries are bad.
func checkList(v *Violations, field, what string, items []string, known func(string) bool, valid []string) {
	if listLimit(v, field, items) {
		return
	}
	var unknown []string
	for _, it := range items {
		if !known(it) {
			unknown = append(unknown, Quote(it))
		}
	}
	if len(unknown) > 0 {
		v.Add(field, "unknown %s%s %s (valid: %s)", what, plural(len(unknown)), ListSome(unknown), strings.Join(valid, ", "))
	}
}

func validateFollowUps(v *Violations, field string, followUps []string) {
	if listLimit(v, field, followUps) {
		return
	}
	for i, f := range followUps {
		if f == "" {
			v.Add(fieldAt(field, i), "must not be empty")
		}
		ValidateText(v, fieldAt(field, i), f, MaxTextLen)
	}
}

// validateGuide checks a scoring guide; a level guide must name a seniority
// the question is asked at (any, when it lists none), once.
func validateGuide(v *Violations, field string, g ScoringGuide, seniorities []string, tax *Taxonomy) {
	ValidateText(v, field+".strong", g.Strong, MaxNoteLen)
	ValidateText(v, field+".adequate", g.Adequate, MaxNoteLen)
	ValidateText(v, field+".weak", g.Weak, MaxNoteLen)
	if len(g.Levels) > len(tax.Seniorities) {
		v.Add(field+".levels", "has %d entries, at most one per seniority (%d)", len(g.Levels), len(tax.Seniorities))
		return
	}
	seen := map[string]bool{}
	for i, l := range g.Levels {
		f := fieldAt(field+".levels", i)
		switch {
		case !tax.HasSeniority(l.Seniority):
			v.Add(f+".seniority", "unknown seniority %s (valid: %s)", Quote(l.Seniority), strings.Join(tax.Seniorities, ", "))
		case len(seniorities) > 0 && !slices.Contains(seniorities, l.Seniority):
			v.Add(f+".seniority", "%s is not one of the question's seniorities (%s)", Quote(l.Seniority), strings.Join(seniorities, ", "))
		case seen[l.Seniority]:
			v.Add(f+".seniority", "duplicate level %s", Quote(l.Seniority))
		}
		seen[l.Seniority] = true
		if l.Strong == "" {
			v.Add(f+".strong", "is required: what a strong answer sounds like at this level")
		}
		ValidateText(v, f+".strong", l.Strong, MaxNoteLen)
		ValidateText(v, f+".adequate", l.Adequate, MaxNoteLen)
		ValidateText(v, f+".weak", l.Weak, MaxNoteLen)
	}
}

// ValidateChangeNote checks the optional note that explains a write.
func ValidateChangeNote(v *Violations, field, note string) {
	ValidateText(v, field, note, MaxNoteLen)
}

// ValidateText checks free text: valid UTF-8, no NUL or other control
// characters but tab and newlines (PostgreSQL cannot store NUL, and both
// stores must accept exactly the same content), and at most max characters.
func ValidateText(v *Violations, field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "is not valid UTF-8")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }):
		v.Add(field, "contains a control character")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "is %d characters, the limit is %d", utf8.RuneCountInString(s), max)
	}
}

// listLimit records a violation for a list longer than MaxListItems and
// reports whether it did, so that the caller skips checking its entries.
func listLimit(v *Violations, field string, items []string) bool {
	if len(items) > MaxListItems {
		v.Add(field, "has %d entries, the limit is %d", len(items), MaxListItems)
		return true
	}
	return false
}

func trimAll(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// dedupe drops repeated entries, keeping the first of each, in linear time
// (a list may be as long as a request is before validation refuses it).
func dedupe(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]struct{}, len(in))
	for _, s := range in {
		if _, dup := seen[s]; !dup {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
