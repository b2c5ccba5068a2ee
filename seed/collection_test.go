package seed_test

// The published bank: layersrank-50 holds exactly fifty active questions,
// covers every role's competencies, and includes the product page's five
// sample questions word for word.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

const published = "layersrank-50"

func init() {
	register(map[string]rule{
		"collection":   checkCollection,
		"page-samples": checkPageSamples,
	},
		brokenCase{"collection", "49 questions", func(b *seed.Bank) {
			x := first(b, func(x qbank.Question) bool { return slices.Contains(x.Collections, published) && x.ID != rl })
			x.Collections = nil
		}},
		brokenCase{"collection", "51 questions", func(b *seed.Bank) {
			first(b, func(x qbank.Question) bool { return !slices.Contains(x.Collections, published) }).Collections = []string{published}
		}},
		brokenCase{"collection", "a tagged question retired", func(b *seed.Bank) {
			x := first(b, func(x qbank.Question) bool { return slices.Contains(x.Collections, published) && x.ID != rl })
			x.State = qbank.StateRetired
			first(b, func(x qbank.Question) bool { return !slices.Contains(x.Collections, published) }).Collections = []string{published}
		}},
		brokenCase{"collection", "a page sample left out", func(b *seed.Bank) {
			q(b, "maintaining-system-you-didnt-build").Collections = nil
			first(b, func(x qbank.Question) bool {
				return !slices.Contains(x.Collections, published) && x.Competency == "ownership"
			}).Collections = []string{published}
		}},
		brokenCase{"collection", "a role competency missing from the published bank", func(b *seed.Bank) {
			for i := range b.Questions {
				x := &b.Questions[i]
				if x.Competency == "growth-trajectory" {
					x.Collections = nil
				}
			}
		}},
		brokenCase{"collection", "size dropped from the taxonomy", func(b *seed.Bank) { b.Taxonomy.Collections[0].Size = 0 }},
		brokenCase{"page-samples", "punctuation changed", func(b *seed.Bank) {
			q(b, rl).Text = strings.Replace(q(b, rl).Text, "trade-offs", "tradeoffs", 1)
		}},
		brokenCase{"page-samples", "reveals reworded", func(b *seed.Bank) {
			q(b, "maintaining-system-you-didnt-build").WhatItReveals = "Attitude toward legacy code."
		}},
		brokenCase{"page-samples", "wrong competency", func(b *seed.Bank) { q(b, "frontend-api-design-disagreement").Competency = "technical-communication" }},
		brokenCase{"page-samples", "not video", func(b *seed.Bank) { q(b, "production-latency-10x-debugging").ResponseFormat = qbank.FormatWritten }},
		brokenCase{"page-samples", "retired", func(b *seed.Bank) { q(b, "regretted-technical-decision").State = qbank.StateRetired }},
	)
}

// pageSamples are the five sample questions of the Backend Engineer page
// (/hire/backend-engineer), copied word for word. They are hard-coded so the
// test does not depend on the page file being present.
var pageSamples = []struct {
	text, reveals, dimension string
	competencies             []string // any of
	format                   qbank.ResponseFormat
}{
	{
		text:         "Walk me through how you would design an API rate limiting system. What trade-offs would you consider?",
		reveals:      "System design thinking, awareness of distributed systems challenges, trade-off reasoning between precision and performance.",
		dimension:    "technical",
		competencies: []string{"system-design"},
		format:       qbank.FormatVideo,
	},
	{
		text:         "You're debugging a production issue where API response times have suddenly increased by 10x. Walk me through your approach.",
		reveals:      "Systematic debugging methodology, familiarity with observability tools, ability to stay calm under pressure.",
		dimension:    "technical",
		competencies: []string{"debugging-operations"},
		format:       qbank.FormatVideo,
	},
	{
		text:         "Describe a technical decision you made that you later regretted. What would you do differently?",
		reveals:      "Self-awareness, learning orientation, intellectual honesty about mistakes.",
		dimension:    "technical",
		competencies: []string{"code-quality", "system-design"},
		format:       qbank.FormatVideo,
	},
	{
		text:         "Tell me about a time you disagreed with a frontend engineer about API design. How did you handle it?",
		reveals:      "Collaboration style, ability to advocate for technical positions while respecting other perspectives.",
		dimension:    "behavioral",
		competencies: []string{"collaboration"},
	},
	{
		text:         "Describe a situation where you had to maintain a system you didn't build. What was challenging?",
		reveals:      "Attitude toward legacy code, documentation practices, empathy for future maintainers.",
		dimension:    "behavioral",
		competencies: []string{"ownership", "collaboration"},
	},
}

