package bankpdf

import (
	"slices"
	"strings"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW      = 210.0
	pageH      = 297.0
	marginL    = 20.0
	marginR    = 20.0
	contentW   = pageW - marginL - marginR
	contentTop = 25.0  // below the running header
	contentBot = 277.0 // above the footer
	headerBase = 13.0
	headerRule = 16.0
	footerRule = 282.0
	footerBase = 287.0
	bodyHeight = contentBot - contentTop
)

// Pagination thresholds, as shares of the body height.
const (
	// reorderAt: when a question does not fit the space left and at least
	// this much is left, a later question of the same competency that fits
	// is printed first, so pages are not left half empty.
	reorderAt = 0.15
	// tallStartAt: a block taller than a whole page starts where it is if
	// at least this much is left, else on a new page.
	tallStartAt = 0.3
)

// notesMin is the least space, in mm, worth giving a notes area.
const notesMin = 30.0

type rgb struct{ r, g, b int }

// The palette: slate text in three strengths, one accent, and a muted red
// kept for red flags and weak answers, where the colour carries meaning.
var (
	colInk     = rgb{30, 41, 59}    // slate-800
	colBody    = rgb{51, 65, 85}    // slate-700
	colMuted   = rgb{100, 116, 139} // slate-500
	colRule    = rgb{203, 213, 225} // slate-300
	colTint    = rgb{241, 245, 249} // slate-100
	colAccent  = rgb{15, 118, 110}  // teal-700
	colAccent2 = rgb{20, 184, 166}  // teal-500, for the weights bar only
	colAccent3 = rgb{153, 246, 228} // teal-200
	colRed     = rgb{185, 28, 28}
	colWhite   = rgb{255, 255, 255}
)

// style is a typeface, size (pt), colour and line height (mm).
type style struct {
	face face
	size float64
	col  rgb
	lead float64
}

// Body text is 10 pt throughout; only labels, chips and running heads are
// smaller, and none of them carries a sentence.
var (
	stBody    = style{faceRegular, 10, colBody, 4.6}
	stInk     = style{faceRegular, 10, colInk, 4.6}
	stMuted   = style{faceRegular, 10, colMuted, 4.6}
	stBold    = style{faceBold, 10, colInk, 4.6}
	stMono    = style{faceRegular, 10, colMuted, 4.6} // question ids
	stCode    = style{faceMono, 10, colInk, 4.5}      // code listings in question texts
	stLabel   = style{faceBold, 7.5, colAccent, 4.2}
	stChip    = style{faceRegular, 8.5, colBody, 5.0}
	stCaption = style{faceRegular, 10, colMuted, 4.6}
	stQText   = style{faceBold, 11.5, colInk, 5.6}
	stH3      = style{faceBold, 12, colInk, 6.2}
	stComp    = style{faceBold, 14, colInk, 7}
	stH2      = style{faceBold, 16, colInk, 8}
	stDim     = style{faceBold, 20, colAccent, 10}
	stH1      = style{faceBold, 24, colInk, 11}
)

func (s style) with(size float64) style { s.size = size; return s }
func (s style) color(c rgb) style       { s.col = c; return s }

// op draws something on a page once the whole document is laid out, when
// page numbers and link targets are known.
type op func(e *emitter)

type page struct {
	ops    []op
	header string // the running header's right side
	cover  bool   // no running header or footer
	marks  []bookmark
}

type bookmark struct {
	title string
	level int
	y     float64
}

// anchor is a place the contents, the index and links point at. It names
// the page itself, not its number: a document is laid out in parts (the
// questions first, so the front matter can list their numbers) and the
// numbers are known only once the parts are joined.
type anchor struct {
	page *page
	y    float64
}

// layout turns content into pages of ops. It measures everything itself, so
// pdf output never reflows.
type layout struct {
	m       *metrics
	pages   []*page
	y       float64
	top     bool // nothing but repeated rows on the current page yet
	anchors map[string]anchor
}

func newLayout(m *metrics, anchors map[string]anchor) *layout {
	return &layout{m: m, anchors: anchors}
}

func (l *layout) cur() *page { return l.pages[len(l.pages)-1] }

