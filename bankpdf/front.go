package bankpdf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// ---- cover -----------------------------------------------------------------

func (d *doc) cover(l *layout) {
	l.pages = append(l.pages, &page{cover: true, header: "At a glance"})
	l.add(func(e *emitter) { e.fill(colAccent); e.pdf.Rect(0, 0, pageW, 5, "F") })
	// The cover is set airily unless that pushes its last part (how to use
	// the document) onto a page of its own: then tighter, to keep it one
	// page. A kit whose table of items is longer than a page runs on
	// whatever the spacing.
	top, blocks := 44.0, d.coverBlocks(l, 1)
	if top+l.chainNeed(blocks, true) > contentBot {
		if compact := d.coverBlocks(l, 0.4); contentTop+l.chainNeed(compact, true) <= contentBot {
			top, blocks = contentTop, compact
		}
	}
	l.y, l.top = top, true
	l.flow(blocks)

	// The notice sits at the foot of the cover when there is room for it
	// (every page's footer says as much in short).
	notice := l.paragraph("Confidential. This document contains assessment questions and scoring guides. "+
		"Keep it within your hiring team and never share it with candidates.", stBody, marginL+6, contentW-10)
	h := height(notice) + 6
	if len(l.pages) > 1 || l.y > contentBot-h-4 {
		return
	}
	l.y = contentBot - h - 1 // a hair above the foot: rounding must not push it over
	l.flow([]*block{{rows: append([]row{{h: 3, draw: func(l *layout, y float64) {
		l.rect(marginL, y, contentW, h, colTint)
		l.rect(marginL, y, 1.2, h, colRed)
	}}}, append(notice, space(3))...)}})
}

// coverBlocks is the cover's content with vertical space scaled by air:
// the title, the facts, the tiles, a kit's items at a glance, and how to
// use the document.
func (d *doc) coverBlocks(l *layout, air float64) []*block {
	eyebrow := "LAYERSRANK · STRUCTURED HIRING ASSESSMENTS"
	title := d.title
	if d.kind == kindKit {
		eyebrow = "LAYERSRANK · ASSESSMENT KIT"
		title = roleTitle(d.role)
	}
	var rows []row
	rows = append(rows, l.paragraph(eyebrow, stLabel.with(8.5), marginL, contentW)...)
	rows = append(rows, space(3))
	rows = append(rows, l.paragraph(title, style{faceBold, 30, colInk, 12.5}, marginL, contentW)...)
	rows = append(rows, row{h: 9, draw: func(l *layout, y float64) { l.rect(marginL, y+4, 28, 1.2, colAccent) }})
	rows = append(rows, l.paragraph(d.scope, style{faceRegular, 14, colBody, 6.5}, marginL, contentW)...)
	rows = append(rows, space(10*air))
	for _, f := range d.coverFields() {
		rows = append(rows, l.labelled(f[0], f[1], stMuted, stInk, marginL, 36, contentW)...)
		rows = append(rows, space(1.2))
	}
	rows = append(rows, space(8*air))
	rows = append(rows, d.tiles(l))
	rows = append(rows, space(12*air))
	blocks := []*block{{rows: rows}}
	if d.kind == kindKit {
		blocks = append(blocks, d.atAGlance(l)...)
	}
	var how []row
	how = append(how, l.paragraph("How to use this document", stH3, marginL, contentW)...)
	how = append(how, space(1.5))
	for _, p := range d.howToUse() {
		how = append(how, l.paragraph(p, stBody, marginL, contentW)...)
		how = append(how, space(2))
	}
	return append(blocks, &block{rows: how, gap: 8 * max(air, 0.75)})
}

func (d *doc) coverFields() [][2]string {
	var f [][2]string
	asOf := ""
	if !d.asOf.IsZero() {
		asOf = d.asOf.UTC().Format("2 January 2006")
	}
	switch d.kind {
	case kindKit:
		f = append(f, [2]string{"Role", roleTitle(d.role)})
		stacks := "None: language-agnostic wording"
		if len(d.stacks) > 0 {
			var ts []string
			for _, s := range d.stacks {
				ts = append(ts, d.stackTitle(s))
			}
			stacks = strings.Join(ts, ", ")
		}
		f = append(f, [2]string{"Stacks", stacks})
		return f
	case kindRole:
		f = append(f, [2]string{"Role", roleTitle(d.role)})
	}
	if d.coll.ID != "" {
		f = append(f, [2]string{"Collection", d.coll.Title})
	}
	if d.kind == kindBank {
		var titles []string
		for _, r := range d.tax.Roles {
			titles = append(titles, roleTitle(r))
		}
		f = append(f, [2]string{"Roles", strings.Join(titles, ", ")})
	}
	f = append(f, [2]string{"Bank revision", fmt.Sprint(d.revision)})
	if asOf != "" {
		f = append(f, [2]string{"Last changed", asOf})
	}
	return f
}

