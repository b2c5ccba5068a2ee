package bankpdf

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// index lists every question by id with its version, number and page, so
// a reviewer given an id (from the platform, a report, a colleague) finds
// the question at once.
func (d *doc) index(l *layout) {
	l.section("Index of questions")
	intro := "Every question in this document by id, with the version printed, its number and its page."
	blocks := []*block{{rows: append([]row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "Index of questions")
	}}}, append(l.paragraph(intro, stBody, marginL, contentW), space(3))...),
		keepNext: true, anchor: keyIndex, mark: &bookmark{title: "Index of questions"}}}

	entries := slices.Clone(d.entries)
	slices.SortFunc(entries, func(a, b *entry) int { return cmp.Compare(a.q.ID, b.q.ID) })
	numW, verW, pageW := 16.0, 14.0, 14.0
	idW := contentW - numW - verW - pageW - 4
	st := stBody
	head := []row{{h: 6, draw: func(l *layout, y float64) {
		h := stLabel.color(colMuted)
		bl := baseline(y, h)
		l.text(marginL, bl, h, "QUESTION ID")
		l.text(marginL+idW+4, bl, h, "VERSION")
		l.text(marginL+idW+4+verW, bl, h, "NUMBER")
		l.textRight(marginL+contentW, bl, h, "PAGE")
		l.line(marginL, y+6, marginL+contentW, y+6, 0.2, colRule)
	}}}
	blocks = append(blocks, &block{rows: head, keepNext: true})
	repeat := func() []row { return head }
	for i, e := range entries {
		id := l.m.line(e.q.ID, stMono.face)
		ids := l.m.wrap(id, stMono.face, stMono.size, idW)
		ver := ""
		if e.q.Version > 0 {
			ver = fmt.Sprintf("v%d", e.q.Version)
		}
		key := questionKey(e.q.ID)
		rows := make([]row, len(ids))
		for k, ln := range ids {
			rows[k] = row{h: st.lead + 0.6, draw: func(l *layout, y float64) {
				h := st.lead + 0.6
				if i%2 == 1 {
					l.rect(marginL, y, contentW, h, colTint)
				}
				bl := baseline(y+0.3, st)
				l.text(marginL+1, bl, stMono.color(colInk), ln)
				if k > 0 {
					return
				}
				l.text(marginL+idW+4, bl, st, ver)
				l.text(marginL+idW+4+verW, bl, stBold, fmt.Sprintf("Q%d", e.n))
				l.add(func(em *emitter) {
					em.textRight(marginL+contentW-1, bl, st, fmt.Sprint(em.pageOf(key)))
					em.pdf.Link(marginL, y, contentW, h*float64(len(ids)), em.links[key])
				})
			}}
		}
		blocks = append(blocks, &block{rows: rows, repeat: repeat})
	}
	l.flow(blocks)
}

// quickReference is the closing page: the rating scale, the reviewer's
// checklist and, for a role or an assessment, the score weights, to keep
// beside the answers while rating.
func (d *doc) quickReference(l *layout) {
	if len(d.tax.RatingScale) == 0 {
		return
	}
	l.section("Quick reference")
	blocks := []*block{{rows: []row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "The rating scale")
	}}}, keepNext: true, anchor: keyQuickRef, mark: &bookmark{title: "Quick reference: the rating scale"}}}
	blocks = append(blocks, d.scaleRows(l, stBody.with(11).color(colInk))...)
	if d.kind != kindBank {
		var weights []string
		for _, dim := range d.tax.Dimensions {
			w := dim.Weight
			if x, ok := d.role.DimensionWeights[dim.ID]; ok {
				w = x
			}
			weights = append(weights, fmt.Sprintf("%s %d%%", dim.Title, w))
		}
		rows := append(l.paragraph("Score weights for "+roleTitle(d.role), stH3, marginL, contentW), space(1))
		rows = append(rows, l.paragraph(strings.Join(weights, " · "), stBody, marginL, contentW)...)
		blocks = append(blocks, &block{gap: 8, rows: rows})
	}
	if len(d.tax.ReviewerGuidance) > 0 {
		rows := append(l.paragraph("Before you rate", stH3, marginL, contentW), space(1))
		for _, g := range d.tax.ReviewerGuidance {
			rows = append(rows, l.bullet(g.Title, stBody, marginL, contentW)...)
		}
		blocks = append(blocks, &block{gap: 8, rows: rows})
	}
	l.flow(blocks)
}