// section starts a new page with the running header; every section of a
// document starts on a page of its own.
func (l *layout) section(header string) {
	l.pages = append(l.pages, &page{header: header})
	l.y = contentTop
	l.top = true
}

func (l *layout) add(o op) { p := l.cur(); p.ops = append(p.ops, o) }

func (l *layout) remaining() float64 { return contentBot - l.y }

// text draws one line of s with its baseline at y; s must already fit.
func (l *layout) text(x, baseline float64, st style, s string) {
	runs := l.m.runs(l.m.line(s, st.face), st.face, st.size)
	l.add(func(e *emitter) { e.runs(x, baseline, st, runs) })
}

// textRight draws s ending at x.
func (l *layout) textRight(x, baseline float64, st style, s string) {
	s = l.m.line(s, st.face)
	l.text(x-l.m.width(s, st.face, st.size), baseline, st, s)
}

func (l *layout) rect(x, y, w, h float64, c rgb) {
	l.add(func(e *emitter) { e.fill(c); e.pdf.Rect(x, y, w, h, "F") })
}

func (l *layout) box(x, y, w, h, width float64, c rgb) {
	l.add(func(e *emitter) { e.draw(c); e.pdf.SetLineWidth(width); e.pdf.Rect(x, y, w, h, "D") })
}

func (l *layout) roundRect(x, y, w, h, r float64, c rgb) {
	l.add(func(e *emitter) { e.fill(c); e.pdf.RoundedRect(x, y, w, h, r, "1234", "F") })
}

func (l *layout) line(x1, y1, x2, y2, width float64, c rgb) {
	l.add(func(e *emitter) {
		e.draw(c)
		e.pdf.SetLineWidth(width)
		e.pdf.Line(x1, y1, x2, y2)
	})
}

// baseline places text of st optically centred in a line box of its lead
// starting at top: capitals are about 0.7 em tall, so the baseline sits
// 0.34 em below the box's middle.
func baseline(top float64, st style) float64 {
	return top + st.lead/2 + st.size*mmPerPt*0.34
}

// row is a band of fixed height drawn at a y the flow chooses.
type row struct {
	h    float64
	draw func(l *layout, y float64)
	// gap marks space between two parts of a block (a paragraph, a bullet,
	// a section): where a block that must run onto another page breaks.
	gap bool
}

func space(h float64) row { return row{h: h, gap: true, draw: func(*layout, float64) {}} }

func height(rows []row) float64 {
	h := 0.0
	for _, r := range rows {
		h += r.h
	}
	return h
}

// block is the unit of pagination: rows that are printed on one page. Only
// a block taller than a whole page is split, row by row, and each page it
// continues on opens with its cont rows (a "continued" marker).
type block struct {
	rows []row
	gap  float64 // space above, dropped at the top of a page
	// keepNext binds the block to the next: a heading never ends a page.
	keepNext bool
	// repeat returns rows drawn at the top of a page that this block opens
	// after a break: a table's header row.
	repeat func() []row
	cont   func() []row
	anchor string
	mark   *bookmark
	// placed runs as the block is placed, before it draws: it numbers
	// questions in the order they are printed.
	placed func()
	// name names the block to the reader once placed ("Q4").
	name func() string
	// keep is how many of the first rows stay on one page even when the
	// block runs on: a question's text with its scoring guide.
	keep int
}

func (b *block) height() float64 { return height(b.rows) }

func rowsHeight(f func() []row) float64 {
	if f == nil {
		return 0
	}
	return height(f())
}

// need is the height b takes placed next: its gap counts unless it opens
// the page.
func (l *layout) need(b *block, top bool) float64 {
	if top {
		return b.height()
	}
	return b.gap + b.height()
}

func (l *layout) chainNeed(chain []*block, top bool) float64 {
	h := 0.0
	for i, b := range chain {
		h += l.need(b, top && i == 0)
	}
	return h
}

func (l *layout) breakPage(repeat func() []row) {
	l.section(l.cur().header)
	if repeat == nil {
		return
	}
	for _, r := range repeat() {
		r.draw(l, l.y)
		l.y += r.h
	}
}

// flow places blocks in order; a chain of kept blocks moves to a new page
// whole when it does not fit the space left.
func (l *layout) flow(blocks []*block) {
	for i := 0; i < len(blocks); {
		j := i
		for j < len(blocks)-1 && blocks[j].keepNext {
			j++
		}
		l.placeChain(blocks[i : j+1])
		i = j + 1
	}
}

