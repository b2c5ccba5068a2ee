package bankpdf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// ---- cover -----------------------------------------------------------------

func (l *layout) cover(d Document, b *bank) {
	l.newPage("")
	st := b.stats()
	l.add(func(e *emitter) { e.fill(colAccent); e.pdf.Rect(0, 0, pageW, 5, "F") })
	l.y = 46
	var rows []row
	rows = append(rows, l.paragraph("LAYERSRANK · STRUCTURED HIRING ASSESSMENTS", stLabel.with(7.5), marginL, contentW)...)
	rows = append(rows, spacer(3, true))
	rows = append(rows, l.paragraph(d.Title, style{faceBold, 30, colInk, 12.5}, marginL, contentW)...)
	rows = append(rows, row{h: 9, draw: func(l *layout, y float64) { l.rect(marginL, y+4, 28, 1.2, colAccent) }})
	scope := "The complete bank · all roles"
	if !b.wholeBank {
		scope = b.roles[0].title + " · role edition"
	}
	rows = append(rows, l.paragraph(scope, style{faceRegular, 14, colBody, 6.5}, marginL, contentW)...)
	rows = append(rows, spacer(14, false))

	generated := "—"
	if !d.Generated.IsZero() {
		generated = d.Generated.Format("2 January 2006, 15:04 MST")
	}
	var titles []string
	for _, r := range b.roles {
		titles = append(titles, r.title)
	}
	scopeLong := "Whole bank: " + strings.Join(titles, ", ")
	if !b.wholeBank {
		scopeLong = b.roles[0].title + " only"
	}
	for _, f := range [][2]string{
		{"Generated", generated},
		{"Bank revision", fmt.Sprint(d.Revision)},
		{"Scope", scopeLong},
	} {
		rows = append(rows, l.labelled(f[0], f[1], stMuted.with(8.5), stBodyInk, marginL, 34, contentW)...)
		rows = append(rows, spacer(1.5, false))
	}
	rows = append(rows, spacer(10, false))
	rows = append(rows, l.tiles([][2]string{
		{fmt.Sprint(st.questions), noun(st.questions, "question", "questions")},
		{fmt.Sprint(st.roles), noun(st.roles, "role", "roles")},
		{fmt.Sprint(st.competencies), noun(st.competencies, "competency", "competencies")},
		{fmt.Sprintf("%d / %d", st.video, st.written), "video / written"},
	}))
	rows = append(rows, spacer(14, false))

	rows = append(rows, keepAll(l.paragraph("How to use this document", stComp.with(11), marginL, contentW))...)
	rows[len(rows)-1].keep = true
	rows = append(rows, spacer(2, true))
	var weights []string
	for _, dim := range b.tax.Dimensions {
		weights = append(weights, fmt.Sprintf("%s %d%%", dim.Title, dim.Weight))
	}
	paras := []string{
		"Candidates answer 35–45 minutes of video and written questions. Answers are scored on " +
			strings.Join(weights, ", ") + "; the role section shows the weights that role uses.",
		"The role opens with its evaluation criteria: the scorecard reviewers rate every answer against. " +
			"Its questions follow, by dimension and competency, each with what it reveals, follow-ups to probe with, " +
			"and a scoring guide that describes strong, adequate and weak answers so that reviewers rate alike.",
	}
	if b.wholeBank {
		paras[0] = strings.Replace(paras[0], "the role section shows", "each role section shows", 1)
		paras[1] = strings.Replace(paras[1], "The role opens", "Each role opens", 1)
		paras = append(paras, "A question used by several roles appears under each of them.")
	}
	for _, p := range paras {
		rows = append(rows, l.paragraph(p, stBody, marginL, contentW)...)
		rows = append(rows, spacer(2, false))
	}
	l.flow(rows)

	// The notice sits at the foot of the cover whatever the content above.
	if l.y < 250 && len(l.pages) == 1 {
		l.y = 252
	}
	notice := l.paragraph("Confidential. This document contains assessment questions and scoring guides. "+
		"Keep it within your hiring team and never share it with candidates.", stSmall, marginL+6, contentW-10)
	h := float64(len(notice))*stSmall.lead + 6
	l.flow(append([]row{{h: 3, keep: true, draw: func(l *layout, y float64) {
		l.rect(marginL, y, contentW, h, colTint)
		l.rect(marginL, y, 1.2, h, colRed)
	}}}, append(notice, spacer(3, false))...))
}