// checkCollection: the published collection exists with a fixed size, holds
// exactly that many questions, all active (retiring one means tagging its
// replacement), including the page's samples, and shows every role every
// competency its assessment covers.
func checkCollection(b *seed.Bank) []string {
	var p []string
	c, ok := b.Taxonomy.Collection(published)
	if !ok {
		return []string{"the taxonomy has no collection " + published}
	}
	if c.Size != 50 {
		p = append(p, fmt.Sprintf("collection %s: size %d, the product page promises 50", published, c.Size))
	}
	var members []qbank.Question
	for _, q := range b.Questions {
		if !slices.Contains(q.Collections, published) {
			continue
		}
		if !active(q) {
			p = append(p, fmt.Sprintf("%s: %s but tagged %s; tag its replacement instead", q.ID, q.State, published))
			continue
		}
		members = append(members, q)
	}
	if len(members) != c.Size {
		p = append(p, fmt.Sprintf("collection %s holds %d active questions, want exactly %d", published, len(members), c.Size))
	}
	for _, s := range pageSamples {
		if !slices.ContainsFunc(members, func(q qbank.Question) bool { return q.Text == s.text }) {
			p = append(p, fmt.Sprintf("collection %s lacks the page sample %q", published, s.text))
		}
	}
	for _, r := range b.Taxonomy.Roles {
		for _, comp := range r.Competencies {
			if !slices.ContainsFunc(members, func(q qbank.Question) bool {
				return q.Competency == comp && slices.Contains(q.Roles, r.ID)
			}) {
				p = append(p, fmt.Sprintf("collection %s has no %s question for role %s", published, comp, r.ID))
			}
		}
	}
	return p
}

// checkPageSamples: the page's five sample questions are in the bank word for
// word, with their "What this reveals" and the classification the page implies.
func checkPageSamples(b *seed.Bank) []string {
	var p []string
	for i, s := range pageSamples {
		var q *qbank.Question
		for j := range b.Questions {
			if b.Questions[j].Text == s.text {
				q = &b.Questions[j]
			}
		}
		if q == nil {
			p = append(p, fmt.Sprintf("page sample %d is missing or not word for word: %q", i+1, s.text))
			continue
		}
		if q.WhatItReveals != s.reveals {
			p = append(p, fmt.Sprintf("%s: whatItReveals differs from the page: got %q, want %q", q.ID, q.WhatItReveals, s.reveals))
		}
		if q.Dimension != s.dimension || !slices.Contains(s.competencies, q.Competency) {
			p = append(p, fmt.Sprintf("%s: classified %s/%s, want %s/%s", q.ID, q.Dimension, q.Competency, s.dimension, strings.Join(s.competencies, " or ")))
		}
		if s.format != "" && q.ResponseFormat != s.format {
			p = append(p, fmt.Sprintf("%s: format %s, want %s", q.ID, q.ResponseFormat, s.format))
		}
		if !active(*q) || !slices.Contains(q.Roles, "backend-engineer") || len(q.Stacks) > 0 {
			p = append(p, fmt.Sprintf("%s: a page sample must be an active, language-agnostic backend question", q.ID))
		}
	}
	return p
}