// placeChain places kept blocks together: on the current page if they fit,
// else on a new one. A chain that fits no page runs on from where it is,
// its last block split between parts, once its start (the kept blocks and
// the last one's kept rows) fits.
func (l *layout) placeChain(chain []*block) {
	runOn := false
	if l.breaks(chain) {
		l.breakPage(chain[0].repeat)
	}
	if l.chainNeed(chain, l.top) > l.remaining() {
		runOn = true
	}
	for _, b := range chain {
		l.place(b, runOn)
	}
}

// breaks reports whether placing chain next starts a new page.
func (l *layout) breaks(chain []*block) bool {
	if l.top || l.chainNeed(chain, false) <= l.remaining() {
		return false
	}
	if l.chainNeed(chain, true)+rowsHeight(chain[0].repeat) <= bodyHeight {
		return true
	}
	last := chain[len(chain)-1]
	start := l.chainNeed(chain[:len(chain)-1], false) + last.gap + height(last.rows[:last.keep])
	return start > l.remaining() || l.remaining() < tallStartAt*bodyHeight
}

// place draws b at the current position, breaking the page first if it
// does not fit and would fit a fresh one. A block that runs on (taller than
// a page, or bound to a heading it cannot share a page with) is split
// between its parts, each page it reaches opening with its cont rows.
func (l *layout) place(b *block, runOn bool) {
	if !runOn && !l.top && l.need(b, false) > l.remaining() {
		if b.height()+rowsHeight(b.repeat) <= bodyHeight || l.remaining() < tallStartAt*bodyHeight {
			l.breakPage(b.repeat)
		}
	}
	if !l.top {
		l.y += b.gap
	}
	if b.placed != nil {
		b.placed()
	}
	if b.anchor != "" {
		l.anchors[b.anchor] = anchor{l.cur(), l.y}
	}
	if b.mark != nil {
		m := *b.mark
		m.y = l.y
		p := l.cur()
		p.marks = append(p.marks, m)
	}
	contH := rowsHeight(b.cont)
	for i, r := range b.rows {
		if !l.top && r.gap && i >= b.keep {
			// Break between parts when the next part does not fit here but
			// would fit under the continuation line of a fresh page.
			next := 0.0
			for _, nr := range b.rows[i+1:] {
				if nr.gap {
					break
				}
				next += nr.h
			}
			if l.y+r.h+next > contentBot && contH+next <= bodyHeight {
				l.breakPage(b.cont)
				continue
			}
		}
		if !l.top && l.y+r.h > contentBot {
			l.breakPage(b.cont)
		}
		r.draw(l, l.y)
		l.y += r.h
		l.top = false
	}
}

// group is a heading and the question blocks under it. Members may be
// printed out of order (unless fixed) so that a page is not left half
// empty because the next question is long; the heading always stays with
// the first member printed.
type group struct {
	head    []*block
	members []*block
	fixed   bool
	// notes, when set, draws a notes area of height h for member b in the
	// space left at the foot of a page.
	notes func(l *layout, b *block, h float64) []row
}

func (l *layout) flowGroup(g group) {
	pending := slices.Clone(g.members)
	head := g.head
	var last *block
	for len(pending) > 0 {
		pick := 0
		top := l.top
		need := func(b *block) float64 {
			if len(head) > 0 {
				return l.chainNeed(head, top) + l.need(b, false)
			}
			return l.need(b, top)
		}
		if !g.fixed && need(pending[0]) > l.remaining() && (top || l.remaining() >= reorderAt*bodyHeight) {
			for k := 1; k < len(pending); k++ {
				if need(pending[k]) <= l.remaining() {
					pick = k
					break
				}
			}
		}
		fits := func(b *block) bool { return l.chainNeed(append(slices.Clone(head), b), true) <= bodyHeight }
		if len(head) > 0 && !g.fixed && !fits(pending[pick]) {
			// A shorter question that can share a page with the heading
			// goes first.
			if k := slices.IndexFunc(pending, fits); k >= 0 {
				pick = k
			}
		}
		if len(head) > 0 && !fits(pending[pick]) && pending[pick].height() <= bodyHeight {
			// The heading (with its description and criteria) and the
			// question cannot share any page, while the question fits one:
			// the heading goes where it is, and the question is not split
			// to keep it company but opens the next page, the heading's
			// page given to notes if it would be left more than half empty.
			l.flow(head)
			last = head[len(head)-1]
			head = nil
			continue
		}
		chain := append(slices.Clone(head), pending[pick])
		// A page about to be left more than half empty (or, for fixed
		// items, any room worth writing in) becomes notes for the last
		// question rather than blank paper.
		if g.notes != nil && last != nil && l.breaks(chain) && (g.fixed || l.remaining() > bodyHeight/2) {
			l.notes(g.notes, last)
		}
		l.placeChain(chain)
		head, last = nil, pending[pick]
		pending = slices.Delete(pending, pick, pick+1)
	}
	if len(head) > 0 {
		l.flow(head)
	}
	if g.fixed && g.notes != nil && last != nil {
		l.notes(g.notes, last)
	}
}

