package pdftest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The page's body, in points: below the running header, above the footer
// (bankpdf's layout: 25 mm to 277 mm of an A4 page).
const (
	MM      = 72 / 25.4 // a millimetre
	BodyTop = 25 * MM
	BodyBot = 277 * MM
)

var pageLabel = regexp.MustCompile(`Page (\d+) of (\d+)`)

// CheckFooters requires every page but the cover to say "Page N of M" with
// N its own position and M the file's page count.
func CheckFooters(tb testing.TB, pages []string) {
	tb.Helper()
	for i, p := range pages {
		m := pageLabel.FindAllStringSubmatch(p, -1)
		if i == 0 {
			if len(m) > 0 {
				tb.Errorf("the cover has a page label %q", m[0][0])
			}
			continue
		}
		want := fmt.Sprintf("Page %d of %d", i+1, len(pages))
		if len(m) != 1 || m[0][0] != want {
			tb.Errorf("page %d of %d is labelled %v, want %q", i+1, len(pages), m, want)
		}
	}
}

// CheckBodySize requires every run of body text (any piece of at least a
// few words that is part of one of texts: question texts, guides, criteria)
// to be set at 10 pt or more. A piece is taken as part of the texts when
// every three words running in it run in one of them: one pass over the
// texts and one over the pieces, however long the document.
func CheckBodySize(tb testing.TB, d *Doc, texts []string) {
	tb.Helper()
	trigrams := map[[3]string]bool{}
	for _, t := range texts {
		w := strings.Fields(t)
		for i := 0; i+3 <= len(w); i++ {
			trigrams[[3]string{w[i], w[i+1], w[i+2]}] = true
		}
	}
	part := func(s string) bool {
		w := strings.Fields(s)
		for i := 0; i+3 <= len(w); i++ {
			if !trigrams[[3]string{w[i], w[i+1], w[i+2]}] {
				return false
			}
		}
		return len(w) >= 3
	}
	checked, bad := 0, 0
	for _, p := range d.Pages {
		for _, pc := range p.Pieces {
			if pc.Top < BodyTop || !part(pc.Text) {
				continue
			}
			checked++
			if pc.Size < 9.95 {
				if bad++; bad <= 5 {
					tb.Errorf("page %d: %q is set at %.1f pt, below 10 pt", p.Number, pc.Text, pc.Size)
				}
			}
		}
	}
	if checked < len(texts) {
		tb.Errorf("only %d pieces of body text found for %d texts: the check is not reading the document", checked, len(texts))
	}
}

// CheckFill requires no page to be more than half empty, except the cover,
// the last page, and a page before one that opens a section (a top-level
// bookmark, or one whose title is the page's first line).
func CheckFill(tb testing.TB, d *Doc) {
	tb.Helper()
	opens := map[int][]OutlineItem{}
	for _, o := range d.Outline {
		opens[o.Page] = append(opens[o.Page], o)
	}
	for i, p := range d.Pages {
		if i == 0 || i == len(d.Pages)-1 {
			continue
		}
		bottom := BodyTop
		for _, pc := range p.Pieces {
			if end := pc.Top + pc.Height; pc.Top >= BodyTop && end <= BodyBot+2*MM {
				bottom = max(bottom, end)
			}
		}
		empty := (BodyBot - bottom) / (BodyBot - BodyTop)
		if empty <= 0.5 {
			continue
		}
		next := d.Pages[i+1]
		first := FirstLine(next)
		ok := false
		for _, o := range opens[next.Number] {
			if o.Level == 0 || strings.HasPrefix(Norm(first), Norm(o.Title)) {
				ok = true
			}
		}
		if !ok {
			tb.Errorf("page %d is %.0f%% empty and page %d (%q) opens no section", p.Number, 100*empty, next.Number, first)
		}
	}
}

// FirstLine is the text of a page's first line of body text.
func FirstLine(p Page) string {
	top := -1.0
	for _, pc := range p.Pieces {
		if pc.Top >= BodyTop && (top < 0 || pc.Top < top) {
			top = pc.Top
		}
	}
	var parts []string
	for _, pc := range p.Pieces {
		if top >= 0 && pc.Top >= top-1 && pc.Top <= top+1 {
			parts = append(parts, pc.Text)
		}
	}
	return strings.Join(parts, " ")
}

