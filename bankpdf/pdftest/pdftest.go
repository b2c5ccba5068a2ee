// Package pdftest reads PDFs back for tests, with poppler's command-line
// tools: the text of each page (pdftotext), and each page's text pieces
// with their position and font size and the document outline (pdftohtml
// -xml). Tests of every package that makes a PDF use it, so what a reader
// sees is checked the same way everywhere.
package pdftest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Need skips the test where poppler is not installed; in CI (CI=true),
// which installs poppler-utils, it fails instead, so there the PDF is always
// checked.
func Need(tb testing.TB) {
	tb.Helper()
	for _, tool := range []string{"pdftotext", "pdftohtml"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				tb.Fatalf("%s not on PATH in CI: .ci/run installs poppler-utils", tool)
			}
			tb.Skipf("%s not on PATH (apt-get install -y poppler-utils); CI installs it", tool)
		}
	}
}

func run(tb testing.TB, pdf []byte, tool string, args ...string) string {
	tb.Helper()
	Need(tb)
	f := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(tool, append(args, f, "-")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		tb.Fatalf("%s %v: %v\n%s", tool, args, err, stderr.String())
	}
	return string(out)
}

// Text is the document's text as pdftotext reads it, in reading order.
func Text(tb testing.TB, pdf []byte) string {
	tb.Helper()
	return run(tb, pdf, "pdftotext", "-enc", "UTF-8")
}

// Pages is the text of each page, in order.
func Pages(tb testing.TB, pdf []byte) []string {
	tb.Helper()
	p := strings.Split(Text(tb, pdf), "\f")
	if len(p) > 0 && strings.TrimSpace(p[len(p)-1]) == "" {
		p = p[:len(p)-1]
	}
	return p
}

// Norm reduces text to its word sequence, padded with a space each side,
// so a sentence wrapped over lines matches the one-line original.
func Norm(s string) string { return " " + strings.Join(strings.Fields(s), " ") + " " }

// Contains reports whether text has want's words in sequence (whatever the
// line breaks between them).
func Contains(text, want string) bool {
	return strings.Contains(Norm(text), Norm(want))
}

// Piece is one run of text on a page, as poppler groups it: a line of one
// font, or part of one. Positions and sizes are in points.
type Piece struct {
	Top, Left, Width, Height float64
	Size                     float64 // font size
	Bold                     bool
	Text                     string
}

// Page is one page of a Doc.
type Page struct {
	Number int
	Height float64
	Pieces []Piece
}

// OutlineItem is one bookmark.
type OutlineItem struct {
	Title string
	Page  int
	Level int
}

// Doc is a PDF as pdftohtml reads it.
type Doc struct {
	Pages   []Page
	Outline []OutlineItem
}

// zoom makes poppler report sizes and positions to a third of a point (3
// is the most pdftohtml accepts).
const zoom = 3

var tagRE = regexp.MustCompile(`<[^>]+>`)

// Read parses the document's pages, pieces and outline.
func Read(tb testing.TB, pdf []byte) *Doc {
	tb.Helper()
	raw := run(tb, pdf, "pdftohtml", "-xml", "-i", "-stdout", "-q", "-zoom", fmt.Sprint(zoom))
	type xtext struct {
		Top    float64 `xml:"top,attr"`
		Left   float64 `xml:"left,attr"`
		Width  float64 `xml:"width,attr"`
		Height float64 `xml:"height,attr"`
		Font   string  `xml:"font,attr"`
		Inner  string  `xml:",innerxml"`
	}
	type xfont struct {
		ID   string  `xml:"id,attr"`
		Size float64 `xml:"size,attr"`
	}
	type xpage struct {
		Number int     `xml:"number,attr"`
		Height float64 `xml:"height,attr"`
		Fonts  []xfont `xml:"fontspec"`
		Texts  []xtext `xml:"text"`
	}
	var x struct {
		Pages []xpage `xml:"page"`
	}
	dec := xml.NewDecoder(strings.NewReader(raw))
	dec.Strict = false
	if err := dec.Decode(&x); err != nil {
		tb.Fatalf("pdftohtml -xml: %v", err)
	}
	sizes := map[string]float64{}
	d := &Doc{}
	for _, p := range x.Pages {
		for _, f := range p.Fonts {
			sizes[f.ID] = f.Size / zoom
		}
		pg := Page{Number: p.Number, Height: p.Height / zoom}
		for _, t := range p.Texts {
			text := tagRE.ReplaceAllString(t.Inner, "")
			text = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&apos;", "'").Replace(text)
			pg.Pieces = append(pg.Pieces, Piece{
				Top: t.Top / zoom, Left: t.Left / zoom, Width: t.Width / zoom, Height: t.Height / zoom,
				Size: sizes[t.Font], Bold: strings.Contains(t.Inner, "<b>"), Text: text,
			})
		}
		d.Pages = append(d.Pages, pg)
	}
	// The outline nests: an <outline> after an <item> holds its children.
	tok := xml.NewDecoder(strings.NewReader(raw))
	tok.Strict = false
	depth := 0
	var cur *OutlineItem
	for {
		t, err := tok.Token()
		if err != nil {
			break
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "outline":
				depth++
			case "item":
				it := OutlineItem{Level: depth - 1}
				for _, a := range t.Attr {
					if a.Name.Local == "page" {
						fmt.Sscan(a.Value, &it.Page)
					}
				}
				d.Outline = append(d.Outline, it)
				cur = &d.Outline[len(d.Outline)-1]
			}
		case xml.CharData:
			if cur != nil {
				cur.Title += string(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "outline":
				depth--
			case "item":
				cur.Title = strings.TrimSpace(cur.Title)
				cur = nil
			}
		}
	}
	return d
}
