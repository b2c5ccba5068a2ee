package seed_test

// Stack gates: every stack has questions of its own, and a stack variant
// changes what is asked (the stack's tools, failure modes and idioms) and
// carries its own follow-ups and scoring anchors.

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/seed"
)

// goodVariant is a variant that passes every check: broken cases start from
// it and break one thing.
func goodVariant() qbank.StackVariant {
	return qbank.StackVariant{
		Text: "Walk me through how you would design rate limiting for a fleet of Go services behind a load balancer. Where would the limiter state live, how would you keep goroutines and memory bounded under a burst, and what would you measure with pprof and metrics?",
		FollowUps: []string{
			"How would you test the limiter's behaviour under a burst without flaky timing?",
			"A limiter goroutine leaks under load. How would you find it?",
		},
		ScoringGuide: qbank.ScoringGuide{
			Strong:   "Chooses shared state with a clear failure mode; bounds concurrency with context cancellation and buffered work; profiles with pprof before tuning.",
			Adequate: "A sound limiter design with little on Go's runtime behaviour.",
			Weak:     "An unbounded goroutine per request, or no idea where the state lives.",
		},
	}
}

func withVariant(b *seed.Bank, v qbank.StackVariant) {
	x := q(b, rl)
	x.StackVariants = map[string]qbank.StackVariant{"go": v}
}

func init() {
	register(map[string]rule{
		"stack-specific": checkStackSpecific,
		"stack-variants": checkStackVariants,
	},
		brokenCase{"stack-specific", "a stack without a question of its own", func(b *seed.Bank) {
			for i := range b.Questions {
				if len(b.Questions[i].Stacks) > 0 {
					b.Questions[i].Stacks = []string{"go"}
				}
			}
		}},
		brokenCase{"stack-specific", "its only questions retired", func(b *seed.Bank) {
			for i := range b.Questions {
				if slices.Contains(b.Questions[i].Stacks, "spark") {
					b.Questions[i].State = qbank.StateRetired
				}
			}
		}},
		brokenCase{"stack-variants", "word swap: the stack's name inserted", func(b *seed.Bank) {
			v := goodVariant()
			v.Text = "Walk me through how you would design an API rate limiting system for a Go service. What trade-offs would you consider?"
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "word swap: names, aliases and filler only", func(b *seed.Bank) {
			v := goodVariant()
			v.Text = "Walk me through how you would design an API rate limiting system for your Golang application written in Go. What trade-offs would you consider?"
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "word swap in a reordered sentence", func(b *seed.Bank) {
			v := goodVariant()
			v.Text = "Go services: what trade-offs would you consider when you design an API rate limiting system? Walk me through how."
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "variant identical to text", func(b *seed.Bank) {
			v := goodVariant()
			v.Text = q(b, rl).Text
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "variant does not name its stack", func(b *seed.Bank) {
			v := goodVariant()
			v.Text = strings.NewReplacer("Go ", "", "goroutines", "workers", "pprof", "a profiler").Replace(v.Text)
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "variant without follow-ups", func(b *seed.Bank) {
			v := goodVariant()
			v.FollowUps = nil
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "variant follow-ups copied from the question", func(b *seed.Bank) {
			v := goodVariant()
			v.FollowUps = slices.Clone(q(b, rl).FollowUps)
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "variant without scoring anchors", func(b *seed.Bank) {
			v := goodVariant()
			v.ScoringGuide = qbank.ScoringGuide{}
			withVariant(b, v)
		}},
		brokenCase{"stack-variants", "variant strong anchor copied from the question", func(b *seed.Bank) {
			v := goodVariant()
			v.ScoringGuide.Strong = q(b, rl).ScoringGuide.Strong
			withVariant(b, v)
		}},
	)
}

// checkStackSpecific: every stack in the taxonomy has at least one active
// question of its own (stacks: [x]), shown only when a customer asks for it.
func checkStackSpecific(b *seed.Bank) []string {
	var p []string
	for _, s := range b.Taxonomy.StackIDs() {
		n := 0
		for _, q := range b.Questions {
			if active(q) && slices.Contains(q.Stacks, s) {
				n++
			}
		}
		if n == 0 {
			p = append(p, fmt.Sprintf("stack %s has no active question of its own", s))
		}
	}
	return p
}

// Word-swap detection.
//
// A variant earns its place by asking something the base question does not:
// the stack's tools, failure modes and idioms. So its content words (stems, as
// for near-duplicates) are compared with the base text's after removing
// every stack's vocabulary (ids, titles, aliases, split into words) and the
// filler that comes with naming a stack ("service", "application",
// "written", "using"…). What is left that the base text does not have is
// what the variant adds; fewer than minNovelWords of those is a word swap,
// however the sentence is reordered or whichever alias names the stack.
const minNovelWords = 4

var stackFiller = strings.Fields(`service services application applications app apps system systems
	stack stacks platform based using uses use used written built running runs run team codebase code
	project environment`)

func stackVocabulary(tax *qbank.Taxonomy) map[string]bool {
	v := map[string]bool{}
	add := func(s string) {
		for w := range contentWords(s) {
			v[w] = true
		}
	}
	for _, s := range tax.Stacks {
		add(s.ID)
		add(s.Title)
		for _, a := range s.Aliases {
			add(a)
		}
	}
	for _, w := range stackFiller {
		v[stem(w)] = true
	}
	return v
}

// novelWords returns the content words a variant adds to its base text.
func novelWords(tax *qbank.Taxonomy, base, variant string) []string {
	vocab := stackVocabulary(tax)
	have := contentWords(base)
	var out []string
	for w := range contentWords(variant) {
		if !have[w] && !vocab[w] {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// checkStackVariants: a variant names its stack, adds at least minNovelWords
// words of its own to the question, and has its own probes (at least
// minFollowUps that the question does not already ask) and its own anchors
// (strong, adequate and weak, with a strong anchor that is not the
// question's).
func checkStackVariants(b *seed.Bank) []string {
	var p []string
	for _, q := range b.Questions {
		if !active(q) {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(q.StackVariants)) {
			v := q.StackVariants[k]
			where := q.ID + ".stackVariants." + k
			if strings.TrimSpace(v.Text) == strings.TrimSpace(q.Text) {
				p = append(p, where+": identical to the question's text")
			}
			if !mentionsStack(&b.Taxonomy, k, v.Text) {
				p = append(p, where+": does not name the stack")
			}
			if novel := novelWords(&b.Taxonomy, q.Text, v.Text); len(novel) < minNovelWords {
				p = append(p, fmt.Sprintf("%s: a word swap of the question (adds only %v beyond stack names); ask about the stack's own tools, failure modes or idioms", where, novel))
			}
			own := 0
			for _, f := range v.FollowUps {
				if strings.TrimSpace(f) != "" && !slices.Contains(q.FollowUps, f) {
					own++
				}
			}
			if own < minFollowUps {
				p = append(p, fmt.Sprintf("%s: %d follow-ups of its own, want at least %d", where, own, minFollowUps))
			}
			g := v.ScoringGuide
			if strings.TrimSpace(g.Strong) == "" || strings.TrimSpace(g.Adequate) == "" || strings.TrimSpace(g.Weak) == "" {
				p = append(p, where+": needs its own strong, adequate and weak anchors")
			} else if strings.TrimSpace(g.Strong) == strings.TrimSpace(q.ScoringGuide.Strong) {
				p = append(p, where+": its strong anchor is the question's, not the stack's")
			}
		}
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
