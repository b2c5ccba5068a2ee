// Package bankgen generates large, valid question banks over a taxonomy, for
// benchmarks and scale tests. The content is synthetic but shaped like the
// real bank: every role's competencies covered, realistic minutes and
// formats, some stack-specific questions and variants.
package bankgen

import (
	"fmt"
	"math/rand/v2"

	"github.com/layersrank/qbank"
)

var (
	subjects = []string{"a payment service", "a search index", "an event pipeline", "a public API", "a billing job",
		"a mobile backend", "a reporting warehouse", "a notification system", "an auth gateway", "a feature-flag service"}
	situations = []string{"latency doubled after a deploy", "a customer reported missing data", "traffic grew tenfold",
		"an on-call page fired at night", "two teams disagreed on the design", "a dependency was deprecated",
		"costs rose by half in a month", "a migration had to run without downtime"}
)

// Questions returns n questions over tax, deterministic for the seed. Ids
// are gen-00000001 … so they sort in generation order.
func Questions(tax *qbank.Taxonomy, n int, seed uint64) []qbank.Question {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]qbank.Question, 0, n)
	for i := range n {
		role := tax.Roles[rng.IntN(len(tax.Roles))]
		compID := role.Competencies[rng.IntN(len(role.Competencies))]
		comp, _ := tax.Competency(compID)
		format, minutes := qbank.FormatVideo, 3+rng.IntN(4)
		if rng.IntN(3) == 0 {
			format, minutes = qbank.FormatWritten, 4+rng.IntN(7)
		}
		subject, situation := subjects[rng.IntN(len(subjects))], situations[rng.IntN(len(situations))]
		q := qbank.Question{
			ID:    fmt.Sprintf("gen-%08d", i+1),
			State: qbank.StateActive,
			Content: qbank.Content{
				Text: fmt.Sprintf("Scenario %d: you own %s and %s. Walk me through what you would do about %s, and why.",
					i+1, subject, situation, comp.Title),
				Roles:          []string{role.ID},
				Dimension:      comp.Dimension,
				Competency:     comp.ID,
				WhatItReveals:  fmt.Sprintf("How the candidate applies %s under realistic pressure.", comp.Title),
				ResponseFormat: format,
				Minutes:        minutes,
				FollowUps:      []string{"What would you measure first?", "What would you do differently next time?"},
				ScoringGuide: qbank.ScoringGuide{
					Strong:   "Structured, grounded in data, explicit about trade-offs.",
					Adequate: "Reasonable steps, little on trade-offs.",
					Weak:     "Guesses or blames others.",
				},
			},
		}
		switch r := rng.IntN(10); {
		case r == 0 && len(tax.Stacks) > 0:
			q.Stacks = []string{tax.Stacks[rng.IntN(len(tax.Stacks))].ID}
		case r == 1 && len(tax.Stacks) > 0:
			st := tax.Stacks[rng.IntN(len(tax.Stacks))]
			q.StackVariants = map[string]qbank.StackVariant{st.ID: {Text: q.Text + " Assume the service is built with " + st.Title + "."}}
		}
		if rng.IntN(5) == 0 {
			q.Seniorities = []string{tax.Seniorities[rng.IntN(len(tax.Seniorities))]}
		}
		out = append(out, q)
	}
	return out
}