// labelled is a label column beside a wrapped value; both wrap, and the
// rows run to whichever is longer.
func (l *layout) labelled(label, value string, lst, vst style, x, labelW, w float64) []row {
	labels := l.m.wrap(l.m.clean(label, lst.face), lst.face, lst.size, labelW-2)
	values := l.m.wrap(l.m.clean(value, vst.face), vst.face, vst.size, w-labelW)
	rows := make([]row, max(len(labels), len(values)))
	for k := range rows {
		rows[k] = row{h: vst.lead, keep: k < len(rows)-1, draw: func(l *layout, y float64) {
			if k < len(labels) {
				l.text(x, baseline(y, vst), lst, labels[k])
			}
			if k < len(values) {
				l.text(x+labelW, baseline(y, vst), vst, values[k])
			}
		}}
	}
	return rows
}

func (l *layout) tiles(items [][2]string) row {
	gap := 4.0
	w := (contentW - gap*float64(len(items)-1)) / float64(len(items))
	num := style{faceBold, 20, colAccent, 9}
	return row{h: 26, draw: func(l *layout, y float64) {
		for i, it := range items {
			x := marginL + float64(i)*(w+gap)
			l.roundRect(x, y, w, 26, 1.5, colTint)
			l.text(x+5, y+12, num, l.fit(it[0], num, w-8))
			l.text(x+5, y+19.5, stMuted, l.fit(it[1], stMuted, w-8))
		}
	}}
}

// fit shortens s with an ellipsis to fit w: only for fixed-size slots whose
// full text is printed elsewhere (a running header, a tile, a bar label).
func (l *layout) fit(s string, st style, w float64) string { return fitText(l.m, s, st, w) }

