package seed_test

// Content quality gates for the curated bank in seed/data.
//
// Every gate is a rule: a function over a *seed.Bank that returns one
// human-readable line per problem it finds (nil means the bank passes). TestContent
// runs every rule on the shipped bank; TestRulesCatchBrokenContent feeds each rule
// deliberately broken copies of the bank and asserts that it fires, so a rule that
// silently stops checking anything fails the build too.

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/seed"
)

type rule func(b *seed.Bank) []string

var rules = map[string]rule{
	"references":           checkReferences,
	"ids":                  checkIDs,
	"required-fields":      checkRequiredFields,
	"competency-dimension": checkCompetencyDimension,
	"role-fit":             checkRoleFit,
	"format-minutes":       checkFormatMinutes,
	"near-duplicates":      checkNearDuplicates,
	"protected-topics":     checkProtectedTopics,
	"placeholders":         checkPlaceholders,
	"coverage":             checkCoverage,
	"question-count":       checkQuestionCount,
	"page-samples":         checkPageSamples,
	"stack-specific":       checkStackSpecific,
	"stack-variants":       checkStackVariants,
	"default-templates":    checkDefaultTemplates,
	"assemblable":          checkAssemblable,
}

func mustLoad(t testing.TB) *seed.Bank {
	t.Helper()
	b, err := seed.Load()
	if err != nil {
		t.Fatalf("seed.Load: %v", err)
	}
	return b
}

