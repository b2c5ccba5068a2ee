package seed_test

// Taxonomy gates: the rating scale reviewers use, the guidance printed with
// every kit, and evaluation criteria that fit each role.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

func init() {
	register(map[string]rule{
		"rating-scale":      checkRatingScale,
		"reviewer-guidance": checkReviewerGuidance,
		"role-criteria":     checkRoleCriteria,
	},
		brokenCase{"rating-scale", "no scale", func(b *seed.Bank) { b.Taxonomy.RatingScale = nil }},
		brokenCase{"rating-scale", "no 'no evidence' point", func(b *seed.Bank) { b.Taxonomy.RatingScale = b.Taxonomy.RatingScale[1:] }},
		brokenCase{"rating-scale", "three points", func(b *seed.Bank) { b.Taxonomy.RatingScale = b.Taxonomy.RatingScale[:4] }},
		brokenCase{"rating-scale", "a point without a description", func(b *seed.Bank) { b.Taxonomy.RatingScale[2].Description = "" }},
		brokenCase{"rating-scale", "values out of order", func(b *seed.Bank) { b.Taxonomy.RatingScale[3].Value = 7 }},
		brokenCase{"rating-scale", "strong anchor not mapped to the top point", func(b *seed.Bank) {
			top := &b.Taxonomy.RatingScale[len(b.Taxonomy.RatingScale)-1]
			top.Description = "Excellent: better than most candidates."
		}},
		brokenCase{"reviewer-guidance", "no guidance", func(b *seed.Bank) { b.Taxonomy.ReviewerGuidance = nil }},
		brokenCase{"reviewer-guidance", "follow-ups note dropped", func(b *seed.Bank) {
			b.Taxonomy.ReviewerGuidance = slices.DeleteFunc(b.Taxonomy.ReviewerGuidance, func(g qbank.GuidanceNote) bool {
				return strings.Contains(strings.ToLower(g.Text), "final")
			})
		}},
		brokenCase{"reviewer-guidance", "delivery note forgets accent", func(b *seed.Bank) {
			for i := range b.Taxonomy.ReviewerGuidance {
				g := &b.Taxonomy.ReviewerGuidance[i]
				g.Text = regexp.MustCompile(`(?i)accents?,?`).ReplaceAllString(g.Text, "")
			}
		}},
		brokenCase{"reviewer-guidance", "accommodations without the hypothetical on-call answer", func(b *seed.Bank) {
			for i := range b.Taxonomy.ReviewerGuidance {
				g := &b.Taxonomy.ReviewerGuidance[i]
				g.Text = regexp.MustCompile(`(?i)hypothetical(ly)?`).ReplaceAllString(g.Text, "")
			}
		}},
		brokenCase{"role-criteria", "frontend red flag printed for DevOps", func(b *seed.Bank) { delete(role(b, "devops-engineer").Criteria, "collaboration") }},
		brokenCase{"role-criteria", "frontend red flag printed for data", func(b *seed.Bank) {
			c := role(b, "data-engineer").Criteria["collaboration"]
			c.RedFlags = "Dismissive of frontend concerns"
			role(b, "data-engineer").Criteria["collaboration"] = c
		}},
	)
}