func fitText(m *metrics, s string, st style, w float64) string {
	if m.width(s, st.face, st.size) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && m.width(string(r)+"…", st.face, st.size) > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (s style) with(size float64) style { s.size = size; return s }

// ---- contents --------------------------------------------------------------

type tocEntry struct {
	level int
	title string
	key   string
}

func (b *bank) toc() []tocEntry {
	var out []tocEntry
	for _, r := range b.roles {
		out = append(out, tocEntry{0, r.title, roleKey(r.id)})
		out = append(out, tocEntry{1, "Score weights and evaluation criteria", criteriaKey(r.id)})
		for _, d := range r.dims {
			out = append(out, tocEntry{1, fmt.Sprintf("%s · %d%%", d.dim.Title, d.weight), dimKey(r.id, d.dim.ID)})
			for _, c := range d.comps {
				out = append(out, tocEntry{2, c.comp.Title, compKey(r.id, d.dim.ID, c.comp.ID)})
			}
		}
	}
	return out
}

func (l *layout) contents(b *bank) {
	l.unnumbered = len(l.pages)
	l.newPage("Contents")
	rows := []row{{h: 12, bookmark: &bookmark{title: "Contents"}, draw: func(l *layout, y float64) {
		l.text(marginL, y+8, stH2.with(20), "Contents")
	}}}
	rows = append(rows, spacer(1, false))
	for _, e := range b.toc() {
		rows = append(rows, l.tocRow(e)...)
	}
	l.flow(rows)
}

func (l *layout) tocRow(e tocEntry) []row {
	st, indent, before := stBody, 0.0, 0.0
	switch e.level {
	case 0:
		st, before = style{faceBold, 11, colInk, 5.6}, 3.6
	case 1:
		st, indent = style{faceRegular, 9, colInk, 4.3}, 5
	default:
		st, indent = style{faceRegular, 8.2, colMuted, 3.9}, 11
	}
	numW := 12.0
	x := marginL + indent
	lines := l.m.wrap(l.m.clean(e.title, st.face), st.face, st.size, contentW-indent-numW-6)
	var rows []row
	if before > 0 {
		rows = append(rows, spacer(before, true))
	}
	for i, ln := range lines {
		last := i == len(lines)-1
		rows = append(rows, row{h: st.lead, keep: !last || e.level == 0, draw: func(l *layout, y float64) {
			bl := baseline(y, st)
			l.text(x, bl, st, ln)
			if !last {
				return
			}
			end := x + l.m.width(ln, st.face, st.size)
			key := e.key
			l.add(func(em *emitter) {
				n := fmt.Sprint(em.anchors[key].page - em.offset)
				nw := em.m.width(n, st.face, st.size)
				right := marginL + contentW
				em.runs(right-nw, bl, st, em.m.runs(n, st.face, st.size))
				dot := style{faceRegular, st.size, colRule, st.lead}
				dw := em.m.width(" .", dot.face, dot.size)
				if k := int((right - nw - 2 - end - 2) / dw); k > 0 {
					em.runs(right-nw-2-float64(k)*dw, bl, dot, em.m.runs(strings.Repeat(" .", k), dot.face, dot.size))
				}
			})
		}})
	}
	top := len(rows) - len(lines)
	h := float64(len(lines)) * st.lead
	link := rows[top].draw
	rows[top].draw = func(l *layout, y float64) {
		link(l, y)
		key := e.key
		l.add(func(em *emitter) { em.pdf.Link(x, y, marginL+contentW-x, h, em.links[key]) })
	}
	return rows
}

// ---- a role ----------------------------------------------------------------

func (l *layout) role(b *bank, i int) {
	r := b.roles[i]
	l.newPage(r.title)
	var rows []row
	eyebrow := "ROLE"
	if b.wholeBank {
		eyebrow = fmt.Sprintf("ROLE %d OF %d", i+1, len(b.roles))
	}
	rows = append(rows, l.paragraph(eyebrow, stLabel.with(7.5), marginL, contentW)...)
	rows[0].anchor = roleKey(r.id)
	rows[0].bookmark = &bookmark{title: r.title, level: 0}
	rows = append(rows, spacer(1, true))
	rows = append(rows, l.paragraph(r.title, stRole, marginL, contentW)...)
	video, minutes := 0, 0
	for _, q := range b.questions {
		if slices.Contains(q.Roles, r.id) {
			minutes += q.Minutes
			if q.ResponseFormat == qbank.FormatVideo {
				video++
			}
		}
	}
	summary := fmt.Sprintf("%s · %s · %d video, %d written · %d minutes of material in the bank",
		plural(r.questions, "question", "questions"), plural(len(r.criteria), "competency", "competencies"),
		video, r.questions-video, minutes)
	rows = append(rows, spacer(1, true))
	rows = append(rows, l.paragraph(summary, stBody.with(10), marginL, contentW)...)
	rows = append(rows, spacer(9, false))

	rows = append(rows, l.paragraph("SCORE WEIGHTS", stLabel, marginL, contentW)...)
	rows[len(rows)-1].anchor = criteriaKey(r.id)
	rows[len(rows)-1].bookmark = &bookmark{title: "Score weights and evaluation criteria", level: 1}
	rows[len(rows)-1].keep = true
	rows = append(rows, spacer(1.5, true), l.weightsBar(r), spacer(10, false))

	rows = append(rows, l.paragraph("Evaluation criteria", stH2, marginL, contentW)...)
	rows[len(rows)-1].keep = true
	rows = append(rows, spacer(1, true))
	intro := l.paragraph("The scorecard for every answer in a "+r.title+" assessment: one row for each competency the role covers.", stBody, marginL, contentW)
	rows = append(rows, keepAll(intro)...)
	rows[len(rows)-1].keep = true
	rows = append(rows, spacer(3, true))
	rows = append(rows, l.criteriaTable(r.criteria)...)
	l.flow(rows)

	n := 0
	for _, d := range r.dims {
		l.newPage(r.title)
		l.flow(l.dimension(b, r, d, &n))
	}
}

func (l *layout) weightsBar(r roleSection) row {
	total := 0
	for _, d := range r.dims {
		total += d.weight
	}
	cols := []rgb{colAccent, colAccent2, colAccent3}
	h := 9.0
	return row{h: h, draw: func(l *layout, y float64) {
		if total == 0 {
			return
		}
		x := marginL
		for i, d := range r.dims {
			if d.weight == 0 {
				continue
			}
			w := contentW * float64(d.weight) / float64(total)
			c := cols[min(i, len(cols)-1)]
			l.rect(x, y, w-0.6, h, c)
			tc := colWhite
			if i >= 2 {
				tc = colInk
			}
			lab := fmt.Sprintf("%s %d%%", d.dim.Title, d.weight)
			st := style{faceBold, 8.5, tc, h}
			if l.m.width(lab, st.face, st.size) > w-5 {
				lab = fmt.Sprintf("%d%%", d.weight)
			}
			l.text(x+2.5, baseline(y, st), st, l.fit(lab, st, w-4))
			x += w
		}
	}}
}

// ---- the scorecard table ---------------------------------------------------

type tcol struct {
	title string
	w     float64
}

type tpara struct {
	s  string
	st style
}

const (
	tLead = 4.2
	tPadX = 2.5
	tPadY = 2.2
)

func (l *layout) criteriaTable(comps []qbank.Competency) []row {
	cols := []tcol{{"Competency", 38}, {"What great looks like", (contentW - 38) / 2}, {"Red flags", (contentW - 38) / 2}}
	var data [][][]tpara
	for _, c := range comps {
		data = append(data, [][]tpara{
			{{c.Title, stSmallBold}, {l.dimTitle(c.Dimension), stMuted.with(7.5)}},
			{{c.GreatLooksLike, stSmall}},
			{{c.RedFlags, stSmall}},
		})
	}
	return l.table(cols, data)
}

func (l *layout) dimTitle(id string) string {
	if d, ok := l.tax.Dimension(id); ok {
		return d.Title
	}
	return id
}

// table lays out wrapped cells; every row is as tall as its tallest cell,
// the header repeats on each page the table reaches, and a row that cannot
// fit a page at all is split line by line (still under a repeated header).
func (l *layout) table(cols []tcol, data [][][]tpara) []row {
	header := l.tableRow(cols, [][]tpara(nil), true, 0)
	cont := func() []row { return header }
	var rows []row
	rows = append(rows, keepAll(slices.Clone(header))...)
	rows[len(rows)-1].keep = true
	for i, cells := range data {
		tr := l.tableRow(cols, cells, false, i)
		tr[0].cont = cont
		// A row split across pages says whose row goes on under the header.
		name := ""
		if len(cells) > 0 && len(cells[0]) > 0 {
			name = cells[0][0].s
		}
		inside := func() []row { return append(slices.Clone(header), l.tableContinued(cols[0].w, name, i)) }
		for j := 1; j < len(tr); j++ {
			tr[j].cont = inside
		}
		rows = append(rows, tr...)
	}
	return rows
}

func (l *layout) tableContinued(w float64, name string, index int) row {
	st := style{faceItalic, 7.5, colMuted, tLead}
	return row{h: tLead + tPadY, draw: func(l *layout, y float64) {
		if index%2 == 1 {
			l.rect(marginL, y, contentW, tLead+tPadY, colTint)
		}
		l.text(marginL+tPadX, baseline(y+tPadY, st), st, l.fit(name+" (continued)", st, w-2*tPadX))
	}}
}

// tableRow returns the bands of one table row: top padding, one band per
// line, bottom padding, all kept together.
func (l *layout) tableRow(cols []tcol, cells [][]tpara, head bool, index int) []row {
	type tl struct {
		s  string
		st style
	}
	if head {
		cells = nil
		for _, c := range cols {
			cells = append(cells, []tpara{{c.title, style{faceBold, 8, colWhite, tLead}}})
		}
	}
	lines := make([][]tl, len(cols))
	n := 0
	for ci, cell := range cells {
		for _, p := range cell {
			for _, ln := range l.m.wrap(l.m.clean(p.s, p.st.face), p.st.face, p.st.size, cols[ci].w-2*tPadX) {
				lines[ci] = append(lines[ci], tl{ln, p.st})
			}
		}
		n = max(n, len(lines[ci]))
	}
	bg := colWhite
	if head {
		bg = colAccent
	} else if index%2 == 1 {
		bg = colTint
	}
	band := func(h float64, k int, last bool) row {
		return row{h: h, keep: !last, draw: func(l *layout, y float64) {
			if bg != colWhite {
				l.rect(marginL, y, contentW, h, bg)
			}
			if last && !head {
				l.line(marginL, y+h, marginL+contentW, y+h, 0.2, colRule)
			}
			if k < 0 {
				return
			}
			x := marginL
			for ci, c := range cols {
				if k < len(lines[ci]) {
					t := lines[ci][k]
					l.text(x+tPadX, baseline(y, style{lead: tLead, size: t.st.size}), t.st, t.s)
				}
				x += c.w
			}
		}}
	}
	pad := tPadY
	if head {
		pad = 1.6
	}
	rows := []row{band(pad, -1, false)}
	for k := range n {
		rows = append(rows, band(tLead, k, false))
	}
	return append(rows, band(pad, -1, true))
}

// ---- a dimension, its competencies and questions ---------------------------

func (l *layout) dimension(b *bank, r roleSection, d dimSection, n *int) []row {
	key := dimKey(r.id, d.dim.ID)
	st := stDim
	var rows []row
	rows = append(rows, row{h: st.lead + 1, keep: true, anchor: key,
		bookmark: &bookmark{title: fmt.Sprintf("%s · %d%%", d.dim.Title, d.weight), level: 1},
		draw: func(l *layout, y float64) {
			bl := baseline(y, st)
			l.text(marginL, bl, st, l.fit(d.dim.Title, st, contentW-60))
			l.textRight(marginL+contentW, bl, stBody, fmt.Sprintf("%d%% of the %s score", d.weight, r.title))
		}})
	rows = append(rows, row{h: 7, keep: true, draw: func(l *layout, y float64) {
		l.line(marginL, y+1.5, marginL+contentW, y+1.5, 0.6, colAccent)
	}})
	if len(d.comps) == 0 {
		rows = append(rows, l.paragraph("No competency of this role falls in this dimension.", stItalic, marginL, contentW)...)
	}
	for ci, c := range d.comps {
		if ci > 0 {
			rows = append(rows, spacer(6, false))
		}
		rows = append(rows, l.competency(b, r, d, c, n)...)
	}
	return rows
}

func (l *layout) competency(b *bank, r roleSection, d dimSection, c compSection, n *int) []row {
	var rows []row
	title := l.paragraph(c.comp.Title, stComp, marginL, contentW)
	title[0].anchor = compKey(r.id, d.dim.ID, c.comp.ID)
	title[0].bookmark = &bookmark{title: c.comp.Title, level: 2}
	rows = append(rows, keepAll(title)...)
	rows[len(rows)-1].keep = true
	meta := plural(len(c.questions), "question", "questions")
	rows = append(rows, keepAll(l.paragraph(meta, stMuted, marginL, contentW))...)
	rows[len(rows)-1].keep = true
	rows = append(rows, spacer(2, true))
	if c.comp.Description != "" {
		rows = append(rows, l.paragraph(c.comp.Description, stBody, marginL, contentW)...)
		rows[len(rows)-1].keep = true
		rows = append(rows, spacer(3, true))
	}
	if c.comp.GreatLooksLike != "" || c.comp.RedFlags != "" {
		rows = append(rows, l.criteriaBox(c.comp)...)
		rows[len(rows)-1].keep = true
	}
	rows = append(rows, spacer(6, true))
	if len(c.questions) == 0 {
		rows = append(rows, l.paragraph("No active question probes this competency for this role yet; use the evaluation criteria above in a follow-up interview.", stItalic, marginL, contentW)...)
		return rows
	}
	for qi, q := range c.questions {
		*n++
		if qi > 0 {
			rows = append(rows, spacer(7, false))
		}
		rows = append(rows, l.question(b, q, *n)...)
	}
	return rows
}

// criteriaBox shows what great looks like beside the red flags on a tint.
func (l *layout) criteriaBox(c qbank.Competency) []row {
	gap, pad := 6.0, 4.0
	colW := (contentW - 2*pad - gap) / 2
	left := l.m.wrap(l.m.clean(c.GreatLooksLike, stSmall.face), stSmall.face, stSmall.size, colW)
	right := l.m.wrap(l.m.clean(c.RedFlags, stSmall.face), stSmall.face, stSmall.size, colW)
	xl, xr := marginL+pad, marginL+pad+colW+gap
	bg := func(l *layout, y, h float64) { l.rect(marginL, y, contentW, h, colTint) }
	rows := []row{
		{h: 3},
		{h: stLabel.lead + 0.8, draw: func(l *layout, y float64) {
			l.text(xl, baseline(y, stLabel), stLabel, "WHAT GREAT LOOKS LIKE")
			l.text(xr, baseline(y, stLabel), stLabel.color(colRed), "RED FLAGS")
		}},
	}
	rows[0].draw = func(*layout, float64) {}
	for k := range max(len(left), len(right)) {
		rows = append(rows, row{h: stSmall.lead, draw: func(l *layout, y float64) {
			if k < len(left) {
				l.text(xl, baseline(y, stSmall), stSmall, left[k])
			}
			if k < len(right) {
				l.text(xr, baseline(y, stSmall), stSmall, right[k])
			}
		}})
	}
	rows = append(rows, row{h: 3, draw: func(*layout, float64) {}})
	// Short boxes stay whole; a box longer than a page may split by line.
	keepAll(rows)
	if len(rows) > 30 {
		for i := 4; i < len(rows)-3; i += 4 {
			rows[i].keep = false
		}
	}
	return decorate(rows, bg)
}

func (s style) color(c rgb) style { s.col = c; return s }
