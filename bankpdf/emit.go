package bankpdf

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// emit writes the laid-out pages. Everything that varies between runs in
// fpdf is pinned: the dates come from the Document, and catalog sorting
// orders fonts and other resources, so equal Documents give equal bytes.
func emit(w io.Writer, d Document, l *layout) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: pageW, Ht: pageH}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0) // the layout paginates; fpdf must never break on its own
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	stamp := d.Generated
	if stamp.IsZero() {
		stamp = time.Unix(0, 0) // fpdf would use the clock
	}
	pdf.SetCreationDate(stamp.UTC())
	pdf.SetModificationDate(stamp.UTC())
	pdf.SetTitle(d.Title, true)
	pdf.SetSubject("Assessment questions and evaluation criteria", true)
	pdf.SetAuthor("LayersRank", true)
	pdf.SetCreator("LayersRank qbank", true)
	pdf.SetProducer("LayersRank qbank (go-pdf/fpdf)", true)
	pdf.SetLang("en")
	pdf.SetDisplayMode("fullwidth", "single")

	// Running headers and footers are drawn at emit time: measure their text
	// now so that any fallback face they need is registered below.
	l.m.used[faceRegular], l.m.used[faceBold] = true, true
	l.m.runs(l.m.line(d.Title, faceRegular), faceRegular, 7.5)
	for _, p := range l.pages {
		l.m.runs(l.m.line(p.header, faceBold), faceBold, 7.5)
	}
	for f := range numFaces {
		if l.m.used[f] {
			fi := faceInfos[f]
			// fpdf v0.12.0 writes into the bytes it is given while
			// subsetting (getMetrics appends to a sub-slice of the file for
			// glyphs past the hmtx count, as in Go Mono). That corrupted the
			// process-wide gofont slices and made the next render differ, so
			// it gets a private copy.
			pdf.AddUTF8FontFromBytes(fi.family, fi.style, bytes.Clone(fi.ttf))
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("bankpdf: fonts: %w", err)
	}

	e := &emitter{pdf: pdf, m: l.m, offset: l.unnumbered, total: len(l.pages) - l.unnumbered, anchors: l.anchors, links: map[string]int{}}
	keys := make([]string, 0, len(l.anchors))
	for k := range l.anchors {
		keys = append(keys, k)
	}
	slices.Sort(keys) // link ids are numbered in creation order
	for _, k := range keys {
		id := pdf.AddLink()
		pdf.SetLink(id, l.anchors[k].y, l.anchors[k].page)
		e.links[k] = id
	}

	marks := l.marks
	for i, p := range l.pages {
		n := i + 1
		pdf.AddPage()
		// Bookmark encodes its title as UTF-16 only while a UTF-8 font is set.
		pdf.SetFont(faceInfos[faceRegular].family, "", 9)
		if p.header != "" {
			e.chrome(d.Title, p.header, n-e.offset)
		}
		for len(marks) > 0 && marks[0].page == n {
			pdf.Bookmark(marks[0].title, marks[0].level, marks[0].y)
			marks = marks[1:]
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

// chrome draws the running header (title, section) and the footer.
func (e *emitter) chrome(title, section string, n int) {
	left := style{faceRegular, 7.5, colMuted, 4}
	right := style{faceBold, 7.5, colAccent, 4}
	title, section = e.m.line(title, left.face), e.m.line(section, right.face)
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
	ns := style{faceRegular, 7.5, colInk, 4}
	e.runs(marginL+contentW-e.m.width(num, ns.face, ns.size), footerBase, ns, e.m.runs(num, ns.face, ns.size))
}

func (e *emitter) fit(s string, st style, w float64) string { return fitText(e.m, s, st, w) }
