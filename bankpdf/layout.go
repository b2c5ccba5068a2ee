package bankpdf

import (
	"codeberg.org/go-pdf/fpdf"

	"github.com/layersrank/qbank"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginL      = 20.0
	marginR      = 20.0
	contentW     = pageW - marginL - marginR
	contentTop   = 25.0  // below the running header
	contentBot   = 276.0 // above the footer
	headerBase   = 13.0
	headerRule   = 16.0
	footerRule   = 281.0
	footerBase   = 286.0
	bodyHeight   = contentBot - contentTop
	wholeBlockAt = 0.25 // see flow: below this share of a page left, a block that fits a page starts on a new one
)

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

var (
	stBody      = style{faceRegular, 9.5, colBody, 4.7}
	stBodyInk   = style{faceRegular, 9.5, colInk, 4.7}
	stSmall     = style{faceRegular, 8.5, colBody, 4.2}
	stSmallBold = style{faceBold, 8.5, colInk, 4.2}
	stMuted     = style{faceRegular, 8, colMuted, 4.0}
	stItalic    = style{faceItalic, 8.5, colMuted, 4.2}
	stLabel     = style{faceBold, 6.8, colAccent, 3.8}
	stQText     = style{faceBold, 11, colInk, 5.5}
	stComp      = style{faceBold, 13, colInk, 6.2}
	stDim       = style{faceBold, 17, colAccent, 8}
	stRole      = style{faceBold, 26, colInk, 11}
	stH2        = style{faceBold, 15, colInk, 7}
	stMono      = style{faceMono, 7.2, colMuted, 3.8}
)

// op draws something on a page once the whole document is laid out, when
// page numbers and link targets are known.
type op func(e *emitter)

type page struct {
	ops    []op
	header string // the running header's right side; "" on the cover
}

type anchor struct {
	page int // 1-based
	y    float64
}

// layout turns content into pages of ops. It measures everything itself, so
// a document is laid out once and pdf output never reflows: the contents
// can print page numbers of sections that come after it.
type layout struct {
	m       *metrics
	tax     *qbank.Taxonomy
	pages   []*page
	y       float64
	fresh   bool // nothing but continuation rows on the current page yet
	header  string
	anchors map[string]anchor
	marks   []bookmark
	// unnumbered counts the cover's pages: printed page numbers start after
	// them, as in a bound report, and the contents uses the same numbers.
	unnumbered int
}

type bookmark struct {
	title string
	level int
	page  int
	y     float64
}

func (l *layout) cur() *page { return l.pages[len(l.pages)-1] }

func (l *layout) newPage(header string) {
	l.header = header
	l.pages = append(l.pages, &page{header: header})
	l.y = contentTop
	l.fresh = true
}

func (l *layout) add(o op) { p := l.cur(); p.ops = append(p.ops, o) }

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
// starting at top: the Go fonts' capitals are about 0.7 em tall, so the
// baseline sits 0.34 em below the box's middle.
func baseline(top float64, st style) float64 {
	return top + st.lead/2 + st.size*mmPerPt*0.34
}

// row is the unit of pagination: a band of fixed height drawn at a y the
// flow chooses.
type row struct {
	h    float64
	draw func(l *layout, y float64)
	// keep binds this row to the next: a page break never falls between.
	keep bool
	// gap marks discardable space: dropped at the top of a page.
	gap bool
	// block, on a block's first row, is the block's whole height; see flow.
	block float64
	// cont returns rows to repeat at the top of a page when a break falls
	// before this row: a table's header, a question's "continued" line.
	cont     func() []row
	anchor   string
	bookmark *bookmark
}

