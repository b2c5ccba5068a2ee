package bankpdf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// Question card geometry: an accent bar down the left, content indented.
const (
	barW     = 1.0
	cardX    = marginL + 5
	cardW    = contentW - 5
	guideCol = 22.0 // label column of the scoring guide and stack variants
	chipH    = 5.0
	qGap     = 7.0 // between questions
)

// question lays out one question as a block: it is printed on one page
// (only a question longer than a whole page runs on, under a "continued"
// line). The scoring guide comes straight after what the question reveals,
// so even such a question keeps its text and its guide together; stack
// variants, the longest part, come last.
func (d *doc) question(l *layout, e *entry) *block {
	bar := func(l *layout, y, h float64) { l.rect(marginL, y, barW, h, colAccent) }
	var rows []row
	ref := e.q.ID
	if e.q.Version > 0 {
		ref = fmt.Sprintf("%s@%d", e.q.ID, e.q.Version)
	}
	rows = append(rows, row{h: 6, draw: func(l *layout, y float64) {
		num := stBold.color(colAccent).with(11)
		label := fmt.Sprintf("Q%d", e.n)
		l.text(cardX, baseline(y, num), num, label)
		lw := l.m.width(label, num.face, num.size) + 6
		l.textRight(cardX+cardW, baseline(y, stMono), stMono, l.fit(ref, stMono, cardW-lw))
	}})
	rows = append(rows, l.prose(e.r.Text, stQText, cardX, cardW)...)
	rows = append(rows, space(1.6))
	rows = append(rows, d.chips(l, e)...)
	switch d.kind {
	case kindBank:
		var roles []string
		for _, r := range e.q.Roles {
			roles = append(roles, d.roleTitleOf(r))
		}
		rows = append(rows, l.runIn("Roles", stBold.color(colMuted), strings.Join(roles, ", "), stMuted, cardX, cardW)...)
	case kindKit:
		rows = append(rows, l.paragraph(d.compTitle(e.q.Competency)+" · "+d.dimTitle(e.q.Dimension), stMuted, cardX, cardW)...)
	}

	// Parts are labelled in a column of their own, beside them, so a label
	// costs no line of its own.
	vx, vw := cardX+guideCol, cardW-guideCol
	side := func(name string, body []row) {
		if len(body) > 0 {
			rows = append(rows, space(2.4))
			rows = append(rows, l.sideLabel(name, stLabel, cardX, guideCol-2, body)...)
		}
	}
	side("WHAT IT REVEALS", l.paragraph(orDash(e.q.WhatItReveals), stBody, vx, vw))
	if g := d.guide(l, e.r.ScoringGuide, cardX, cardW); len(g) > 0 {
		rows = append(rows, space(2.4))
		rows = append(rows, g...)
	}
	keep := len(rows) // the text, what it reveals and the guide share a page
	var probes []row
	for i, f := range e.r.FollowUps {
		if i > 0 {
			probes = append(probes, space(0.6))
		}
		probes = append(probes, l.bullet(f, stBody, vx, vw)...)
	}
	side("FINAL-ROUND PROBES", probes)
	if v := d.variants(l, e.q); d.kind != kindKit && len(v) > 0 {
		rows = append(rows, space(2.4), l.label("STACK VARIANTS · THE QUESTION AS WORDED FOR EACH STACK", cardX, stLabel))
		rows = append(rows, v...)
	}
	rows = decorate(rows, bar)
	label := func() string { return fmt.Sprintf("Q%d · %s (continued)", e.n, ref) }
	return &block{
		rows: rows, gap: qGap, keep: keep,
		anchor: questionKey(e.q.ID),
		name:   func() string { return fmt.Sprintf("Q%d", e.n) },
		cont: func() []row {
			return decorate([]row{{h: 6.5, draw: func(l *layout, y float64) {
				l.text(cardX, baseline(y, stMuted), stMuted, l.fit(label(), stMuted, cardW))
			}}}, bar)
		},
	}
}

