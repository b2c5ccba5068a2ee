package bankpdf

import (
	"fmt"
	"strings"

	"github.com/layersrank/qbank"
)

// ---- the questions, by dimension and competency ---------------------------

// questions lays out every entry once, a dimension to a section, numbering
// them in the order they are printed.
func (d *doc) questions(l *layout) {
	n := 0
	if len(d.dims) == 0 {
		l.section("Questions")
		l.flow([]*block{d.heading(l, "Questions", stDim, "", dimKey("none"), 0), {rows: l.paragraph(
			"No active question matches this document yet.", stMuted, marginL, contentW)}})
		return
	}
	for _, ds := range d.dims {
		l.section(ds.dim.Title)
		right := fmt.Sprintf("%d%% of the score", ds.weight)
		if d.kind == kindRole {
			right = fmt.Sprintf("%d%% of the %s score", ds.weight, roleTitle(d.role))
		}
		dimHead := d.heading(l, ds.dim.Title, stDim, right, dimKey(ds.dim.ID), 0)
		dimHead.rows = append(dimHead.rows, row{h: 6, draw: func(l *layout, y float64) {
			l.line(marginL, y+1.2, marginL+contentW, y+1.2, 0.6, colAccent)
		}})
		for ci, cs := range ds.comps {
			g := group{head: []*block{d.compHead(l, cs)}, notes: notesArea}
			if ci == 0 {
				g.head = append([]*block{dimHead}, g.head...)
			}
			for _, e := range cs.entries {
				b := d.question(l, e)
				b.placed = func() { n++; e.n = n }
				g.members = append(g.members, b)
			}
			if len(cs.entries) == 0 {
				g.head = append(g.head, &block{rows: l.paragraph("No active question probes this competency for this role yet: "+
					"assess it in the final round against the criteria above.", stMuted, marginL, contentW)})
			}
			l.flowGroup(g)
		}
	}
}

// heading is a title with an optional note on the right, kept with what
// follows, and a bookmark at level.
func (d *doc) heading(l *layout, title string, st style, right, key string, level int) *block {
	rows := []row{{h: st.lead + 1, draw: func(l *layout, y float64) {
		bl := baseline(y, st)
		rw := 0.0
		if right != "" {
			rw = l.m.width(right, stMuted.face, stMuted.size) + 6
			l.textRight(marginL+contentW, bl, stMuted, right)
		}
		l.text(marginL, bl, st, l.fit(title, st, contentW-rw))
	}}}
	return &block{rows: rows, keepNext: true, anchor: key, mark: &bookmark{title: title, level: level}}
}

// compHead is a competency's heading: its title, description and the
// criteria reviewers rate it against (in a role kit, the role's own).
func (d *doc) compHead(l *layout, cs compSection) *block {
	c := cs.comp
	var rows []row
	title := l.m.wrap(l.m.clean(c.Title, stComp.face), stComp.face, stComp.size, contentW-40)
	meta := plural(len(cs.entries), "question", "questions")
	for i, ln := range title {
		rows = append(rows, row{h: stComp.lead, draw: func(l *layout, y float64) {
			l.text(marginL, baseline(y, stComp), stComp, ln)
			if i == 0 {
				l.textRight(marginL+contentW, baseline(y, stComp), stMuted, meta)
			}
		}})
	}
	rows = append(rows, space(1.5))
	if c.Description != "" {
		rows = append(rows, l.paragraph(c.Description, stBody, marginL, contentW)...)
		rows = append(rows, space(3))
	}
	crit := qbank.Criteria{GreatLooksLike: c.GreatLooksLike, RedFlags: c.RedFlags}
	if d.kind == kindRole {
		crit = d.tax.CriteriaFor(d.role.ID, c.ID)
	}
	rows = append(rows, d.criteriaBox(l, "", crit)...)
	if d.kind == kindBank {
		for _, r := range d.tax.Roles {
			if rc, ok := r.Criteria[c.ID]; ok {
				rows = append(rows, space(1.5))
				rows = append(rows, d.criteriaBox(l, "FOR A "+strings.ToUpper(roleTitle(r)), rc)...)
			}
		}
	}
	rows = append(rows, space(2))
	return &block{rows: rows, gap: 9, keepNext: true, anchor: compKey(c.ID), mark: &bookmark{title: c.Title, level: 1},
		name: func() string { return strings.ToUpper(c.Title) }}
}