// notes fills the rest of the page after b with a notes area, when enough
// is left to write in: the kit's items keep their order, so the space a
// long next item leaves is given to the reviewer rather than left blank.
func (l *layout) notes(area func(l *layout, b *block, h float64) []row, b *block) {
	const gap = 6
	h := l.remaining() - gap
	if l.top || h < notesMin {
		return
	}
	l.y += gap
	for _, r := range area(l, b, h) {
		r.draw(l, l.y)
		l.y += r.h
	}
}

// paragraph lays st text into one row per line at x within width w.
func (l *layout) paragraph(s string, st style, x, w float64) []row {
	lines := l.m.wrap(l.m.clean(s, st.face), st.face, st.size, w)
	rows := make([]row, len(lines))
	for i, ln := range lines {
		rows[i] = row{h: st.lead, draw: func(l *layout, y float64) { l.text(x, baseline(y, st), st, ln) }}
	}
	return rows
}

// prose lays out a text that may hold code listings: paragraphs are
// separated by blank lines, and a paragraph of several lines (or an
// indented one) is a listing, set in the monospace face with its line
// breaks and indentation kept, on a tint. The rest is set in st.
func (l *layout) prose(s string, st style, x, w float64) []row {
	if !strings.Contains(s, "\n") {
		return l.paragraph(s, st, x, w)
	}
	// Paragraphs, listings next to each other joined into one: a blank
	// line inside code (between two functions) does not end the listing.
	type part struct {
		text string
		code bool
	}
	var parts []part
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		para = strings.TrimRight(para, " \n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		code := isListing(para)
		if n := len(parts); code && n > 0 && parts[n-1].code {
			parts[n-1].text += "\n\n" + para
			continue
		}
		parts = append(parts, part{para, code})
	}
	var rows []row
	for i, p := range parts {
		if i > 0 {
			rows = append(rows, row{h: st.lead * 0.6, draw: func(*layout, float64) {}})
		}
		if p.code {
			rows = append(rows, l.listing(p.text, x, w)...)
		} else {
			rows = append(rows, l.paragraph(p.text, st, x, w)...)
		}
	}
	return rows
}

// isListing reports whether a paragraph is code: more than one line, or
// indented. Prose in the bank is written one paragraph to a line.
func isListing(para string) bool {
	return strings.Contains(strings.Trim(para, "\n"), "\n") || strings.HasPrefix(para, " ") || strings.HasPrefix(para, "\t")
}

