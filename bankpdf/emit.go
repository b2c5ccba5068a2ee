package bankpdf

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// meta is what the PDF's document information says.
type meta struct {
	title, subject string
	date           time.Time
}

// emitter writes the laid-out pages through fpdf.
type emitter struct {
	pdf     *fpdf.Fpdf
	m       *metrics
	title   string
	total   int
	number  map[*page]int // printed number = position in the file, from 1
	anchors map[string]anchor
	links   map[string]int
	// The text state last set on the page, so unchanged fonts and colours
	// are not set again for every run of text.
	font  face
	size  float64
	color rgb
}

// pageOf is the page number an anchor lands on (0 if it was never placed).
func (e *emitter) pageOf(key string) int { return e.number[e.anchors[key].page] }

// emit writes the pages. Everything that varies between runs in fpdf is
// pinned: the dates come from the document, and catalog sorting orders
// fonts and other resources, so equal documents give equal bytes.
func emit(w io.Writer, md meta, m *metrics, pages []*page, anchors map[string]anchor) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: pageW, Ht: pageH}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0) // the layout paginates; fpdf must never break on its own
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	stamp := md.date
	if stamp.IsZero() {
		stamp = time.Unix(0, 0) // fpdf would use the clock
	}
	pdf.SetCreationDate(stamp.UTC())
	pdf.SetModificationDate(stamp.UTC())
	pdf.SetTitle(md.title, true)
	pdf.SetSubject(md.subject, true)
	pdf.SetAuthor("LayersRank", true)
	pdf.SetCreator("LayersRank qbank", true)
	pdf.SetProducer("LayersRank qbank (go-pdf/fpdf)", true)
	pdf.SetLang("en")
	pdf.SetDisplayMode("fullwidth", "single")

	// Running headers and footers are drawn at emit time: measure their text
	// now so that any fallback face they need is registered below.
	m.used[faceRegular], m.used[faceBold] = true, true
	m.runs(m.line(md.title, faceRegular), faceRegular, chromeSize)
	for _, p := range pages {
		m.runs(m.line(p.header, faceBold), faceBold, chromeSize)
	}
	for f := range numFaces {
		if m.used[f] {
			fi := faceInfos[f]
			// fpdf v0.12.0 writes into the bytes it is given while
			// subsetting (getMetrics appends to a sub-slice of the file), so
			// it gets a private copy: the embedded fonts are shared by every
			// render in the process.
			pdf.AddUTF8FontFromBytes(fi.family, fi.style, bytes.Clone(fontFiles[f]))
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("bankpdf: fonts: %w", err)
	}

	e := &emitter{pdf: pdf, m: m, title: md.title, total: len(pages), number: make(map[*page]int, len(pages)),
		anchors: anchors, links: map[string]int{}}
	for i, p := range pages {
		e.number[p] = i + 1
	}
	keys := make([]string, 0, len(anchors))
	for k := range anchors {
		keys = append(keys, k)
	}
	slices.Sort(keys) // link ids are numbered in creation order
	for _, k := range keys {
		a := anchors[k]
		id := pdf.AddLink()
		pdf.SetLink(id, a.y, e.number[a.page])
		e.links[k] = id
	}

	for _, p := range pages {
		pdf.AddPage()
		// Bookmark encodes its title as UTF-16 only while a UTF-8 font is set.
		pdf.SetFont(faceInfos[faceRegular].family, "", 9)
		pdf.SetTextColor(0, 0, 0)
		e.font, e.size, e.color = faceRegular, 9, rgb{}
		if !p.cover {
			e.chrome(p.header, e.number[p])
		}
		for _, b := range p.marks {
			pdf.Bookmark(m.line(b.title, faceRegular), b.level, b.y)
		}
		for _, o := range p.ops {
			o(e)
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("bankpdf: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("bankpdf: write: %w", err)
	}
	return nil
}

const chromeSize = 8

// chrome draws the running header (title, section) and the footer, whose
// "Page N of M" counts every page of the file, the cover included, so the
// printed numbers, the contents and a PDF viewer all agree.
func (e *emitter) chrome(section string, n int) {
	left := style{faceRegular, chromeSize, colMuted, 4}
	right := style{faceBold, chromeSize, colAccent, 4}
	title, section := e.m.line(e.title, left.face), e.m.line(section, right.face)
	section = e.fit(section, right, contentW/2)
	sw := e.m.width(section, right.face, right.size)
	e.runs(marginL, headerBase, left, e.m.runs(e.fit(title, left, contentW-sw-8), left.face, left.size))
	e.runs(marginL+contentW-sw, headerBase, right, e.m.runs(section, right.face, right.size))
	e.draw(colRule)
	e.pdf.SetLineWidth(0.2)
	e.pdf.Line(marginL, headerRule, marginL+contentW, headerRule)
	e.pdf.Line(marginL, footerRule, marginL+contentW, footerRule)

	note := "Confidential · for hiring teams only · never share with candidates"
	e.runs(marginL, footerBase, left, e.m.runs(note, left.face, left.size))
	num := fmt.Sprintf("Page %d of %d", n, e.total)
	ns := style{faceRegular, chromeSize, colInk, 4}
	e.runs(marginL+contentW-e.m.width(num, ns.face, ns.size), footerBase, ns, e.m.runs(num, ns.face, ns.size))
}

func (e *emitter) fit(s string, st style, w float64) string { return fitText(e.m, s, st, w) }

func (e *emitter) runs(x, y float64, st style, runs []run) {
	if st.col != e.color {
		e.pdf.SetTextColor(st.col.r, st.col.g, st.col.b)
		e.color = st.col
	}
	for _, r := range runs {
		if r.face != e.font || st.size != e.size {
			fi := faceInfos[r.face]
			e.pdf.SetFont(fi.family, fi.style, st.size)
			e.font, e.size = r.face, st.size
		}
		e.pdf.Text(x, y, r.text)
		x += r.width
	}
}

// textRight draws s ending at x, at emit time (page numbers).
func (e *emitter) textRight(x, y float64, st style, s string) float64 {
	w := e.m.width(s, st.face, st.size)
	e.runs(x-w, y, st, e.m.runs(s, st.face, st.size))
	return w
}

func (e *emitter) fill(c rgb) { e.pdf.SetFillColor(c.r, c.g, c.b) }
func (e *emitter) draw(c rgb) { e.pdf.SetDrawColor(c.r, c.g, c.b) }