// criteriaBox shows what great looks like beside the red flags on a tint.
func (d *doc) criteriaBox(l *layout, title string, c qbank.Criteria) []row {
	if c.GreatLooksLike == "" && c.RedFlags == "" {
		return nil
	}
	gap, pad := 6.0, 4.0
	colW := (contentW - 2*pad - gap) / 2
	left := l.m.wrap(l.m.clean(c.GreatLooksLike, stBody.face), stBody.face, stBody.size, colW)
	right := l.m.wrap(l.m.clean(c.RedFlags, stBody.face), stBody.face, stBody.size, colW)
	xl, xr := marginL+pad, marginL+pad+colW+gap
	rows := []row{space(3)}
	if title != "" {
		rows = append(rows, l.label(title, xl, stLabel.color(colInk)))
	}
	rows = append(rows, row{h: stLabel.lead + 0.6, draw: func(l *layout, y float64) {
		l.text(xl, baseline(y, stLabel), stLabel, "WHAT GREAT LOOKS LIKE")
		l.text(xr, baseline(y, stLabel), stLabel.color(colRed), "RED FLAGS")
	}})
	for k := range max(len(left), len(right)) {
		rows = append(rows, row{h: stBody.lead, draw: func(l *layout, y float64) {
			if k < len(left) {
				l.text(xl, baseline(y, stBody), stBody, left[k])
			}
			if k < len(right) {
				l.text(xr, baseline(y, stBody), stBody, right[k])
			}
		}})
	}
	rows = append(rows, space(3))
	return decorate(rows, func(l *layout, y, h float64) { l.rect(marginL, y, contentW, h, colTint) })
}

// ---- tables ----------------------------------------------------------------

type tcol struct {
	title string
	w     float64
}

type tpara struct {
	s  string
	st style
}

const (
	tPadX = 2.5
	tPadY = 2.2
)

// table lays out wrapped cells, one block per row; every row is as tall as
// its tallest cell and the header repeats on each page the table reaches.
// A row longer than a page runs on under the header and a "continued" line.
func (d *doc) table(l *layout, cols []tcol, data [][][]tpara, pad float64) []*block {
	header := d.tableRow(l, cols, nil, true, 0, pad)
	repeat := func() []row { return header }
	blocks := []*block{{rows: header, keepNext: true}}
	for i, cells := range data {
		name := ""
		if len(cells) > 0 && len(cells[0]) > 0 {
			name = cells[0][0].s
		}
		st := stMuted
		cont := func() []row {
			return append(header[:len(header):len(header)], row{h: st.lead + tPadY, draw: func(l *layout, y float64) {
				l.text(marginL+tPadX, baseline(y+tPadY/2, st), st, l.fit(name+" (continued)", st, contentW))
			}})
		}
		blocks = append(blocks, &block{rows: d.tableRow(l, cols, cells, false, i, pad), repeat: repeat, cont: cont})
	}
	return blocks
}

// tableRow returns the bands of one table row: top padding, one band per
// line, bottom padding.
func (d *doc) tableRow(l *layout, cols []tcol, cells [][]tpara, head bool, index int, pad float64) []row {
	type tl struct {
		s  string
		st style
	}
	if head {
		cells = nil
		for _, c := range cols {
			cells = append(cells, []tpara{{strings.ToUpper(c.title), style{faceBold, 7.5, colWhite, 4.6}}})
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
	lead := stBody.lead
	if head {
		lead = 4.6
	}
	band := func(h float64, k int, last bool) row {
		return row{h: h, draw: func(l *layout, y float64) {
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
				if k < len(lines[ci]) && lines[ci][k].s != "" {
					t := lines[ci][k]
					l.text(x+tPadX, baseline(y, style{lead: h, size: t.st.size}), t.st, t.s)
				}
				x += c.w
			}
		}}
	}
	if head {
		pad = 1.4
	}
	rows := []row{band(pad, -1, false)}
	for k := range n {
		rows = append(rows, band(lead, k, false))
	}
	return append(rows, band(pad, -1, true))
}