// checkRatingScale: value 0 is "no evidence", then at least
// qbank.MinRatingPoints points rising by one, each labelled and described; the
// descriptions tie the scoring guides' anchors to points (strong to the top,
// adequate below it, weak at 1), so reviewers know what a guide's words score.
func checkRatingScale(b *seed.Bank) []string {
	s := b.Taxonomy.RatingScale
	if len(s) == 0 {
		return []string{"the taxonomy has no rating scale"}
	}
	var p []string
	if s[0].Value != 0 || !strings.EqualFold(s[0].Label, "No evidence") {
		p = append(p, fmt.Sprintf("rating scale starts with %d %q, want 0 \"No evidence\"", s[0].Value, s[0].Label))
	}
	if len(s) < qbank.MinRatingPoints+1 {
		p = append(p, fmt.Sprintf("rating scale has %d ratings above no evidence, want at least %d", len(s)-1, qbank.MinRatingPoints))
	}
	for i, pt := range s {
		if pt.Value != i {
			p = append(p, fmt.Sprintf("rating scale point %d has value %d", i, pt.Value))
		}
		if strings.TrimSpace(pt.Label) == "" || strings.TrimSpace(pt.Description) == "" {
			p = append(p, fmt.Sprintf("rating %d needs a label and a description", pt.Value))
		}
	}
	if len(s) >= 3 {
		anchored := func(pt qbank.RatingPoint, anchor string) bool {
			return strings.Contains(strings.ToLower(pt.Description), anchor+" anchor")
		}
		if !anchored(s[len(s)-1], "strong") {
			p = append(p, "the top rating's description does not say it matches the scoring guide's strong anchor")
		}
		if !anchored(s[len(s)-2], "adequate") {
			p = append(p, "the rating below the top does not say it matches the scoring guide's adequate anchor")
		}
		if !anchored(s[1], "weak") {
			p = append(p, "rating 1 does not say it matches the scoring guide's weak anchor")
		}
	}
	return p
}

// guidanceTopics are what the reviewer guidance must cover, each as patterns
// that one note must all match.
var guidanceTopics = []struct {
	topic    string
	patterns []string
}{
	{"rate content, not delivery, accent, appearance or background", []string{`deliver`, `accent`, `appearance`, `background`}},
	{"no evidence rather than a low score", []string{`no evidence`, `low score|rather than 1|not a low`}},
	{"rate against the candidate's level", []string{`level`, `junior|senior`}},
	{"rate independently before discussing", []string{`independent|alone`, `discuss|compare`}},
	{"follow-ups are probes for the final round", []string{`follow-up`, `final`}},
	{"accommodations for on-call questions", []string{`on call|on-call`, `hypothetical`}},
	{"accommodations: extra time and captions", []string{`extra time`, `caption`}},
	{"confidentiality: anonymised or hypothetical examples", []string{`anonymi`, `hypothetical`, `confidential`}},
	{"confidentiality: no employer secrets", []string{`confidential information|secret`}},
	{"the bank itself is confidential", []string{`questions`, `confidential`, `share`}},
}

func checkReviewerGuidance(b *seed.Bank) []string {
	var p []string
	if len(b.Taxonomy.ReviewerGuidance) == 0 {
		return []string{"the taxonomy has no reviewer guidance"}
	}
	for _, g := range b.Taxonomy.ReviewerGuidance {
		if strings.TrimSpace(g.Title) == "" || strings.TrimSpace(g.Text) == "" {
			p = append(p, fmt.Sprintf("reviewer guidance %s needs a title and a text", g.ID))
		}
	}
	for _, t := range guidanceTopics {
		covered := slices.ContainsFunc(b.Taxonomy.ReviewerGuidance, func(g qbank.GuidanceNote) bool {
			for _, pat := range t.patterns {
				if !regexp.MustCompile(`(?i)` + pat).MatchString(g.Title + " " + g.Text) {
					return false
				}
			}
			return true
		})
		if !covered {
			p = append(p, "no reviewer guidance note covers: "+t.topic)
		}
	}
	return p
}

// collaboratorWords are criteria words that only fit roles that work with
// those people; another role's reviewers must see criteria of their own.
var collaboratorWords = map[string][]string{
	"frontend": {"backend-engineer", "full-stack-developer"},
}

// checkRoleCriteria: the criteria a role's reviewers apply (the role's own
// or else the competency's) name no collaborators the role does not have,
// such as the page's "dismissive of frontend concerns" printed for DevOps.
func checkRoleCriteria(b *seed.Bank) []string {
	var p []string
	for _, r := range b.Taxonomy.Roles {
		for _, c := range r.Competencies {
			cr := b.Taxonomy.CriteriaFor(r.ID, c)
			text := strings.ToLower(cr.GreatLooksLike + " " + cr.RedFlags)
			for w, roles := range collaboratorWords {
				if strings.Contains(text, w) && !slices.Contains(roles, r.ID) {
					p = append(p, fmt.Sprintf("role %s, competency %s: criteria mention %q, which does not fit the role; give the role criteria of its own", r.ID, c, w))
				}
			}
		}
	}
	return p
}