func (d *doc) tiles(l *layout) row {
	video, minutes := 0, 0
	comps := map[string]bool{}
	for _, e := range d.entries {
		if e.q.ResponseFormat == qbank.FormatVideo {
			video++
		}
		minutes += e.q.Minutes
		comps[e.q.Competency] = true
	}
	n := len(d.entries)
	items := [][2]string{{fmt.Sprint(n), noun(n, "question", "questions")}}
	switch d.kind {
	case kindKit:
		items = append(items, [2]string{fmt.Sprint(minutes), "minutes"})
		items = append(items, [2]string{fmt.Sprint(len(d.role.Competencies)), "competencies"})
	case kindRole:
		items = append(items, [2]string{fmt.Sprint(len(d.role.Competencies)), "competencies"})
		items = append(items, [2]string{fmt.Sprint(minutes), "minutes"})
	default:
		items = append(items, [2]string{fmt.Sprint(len(d.tax.Roles)), noun(len(d.tax.Roles), "role", "roles")})
		items = append(items, [2]string{fmt.Sprint(len(comps)), noun(len(comps), "competency", "competencies")})
	}
	items = append(items, [2]string{fmt.Sprintf("%d / %d", video, n-video), "video / written"})
	gap := 4.0
	w := (contentW - gap*float64(len(items)-1)) / float64(len(items))
	num := style{faceBold, 20, colAccent, 9}
	return row{h: 26, draw: func(l *layout, y float64) {
		for i, it := range items {
			x := marginL + float64(i)*(w+gap)
			l.roundRect(x, y, w, 26, 1.5, colTint)
			l.text(x+5, y+12, num, l.fit(it[0], num, w-8))
			l.text(x+5, y+19.5, stCaption, l.fit(it[1], stCaption, w-8))
		}
	}}
}

// howToUse is the cover's short guide, for the document at hand.
func (d *doc) howToUse() []string {
	var weights []string
	dims := d.tax.Dimensions
	for _, dim := range dims {
		w := dim.Weight
		if x, ok := d.role.DimensionWeights[dim.ID]; ok && d.kind != kindBank {
			w = x
		}
		weights = append(weights, fmt.Sprintf("%s %d%%", dim.Title, w))
	}
	rate := ""
	if len(d.tax.ReviewerGuidance) > 0 || len(d.tax.RatingScale) > 0 {
		rate = "Read \"How to rate\" before the first review: it sets out the rating scale and what reviewers must and must not weigh. "
	}
	switch d.kind {
	case kindKit:
		return []string{
			"The items are exactly those the candidate answered, in order, worded as they saw them. " + rate +
				"Compare each answer with its scoring guide, then rate every competency on the scorecard from the items that gave evidence of it.",
			"Final-round probes are for the follow-up interview, where an answer left the evidence thin. The role weighs " + strings.Join(weights, ", ") + ".",
		}
	case kindRole:
		return []string{
			"Candidates answer 35–45 minutes of video and written questions, weighted " + strings.Join(weights, ", ") + " for this role.",
			rate + "The role's evaluation criteria follow; then every question this role can be asked, once, by dimension and competency, each with what it reveals, a scoring guide by level, stack variants and final-round probes.",
			"The index at the end finds a question by its id; the last page is the rating scale for quick reference.",
		}
	}
	return []string{
		"Candidates answer 35–45 minutes of video and written questions, scored on " + strings.Join(weights, ", ") + "; each role's weights are in the index of roles.",
		rate + "Every question is printed once, by dimension and competency, with what it reveals, the evaluation criteria of its competency, a scoring guide and final-round probes; the index of roles lists the questions each role can be asked.",
		"The index at the end finds a question by its id.",
	}
}

