package assembly

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// assessment renders the selection: items in taxonomy order, each with its
// stack variant and a reason, and the figures that show the constraints hold.
func (p *plan) assessment(pr *problem, picked []int, revision, seed int64) Assessment {
	sel := slices.Clone(pr.req)
	for _, i := range picked {
		sel = append(sel, pr.cands[i])
	}

	compOrder := map[string]int{}
	for i, c := range p.role.Competencies {
		compOrder[c] = i
	}
	for i, c := range p.tax.Competencies {
		if _, ok := compOrder[c.ID]; !ok {
			compOrder[c.ID] = len(p.role.Competencies) + i
		}
	}
	slices.SortFunc(sel, func(a, b cand) int {
		return cmp.Or(
			cmp.Compare(a.dim, b.dim),
			cmp.Compare(compOrder[a.q.Competency], compOrder[b.q.Competency]),
			cmp.Compare(a.format, b.format),
			strings.Compare(a.q.ID, b.q.ID),
		)
	})

	minutes := make([]int, len(p.dims))
	var formatCount [2]int
	total := 0
	for _, c := range sel {
		minutes[c.dim] += c.q.Minutes
		formatCount[c.format]++
		total += c.q.Minutes
	}

	a := Assessment{
		Items:           make([]Item, 0, len(sel)),
		TotalMinutes:    total,
		DimensionShares: make(map[string]float64, len(p.dims)),
		BankRevision:    revision,
		Seed:            seed,
		Role:            p.role.ID,
		Seniority:       p.seniority,
		Stacks:          slices.Clone(p.stacks),
		MinMinutes:      p.min,
		MaxMinutes:      p.max,
		Weights:         make(map[string]int, len(p.dims)),
		TolerancePoints: p.tol,
		WithinTolerance: true,
	}
	dev := 0
	for d, id := range p.dims {
		a.DimensionShares[id] = 100 * float64(minutes[d]) / float64(total)
		a.Weights[id] = p.weights[d]
		x := abs(100*minutes[d] - p.weights[d]*total)
		dev += x
		if x > p.tol*total {
			a.WithinTolerance = false
		}
	}
	a.Deviation = float64(dev) / float64(total)

	seenComp := map[string]bool{}
	for _, c := range sel {
		q := c.q
		text, stack := q.Text, ""
		for _, s := range p.stacks {
			if t, ok := variant(q.StackVariants, s, p.tax); ok {
				text, stack = t, s
				break
			}
		}
		item := Item{
			QuestionID:     q.ID,
			Version:        q.Version,
			Text:           text,
			Stack:          stack,
			Dimension:      q.Dimension,
			Competency:     q.Competency,
			ResponseFormat: q.ResponseFormat,
			Minutes:        q.Minutes,
			WhatItReveals:  q.WhatItReveals,
			Required:       slices.ContainsFunc(pr.req, func(r cand) bool { return r.q == q }),
		}
		item.Reason = p.reason(c, item, seenComp[q.Competency], minutes[c.dim], total, formatCount[c.format])
		seenComp[q.Competency] = true
		a.Items = append(a.Items, item)
	}
	return a
}

// reason tells the hiring manager, in one line, why the item is there: the
// competency it covers (or the balance it restores), why its format, and how
// it relates to the requested stacks.
func (p *plan) reason(c cand, it Item, repeat bool, dimMinutes, total, sameFormat int) string {
	var why []string
	if it.Required {
		why = append(why, "Required by the request")
	}
	title := p.title(it.Competency)
	balance := fmt.Sprintf("%s takes %d of the %d minutes (weight %d%%)", it.Dimension, dimMinutes, total, p.weights[c.dim])
	switch {
	case c.comp >= 0 && !repeat:
		why = append(why, fmt.Sprintf("covers %s (required for %s)", title, cmp.Or(p.role.Title, p.role.ID)))
	case c.comp >= 0:
		why = append(why, fmt.Sprintf("a further %s question so that %s", title, balance))
	default:
		why = append(why, fmt.Sprintf("a %s question so that %s", title, balance))
	}
	switch {
	case it.ResponseFormat == qbank.FormatVideo && sameFormat == 1:
		why = append(why, "the one video answer, to hear them reason aloud")
	case it.ResponseFormat == qbank.FormatVideo:
		why = append(why, "video, to hear them reason aloud")
	case sameFormat == 1:
		why = append(why, "the one written answer, for a considered, structured response")
	default:
		why = append(why, "written, for a considered, structured response")
	}
	var specific []string
	for i, s := range p.stacks {
		if c.stacks&(1<<i) != 0 {
			specific = append(specific, p.stackTitle(s))
		}
	}
	if len(specific) > 0 {
		why = append(why, "specific to "+strings.Join(specific, " and ")+", a requested stack")
	}
	if it.Stack != "" {
		why = append(why, "worded for "+p.stackTitle(it.Stack))
	}
	return upperFirst(strings.Join(why, "; ")) + "."
}

