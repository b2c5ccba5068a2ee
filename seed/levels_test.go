package seed_test

// Level gates: every question says what strong looks like at each level it is
// asked at, and every role has questions aimed at juniors and questions only
// a senior can answer.

import (
	"fmt"
	"maps"
	"slices"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

func init() {
	register(map[string]rule{
		"level-guides":   checkLevelGuides,
		"level-coverage": checkLevelCoverage,
	},
		brokenCase{"level-guides", "all-levels question missing its junior guide", func(b *seed.Bank) {
			x := q(b, "next-career-steps")
			x.ScoringGuide.Levels = slices.DeleteFunc(x.ScoringGuide.Levels, func(l qbank.LevelGuide) bool { return l.Seniority == "junior" })
		}},
		brokenCase{"level-guides", "senior-only question without a guide", func(b *seed.Bank) { q(b, "mentoring-an-engineer").ScoringGuide.Levels = nil }},
		brokenCase{"level-guides", "empty strong anchor at a level", func(b *seed.Bank) { q(b, "next-career-steps").ScoringGuide.Levels[1].Strong = " " }},
		brokenCase{"level-guides", "variant guide covering one level of three", func(b *seed.Bank) {
			x := first(b, func(x qbank.Question) bool { return len(x.StackVariants) > 0 && len(x.Seniorities) != 1 })
			for k, v := range x.StackVariants {
				v.ScoringGuide.Levels = []qbank.LevelGuide{{Seniority: askedAt(&b.Taxonomy, *x)[0], Strong: "Names the stack's tools."}}
				x.StackVariants[k] = v
				break
			}
		}},
		brokenCase{"level-coverage", "no senior-only questions for data", func(b *seed.Bank) {
			for i := range b.Questions {
				x := &b.Questions[i]
				if slices.Contains(x.Roles, "data-engineer") && slices.Equal(x.Seniorities, []string{"senior"}) {
					x.Seniorities = []string{"mid", "senior"}
				}
			}
		}},
		brokenCase{"level-coverage", "no junior questions for devops", func(b *seed.Bank) {
			for i := range b.Questions {
				x := &b.Questions[i]
				if slices.Contains(x.Roles, "devops-engineer") && slices.Contains(x.Seniorities, "junior") {
					x.Seniorities = nil
				}
			}
		}},
		brokenCase{"level-coverage", "technical questions leave seniors to the behavioral ones", func(b *seed.Bank) {
			for i := range b.Questions {
				x := &b.Questions[i]
				if x.Dimension == "technical" && slices.Contains(x.Roles, "backend-engineer") && slices.Equal(x.Seniorities, []string{"senior"}) {
					x.Seniorities = []string{"mid", "senior"}
				}
			}
		}},
	)
}

// checkLevelGuides: a question's scoring guide has a level entry, with a
// strong anchor, for every seniority it is asked at (all three when it names
// none). A stack variant with level guides of its own covers the same levels.
func checkLevelGuides(b *seed.Bank) []string {
	var p []string
	check := func(where string, levels []qbank.LevelGuide, want []string) {
		have := map[string]bool{}
		for _, l := range levels {
			if l.Strong == "" || len(nonWord.ReplaceAllString(l.Strong, "")) == 0 {
				p = append(p, fmt.Sprintf("%s: level %s has no strong anchor", where, l.Seniority))
			}
			have[l.Seniority] = true
		}
		for _, s := range want {
			if !have[s] {
				p = append(p, fmt.Sprintf("%s: no scoring guide for %s candidates, though the question is asked at that level", where, s))
			}
		}
	}
	for _, q := range b.Questions {
		if !active(q) {
			continue
		}
		want := askedAt(&b.Taxonomy, q)
		check(q.ID+".scoringGuide", q.ScoringGuide.Levels, want)
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			if lv := q.StackVariants[k].ScoringGuide.Levels; len(lv) > 0 {
				check(q.ID+".stackVariants."+k+".scoringGuide", lv, want)
			}
		}
	}
	return p
}

// Per role: questions aimed at juniors (their seniorities name junior, and
// junior-framing holds them to wording a junior can answer) and questions
// that only make sense for seniors (seniorities exactly [senior]: design
// documents, leading a migration, mentoring, prioritisation, cross-team
// influence). A question with no seniorities is asked at every level but aimed
// at none, so it counts for neither. The technical questions carry part of
// both: minTechnicalPerLevel of each per role.
const (
	minJuniorPerRole     = 3
	minSeniorPerRole     = 3
	minTechnicalPerLevel = 2
)

func juniorAimed(q qbank.Question) bool { return slices.Contains(q.Seniorities, "junior") }
func seniorOnly(q qbank.Question) bool  { return slices.Equal(q.Seniorities, []string{"senior"}) }

func checkLevelCoverage(b *seed.Bank) []string {
	var p []string
	for _, r := range b.Taxonomy.Roles {
		var junior, senior, techJunior, techSenior int
		for _, q := range b.Questions {
			if !active(q) || !slices.Contains(q.Roles, r.ID) {
				continue
			}
			tech := q.Dimension == "technical"
			if juniorAimed(q) {
				junior++
				if tech {
					techJunior++
				}
			}
			if seniorOnly(q) {
				senior++
				if tech {
					techSenior++
				}
			}
		}
		if junior < minJuniorPerRole {
			p = append(p, fmt.Sprintf("role %s: %d active questions aimed at juniors, want at least %d", r.ID, junior, minJuniorPerRole))
		}
		if senior < minSeniorPerRole {
			p = append(p, fmt.Sprintf("role %s: %d senior-only active questions, want at least %d", r.ID, senior, minSeniorPerRole))
		}
		if techJunior < minTechnicalPerLevel {
			p = append(p, fmt.Sprintf("role %s: %d technical questions aimed at juniors, want at least %d", r.ID, techJunior, minTechnicalPerLevel))
		}
		if techSenior < minTechnicalPerLevel {
			p = append(p, fmt.Sprintf("role %s: %d senior-only technical questions, want at least %d", r.ID, techSenior, minTechnicalPerLevel))
		}
	}
	return p
}