// atAGlance is the kit cover's table of items, with the page of each.
func (d *doc) atAGlance(l *layout) []*block {
	cols := []tcol{{"No.", 12}, {"Question", 71}, {"Competency", 46}, {"Format", 17}, {"Min", 11}, {"Page", 13}}
	var data [][][]tpara
	for _, e := range d.entries {
		format := "Written"
		if e.q.ResponseFormat == qbank.FormatVideo {
			format = "Video"
		}
		data = append(data, [][]tpara{
			{{fmt.Sprintf("Q%d", e.n), stBold}}, {{fmt.Sprintf("%s@%d", e.q.ID, e.q.Version), stBody}},
			{{d.compTitle(e.q.Competency), stBody}}, {{format, stBody}}, {{fmt.Sprint(e.q.Minutes), stBody}}, {{"", stBody}},
		})
	}
	blocks := d.table(l, cols, data, 1.2)
	for i, e := range d.entries {
		b := blocks[i+1]
		first := b.rows[1].draw
		key := questionKey(e.q.ID)
		b.rows[1].draw = func(l *layout, y float64) {
			first(l, y)
			l.add(func(em *emitter) {
				em.textRight(marginL+contentW-tPadX, baseline(y, stBody), stBody, fmt.Sprint(em.pageOf(key)))
			})
		}
	}
	title := &block{keepNext: true, rows: append(l.paragraph("The assessment at a glance", stH3, marginL, contentW), space(2))}
	return append([]*block{title}, blocks...)
}

// ---- contents --------------------------------------------------------------

type tocEntry struct {
	level int
	title string
	key   string
}

func (d *doc) toc() []tocEntry {
	var out []tocEntry
	if d.hasGuide() {
		out = append(out, tocEntry{0, "How to rate", keyGuide})
	}
	if d.kind == kindRole {
		out = append(out, tocEntry{0, "The role and its evaluation criteria", keyRoles})
	} else {
		out = append(out, tocEntry{0, "Roles", keyRoles})
	}
	for _, ds := range d.dims {
		out = append(out, tocEntry{0, ds.dim.Title, dimKey(ds.dim.ID)})
		for _, c := range ds.comps {
			out = append(out, tocEntry{1, c.comp.Title, compKey(c.comp.ID)})
		}
	}
	out = append(out, tocEntry{0, "Index of questions", keyIndex})
	if len(d.tax.RatingScale) > 0 {
		out = append(out, tocEntry{0, "Quick reference: the rating scale", keyQuickRef})
	}
	return out
}

func (d *doc) contents(l *layout) {
	l.section("Contents")
	blocks := []*block{{rows: []row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "Contents")
	}}}, mark: &bookmark{title: "Contents"}}}
	for _, e := range d.toc() {
		blocks = append(blocks, d.tocRow(l, e))
	}
	l.flow(blocks)
}

func (d *doc) tocRow(l *layout, e tocEntry) *block {
	st, indent, gap := stInk, 6.0, 0.6
	if e.level == 0 {
		st, indent, gap = stBold.with(11).color(colInk), 0, 3.2
		st.lead = 5.8
	}
	numW := 12.0
	x := marginL + indent
	lines := l.m.wrap(l.m.clean(e.title, st.face), st.face, st.size, contentW-indent-numW-6)
	var rows []row
	for i, ln := range lines {
		last := i == len(lines)-1
		rows = append(rows, row{h: st.lead, draw: func(l *layout, y float64) {
			bl := baseline(y, st)
			l.text(x, bl, st, ln)
			if !last {
				return
			}
			end := x + l.m.width(ln, st.face, st.size)
			l.add(func(em *emitter) {
				right := marginL + contentW
				nw := em.textRight(right, bl, st, fmt.Sprint(em.pageOf(e.key)))
				leader(em, end, right-nw, bl, st)
			})
		}})
	}
	h := height(rows)
	link := rows[0].draw
	rows[0].draw = func(l *layout, y float64) {
		link(l, y)
		l.add(func(em *emitter) { em.pdf.Link(x, y, marginL+contentW-x, h, em.links[e.key]) })
	}
	return &block{rows: rows, gap: gap, keepNext: e.level == 0}
}

// leader draws dot leaders from `from` to `to` on a baseline.
func leader(em *emitter, from, to, bl float64, st style) {
	dot := style{faceRegular, st.size, colRule, st.lead}
	dw := em.m.width(" .", dot.face, dot.size)
	if k := int((to - 2 - from - 2) / dw); k > 0 {
		em.runs(to-2-float64(k)*dw, bl, dot, em.m.runs(strings.Repeat(" .", k), dot.face, dot.size))
	}
}

// ---- how to rate -----------------------------------------------------------

func (d *doc) hasGuide() bool {
	return len(d.tax.ReviewerGuidance) > 0 || len(d.tax.RatingScale) > 0
}