// flow places rows on pages. A chain of kept rows moves to a new page whole
// if it fits there; a block (a question) that does not fit the space left
// starts a new page when little is left and it fits on one, so questions
// split only when they must or when splitting saves a mostly empty page.
func (l *layout) flow(rows []row) {
	for i := 0; i < len(rows); i++ {
		r := rows[i]
		if r.gap {
			if !l.fresh && l.y+r.h <= contentBot {
				r.draw(l, l.y)
				l.y += r.h
			}
			continue
		}
		if !l.fresh {
			avail := contentBot - l.y
			brk := r.h > avail
			// Only a chain's first row weighs moving the chain: once a chain
			// too long for any page has started, it runs on row by row.
			if chainStart := i == 0 || !rows[i-1].keep; chainStart && !brk {
				fresh := bodyHeight - contHeight(r)
				chain, pref := chainHeights(rows, i)
				brk = (chain > avail && chain <= fresh) ||
					(pref > avail && pref <= fresh && avail < wholeBlockAt*bodyHeight)
			}
			if brk {
				l.breakPage(r.cont)
			}
		}
		if r.anchor != "" {
			l.anchors[r.anchor] = anchor{len(l.pages), l.y}
		}
		if r.bookmark != nil {
			b := *r.bookmark
			b.page, b.y = len(l.pages), l.y
			l.marks = append(l.marks, b)
		}
		r.draw(l, l.y)
		l.y += r.h
		l.fresh = false
	}
}

func (l *layout) breakPage(cont func() []row) {
	l.newPage(l.header)
	if cont == nil {
		return
	}
	for _, c := range cont() {
		c.draw(l, l.y)
		l.y += c.h
	}
}

func contHeight(r row) float64 {
	if r.cont == nil {
		return 0
	}
	h := 0.0
	for _, c := range r.cont() {
		h += c.h
	}
	return h
}

// chainHeights returns the height of the kept chain starting at rows[i],
// and the height the chain would prefer: extended to the end of any block
// that starts inside it.
func chainHeights(rows []row, i int) (chain, pref float64) {
	for j := i; j < len(rows); j++ {
		if rows[j].block > 0 {
			pref = max(pref, chain+rows[j].block)
		}
		chain += rows[j].h
		if !rows[j].keep {
			break
		}
	}
	return chain, max(pref, chain)
}

// spacer is discardable vertical space; keep binds it to what follows.
func spacer(h float64, keep bool) row {
	return row{h: h, gap: true, keep: keep, draw: func(*layout, float64) {}}
}

// paragraph lays st text into rows, one per line, at x within width w. Lines
// are kept together except that a paragraph longer than four lines may
// break, leaving at least two lines on either side.
func (l *layout) paragraph(s string, st style, x, w float64) []row {
	lines := l.m.wrap(l.m.clean(s, st.face), st.face, st.size, w)
	rows := make([]row, len(lines))
	for i, ln := range lines {
		rows[i] = row{h: st.lead, keep: len(lines) <= 4 || i < 1 || i >= len(lines)-2,
			draw: func(l *layout, y float64) { l.text(x, baseline(y, st), st, ln) }}
	}
	if len(rows) > 0 {
		rows[len(rows)-1].keep = false
	}
	return rows
}

// keepAll binds rows into one chain (the last row's keep is left as set).
func keepAll(rows []row) []row {
	for i := range rows[:max(len(rows)-1, 0)] {
		rows[i].keep = true
	}
	return rows
}

// decorate wraps each row's draw so that deco draws first, over the row's
// full band: a question's accent bar, a table row's background.
func decorate(rows []row, deco func(l *layout, y, h float64)) []row {
	for i := range rows {
		d, h := rows[i].draw, rows[i].h
		rows[i].draw = func(l *layout, y float64) { deco(l, y, h); d(l, y) }
	}
	return rows
}

// emitter writes the laid-out pages through fpdf.
type emitter struct {
	pdf     *fpdf.Fpdf
	m       *metrics
	offset  int // pdf page index minus printed page number
	total   int // printed pages
	anchors map[string]anchor
	links   map[string]int
}

func (e *emitter) runs(x, y float64, st style, runs []run) {
	e.pdf.SetTextColor(st.col.r, st.col.g, st.col.b)
	for _, r := range runs {
		fi := faceInfos[r.face]
		e.pdf.SetFont(fi.family, fi.style, st.size)
		e.pdf.Text(x, y, r.text)
		x += r.width
	}
}

func (e *emitter) fill(c rgb) { e.pdf.SetFillColor(c.r, c.g, c.b) }
func (e *emitter) draw(c rgb) { e.pdf.SetDrawColor(c.r, c.g, c.b) }