// guide lays out a scoring guide: the anchors every level shares, then what
// they sound like at each level the guide has its own words for.
func (d *doc) guide(l *layout, g qbank.ScoringGuide, x, w float64) []row {
	var rows []row
	anchors := []struct {
		name, text string
		col        rgb
	}{{"Strong", g.Strong, colAccent}, {"Adequate", g.Adequate, colInk}, {"Weak", g.Weak, colRed}}
	for _, a := range anchors {
		if a.text == "" {
			continue
		}
		if len(rows) > 0 {
			rows = append(rows, space(0.6))
		}
		rows = append(rows, l.labelled(a.name, a.text, stBold.color(a.col), stBody, x, guideCol, w)...)
	}
	for _, lv := range d.levels(g) {
		if len(rows) > 0 {
			rows = append(rows, space(1.2))
		}
		var parts []row
		for _, a := range []struct {
			name, text string
			col        rgb
		}{{"Strong", lv.Strong, colAccent}, {"Adequate", lv.Adequate, colInk}, {"Weak", lv.Weak, colRed}} {
			if a.text == "" {
				continue
			}
			if len(parts) > 0 {
				parts = append(parts, space(0.5))
			}
			parts = append(parts, l.runIn(a.name, stBold.color(a.col), a.text, stBody, x+guideCol, w-guideCol)...)
		}
		if len(parts) == 0 {
			continue
		}
		name := seniorityTitle(lv.Seniority)
		first := parts[0].draw
		parts[0].draw = func(l *layout, y float64) {
			l.text(x, baseline(y, stBody), stBold, name)
			first(l, y)
		}
		rows = append(rows, parts...)
	}
	return rows
}

// levels returns a guide's level anchors in the taxonomy's seniority order,
// each only with the parts it words itself (the rest are the shared ones).
func (d *doc) levels(g qbank.ScoringGuide) []qbank.LevelGuide {
	out := slices.Clone(g.Levels)
	rank := func(s string) int {
		if i := slices.Index(d.tax.Seniorities, s); i >= 0 {
			return i
		}
		return len(d.tax.Seniorities)
	}
	slices.SortStableFunc(out, func(a, b qbank.LevelGuide) int { return rank(a.Seniority) - rank(b.Seniority) })
	return out
}