// howToRate prints the taxonomy's reviewer guidance and rating scale: what
// every reviewer reads before rating.
func (d *doc) howToRate(l *layout) {
	if !d.hasGuide() {
		return
	}
	l.section("How to rate")
	blocks := []*block{{rows: []row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "How to rate")
	}}}, keepNext: true, anchor: keyGuide, mark: &bookmark{title: "How to rate"}}}
	for _, g := range d.tax.ReviewerGuidance {
		rows := l.paragraph(g.Title, stH3, marginL, contentW)
		rows = append(rows, space(1))
		rows = append(rows, l.paragraph(g.Text, stBody, marginL, contentW)...)
		blocks = append(blocks, &block{rows: rows, gap: 5})
	}
	if len(d.tax.RatingScale) > 0 {
		blocks = append(blocks, &block{gap: 8, keepNext: true, rows: append(l.paragraph("The rating scale", stH2, marginL, contentW), space(2))})
		blocks = append(blocks, d.scaleRows(l, stBody)...)
	}
	l.flow(blocks)
}

// scaleRows prints the rating scale, one row per point: its value in a
// box, its label and what it means.
func (d *doc) scaleRows(l *layout, st style) []*block {
	var out []*block
	labelW := 34.0
	for _, p := range d.tax.RatingScale {
		desc := l.paragraph(p.Description, st, marginL+14+labelW, contentW-14-labelW)
		h := max(height(desc), 10) + 3
		rows := []row{{h: h, draw: func(l *layout, y float64) {
			bg, fg := colTint, colAccent
			if p.Value == 0 {
				fg = colMuted
			}
			l.roundRect(marginL, y+1, 10, 10, 1, bg)
			num := style{faceBold, 14, fg, 10}
			v := fmt.Sprint(p.Value)
			l.text(marginL+5-l.m.width(v, num.face, num.size)/2, baseline(y+1, num), num, v)
			l.text(marginL+14, baseline(y+1, st), stBold, l.fit(p.Label, stBold, labelW-2))
			for i, r := range desc {
				r.draw(l, y+1+float64(i)*st.lead)
			}
		}}}
		out = append(out, &block{rows: rows, gap: 1.5})
	}
	return out
}

// ---- the role (a role kit) -------------------------------------------------

func (d *doc) roleOverview(l *layout) {
	l.section(roleTitle(d.role))
	// The page is set airily unless that leaves the criteria table's last
	// rows alone on a page of their own: then tighter, to keep it on one.
	blocks := d.roleOverviewBlocks(l, 1, tPadY)
	if total := l.chainNeed(blocks, true); total > bodyHeight {
		if compact := d.roleOverviewBlocks(l, 0.4, 0.9); l.chainNeed(compact, true) <= bodyHeight {
			blocks = compact
		}
	}
	l.flow(blocks)
}

// roleOverviewBlocks lays out the role's summary and its criteria table,
// with vertical space scaled by air and table cells padded by pad.
func (d *doc) roleOverviewBlocks(l *layout, air, pad float64) []*block {
	r := d.role
	var rows []row
	rows = append(rows, l.paragraph("ROLE", stLabel.with(8.5), marginL, contentW)...)
	rows = append(rows, space(1))
	rows = append(rows, l.paragraph(roleTitle(r), stH1, marginL, contentW)...)
	video, minutes := 0, 0
	for _, e := range d.entries {
		minutes += e.q.Minutes
		if e.q.ResponseFormat == qbank.FormatVideo {
			video++
		}
	}
	summary := fmt.Sprintf("%s · %s · %d video, %d written · %d minutes of material",
		plural(len(d.entries), "question", "questions"), plural(len(r.Competencies), "competency", "competencies"),
		video, len(d.entries)-video, minutes)
	rows = append(rows, space(1))
	rows = append(rows, l.paragraph(summary, stBody, marginL, contentW)...)
	rows = append(rows, space(8*air), l.label("SCORE WEIGHTS", marginL, stLabel), space(1.5), d.weightsBar(l), space(9*air))
	rows = append(rows, l.paragraph("Evaluation criteria", stH2, marginL, contentW)...)
	rows = append(rows, space(1))
	rows = append(rows, l.paragraph("What reviewers rate every answer of a "+roleTitle(r)+" assessment against: one row for each competency the role covers, with the questions that probe it.", stBody, marginL, contentW)...)
	rows = append(rows, space(3))
	blocks := []*block{{rows: rows, keepNext: true, anchor: keyRoles, mark: &bookmark{title: "The role and its evaluation criteria"}}}

	cols := []tcol{{"Competency", 42}, {"What great looks like", (contentW - 42) / 2}, {"Red flags", (contentW - 42) / 2}}
	var data [][][]tpara
	for _, id := range r.Competencies {
		c, ok := d.tax.Competency(id)
		if !ok {
			continue
		}
		crit := d.tax.CriteriaFor(r.ID, id)
		var ns []int
		for _, e := range d.entries {
			if e.q.Competency == id {
				ns = append(ns, e.n)
			}
		}
		qs := "No question yet"
		if len(ns) > 0 {
			qs = numbers(ns)
		}
		data = append(data, [][]tpara{
			{{c.Title, stBold}, {d.dimTitle(c.Dimension), stMuted}, {qs, stMuted}},
			{{crit.GreatLooksLike, stBody}},
			{{crit.RedFlags, stBody}},
		})
	}
	return append(blocks, d.table(l, cols, data, pad)...)
}

