package seed_test

// Quality gates on the wording of questions: realistic minutes, no
// near-duplicates, nothing that invites a protected disclosure, questions a
// junior or a candidate without on-call experience can answer, and "what it
// reveals" claims a reviewer can check in a recorded answer.

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

func init() {
	register(map[string]rule{
		"format-minutes":        checkFormatMinutes,
		"near-duplicates":       checkNearDuplicates,
		"protected-topics":      checkProtectedTopics,
		"junior-framing":        checkJuniorFraming,
		"on-call-accommodation": checkOnCallAccommodation,
		"observable-reveals":    checkObservableReveals,
	},
		brokenCase{"format-minutes", "long video", func(b *seed.Bank) { q(b, rl).Minutes = 12 }},
		brokenCase{"format-minutes", "short video", func(b *seed.Bank) { q(b, rl).Minutes = 2 }},
		brokenCase{"format-minutes", "short written", func(b *seed.Bank) { q(b, "system-you-admire").Minutes = 3 }},
		brokenCase{"format-minutes", "written design work over twelve minutes", func(b *seed.Bank) {
			first(b, func(x qbank.Question) bool { return x.ResponseFormat == qbank.FormatWritten }).Minutes = 15
		}},
		brokenCase{"near-duplicates", "reworded copy", func(b *seed.Bank) {
			c := *q(b, rl)
			c.Content = c.Content.Clone()
			c.ID = "rate-limiter-design"
			c.StackVariants = nil // compare the reworded text alone
			c.Text = "Walk me through how you would build a rate limiting system for an API. Which trade-offs would you weigh?"
			b.Questions = append(b.Questions, c)
		}},
		brokenCase{"near-duplicates", "variant copies another question", func(b *seed.Bank) {
			x := q(b, "absorbing-technical-problem")
			x.StackVariants = map[string]qbank.StackVariant{"go": {Text: "You're debugging a production issue where the response times of a Go API have suddenly increased by 10x. Walk me through your approach."}}
		}},
		brokenCase{"protected-topics", "age in a follow-up", func(b *seed.Bank) {
			q(b, rl).FollowUps = append(q(b, rl).FollowUps, "How old were you when you first built one?")
		}},
		brokenCase{"protected-topics", "family in a career question", func(b *seed.Bank) {
			q(b, "next-career-steps").Text = "Where do you see your career and your family in five years?"
		}},
		brokenCase{"protected-topics", "children", func(b *seed.Bank) { q(b, "next-career-steps").FollowUps[0] = "Do you have children?" }},
		brokenCase{"protected-topics", "origin", func(b *seed.Bank) {
			q(b, "absorbing-technical-problem").FollowUps[0] = "What is your country of birth?"
		}},
		brokenCase{"protected-topics", "marital status in a scoring guide", func(b *seed.Bank) {
			q(b, "first-on-call-page").ScoringGuide.Weak = "Married candidates may avoid on-call."
		}},
		brokenCase{"protected-topics", "health condition", func(b *seed.Bank) {
			q(b, "first-on-call-page").Text = "Do you have a health condition that would affect on-call work?"
		}},
		brokenCase{"protected-topics", "availability at night invites family disclosure", func(b *seed.Bank) {
			q(b, "first-on-call-page").FollowUps[0] = "Are you available to take pages at night and on weekends?"
		}},
		brokenCase{"protected-topics", "life outside work", func(b *seed.Bank) {
			q(b, "next-career-steps").FollowUps[0] = "What do you do outside work to keep learning?"
		}},
		brokenCase{"protected-topics", "stress invites health disclosure", func(b *seed.Bank) {
			q(b, "next-career-steps").FollowUps[0] = "How do you cope with stress?"
		}},
		brokenCase{"protected-topics", "in a level guide", func(b *seed.Bank) {
			q(b, "next-career-steps").ScoringGuide.Levels[0].Strong = "A recent graduate, young and energetic."
		}},
		brokenCase{"junior-framing", "junior question that needs work experience", func(b *seed.Bank) {
			x := q(b, "asking-for-help-when-stuck")
			x.Text = "Tell me about a time you were stuck on a production task at work. How did you decide when to ask for help?"
		}},
		brokenCase{"on-call-accommodation", "on-call experience required", func(b *seed.Bank) {
			q(b, "next-career-steps").Text = "Tell me about your worst week on call. What did you change afterwards?"
		}},
		brokenCase{"observable-reveals", "stays calm", func(b *seed.Bank) {
			q(b, "first-on-call-page").WhatItReveals = "Whether the candidate stays calm under pressure."
		}},
		brokenCase{"observable-reveals", "passion", func(b *seed.Bank) {
			q(b, "absorbing-technical-problem").WhatItReveals = "Passion for engineering."
		}},
	)
}

