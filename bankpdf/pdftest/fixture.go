package pdftest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

// Published is the published bank's collection (the product page's
// "Download Question Bank").
const Published = "layersrank-50"

// RichBank is the bank as the server prints it: the seed's taxonomy (rating
// scale, reviewer guidance, roles' own criteria, the published collection)
// and its active questions, at versions 1 to 3 so that version labels are
// exercised. Stack variants gain a probe and a strong anchor of their own
// where the seed gives them none, so every kind of part is printed. It is
// loaded once per test binary: callers must not modify what it returns
// beyond their own copies of a Question.
func RichBank(tb testing.TB) (*qbank.Taxonomy, []qbank.Question) {
	tb.Helper()
	richOnce.Do(func() { richTax, richQs, richErr = richBank() })
	if richErr != nil {
		tb.Fatal(richErr)
	}
	return richTax, slices.Clone(richQs)
}

var (
	richOnce sync.Once
	richTax  *qbank.Taxonomy
	richQs   []qbank.Question
	richErr  error
)

func richBank() (*qbank.Taxonomy, []qbank.Question, error) {
	b, err := seed.Load()
	if err != nil {
		return nil, nil, err
	}
	tax := b.Taxonomy
	var qs []qbank.Question
	for i, q := range b.Questions {
		if q.State != "" && q.State != qbank.StateActive {
			continue // the server prints the active bank
		}
		q.Version = 1 + i%3
		q.State = qbank.StateActive
		q.Content = q.Content.Clone()
		if len(q.ScoringGuide.Levels) == 0 {
			q.ScoringGuide.Levels = levels(q.ScoringGuide)
		}
		if len(q.StackVariants) > 0 {
			q.StackVariants = maps.Clone(q.StackVariants)
			for _, k := range slices.Sorted(maps.Keys(q.StackVariants))[:1] {
				v := q.StackVariants[k]
				if len(v.FollowUps) == 0 {
					v.FollowUps = []string{fmt.Sprintf("Which %s tool would you reach for first, and what would it show you?", k)}
				}
				if v.ScoringGuide.Strong == "" {
					v.ScoringGuide.Strong = "Names the " + k + " tooling that answers the question and says what its output would show, before and after the change."
				}
				q.StackVariants[k] = v
			}
		}
		qs = append(qs, q)
	}
	return &tax, qs, nil
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

func firstClause(s string) string {
	if i := strings.IndexAny(s, ";."); i > 0 {
		return s[:i] + "."
	}
	return s
}