func (d *doc) weightsBar(l *layout) row {
	type part struct {
		title  string
		weight int
	}
	var parts []part
	total := 0
	for _, dim := range d.tax.Dimensions {
		w := dim.Weight
		if x, ok := d.role.DimensionWeights[dim.ID]; ok {
			w = x
		}
		parts = append(parts, part{dim.Title, w})
		total += w
	}
	cols := []rgb{colAccent, colAccent2, colAccent3}
	h := 9.0
	return row{h: h, draw: func(l *layout, y float64) {
		if total == 0 {
			return
		}
		x := marginL
		for i, p := range parts {
			if p.weight == 0 {
				continue
			}
			w := contentW * float64(p.weight) / float64(total)
			l.rect(x, y, w-0.6, h, cols[min(i, len(cols)-1)])
			tc := colWhite
			if i >= 2 {
				tc = colInk
			}
			lab := fmt.Sprintf("%s %d%%", p.title, p.weight)
			st := style{faceBold, 9, tc, h}
			if l.m.width(lab, st.face, st.size) > w-5 {
				lab = fmt.Sprintf("%d%%", p.weight)
			}
			l.text(x+2.5, baseline(y, st), st, l.fit(lab, st, w-4))
			x += w
		}
	}}
}

// ---- the index of roles (the bank) -----------------------------------------

// roleIndex says, for each role, its weights, its competencies and which of
// the document's questions it can be asked: every question is printed once,
// so this is how a role's reviewers find theirs.
func (d *doc) roleIndex(l *layout) {
	l.section("Roles")
	blocks := []*block{{rows: append([]row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "Roles")
	}}}, append(l.paragraph("Each question is printed once; a role's questions are listed here by number. "+
		"Reviewers rate each answer against the criteria printed with its competency.", stBody, marginL, contentW), space(2))...),
		keepNext: true, anchor: keyRoles, mark: &bookmark{title: "Roles"}}}
	roles := slices.Clone(d.tax.Roles)
	// A question tagged with a role the taxonomy no longer has is still
	// listed under that role, so none is lost from the index.
	var extra []string
	for _, e := range d.entries {
		for _, id := range e.q.Roles {
			if _, ok := d.tax.Role(id); !ok && !slices.Contains(extra, id) {
				extra = append(extra, id)
			}
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		roles = append(roles, qbank.Role{ID: id, Title: id})
	}
	for _, r := range roles {
		var ns []int
		for _, e := range d.entries {
			if slices.Contains(e.q.Roles, r.ID) {
				ns = append(ns, e.n)
			}
		}
		var rows []row
		rows = append(rows, l.paragraph(roleTitle(r), stH3, marginL, contentW)...)
		rows = append(rows, space(1))
		var weights []string
		for _, dim := range d.tax.Dimensions {
			if w, ok := r.DimensionWeights[dim.ID]; ok {
				weights = append(weights, fmt.Sprintf("%s %d%%", dim.Title, w))
			}
		}
		if len(weights) > 0 {
			rows = append(rows, l.runIn("Weights", stBold, strings.Join(weights, " · "), stBody, marginL, contentW)...)
		}
		var comps []string
		for _, c := range r.Competencies {
			comps = append(comps, d.compTitle(c))
		}
		if len(comps) > 0 {
			rows = append(rows, l.runIn("Competencies", stBold, strings.Join(comps, ", "), stBody, marginL, contentW)...)
		}
		qs := "none in this document"
		if len(ns) > 0 {
			qs = numbers(ns)
		}
		rows = append(rows, l.runIn(fmt.Sprintf("Questions (%d)", len(ns)), stBold, qs, stBody, marginL, contentW)...)
		blocks = append(blocks, &block{rows: rows, gap: 7, mark: &bookmark{title: roleTitle(r), level: 1}})
	}
	l.flow(blocks)
}