// listing sets code line for line in the monospace face on a tint. A line
// too long for the width wraps at a space, its continuation indented two
// characters past the line's own indentation, so that nothing crosses the
// margin and the structure still reads.
func (l *layout) listing(code string, x, w float64) []row {
	const pad = 2.0
	st := stCode
	cw := l.m.width(" ", st.face, st.size)
	inner := w - 2*pad
	type line struct {
		indent float64
		text   string
	}
	var lines []line
	for _, raw := range strings.Split(l.m.clean(strings.ReplaceAll(code, "\t", "    "), st.face), "\n") {
		text := strings.TrimLeft(raw, " ")
		indent := float64(len(raw)-len(text)) * cw
		if indent > inner/2 {
			indent = inner / 2 // a deep indent must still leave room to read
		}
		if l.m.width(text, st.face, st.size) <= inner-indent {
			lines = append(lines, line{indent, text})
			continue
		}
		hang := indent + 2*cw
		for k, ln := range l.m.wrapFirst(text, st.face, st.size, inner-indent, inner-hang) {
			if k == 0 {
				lines = append(lines, line{indent, ln})
			} else {
				lines = append(lines, line{hang, ln})
			}
		}
	}
	rows := []row{{h: pad - 0.6}}
	for _, ln := range lines {
		rows = append(rows, row{h: st.lead, draw: func(l *layout, y float64) {
			if ln.text != "" {
				l.text(x+pad+ln.indent, baseline(y, st), st, ln.text)
			}
		}})
	}
	rows = append(rows, row{h: pad - 0.6})
	for i := range rows {
		if rows[i].draw == nil {
			rows[i].draw = func(*layout, float64) {}
		}
	}
	return decorate(rows, func(l *layout, y, h float64) { l.rect(x, y, w, h, colTint) })
}

// runIn lays out a paragraph that opens with a bold run-in label on its
// first line ("Strong  Clarifies what is being limited…").
func (l *layout) runIn(label string, lst style, s string, st style, x, w float64) []row {
	label = l.m.line(label, lst.face)
	lw := l.m.width(label, lst.face, lst.size) + 2.2
	lines := l.m.wrapFirst(l.m.clean(s, st.face), st.face, st.size, w-lw, w)
	rows := make([]row, len(lines))
	for i, ln := range lines {
		rows[i] = row{h: st.lead, draw: func(l *layout, y float64) {
			bl := baseline(y, st)
			if i == 0 {
				l.text(x, bl, lst, label)
				if ln != "" {
					l.text(x+lw, bl, st, ln)
				}
				return
			}
			l.text(x, bl, st, ln)
		}}
	}
	return rows
}

// labelled is a label column beside a wrapped value; both wrap, and the
// rows run to whichever is longer.
func (l *layout) labelled(label, value string, lst, vst style, x, labelW, w float64) []row {
	labels := l.m.wrap(l.m.clean(label, lst.face), lst.face, lst.size, labelW-2)
	values := l.m.wrap(l.m.clean(value, vst.face), vst.face, vst.size, w-labelW)
	rows := make([]row, max(len(labels), len(values)))
	for k := range rows {
		rows[k] = row{h: vst.lead, draw: func(l *layout, y float64) {
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

func (l *layout) bullet(s string, st style, x, w float64) []row {
	rows := l.paragraph(s, st, x+4, w-4)
	if len(rows) == 0 {
		return rows
	}
	first := rows[0].draw
	rows[0].draw = func(l *layout, y float64) {
		l.text(x+0.6, baseline(y, st), st.color(colAccent), "•")
		first(l, y)
	}
	return rows
}

// decorate wraps each row's draw so that deco draws first, over the row's
// full band: a question's accent bar, a box's tint.
func decorate(rows []row, deco func(l *layout, y, h float64)) []row {
	for i := range rows {
		d, h := rows[i].draw, rows[i].h
		rows[i].draw = func(l *layout, y float64) { deco(l, y, h); d(l, y) }
	}
	return rows
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

// sideLabel sets a label in a column to the left of body, line for line
// beside its first rows (adding rows if the label is the longer).
func (l *layout) sideLabel(name string, st style, x, w float64, body []row) []row {
	lines := l.m.wrap(l.m.clean(name, st.face), st.face, st.size, w)
	rows := slices.Clone(body)
	for len(rows) < len(lines) {
		rows = append(rows, row{h: stBody.lead, draw: func(*layout, float64) {}})
	}
	k := 0
	for i := range rows {
		if k >= len(lines) {
			break
		}
		if rows[i].gap {
			continue
		}
		ln, draw := lines[k], rows[i].draw
		rows[i].draw = func(l *layout, y float64) {
			draw(l, y)
			l.text(x, baseline(y, style{lead: rows[i].h, size: stBody.size}), st, ln)
		}
		k++
	}
	return rows
}

// label is a small-caps section label.
func (l *layout) label(name string, x float64, st style) row {
	return row{h: st.lead + 0.4, draw: func(l *layout, y float64) { l.text(x, baseline(y, st), st, name) }}
}
