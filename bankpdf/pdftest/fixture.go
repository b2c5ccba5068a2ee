package pdftest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

// Published is the collection the fixture's published bank uses.
const Published = "layersrank-50"

// RichBank is the seed bank grown into the shape of a full content release,
// for tests that must not wait for one: a rating scale, reviewer guidance, a
// role's own criteria, the seed's 50 questions as the published collection,
// as many again outside it, level anchors on every third question and stack
// variants with their own probes and anchors. Every question is active and
// versioned.
func RichBank(tb testing.TB) (*qbank.Taxonomy, []qbank.Question) {
	tb.Helper()
	b, err := seed.Load()
	if err != nil {
		tb.Fatal(err)
	}
	tax := b.Taxonomy
	tax.Roles = slices.Clone(tax.Roles)
	tax.RatingScale = []qbank.RatingPoint{
		{Value: 0, Label: "No evidence", Description: "The answers did not touch this competency. Not a low rating: probe it in the final round."},
		{Value: 1, Label: "Weak", Description: "Matches the weak anchor: misconceptions, no reasoning shown, or an answer to a different question."},
		{Value: 2, Label: "Partial", Description: "Some of the adequate anchor: sound in places, with gaps a colleague would have to fill."},
		{Value: 3, Label: "Adequate", Description: "Matches the adequate anchor: correct and reasoned, without the depth of a strong answer."},
		{Value: 4, Label: "Strong", Description: "Matches the strong anchor for the candidate's level: trade-offs weighed, evidence used, limits known."},
	}
	tax.ReviewerGuidance = []qbank.GuidanceNote{
		{ID: "content-not-delivery", Title: "Rate what was said, not how", Text: "Rate the substance of the answer against the scoring guide. Accent, fluency, camera, appearance and background are not evidence and must not move a rating."},
		{ID: "one-question-at-a-time", Title: "Rate each answer before the next", Text: "Read the scoring guide, watch or read the answer, then rate it before moving on, so one strong or weak answer does not colour the rest."},
		{ID: "follow-ups-are-final-round", Title: "Follow-ups are for the final round", Text: "Candidates never saw the follow-ups. Use them in the final interview where an answer left the evidence thin."},
		{ID: "accommodations", Title: "Accommodations", Text: "A candidate may have answered in writing instead of on video, or with extra time. Rate the content the same way."},
		{ID: "confidentiality", Title: "Keep the kit confidential", Text: "Questions and scoring guides must never reach candidates. Do not forward this document outside the hiring team."},
	}
	tax.Collections = []qbank.Collection{{ID: Published, Title: "The LayersRank 50", Description: "The 50 questions of the published LayersRank question bank", Size: 50}}
	for i, r := range tax.Roles {
		if r.ID == "devops-engineer" {
			r.Criteria = map[string]qbank.Criteria{"collaboration": {
				GreatLooksLike: "Works with application teams on delivery and reliability as shared goals, makes platform changes easy to adopt",
				RedFlags:       "Treats developers as the source of incidents, gatekeeps the platform, no empathy for on-call load",
			}}
			tax.Roles[i] = r
		}
	}

	var qs []qbank.Question
	for i, q := range b.Questions {
		q.Version = 1 + i%3
		q.State = qbank.StateActive
		q.Content = q.Content.Clone()
		q.Collections = []string{Published}
		if i%3 == 0 {
			q.ScoringGuide.Levels = levels(q.ScoringGuide)
		}
		if len(q.StackVariants) > 0 {
			q.StackVariants = maps.Clone(q.StackVariants)
			for _, k := range slices.Sorted(maps.Keys(q.StackVariants))[:1] {
				v := q.StackVariants[k]
				v.FollowUps = []string{fmt.Sprintf("Which %s tool would you reach for first, and what would it show you?", k)}
				v.ScoringGuide = qbank.ScoringGuide{Strong: "Names the " + k + " tooling that answers the question and says what its output would show, before and after the change."}
				q.StackVariants[k] = v
			}
		}
		qs = append(qs, q)

		// A second question on the same ground, outside the collection.
		d := q
		d.ID = strings.TrimSuffix(q.ID[:min(len(q.ID), 52)], "-") + "-deep-dive"
		d.Version = 1
		d.Content = q.Content.Clone()
		d.Collections = nil
		// Its own words throughout, so a test can tell the two apart.
		d.Text = "Going deeper: " + lowerFirst(q.Text)
		d.WhatItReveals = "Beyond the first question: " + lowerFirst(q.WhatItReveals)
		d.ScoringGuide = qbank.ScoringGuide{Strong: "Deeper: " + q.ScoringGuide.Strong, Adequate: "Deeper: " + q.ScoringGuide.Adequate, Weak: "Deeper: " + q.ScoringGuide.Weak}
		if i%2 == 0 {
			d.ScoringGuide.Levels = levels(q.ScoringGuide)
		}
		if len(q.StackVariants) > 0 {
			d.StackVariants = map[string]qbank.StackVariant{}
			for k, v := range q.StackVariants {
				v.Text = "Going deeper: " + lowerFirst(v.Text)
				d.StackVariants[k] = v
			}
		}
		qs = append(qs, d)
	}
	return &tax, qs
}

// levels writes level anchors for a guide as a content release words them:
// a junior and a senior strong answer, and a senior adequate one.
func levels(g qbank.ScoringGuide) []qbank.LevelGuide {
	return []qbank.LevelGuide{
		{Seniority: "junior", Strong: "For a junior engineer: gets the core of this right and explains the reasoning, without needing the operational depth: " + firstClause(g.Strong)},
		{Seniority: "senior", Strong: "For a senior engineer: all of the strong answer, plus how they would lead the team through it and what they would measure to know it worked.",
			Adequate: "For a senior engineer, the strong answer of a mid-level engineer is only adequate: " + firstClause(g.Adequate)},
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func firstClause(s string) string {
	if i := strings.IndexAny(s, ";."); i > 0 {
		return s[:i] + "."
	}
	return s
}