// Words is a document's text, page by page, with its word sequences
// normalised once for the many look-ups a test makes (normalising a whole
// bank per look-up costs more than rendering it).
type Words struct {
	Pages []string // as pdftotext reads them
	norm  []string
	flow  []string // the pages without running headers, footers and "(continued)" lines
	whole string   // every page, as one text
}

// NewWords prepares pages for look-ups.
func NewWords(pages []string) *Words {
	x := &Words{Pages: pages, norm: make([]string, len(pages))}
	for i, p := range pages {
		x.norm[i] = Norm(p)
	}
	x.flow = flowed(pages)
	x.whole = Norm(strings.Join(x.flow, "\f"))
	return x
}

// flowed is the pages without what a reader skips when text runs on to the
// next page: the running header (the document's title and the section's
// name, the lines that open several pages), the footer ("Confidential …",
// "Page N of M") and a block's "(continued)" line.
func flowed(pages []string) []string {
	pageLabel := regexp.MustCompile(`^Page \d+ of \d+$`)
	label := regexp.MustCompile(`^(Strong|Adequate|Weak|Junior|Mid-level|Senior|FINAL-ROUND|PROBES)$`)
	top := func(p string) []string {
		var t []string
		for _, ln := range strings.Split(p, "\n") {
			if ln = strings.TrimSpace(ln); ln != "" {
				if t = append(t, ln); len(t) == 2 {
					break
				}
			}
		}
		return t
	}
	opens := map[string]int{}
	for _, p := range pages {
		for _, ln := range top(p) {
			opens[ln]++
		}
	}
	out := make([]string, len(pages))
	for i, p := range pages {
		var kept []string
		header := map[string]bool{}
		for _, ln := range top(p) {
			header[ln] = opens[ln] >= 3
		}
		// Under a "(continued)" line, pdftotext reads the label column
		// (Adequate, Weak, …) before the rest of the paragraph the page
		// carries on with; a reader reads that paragraph first, so the
		// lifted labels go back after it.
		var lifted []string
		lifting, inText := false, false
		for _, ln := range strings.Split(p, "\n") {
			t := strings.TrimSpace(ln)
			if header[t] || strings.HasPrefix(t, "Confidential") || pageLabel.MatchString(t) {
				continue
			}
			if strings.HasSuffix(t, "(continued)") {
				lifting = true
				continue
			}
			switch {
			case lifting && t == "":
				continue
			case lifting && label.MatchString(t):
				lifted = append(lifted, ln)
				continue
			case lifting:
				lifting, inText = false, true
			case inText && t == "":
				kept = append(kept, lifted...)
				lifted, inText = nil, false
			}
			kept = append(kept, ln)
		}
		kept = append(kept, lifted...)
		out[i] = strings.Join(kept, "\n")
	}
	return out
}

// Count is how many times want's words appear in sequence in the document
// (a run may cross a page break, as a reader follows it).
func (x *Words) Count(want string) int { return strings.Count(x.whole, Norm(want)) }

// Contains reports whether the document has want's words in sequence.
func (x *Words) Contains(want string) bool { return strings.Contains(x.whole, Norm(want)) }

// OnPage reports whether 1-based page n has want's words in sequence.
func (x *Words) OnPage(n int, want string) bool {
	return n >= 1 && n <= len(x.norm) && strings.Contains(x.norm[n-1], Norm(want))
}

// OnPages reports whether pages from to to (1-based, inclusive), read as
// one text as a reader follows it across the page breaks, have want's
// words in sequence.
func (x *Words) OnPages(from, to int, want string) bool {
	if from < 1 || to > len(x.Pages) || from > to {
		return false
	}
	return Contains(strings.Join(x.flow[from-1:to], "\f"), want)
}

// PageOf returns the first page that has want's words in sequence, and how
// many pages do; 0 when none does.
func (x *Words) PageOf(want string) (page, count int) {
	w := Norm(want)
	for i, p := range x.norm {
		if strings.Contains(p, w) {
			if page == 0 {
				page = i + 1
			}
			count++
		}
	}
	return page, count
}

// PageOf returns the 1-based page whose text has want's words in sequence,
// and how many pages do; 0 when none does.
func PageOf(pages []string, want string) (page, count int) {
	for i, p := range pages {
		if Contains(p, want) {
			if page == 0 {
				page = i + 1
			}
			count++
		}
	}
	return page, count
}

// Count is how many times want's words appear in sequence in text.
func Count(text, want string) int {
	return strings.Count(Norm(text), Norm(want))
}