func (p *plan) stackTitle(id string) string {
	for _, s := range p.tax.Stacks {
		if s.ID == id && s.Title != "" {
			return s.Title
		}
	}
	return id
}

// variant returns q's text for stack, tolerating variant keys written as
// aliases.
func variant(variants map[string]qbank.StackVariant, stack string, tax *qbank.Taxonomy) (string, bool) {
	if len(variants) == 0 {
		return "", false
	}
	if v, ok := variants[stack]; ok {
		return v.Text, true
	}
	keys := make([]string, 0, len(variants))
	for k := range variants {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if id, ok := tax.ResolveStack(k); ok && id == stack {
			return variants[k].Text, true
		}
	}
	return "", false
}

func (p *plan) title(competency string) string {
	if c, ok := p.tax.Competency(competency); ok && c.Title != "" {
		return c.Title
	}
	return competency
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// explainInfeasible says which constraint the search could not meet. It
// recomputes, over a longer horizon, which totals are reachable with and
// without the stack requirement, so the message can tell a stack problem
// from a time budget problem and give the nearest totals that would work.
func (pr *problem) explainInfeasible() error {
	p := pr.p
	// Item counts are bytes below inf and never exceed the minutes, so the
	// horizon stays under inf.
	horizon := min(max(2*p.max, qbank.MaxAssessmentMinutes), inf-1)
	for _, t := range pr.tables {
		t.build(horizon+1, pr.outerBits)
	}
	var fmtBits uint32
	for _, b := range pr.formatBit {
		fmtBits |= b
	}
	withStacks := pr.reachable(horizon, pr.needOuter)
	without := pr.reachable(horizon, fmtBits)

	covering := fmt.Sprintf("covers every competency of %s (%s) with at least one video and one written answer",
		p.role.ID, strings.Join(p.role.Competencies, ", "))
	if len(pr.req) > 0 {
		covering += " alongside the required questions"
	}
	if anyIn(without, p.min, p.max) && len(pr.needStacks) > 0 {
		names := make([]string, len(pr.needStacks))
		for i, s := range pr.needStacks {
			names[i] = p.stacks[s]
		}
		return qbank.Errorf(qbank.EPRECONDITION, "no selection of %d–%d minutes %s and also includes a stack-specific question for each of %s%s",
			p.min, p.max, covering, strings.Join(names, ", "), nearest(withStacks, p.min, p.max, horizon))
	}
	return qbank.Errorf(qbank.EPRECONDITION, "no selection of %d–%d minutes %s%s", p.min, p.max, covering, nearest(without, p.min, p.max, horizon))
}

// reachable returns which totals up to horizon a selection can have while
// covering every competency and supplying the outer bits in need.
func (pr *problem) reachable(horizon int, need uint32) []bool {
	n := 1 << bits.OnesCount32(need)
	// Outer bits outside need are irrelevant here; compress the rest.
	compress := func(o uint32) int {
		out, k := 0, 0
		for b := range 32 {
			if need&(1<<b) != 0 {
				if o&(1<<b) != 0 {
					out |= 1 << k
				}
				k++
			}
		}
		return out
	}
	cur := make([][]bool, n)
	cur[0] = make([]bool, horizon+1)
	cur[0][0] = true
	for _, t := range pr.tables {
		next := make([][]bool, n)
		for o, totals := range cur {
			if totals == nil {
				continue
			}
			for T, ok := range totals {
				if !ok {
					continue
				}
				for m := 0; T+m <= horizon; m++ {
					for _, e := range t.entries[m] {
						o2 := o | compress(e.outer)
						if next[o2] == nil {
							next[o2] = make([]bool, horizon+1)
						}
						next[o2][T+m] = true
					}
				}
			}
		}
		cur = next
	}
	if cur[n-1] == nil {
		return make([]bool, horizon+1)
	}
	return cur[n-1]
}

func anyIn(totals []bool, lo, hi int) bool {
	for T := lo; T <= hi && T < len(totals); T++ {
		if totals[T] {
			return true
		}
	}
	return false
}

// nearest describes the totals closest to [lo, hi] that would work.
func nearest(totals []bool, lo, hi, horizon int) string {
	below, above := -1, -1
	for T := lo - 1; T >= 1; T-- {
		if totals[T] {
			below = T
			break
		}
	}
	for T := hi + 1; T <= horizon; T++ {
		if totals[T] {
			above = T
			break
		}
	}
	switch {
	case below > 0 && above > 0:
		return fmt.Sprintf(": the nearest totals possible are %d and %d minutes", below, above)
	case above > 0:
		return fmt.Sprintf(": the shortest such selection takes %d minutes", above)
	case below > 0:
		return fmt.Sprintf(": the longest such selection takes %d minutes", below)
	default:
		return fmt.Sprintf(": none takes %d minutes or less", horizon)
	}
}