// Realistic response times (minutes) per format: video answers are short
// spoken walkthroughs; written ones need time to structure, and written
// design work (a schema, a rollout plan) needs up to twelve.
const (
	minVideo, maxVideo     = 3, 6
	minWritten, maxWritten = 4, 12
)

// checkFormatMinutes: expected response times are realistic for the format.
func checkFormatMinutes(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		if !active(q) {
			continue
		}
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
// Two different active questions are near-duplicates when the Jaccard
// similarity of those sets reaches nearDuplicateThreshold.
//
// Why 0.45: in the curated bank distinct questions stay well below it (the
// most similar pair is reported by TestNearDuplicateThreshold), while
// rewording a question and keeping its scenario (swapping a verb or two,
// reordering clauses, a synonym for the role) scores 0.5–0.8. 0.45 sits
// between the two with margin on both sides; TestNearDuplicateThreshold pins
// both ends.
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
		set[stem(w)] = true
	}
	return set
}

func stem(w string) string {
	if r := []rune(w); len(r) > stemLen {
		return string(r[:stemLen])
	}
	return w
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

// mostSimilar returns, for every pair of distinct active questions, the
// highest similarity between any rendering (text or variant) of one and any
// of the other, most similar first. Retired questions are out: a merged
// near-duplicate stays in the files, retired, forever.
func mostSimilar(b *seed.Bank) []similarPair {
	var qs []qbank.Question
	for _, q := range b.Questions {
		if active(q) {
			qs = append(qs, q)
		}
	}
	renderings := make([][]map[string]bool, len(qs))
	for i, q := range qs {
		renderings[i] = append(renderings[i], contentWords(q.Text))
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			renderings[i] = append(renderings[i], contentWords(q.StackVariants[k].Text))
		}
	}
	var out []similarPair
	for i := range qs {
		for j := i + 1; j < len(qs); j++ {
			best := 0.0
			for _, x := range renderings[i] {
				for _, y := range renderings[j] {
					best = max(best, jaccard(x, y))
				}
			}
			out = append(out, similarPair{qs[i].ID, qs[j].ID, best})
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

func TestNearDuplicateThreshold(t *testing.T) {
	b := mustLoad(t)
	top := mostSimilar(b)
	for _, s := range top[:5] {
		t.Logf("similar pair: %s / %s (%.2f)", s.a, s.b, s.score)
	}
	if top[0].score > nearDuplicateThreshold-0.1 {
		t.Errorf("the most similar pair (%s, %s: %.2f) is within 0.1 of the threshold; reword one or revisit the threshold", top[0].a, top[0].b, top[0].score)
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

// Protected topics.
//
// Text is split into lowercase words (letters and digits; anything else,
// hyphens included, separates words), and each topic is a list of phrases
// matched against whole words, so "age" matches "age" but not "page",
// "usage" or "manage"; a word ending in * matches any word it begins.
// Besides the topics themselves the list catches phrasings that invite a
// disclosure without naming one: availability at night or at weekends and
// life outside work (family and caring duties), stress and coping (health),
// graduation years and age-coded words (age), visas (nationality). Technical
// phrases that contain a listed word are blanked out first (allowedPhrases):
// "race condition", "race detector", "cross-origin", "max-age", "health check", "stress test".
// Deliberately not listed, because engineering prose uses them innocently:
// "child" (child process, child span), "parent", "orientation" alone
// ("learning orientation"), "faith" ("in good faith"), "election" (leader
// election), "disabled" (a disabled feature flag), "night" (a page at 02:00),
// "how old" alone (how old the last backup is).
//
// Words, not regular expressions: the rule reads all of the bank's prose, and
// its broken-bank cases read it again and again.
var protectedTopics = []struct {
	topic   string
	phrases []phrase
}{
	{"age", phrases(`age|ages|aged|how old are you|how old were you|years old|date of birth|birth date|birthdate|birthday|year of birth|graduation year|when did you graduate|retirement|young|youthful|energetic|digital native|recent graduate|overqualified`)},
	{"family and children", phrases(`family|families|children|kid|kids|childcare|parental leave|parenthood|caregiv*|caring for|caring responsibilit*|dependant|dependants`)},
	{"pregnancy", phrases(`pregnan*|maternity|paternity`)},
	{"marital status", phrases(`marital|married|marriage|spouse|husband|wife|divorc*|fianc*`)},
	{"religion", phrases(`religio*|church|mosque|synagogue|temple|worship|prayer|holy day|holy days|fasting`)},
	{"nationality and origin", phrases(`nationality|national origin|origin|citizenship|citizen|immigra*|ethnic*|racial|race|native language|native speaker|first language|mother tongue|accent|where are you from|where were you from|where were you born|country of birth|hometown|home country|visa|work permit`)},
	{"health and disability", phrases(`disability|disabilities|handicap*|health condition|health conditions|medical|illness|sick|mental health|medication|injury|injuries|stress|burnout|burn out|anxiety|cope|coping`)},
	{"sexual orientation and gender", phrases(`sexual*|gender|transgender|gay|lesbian`)},
	{"politics", phrases(`politic*|union membership|trade union`)},
	{"life outside work", phrases(`outside work|outside of work|personal life|personal circumstances|personal situation|private life|free time|spare time|hobby|hobbies|work late|work long hours|work overtime`)},
}

var allowedPhrases = phrases(`race condition|race conditions|cross origin|same origin|origin server*|origin header*|origin request*|data race|data races|race detector*|race flag|max age|health check*|healthcheck*|health endpoint*|stress test*|load and stress|young generation|young gen|young collection*|young gc`)

// availability words within availabilityWindow words after "available" ask
// when a candidate can work, which invites family and caring disclosures.
var availability = phrases(`night|nights|weekend|weekends|evening|evenings|holiday|holidays`)

const availabilityWindow = 8

// A phrase is a run of words; a word ending in * matches any word it begins.
type phrase []string

// phrases parses "|"-separated alternatives of space-separated words.
func phrases(s string) []phrase {
	var out []phrase
	for _, alt := range strings.Split(s, "|") {
		out = append(out, strings.Fields(alt))
	}
	return out
}

func (p phrase) at(ws []string, i int) bool {
	if i+len(p) > len(ws) {
		return false
	}
	for j, w := range p {
		if prefix, ok := strings.CutSuffix(w, "*"); ok {
			if !strings.HasPrefix(ws[i+j], prefix) {
				return false
			}
		} else if ws[i+j] != w {
			return false
		}
	}
	return true
}

// words splits text into lowercase runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// findPhrase returns the first of ps found in ws, as text ("" if none).
func findPhrase(ws []string, ps []phrase) string {
	for i := range ws {
		for _, p := range ps {
			if p.at(ws, i) {
				return strings.Join(ws[i:i+len(p)], " ")
			}
		}
	}
	return ""
}

// topicMemo caches prohibitedTopic by text: the broken-bank cases re-read an
// almost unchanged bank many times.
var topicMemo sync.Map // text → [2]string{topic, match}

func prohibitedTopic(s string) (topic, match string) {
	if r, ok := topicMemo.Load(s); ok {
		return r.([2]string)[0], r.([2]string)[1]
	}
	topic, match = findTopic(s)
	topicMemo.Store(s, [2]string{topic, match})
	return topic, match
}

func findTopic(s string) (topic, match string) {
	ws := words(s)
	for i := range ws { // blank the technical phrases out
		for _, p := range allowedPhrases {
			if p.at(ws, i) {
				for j := range p {
					ws[i+j] = ""
				}
			}
		}
	}
	for _, t := range protectedTopics {
		if m := findPhrase(ws, t.phrases); m != "" {
			return t.topic, m
		}
	}
	for i, w := range ws {
		if strings.HasPrefix(w, "availab") {
			if m := findPhrase(ws[i+1:min(len(ws), i+1+availabilityWindow)], availability); m != "" {
				return "life outside work", w + " … " + m
			}
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

func TestProhibitedTopicMatcher(t *testing.T) {
	for _, s := range []string{
		"How old are you?", "What is your age?", "Do you have kids?", "Are you married?",
		"Do you plan a family?", "Is English your native language?", "What is your nationality?",
		"Do you have any disability?", "Which religion do you practice?", "Are you pregnant?",
		"Where were you born?", "What are your political views?", "When did you graduate?",
		"Are you available at weekends for on-call?", "Could you be available to take pages at night?", "What do you do in your free time?",
		"How do you cope with stress?", "Would you need a visa to work here?",
		"We want a young, energetic team.", "What do you do outside work?",
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
		"At 02:00 you are paged.", "Check how old the last good backup is.", "Run a stress test before the launch.", "The nightly job is late.", "Young-generation GC pauses grew.",
	} {
		if topic, m := prohibitedTopic(s); topic != "" {
			t.Errorf("false positive on %q: %s (%q)", s, topic, m)
		}
	}
}

// pastExperience matches a prompt that asks for the candidate's own past
// experience; allowsAlternative, the wording that lets a candidate without it
// answer from a project, a course, an internship or hypothetically.
var (
	pastExperience    = regexp.MustCompile(`(?i)\b(tell me about|describe (a|an|the|one)|think of|give an example|have you (ever )?|in your (career|last|current))\b`)
	allowsAlternative = regexp.MustCompile(`(?i)\b(projects?|course|internship|studies|university|open source|hypothetical(ly)?|imagine|if you have not|if you haven't|or would)\b`)
	onCall            = regexp.MustCompile(`(?i)\b(on[- ]call|paged|pager)\b`)
	allowsNoOnCall    = regexp.MustCompile(`(?i)\b(hypothetical(ly)?|imagine|if you have not|if you haven't|or would|would you)\b`)
)

// checkJuniorFraming: a question aimed at juniors (its seniorities name
// junior) that asks about past experience lets a project, course, internship
// or hypothetical count, in the words the candidate reads.
func checkJuniorFraming(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		if !active(q) || !slices.Contains(q.Seniorities, "junior") {
			continue
		}
		for _, x := range renderings(q) {
			if pastExperience.MatchString(x.text) && !allowsAlternative.MatchString(x.text) {
				p = append(p, fmt.Sprintf("%s: asked of juniors and asks for past experience, but does not say that a project, course, internship or hypothetical answer counts", x.where))
			}
		}
	}
	return p
}

// checkOnCallAccommodation: an on-call question that asks for past experience
// also accepts a hypothetical answer, so a candidate who has never been on
// call can answer it (reviewer guidance: accommodations).
func checkOnCallAccommodation(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		if !active(q) {
			continue
		}
		for _, x := range renderings(q) {
			if onCall.MatchString(x.text) && pastExperience.MatchString(x.text) && !allowsNoOnCall.MatchString(x.text) {
				p = append(p, fmt.Sprintf("%s: asks about on-call experience without allowing a hypothetical answer", x.where))
			}
		}
	}
	return p
}

func renderings(q qbank.Question) []prose {
	out := []prose{{q.ID + ".text", q.Text}}
	for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
		out = append(out, prose{q.ID + ".stackVariants." + k, q.StackVariants[k].Text})
	}
	return out
}

// unobservable matches claims about a candidate that a recorded or written
// answer cannot show: temperament and feelings rather than what was said.
var unobservable = regexp.MustCompile(`(?i)\b(stays? calm|calm(ly|ness)?|composure|composed|passion(ate)?|personality|culture fit|enthusias\w*|work ethic|integrity|grit|resilien\w*|character|energi[sz]e\w*|likeab\w*)\b`)

// checkObservableReveals: "what it reveals" says what a reviewer can observe
// in the answer. The page's five samples keep the page's words verbatim.
func checkObservableReveals(b *seed.Bank) []string {
	var p []string
	samples := map[string]bool{}
	for _, s := range pageSamples {
		samples[s.text] = true
	}
	for _, q := range b.Questions {
		if !active(q) || samples[q.Text] {
			continue
		}
		if m := unobservable.FindString(q.WhatItReveals); m != "" {
			p = append(p, fmt.Sprintf("%s: whatItReveals claims %q, which an answer cannot show; say what the answer shows instead", q.ID, m))
		}
	}
	return p
}
