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
	mm      = 72 / 25.4
	BodyTop = 25 * mm
	BodyBot = 277 * mm
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
// to be set at 10 pt or more.
func CheckBodySize(tb testing.TB, d *Doc, texts []string) {
	tb.Helper()
	corpus := ""
	for _, t := range texts {
		corpus += Norm(t) + "|"
	}
	checked, bad := 0, 0
	for _, p := range d.Pages {
		for _, pc := range p.Pieces {
			if len(strings.Fields(pc.Text)) < 3 || pc.Top < BodyTop || !strings.Contains(corpus, Norm(pc.Text)) {
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
			if end := pc.Top + pc.Height; pc.Top >= BodyTop && end <= BodyBot+2*mm {
				bottom = max(bottom, end)
			}
		}
		empty := (BodyBot - bottom) / (BodyBot - BodyTop)
		if empty <= 0.5 {
			continue
		}
		next := d.Pages[i+1]
		first := firstLine(next)
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

// firstLine is the text of a page's first line of body text.
func firstLine(p Page) string {
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
