package bankpdf

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/layersrank/qbank"
)

// Question card geometry: an accent bar down the left, content indented.
const (
	barW     = 1.0
	cardX    = marginL + 5
	cardW    = contentW - 5
	guideCol = 21.0 // label column of the scoring guide and stack variants
	chipH    = 5.0
)

// question lays out one question as a card. Its head (number, text, format
// chips, what it reveals) is one kept chain: the question never leaves its
// metadata behind. Sections after it may move to the next page, which then
// opens with a "continued" line under the same bar.
func (l *layout) question(b *bank, q qbank.Question, n int) []row {
	bar := func(l *layout, y, h float64) { l.rect(marginL, y, barW, h, colAccent) }
	label := fmt.Sprintf("Q%d", n)
	cont := func() []row {
		return decorate([]row{{h: 6, draw: func(l *layout, y float64) {
			l.text(cardX, baseline(y, stMuted), stMuted, label+" · continued")
		}}}, bar)
	}

	var head []row
	idText := q.ID
	if q.Version > 0 {
		idText = fmt.Sprintf("%s · v%d", q.ID, q.Version)
	}
	head = append(head, row{h: 5.5, draw: func(l *layout, y float64) {
		l.text(cardX, baseline(y, stLabel.with(8)), stLabel.with(8), label)
		idw := cardW - 20
		l.textRight(cardX+cardW, baseline(y, stMono), stMono, l.fit(idText, stMono, idw))
	}})
	head = append(head, l.paragraph(q.Text, stQText, cardX, cardW)...)
	head = append(head, spacer(2, true))
	head = append(head, l.chips(b, q)...)
	head = append(head, spacer(2.5, true))
	head = append(head, l.section("WHAT IT REVEALS", stLabel)...)
	head = append(head, l.paragraph(orDash(q.WhatItReveals), stBody, cardX, cardW)...)
	keepAll(head)

	// Each later section is kept whole where it fits a page, so a break
	// falls between sections, never leaving a lone bullet or guide line.
	rows := head
	section := func(name string, items [][]row) {
		sec := l.section(name, stLabel)
		for i, it := range items {
			if i > 0 {
				sec = append(sec, spacer(1.2, true))
			}
			sec = append(sec, it...)
		}
		rows = append(rows, spacer(3, false))
		rows = append(rows, keepAll(sec)...)
	}
	if vs := variants(b.tax, q); len(vs) > 0 {
		var items [][]row
		for _, v := range vs {
			items = append(items, l.labelled(v[0], v[1], stSmallBold, stSmall, cardX, guideCol, cardW))
		}
		section("STACK VARIANTS", items)
	}
	if len(q.FollowUps) > 0 {
		var items [][]row
		for _, f := range q.FollowUps {
			items = append(items, l.bullet(f, stSmall, cardX, cardW))
		}
		section("FOLLOW-UPS", items)
	}
	g := q.ScoringGuide
	if g.Strong != "" || g.Adequate != "" || g.Weak != "" {
		var items [][]row
		for _, lv := range []struct {
			name string
			text string
			col  rgb
		}{{"Strong", g.Strong, colAccent}, {"Adequate", g.Adequate, colInk}, {"Weak", g.Weak, colRed}} {
			items = append(items, l.labelled(lv.name, orDash(lv.text), stSmallBold.color(lv.col), stSmall, cardX, guideCol, cardW))
		}
		section("SCORING GUIDE", items)
	}
	rows = decorate(rows, bar)
	total := 0.0
	for i := range rows {
		total += rows[i].h
		if i > 0 {
			rows[i].cont = cont
		}
	}
	rows[0].block = total
	return rows
}

// section is a small caps label kept with what follows it.
func (l *layout) section(name string, st style) []row {
	return []row{{h: st.lead + 0.6, keep: true, draw: func(l *layout, y float64) {
		l.text(cardX, baseline(y, st), st, name)
	}}}
}

func (l *layout) bullet(s string, st style, x, w float64) []row {
	rows := l.paragraph(s, st, x+4, w-4)
	first := rows[0].draw
	rows[0].draw = func(l *layout, y float64) {
		l.text(x+0.6, baseline(y, st), st.color(colAccent), "•")
		first(l, y)
	}
	return rows
}

// chips shows the question's format, time, seniority and stacks as tags,
// wrapping onto more lines when they do not fit one.
func (l *layout) chips(b *bank, q qbank.Question) []row {
	type chip struct {
		text string
		st   style
		bg   rgb
	}
	format := "Written response"
	if q.ResponseFormat == qbank.FormatVideo {
		format = "Video response"
	} else if q.ResponseFormat != qbank.FormatWritten && q.ResponseFormat != "" {
		format = string(q.ResponseFormat)
	}
	plain := style{faceRegular, 7.5, colBody, chipH}
	chips := []chip{
		{format, style{faceBold, 7.5, colWhite, chipH}, colAccent},
		{fmt.Sprintf("%d min", q.Minutes), plain, colTint},
		{seniorities(q.Seniorities), plain, colTint},
	}
	if len(q.Stacks) == 0 {
		chips = append(chips, chip{"Language-agnostic", plain, colTint})
	} else {
		var ts []string
		for _, s := range q.Stacks {
			ts = append(ts, stackTitle(b.tax, s))
		}
		chips = append(chips, chip{"Stack: " + strings.Join(ts, ", "), plain, colTint})
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
		rows = append(rows, row{h: chipH + 1.2, keep: true, draw: func(l *layout, y float64) {
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
		switch v {
		case "mid":
			out = append(out, "Mid-level")
		default:
			if v != "" {
				out = append(out, strings.ToUpper(v[:1])+v[1:])
			}
		}
	}
	return strings.Join(out, ", ")
}

func stackTitle(tax *qbank.Taxonomy, id string) string {
	for _, s := range tax.Stacks {
		if s.ID == id {
			return s.Title
		}
	}
	return id
}

// variants lists a question's stack variants as (stack title, text): the
// question's own stacks first, in its order, then the rest by id.
func variants(tax *qbank.Taxonomy, q qbank.Question) [][2]string {
	keys := make([]string, 0, len(q.StackVariants))
	for k := range q.StackVariants {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := slices.Index(q.Stacks, keys[i]), slices.Index(q.Stacks, keys[j])
		if (a < 0) != (b < 0) {
			return a >= 0
		}
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	var out [][2]string
	for _, k := range keys {
		out = append(out, [2]string{stackTitle(tax, k), q.StackVariants[k].Text})
	}
	return out
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