func TestContent(t *testing.T) {
	b := mustLoad(t)
	for _, name := range slices.Sorted(maps.Keys(rules)) {
		t.Run(name, func(t *testing.T) {
			for _, p := range rules[name](b) {
				t.Error(p)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Constants of the content contract

const (
	wantQuestions = 50
	// minPerCompetency: every competency a role lists has at least this many
	// active questions for that role; backend's technical competencies (the core
	// of the product page) need minBackendTechnical.
	minPerCompetency    = 2
	minBackendTechnical = 3
	minFollowUps        = 2
	minStacksSpecific   = 4 // distinct stacks with stack-specific questions
	minWithVariants     = 6 // language-agnostic questions with stackVariants
	// Realistic response times (minutes) per format: video answers are short
	// spoken walkthroughs, written ones need time to structure.
	minVideo, maxVideo     = 3, 6
	minWritten, maxWritten = 4, 10
	// shareTolerance: the assembler must be able to land every dimension's
	// share of minutes within this many percentage points of its weight.
	shareTolerance = 5.0
)

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

// ---------------------------------------------------------------------------
// Helpers

func active(q qbank.Question) bool { return q.State == qbank.StateActive }

func questionByID(b *seed.Bank, id string) *qbank.Question {
	for i := range b.Questions {
		if b.Questions[i].ID == id {
			return &b.Questions[i]
		}
	}
	return nil
}

// texts returns every piece of prose in the bank with a label saying where it
// is, for the checks that read all of it.
func texts(b *seed.Bank) []struct{ where, text string } {
	var out []struct{ where, text string }
	add := func(where, text string) { out = append(out, struct{ where, text string }{where, text}) }
	for _, q := range b.Questions {
		add(q.ID+".text", q.Text)
		add(q.ID+".whatItReveals", q.WhatItReveals)
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			add(q.ID+".stackVariants."+k, q.StackVariants[k].Text)
		}
		for i, f := range q.FollowUps {
			add(fmt.Sprintf("%s.followUps[%d]", q.ID, i), f)
		}
		add(q.ID+".scoringGuide.strong", q.ScoringGuide.Strong)
		add(q.ID+".scoringGuide.adequate", q.ScoringGuide.Adequate)
		add(q.ID+".scoringGuide.weak", q.ScoringGuide.Weak)
	}
	for _, c := range b.Taxonomy.Competencies {
		add("competency "+c.ID+".description", c.Description)
		add("competency "+c.ID+".greatLooksLike", c.GreatLooksLike)
		add("competency "+c.ID+".redFlags", c.RedFlags)
	}
	for _, t := range b.Templates {
		add("template "+t.ID+".title", t.Title)
	}
	return out
}

// ---------------------------------------------------------------------------
// Rules

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

// checkRequiredFields: everything a reviewer or the PDF relies on is present.
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
		if q.Minutes < qbank.MinMinutes || q.Minutes > qbank.MaxMinutes {
			p = append(p, fmt.Sprintf("%s: minutes %d outside %d–%d", q.ID, q.Minutes, qbank.MinMinutes, qbank.MaxMinutes))
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
		for part, s := range map[string]string{"strong": q.ScoringGuide.Strong, "adequate": q.ScoringGuide.Adequate, "weak": q.ScoringGuide.Weak} {
			if blank(s) {
				p = append(p, q.ID+": scoringGuide."+part+" is empty")
			}
		}
		for k, v := range q.StackVariants {
			if blank(v.Text) {
				p = append(p, q.ID+": stackVariants."+k+" is empty")
			}
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

// checkFormatMinutes: expected response times are realistic for the format.
func checkFormatMinutes(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		lo, hi := minVideo, maxVideo
		if q.ResponseFormat == qbank.FormatWritten {
			lo, hi = minWritten, maxWritten
		}
		if q.Minutes < lo || q.Minutes > hi {
			p = append(p, fmt.Sprintf("%s: %d minutes is unrealistic for a %s answer (want %d–%d)", q.ID, q.Minutes, q.ResponseFormat, lo, hi))
		}
	}
	return p
}

// Near-duplicate detection.
//
// Each question text (and each stack variant) is reduced to its set of content
// words: lowercased, split on anything that is not a letter or digit, function
// words and interview boilerplate ("walk me through", "tell me about a time")
// dropped, and each word cut to its first five letters, a crude stemmer that
// makes "disagreed" and "disagreement", "limiting" and "limiter" the same word.
// Two different questions are near-duplicates when the Jaccard similarity of
// those sets reaches nearDuplicateThreshold.
//
// Why 0.45: in the curated bank the most similar pair of distinct questions
// scores about 0.21 (two debugging scenarios that share "production",
// "service" and little else), while rewording a question and keeping its
// scenario (swapping a verb or two, reordering clauses, a synonym for the
// role) scores 0.5–0.8. 0.45 sits between the two with margin on both sides;
// TestNearDuplicateThreshold pins both ends.
const nearDuplicateThreshold = 0.45

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but of to in on for with at by from as into
		out up over about than then so if when where which who whom what why how that this these
		those it its is are was were be been being do does did done have has had having can could
		would should will shall may might must not no yes you your yours we our i me my they them
		their there here one any all some such each every other own same very just also only
		walk through tell describe explain time situation writing approach`) {
		m[w] = true
	}
	return m
}()

const stemLen = 5

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

func contentWords(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range nonWord.Split(strings.ToLower(s), -1) {
		if len(w) < 2 || stopWords[w] {
			continue
		}
		if r := []rune(w); len(r) > stemLen {
			w = string(r[:stemLen])
		}
		set[w] = true
	}
	return set
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

type similarPair struct {
	a, b  string
	score float64
}

// mostSimilar returns, for every pair of distinct questions, the highest
// similarity between any rendering (text or variant) of one and any of the
// other, most similar first.
func mostSimilar(b *seed.Bank) []similarPair {
	renderings := make([][]map[string]bool, len(b.Questions))
	for i, q := range b.Questions {
		renderings[i] = append(renderings[i], contentWords(q.Text))
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			renderings[i] = append(renderings[i], contentWords(q.StackVariants[k].Text))
		}
	}
	var out []similarPair
	for i := range b.Questions {
		for j := i + 1; j < len(b.Questions); j++ {
			best := 0.0
			for _, x := range renderings[i] {
				for _, y := range renderings[j] {
					best = max(best, jaccard(x, y))
				}
			}
			out = append(out, similarPair{b.Questions[i].ID, b.Questions[j].ID, best})
		}
	}
	slices.SortFunc(out, func(x, y similarPair) int {
		switch {
		case x.score > y.score:
			return -1
		case x.score < y.score:
			return 1
		}
		return strings.Compare(x.a+x.b, y.a+y.b)
	})
	return out
}

func checkNearDuplicates(b *seed.Bank) []string {
	var p []string
	for _, s := range mostSimilar(b) {
		if s.score < nearDuplicateThreshold {
			break
		}
		p = append(p, fmt.Sprintf("%s and %s are near-duplicates (content-word similarity %.2f ≥ %.2f)", s.a, s.b, s.score, nearDuplicateThreshold))
	}
	return p
}

// Prohibited interview topics.
//
// Each topic is a case-insensitive pattern with word boundaries, so "age"
// matches "age" but not "page", "usage" or "manage". Technical phrases that
// contain a listed word are blanked out first (allowedPhrases): "race condition",
// "cross-origin", "max-age", "health check". Deliberately not listed, because
// engineering prose uses them innocently: "child" (child process, child span),
// "parent", "orientation" alone ("learning orientation"), "faith" ("in good
// faith"), "election" (leader election), "disabled" (a disabled feature flag).
var protectedTopics = []struct {
	topic string
	re    *regexp.Regexp
}{
	{"age", regexp.MustCompile(`(?i)\b(age|ages|aged|how old|years old|date of birth|birth ?date|birthday|year of birth|graduat(ed|ion) year|retirement)\b`)},
	{"family and children", regexp.MustCompile(`(?i)\b(family|families|children|kids?|childcare|parental leave|parenthood|caregiv\w*|dependants?)\b`)},
	{"pregnancy", regexp.MustCompile(`(?i)\b(pregnan\w*|maternity|paternity)\b`)},
	{"marital status", regexp.MustCompile(`(?i)\b(marital|married|marriage|spouse|husband|wife|divorc\w*|fianc\w*)\b`)},
	{"religion", regexp.MustCompile(`(?i)\b(religio\w*|church|mosque|synagogue|temple|worship|prayer)\b`)},
	{"nationality and origin", regexp.MustCompile(`(?i)\b(nationality|national origin|origin|citizenship|citizen|immigra\w*|ethnic\w*|racial|race|native language|mother tongue|accent|where (are|were) you (from|born)|country of birth)\b`)},
	{"health and disability", regexp.MustCompile(`(?i)\b(disability|disabilities|handicap\w*|health conditions?|medical|illness|sick|mental health|medication|injury|injuries)\b`)},
	{"sexual orientation and gender", regexp.MustCompile(`(?i)\b(sexual\w*|sexual orientation|gender|transgender|gay|lesbian)\b`)},
	{"politics", regexp.MustCompile(`(?i)\b(politic\w*|political party|union membership|trade union)\b`)},
}

var allowedPhrases = regexp.MustCompile(`(?i)\b(race conditions?|cross-origin|same-origin|origin (server|header|request)s?|max-age|health[- ]?checks?|health endpoints?)\b`)

func prohibitedTopic(s string) (topic, match string) {
	s = allowedPhrases.ReplaceAllString(s, " ")
	for _, t := range protectedTopics {
		if m := t.re.FindString(s); m != "" {
			return t.topic, m
		}
	}
	return "", ""
}

func checkProtectedTopics(b *seed.Bank) []string {
	var p []string
	for _, x := range texts(b) {
		if topic, m := prohibitedTopic(x.text); topic != "" {
			p = append(p, fmt.Sprintf("%s touches a protected topic (%s): %q", x.where, topic, m))
		}
	}
	return p
}

var placeholder = regexp.MustCompile(`(?i)\b(tbd|todo|fixme|xxx+|lorem|ipsum|placeholder|fill in|to be written)\b|\?\?\?`)

// checkPlaceholders: no unfinished content ships.
func checkPlaceholders(b *seed.Bank) []string {
	var p []string
	for _, x := range texts(b) {
		if m := placeholder.FindString(x.text); m != "" {
			p = append(p, fmt.Sprintf("%s contains placeholder text %q", x.where, m))
		}
	}
	return p
}

// checkCoverage: every competency a role lists has enough active questions
// for that role; backend's technical competencies need more.
func checkCoverage(b *seed.Bank) []string {
	var p []string
	for _, r := range b.Taxonomy.Roles {
		for _, cid := range r.Competencies {
			c, _ := b.Taxonomy.Competency(cid)
			want := minPerCompetency
			if r.ID == "backend-engineer" && c.Dimension == "technical" {
				want = minBackendTechnical
			}
			n := 0
			for _, q := range b.Questions {
				if active(q) && q.Competency == cid && slices.Contains(q.Roles, r.ID) {
					n++
				}
			}
			if n < want {
				p = append(p, fmt.Sprintf("role %s, competency %s: %d active questions, want at least %d", r.ID, cid, n, want))
			}
		}
	}
	return p
}

func checkQuestionCount(b *seed.Bank) []string {
	if n := len(b.Questions); n != wantQuestions {
		return []string{fmt.Sprintf("the bank holds %d questions, the product promises exactly %d", n, wantQuestions)}
	}
	return nil
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

// checkStackSpecific: stack-specific questions exist for enough stacks.
func checkStackSpecific(b *seed.Bank) []string {
	stacks := map[string]bool{}
	for _, q := range b.Questions {
		if active(q) {
			for _, s := range q.Stacks {
				stacks[s] = true
			}
		}
	}
	if len(stacks) < minStacksSpecific {
		return []string{fmt.Sprintf("stack-specific questions cover %d stacks (%s), want at least %d",
			len(stacks), strings.Join(slices.Sorted(maps.Keys(stacks)), ", "), minStacksSpecific)}
	}
	return nil
}

// checkStackVariants: enough language-agnostic questions have variants, and a
// variant is a genuine rewording for its stack: it differs from the base text
// and names the stack (by id, title or alias).
func checkStackVariants(b *seed.Bank) []string {
	var p []string
	n := 0
	for _, q := range b.Questions {
		if len(q.Stacks) == 0 && len(q.StackVariants) > 0 && active(q) {
			n++
		}
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			v := q.StackVariants[k].Text
			if strings.TrimSpace(v) == strings.TrimSpace(q.Text) {
				p = append(p, fmt.Sprintf("%s: stackVariants.%s is identical to the text", q.ID, k))
			}
			if !mentionsStack(&b.Taxonomy, k, v) {
				p = append(p, fmt.Sprintf("%s: stackVariants.%s does not mention the stack", q.ID, k))
			}
		}
	}
	if n < minWithVariants {
		p = append(p, fmt.Sprintf("%d language-agnostic questions have stackVariants, want at least %d", n, minWithVariants))
	}
	return p
}

func mentionsStack(tax *qbank.Taxonomy, id, text string) bool {
	names := []string{id}
	for _, s := range tax.Stacks {
		if s.ID == id {
			names = append(names, s.Title)
			names = append(names, s.Aliases...)
		}
	}
	for _, n := range names {
		if regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(n) + `($|[^\p{L}\p{N}])`).MatchString(text) {
			return true
		}
	}
	return false
}

// checkDefaultTemplates: exactly one LayersRank default per role, named
// <role>-default, with the product's 35–45 minute window.
func checkDefaultTemplates(b *seed.Bank) []string {
	var p []string
	defaults := map[string]int{}
	for _, t := range b.Templates {
		if t.MinMinutes <= 0 || t.MinMinutes > t.MaxMinutes {
			p = append(p, fmt.Sprintf("template %s: minutes window %d–%d is invalid", t.ID, t.MinMinutes, t.MaxMinutes))
		}
		if len(t.DimensionWeights) > 0 {
			sum := 0
			for _, w := range t.DimensionWeights {
				sum += w
			}
			if sum != 100 {
				p = append(p, fmt.Sprintf("template %s: dimensionWeights sum to %d, want 100", t.ID, sum))
			}
		}
		if t.Owner == "" {
			defaults[t.Role]++
			if t.ID != t.Role+"-default" {
				p = append(p, fmt.Sprintf("template %s: a default template for %s must be named %s-default", t.ID, t.Role, t.Role))
			}
			if t.MinMinutes != 35 || t.MaxMinutes != 45 {
				p = append(p, fmt.Sprintf("template %s: a default assessment takes 35–45 minutes, not %d–%d", t.ID, t.MinMinutes, t.MaxMinutes))
			}
		}
	}
	for _, r := range b.Taxonomy.Roles {
		if defaults[r.ID] != 1 {
			p = append(p, fmt.Sprintf("role %s has %d default templates, want exactly 1", r.ID, defaults[r.ID]))
		}
	}
	return p
}

// ---------------------------------------------------------------------------
// Assemblability: the bank can satisfy every default template.

func eligible(q qbank.Question, role, seniority string, stacks []string) bool {
	if !active(q) || !slices.Contains(q.Roles, role) {
		return false
	}
	if seniority != "" && len(q.Seniorities) > 0 && !slices.Contains(q.Seniorities, seniority) {
		return false
	}
	if len(q.Stacks) == 0 {
		return true
	}
	for _, s := range q.Stacks {
		if slices.Contains(stacks, s) {
			return true
		}
	}
	return false
}

// assemblyRequests lists what the bank must be able to assemble: every
// template (a template without a seniority at each seniority too), and every
// role with each single stack that has stack-specific questions for it. They
// run through the real assembly engine, so "satisfiable" means what the
// service will actually do.
func assemblyRequests(b *seed.Bank) []assemblyRequest {
	var reqs []assemblyRequest
	for _, t := range b.Templates {
		seniorities := []string{t.Seniority}
		if t.Seniority == "" {
			seniorities = append(seniorities, b.Taxonomy.Seniorities...)
		}
		for _, sen := range seniorities {
			reqs = append(reqs, assemblyRequest{
				label: fmt.Sprintf("template %s (seniority %q)", t.ID, sen),
				req: assembly.Request{
					Role: t.Role, Seniority: sen, Stacks: t.Stacks, MinMinutes: t.MinMinutes, MaxMinutes: t.MaxMinutes,
					Weights: t.DimensionWeights, Required: t.RequiredQuestionIDs, Excluded: t.ExcludedQuestionIDs,
				},
			})
		}
	}
	for _, r := range b.Taxonomy.Roles {
		for _, s := range b.Taxonomy.StackIDs() {
			has := false
			for _, q := range b.Questions {
				has = has || (active(q) && slices.Contains(q.Roles, r.ID) && slices.Contains(q.Stacks, s))
			}
			if has {
				reqs = append(reqs, assemblyRequest{
					label: fmt.Sprintf("role %s with stack %s", r.ID, s),
					req:   assembly.Request{Role: r.ID, Stacks: []string{s}},
				})
			}
		}
	}
	return reqs
}

type assemblyRequest struct {
	label string
	req   assembly.Request
}

// checkAssemblable: every request above assembles, within ±5 points of every
// weight.
func checkAssemblable(b *seed.Bank) []string {
	var p []string
	bank := assembly.Bank{Taxonomy: &b.Taxonomy, Questions: b.Questions}
	for _, r := range assemblyRequests(b) {
		a, err := assembly.Assemble(bank, r.req)
		switch {
		case err != nil:
			p = append(p, r.label+": "+err.Error())
		case !a.WithinTolerance:
			p = append(p, fmt.Sprintf("%s: best selection is off a weight by more than 5 points (shares %v)", r.label, a.DimensionShares))
		}
	}
	return p
}

// ---------------------------------------------------------------------------
// Tests of the rules themselves

func TestRulesCatchBrokenContent(t *testing.T) {
	q := questionByID
	tmpl := func(b *seed.Bank, id string) *qbank.Template {
		for i := range b.Templates {
			if b.Templates[i].ID == id {
				return &b.Templates[i]
			}
		}
		t.Fatalf("no template %s", id)
		return nil
	}
	role := func(b *seed.Bank, id string) *qbank.Role {
		for i := range b.Taxonomy.Roles {
			if b.Taxonomy.Roles[i].ID == id {
				return &b.Taxonomy.Roles[i]
			}
		}
		t.Fatalf("no role %s", id)
		return nil
	}
	removeWhere := func(b *seed.Bank, drop func(qbank.Question) bool) {
		b.Questions = slices.DeleteFunc(b.Questions, drop)
	}
	const rl = "api-rate-limiting-design"
	cases := []struct {
		rule, name string
		mutate     func(b *seed.Bank)
	}{
		{"references", "unknown role", func(b *seed.Bank) { q(b, rl).Roles = append(q(b, rl).Roles, "frontend-engineer") }},
		{"references", "unknown competency", func(b *seed.Bank) { q(b, rl).Competency = "scalability" }},
		{"references", "unknown dimension", func(b *seed.Bank) { q(b, rl).Dimension = "cultural" }},
		{"references", "unknown stack", func(b *seed.Bank) { q(b, "go-request-cancellation").Stacks = []string{"golang"} }},
		{"references", "variant key is not a stack", func(b *seed.Bank) {
			q(b, rl).StackVariants["rust"] = qbank.StackVariant{Text: "Rust: design a rate limiter."}
		}},
		{"references", "unknown seniority", func(b *seed.Bank) { q(b, rl).Seniorities = []string{"principal"} }},
		{"references", "role lists unknown competency", func(b *seed.Bank) {
			role(b, "data-engineer").Competencies = append(role(b, "data-engineer").Competencies, "ml-ops")
		}},
		{"references", "template role", func(b *seed.Bank) { tmpl(b, "backend-engineer-default").Role = "backend" }},
		{"references", "template required question", func(b *seed.Bank) {
			tmpl(b, "backend-engineer-default").RequiredQuestionIDs = []string{"no-such-question"}
		}},
		{"references", "template stack", func(b *seed.Bank) { tmpl(b, "backend-engineer-default").Stacks = []string{"cobol"} }},
		{"ids", "duplicate question id", func(b *seed.Bank) { q(b, "spark-job-slowdown").ID = rl }},
		{"ids", "not kebab-case", func(b *seed.Bank) { q(b, rl).ID = "API_Rate_Limiting" }},
		{"ids", "too short", func(b *seed.Bank) { q(b, rl).ID = "rl" }},
		{"ids", "too long", func(b *seed.Bank) { q(b, rl).ID = strings.Repeat("rate-", 13) + "limit" }},
		{"ids", "duplicate template id", func(b *seed.Bank) { tmpl(b, "data-engineer-default").ID = "devops-engineer-default" }},
		{"ids", "alias clashes with a stack id", func(b *seed.Bank) { b.Taxonomy.Stacks[0].Aliases = append(b.Taxonomy.Stacks[0].Aliases, "java") }},
		{"required-fields", "empty text", func(b *seed.Bank) { q(b, rl).Text = " " }},
		{"required-fields", "empty whatItReveals", func(b *seed.Bank) { q(b, rl).WhatItReveals = "" }},
		{"required-fields", "one follow-up", func(b *seed.Bank) { q(b, rl).FollowUps = q(b, rl).FollowUps[:1] }},
		{"required-fields", "empty follow-up", func(b *seed.Bank) { q(b, rl).FollowUps[1] = "" }},
		{"required-fields", "empty scoring guide part", func(b *seed.Bank) { q(b, rl).ScoringGuide.Weak = "" }},
		{"required-fields", "competency without red flags", func(b *seed.Bank) { b.Taxonomy.Competencies[0].RedFlags = "" }},
		{"competency-dimension", "behavioral competency on a technical question", func(b *seed.Bank) { q(b, rl).Competency = "ownership" }},
		{"role-fit", "role that does not cover the competency", func(b *seed.Bank) {
			q(b, "api-error-handling-contract").Roles = append(q(b, "api-error-handling-contract").Roles, "data-engineer")
		}},
		{"format-minutes", "long video", func(b *seed.Bank) { q(b, rl).Minutes = 12 }},
		{"format-minutes", "short written", func(b *seed.Bank) { q(b, "api-error-handling-contract").Minutes = 2 }},
		{"near-duplicates", "reworded copy", func(b *seed.Bank) {
			c := *q(b, rl)
			c.Content = c.Content.Clone()
			c.ID = "rate-limiter-design"
			c.StackVariants = nil // compare the reworded text alone
			c.Text = "Walk me through how you would build a rate limiting system for an API. Which trade-offs would you weigh?"
			b.Questions = append(b.Questions, c)
		}},
		{"near-duplicates", "variant copies another question", func(b *seed.Bank) {
			q(b, "memory-growth-investigation").StackVariants["go"] = qbank.StackVariant{Text: "You're debugging a production issue where the response times of a Go API have suddenly increased by 10x. Walk me through your approach."}
		}},
		{"protected-topics", "age in a follow-up", func(b *seed.Bank) {
			q(b, rl).FollowUps = append(q(b, rl).FollowUps, "How old were you when you first built one?")
		}},
		{"protected-topics", "family in a career question", func(b *seed.Bank) {
			q(b, "next-career-steps").Text = "Where do you see your career and your family in five years?"
		}},
		{"protected-topics", "children", func(b *seed.Bank) { q(b, "next-career-steps").FollowUps[0] = "Do you have children?" }},
		{"protected-topics", "origin", func(b *seed.Bank) {
			q(b, "absorbing-technical-problem").FollowUps[0] = "What is your country of birth?"
		}},
		{"protected-topics", "marital status in a scoring guide", func(b *seed.Bank) {
			q(b, "healthy-on-call-rotation").ScoringGuide.Weak = "Married candidates may avoid on-call."
		}},
		{"protected-topics", "health condition", func(b *seed.Bank) {
			q(b, "healthy-on-call-rotation").Text = "Do you have a health condition that would affect on-call work?"
		}},
		{"placeholders", "TBD", func(b *seed.Bank) { q(b, rl).ScoringGuide.Adequate = "TBD" }},
		{"placeholders", "lorem ipsum", func(b *seed.Bank) { q(b, rl).WhatItReveals = "Lorem ipsum dolor sit amet." }},
		{"coverage", "competency with one question", func(b *seed.Bank) {
			removeWhere(b, func(x qbank.Question) bool { return x.ID == "frontend-backend-contract-checks" })
		}},
		{"coverage", "backend technical competency with two questions", func(b *seed.Bank) {
			removeWhere(b, func(x qbank.Question) bool { return x.ID == "idempotent-payment-retries" })
		}},
		{"coverage", "drafts do not count", func(b *seed.Bank) { q(b, "wrong-dashboard-numbers").State = qbank.StateDraft }},
		{"question-count", "49 questions", func(b *seed.Bank) { b.Questions = b.Questions[1:] }},
		{"page-samples", "punctuation changed", func(b *seed.Bank) {
			q(b, rl).Text = strings.Replace(q(b, rl).Text, "trade-offs", "tradeoffs", 1)
		}},
		{"page-samples", "reveals reworded", func(b *seed.Bank) {
			q(b, "maintaining-system-you-didnt-build").WhatItReveals = "Attitude toward legacy code."
		}},
		{"page-samples", "wrong competency", func(b *seed.Bank) { q(b, "frontend-api-design-disagreement").Competency = "technical-communication" }},
		{"page-samples", "not video", func(b *seed.Bank) { q(b, "production-latency-10x-debugging").ResponseFormat = qbank.FormatWritten }},
		{"stack-specific", "all on one stack", func(b *seed.Bank) {
			for i := range b.Questions {
				if len(b.Questions[i].Stacks) > 0 {
					b.Questions[i].Stacks = []string{"go"}
				}
			}
		}},
		{"stack-variants", "too few questions with variants", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].ID != rl {
					b.Questions[i].StackVariants = nil
				}
			}
		}},
		{"stack-variants", "variant does not name its stack", func(b *seed.Bank) {
			q(b, rl).StackVariants["java"] = qbank.StackVariant{Text: "Walk me through how you would design an API rate limiting system for a fleet of services. What trade-offs would you consider?"}
		}},
		{"stack-variants", "variant identical to text", func(b *seed.Bank) { q(b, rl).StackVariants["go"] = qbank.StackVariant{Text: q(b, rl).Text} }},
		{"default-templates", "missing default", func(b *seed.Bank) {
			b.Templates = slices.DeleteFunc(b.Templates, func(x qbank.Template) bool { return x.ID == "devops-engineer-default" })
		}},
		{"default-templates", "wrong window", func(b *seed.Bank) { tmpl(b, "data-engineer-default").MaxMinutes = 60 }},
		{"default-templates", "weights do not sum to 100", func(b *seed.Bank) {
			tmpl(b, "data-engineer-default").DimensionWeights = map[string]int{"technical": 50, "behavioral": 30, "contextual": 30}
		}},
		{"assemblable", "no written question for the role", func(b *seed.Bank) {
			for i := range b.Questions {
				if slices.Contains(b.Questions[i].Roles, "data-engineer") {
					b.Questions[i].ResponseFormat = qbank.FormatVideo
				}
			}
		}},
		{"assemblable", "contextual answers too long to fit the weights", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Dimension == "contextual" {
					b.Questions[i].Minutes = 15
				}
			}
		}},
		{"assemblable", "competency only reachable through a stack", func(b *seed.Bank) {
			removeWhere(b, func(x qbank.Question) bool {
				return x.Competency == "infrastructure-as-code" && len(x.Stacks) == 0
			})
		}},
		{"assemblable", "junior assessment loses its only question for a competency", func(b *seed.Bank) {
			for i := range b.Questions {
				if b.Questions[i].Competency == "api-architecture" {
					b.Questions[i].Seniorities = []string{"mid", "senior"}
				}
			}
		}},
	}
	tested := map[string]bool{}
	for _, tc := range cases {
		tested[tc.rule] = true
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			check, ok := rules[tc.rule]
			if !ok {
				t.Fatalf("no rule %q", tc.rule)
			}
			b := mustLoad(t) // a fresh, unshared copy each time
			if p := check(b); len(p) > 0 {
				t.Fatalf("rule fails on the shipped bank already: %v", p)
			}
			tc.mutate(b)
			if p := check(b); len(p) == 0 {
				t.Errorf("rule %s did not catch: %s", tc.rule, tc.name)
			} else {
				t.Logf("caught: %s", p[0])
			}
		})
	}
	for name := range rules {
		if !tested[name] {
			t.Errorf("rule %s has no broken-content case", name)
		}
	}
}

func TestNearDuplicateThreshold(t *testing.T) {
	b := mustLoad(t)
	top := mostSimilar(b)[0]
	t.Logf("most similar distinct pair: %s / %s (%.2f)", top.a, top.b, top.score)
	if top.score > nearDuplicateThreshold-0.15 {
		t.Errorf("the most similar pair (%s, %s: %.2f) is within 0.15 of the threshold; reword one or revisit the threshold", top.a, top.b, top.score)
	}
	rephrasings := [][2]string{
		{"Walk me through how you would design an API rate limiting system. What trade-offs would you consider?",
			"How would you build a rate limiter for an API, and which trade-offs matter?"},
		{"Tell me about a time you disagreed with a frontend engineer about API design. How did you handle it?",
			"Describe a disagreement you had with a frontend developer over an API's design and how you handled it."},
		{"Walk me through how you would design an API rate limiting system. What trade-offs would you consider?",
			"Walk me through how you would build a rate limiting system for an API. Which trade-offs would you weigh?"},
	}
	for _, r := range rephrasings {
		if s := jaccard(contentWords(r[0]), contentWords(r[1])); s < nearDuplicateThreshold {
			t.Errorf("rephrasing scores %.2f, below the threshold %.2f: %q / %q", s, nearDuplicateThreshold, r[0], r[1])
		}
	}
}

func TestProhibitedTopicMatcher(t *testing.T) {
	for _, s := range []string{
		"How old are you?", "What is your age?", "Do you have kids?", "Are you married?",
		"Do you plan a family?", "Is English your native language?", "What is your nationality?",
		"Do you have any disability?", "Which religion do you practice?", "Are you pregnant?",
		"Where were you born?", "What are your political views?",
	} {
		if topic, _ := prohibitedTopic(s); topic == "" {
			t.Errorf("not flagged: %q", s)
		}
	}
	for _, s := range []string{
		"Which page is slow?", "Memory usage grows.", "How do you manage the on-call rotation?",
		"A race condition in the cache.", "Configure cross-origin requests and max-age.",
		"Kubernetes health checks fail.", "Each child span has a parent span.",
		"Self-awareness, learning orientation.", "Commit to the decision in good faith.",
		"Leader election in the cluster.", "The feature flag is disabled.", "Storage engines, image tags.",
	} {
		if topic, m := prohibitedTopic(s); topic != "" {
			t.Errorf("false positive on %q: %s (%q)", s, topic, m)
		}
	}
}

// exampleSelections are the hand-made valid selections documented at the top
// of data/templates.yaml, one per role's default template.
var exampleSelections = map[string][]string{
	"backend-engineer": {
		"api-rate-limiting-design", "api-error-handling-contract", "memory-growth-investigation", "regretted-technical-decision",
		"explaining-trade-off-to-non-technical", "frontend-api-design-disagreement", "maintaining-system-you-didnt-build",
		"learning-technology-quickly", "choosing-what-to-learn",
	},
	"full-stack-developer": {
		"slow-web-page-investigation", "frontend-backend-contract-checks", "api-rate-limiting-design", "regretted-technical-decision",
		"explaining-trade-off-to-non-technical", "frontend-api-design-disagreement", "maintaining-system-you-didnt-build",
		"learning-technology-quickly", "choosing-what-to-learn",
	},
	"devops-engineer": {
		"infrastructure-drift-discovery", "slow-flaky-ci-pipeline", "instrumenting-new-service", "memory-growth-investigation",
		"documentation-for-owned-service", "cross-team-dependency", "healthy-on-call-rotation",
		"learning-technology-quickly", "choosing-what-to-learn",
	},
	"data-engineer": {
		"late-duplicate-event-pipeline", "revenue-reporting-model", "wrong-dashboard-numbers", "data-quality-checks-design",
		"explaining-trade-off-to-non-technical", "cross-team-dependency", "decision-went-against-you", "problem-spotted-before-incident",
		"learning-technology-quickly", "system-you-admire",
	},
}

func TestExampleSelections(t *testing.T) {
	b := mustLoad(t)
	for _, r := range b.Taxonomy.Roles {
		t.Run(r.ID, func(t *testing.T) {
			ids, ok := exampleSelections[r.ID]
			if !ok {
				t.Fatal("no example selection")
			}
			total, minutes := 0, map[string]int{}
			covered := map[string]bool{}
			formats := map[qbank.ResponseFormat]bool{}
			for _, id := range ids {
				q := questionByID(b, id)
				if q == nil || !eligible(*q, r.ID, "", nil) {
					t.Fatalf("%s is not an eligible language-agnostic question for %s", id, r.ID)
				}
				total += q.Minutes
				minutes[q.Dimension] += q.Minutes
				covered[q.Competency] = true
				formats[q.ResponseFormat] = true
			}
			if total < 35 || total > 45 {
				t.Errorf("total %d minutes, want 35–45", total)
			}
			for _, c := range r.Competencies {
				if !covered[c] {
					t.Errorf("competency %s not covered", c)
				}
			}
			if !formats[qbank.FormatVideo] || !formats[qbank.FormatWritten] {
				t.Errorf("needs a video and a written item, has %v", formats)
			}
			for d, w := range r.DimensionWeights {
				share := 100 * float64(minutes[d]) / float64(total)
				if share < float64(w)-shareTolerance || share > float64(w)+shareTolerance {
					t.Errorf("%s share %.1f%%, want %d±%.0f", d, share, w, shareTolerance)
				}
				t.Logf("%s: %d min (%.1f%%)", d, minutes[d], share)
			}
			t.Logf("total %d min", total)
		})
	}
}

func TestAssemblableReport(t *testing.T) {
	b := mustLoad(t)
	bank := assembly.Bank{Taxonomy: &b.Taxonomy, Questions: b.Questions}
	for _, r := range assemblyRequests(b) {
		a, err := assembly.Assemble(bank, r.req)
		t.Logf("%-70s err=%v minutes=%d total deviation=%.2f points", r.label, err, a.TotalMinutes, a.Deviation)
	}
}