// variants lists a question's stack variants: the question's own stacks
// first, in its order, then the rest by id; each with the probes and
// anchors it has of its own.
func (d *doc) variants(l *layout, q qbank.Question) []row {
	keys := make([]string, 0, len(q.StackVariants))
	for k := range q.StackVariants {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(q.Stacks, a), slices.Index(q.Stacks, b)
		switch {
		case (ia < 0) != (ib < 0):
			if ia >= 0 {
				return -1
			}
			return 1
		case ia != ib:
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	var rows []row
	for _, k := range keys {
		v := q.StackVariants[k]
		if len(rows) > 0 {
			rows = append(rows, space(1.6))
		}
		if strings.Contains(v.Text, "\n") { // a listing: set as the question's own text is
			rows = append(rows, l.sideLabel(d.stackTitle(k), stBold, cardX, guideCol-2, l.prose(v.Text, stInk, cardX+guideCol, cardW-guideCol))...)
		} else {
			rows = append(rows, l.labelled(d.stackTitle(k), v.Text, stBold, stInk, cardX, guideCol, cardW)...)
		}
		x, w := cardX+guideCol, cardW-guideCol
		for _, f := range v.FollowUps {
			rows = append(rows, tight(0.5))
			rows = append(rows, l.runIn("Probe", stBold.color(colMuted), f, stBody, x, w)...)
		}
		g := v.ScoringGuide
		for _, a := range []struct {
			name, text string
			col        rgb
		}{{"Strong", g.Strong, colAccent}, {"Adequate", g.Adequate, colInk}, {"Weak", g.Weak, colRed}} {
			if a.text != "" {
				rows = append(rows, tight(0.5))
				rows = append(rows, l.runIn(a.name, stBold.color(a.col), a.text, stBody, x, w)...)
			}
		}
		for _, lv := range d.levels(g) {
			for _, a := range []struct {
				name, text string
				col        rgb
			}{{"Strong", lv.Strong, colAccent}, {"Adequate", lv.Adequate, colInk}, {"Weak", lv.Weak, colRed}} {
				if a.text != "" {
					rows = append(rows, tight(0.5))
					rows = append(rows, l.runIn(seniorityTitle(lv.Seniority)+" · "+a.name, stBold.color(a.col), a.text, stBody, x, w)...)
				}
			}
		}
	}
	return rows
}

// tight is space within one part of a block, where it must not break: a
// stack variant's probes and anchors stay under its label.
func tight(h float64) row { return row{h: h, draw: func(*layout, float64) {}} }

// chips shows the question's format, time, levels and stacks as tags,
// wrapping onto more lines when they do not fit one.
func (d *doc) chips(l *layout, e *entry) []row {
	type chip struct {
		text string
		st   style
		bg   rgb
	}
	q := e.q
	format := "Written response"
	if q.ResponseFormat == qbank.FormatVideo {
		format = "Video response"
	} else if q.ResponseFormat != qbank.FormatWritten && q.ResponseFormat != "" {
		format = string(q.ResponseFormat)
	}
	plain := stChip.color(colBody)
	chips := []chip{
		{format, style{faceBold, stChip.size, colWhite, chipH}, colAccent},
		{fmt.Sprintf("%d min", q.Minutes), plain, colTint},
		{seniorities(q.Seniorities), plain, colTint},
	}
	switch {
	case len(q.Stacks) == 0 && e.r.Stack != "":
		// A general question worded for the assessment's stack: the
		// "worded for" chip below says so; "language-agnostic" would not.
	case len(q.Stacks) == 0:
		chips = append(chips, chip{"Language-agnostic", plain, colTint})
	default:
		var ts []string
		for _, s := range q.Stacks {
			ts = append(ts, d.stackTitle(s))
		}
		chips = append(chips, chip{"Stack: " + strings.Join(ts, ", "), plain, colTint})
	}
	if e.r.Stack != "" {
		chips = append(chips, chip{"Worded for " + d.stackTitle(e.r.Stack), style{faceBold, stChip.size, colAccent, chipH}, colAccent3})
	}
	const padX, gap = 2.2, 1.5
	// A chip wider than the card is cut into lines, each its own chip.
	var laid []chip
	for _, c := range chips {
		for _, ln := range l.m.wrap(l.m.clean(c.text, c.st.face), c.st.face, c.st.size, cardW-2*padX) {
			laid = append(laid, chip{ln, c.st, c.bg})
		}
	}
	var lines [][]chip
	x := 0.0
	for _, c := range laid {
		w := l.m.width(c.text, c.st.face, c.st.size) + 2*padX
		if len(lines) == 0 || x+w > cardW {
			lines = append(lines, nil)
			x = 0
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], c)
		x += w + gap
	}
	var rows []row
	for _, ln := range lines {
		rows = append(rows, row{h: chipH + 1.2, draw: func(l *layout, y float64) {
			x := cardX
			for _, c := range ln {
				w := l.m.width(c.text, c.st.face, c.st.size) + 2*padX
				l.roundRect(x, y, w, chipH, 1, c.bg)
				l.text(x+padX, baseline(y, c.st), c.st, c.text)
				x += w + gap
			}
		}})
	}
	return rows
}

func seniorities(s []string) string {
	if len(s) == 0 {
		return "All levels"
	}
	var out []string
	for _, v := range s {
		out = append(out, seniorityTitle(v))
	}
	return strings.Join(out, ", ")
}

func seniorityTitle(v string) string {
	switch v {
	case "":
		return ""
	case "mid":
		return "Mid-level"
	}
	return strings.ToUpper(v[:1]) + v[1:]
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
