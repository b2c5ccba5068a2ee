package bankpdf

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/liberation/liberationmonoregular"
	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// face is one embedded font file. Liberation Sans (metric-compatible with
// Arial) reads well in print at 10 pt and has a true hyphen, so "trade-offs"
// and question ids do not read as en-dashes. Two faces for prose: each one
// embedded costs fpdf several milliseconds of parsing and subsetting per
// document, and an interview kit must render in well under 50 ms.
type face uint8

const (
	faceRegular face = iota
	faceBold
	// DejaVu Sans supplies any glyph the Liberation fonts lack, run by
	// run, so that text never renders as empty boxes.
	faceFallback
	faceFallbackBold
	// faceMono sets code listings (a query, a function, a plan or trace
	// pasted into a question), whose indentation and alignment carry
	// meaning. It is embedded only in documents that print one.
	faceMono
	numFaces
)

type faceInfo struct {
	family, style string // as registered with fpdf
	ttf           []byte
	fallback      face
	// latin cuts the face down to the Latin and punctuation glyphs (see
	// latin) once per process: fpdf parses every glyph of a font it is
	// given in every document, and the cut halves that cost. Anything
	// else comes from the fallback face.
	latin bool
}

var faceInfos = [numFaces]faceInfo{
	faceRegular:      {"sans", "", liberationsansregular.TTF, faceFallback, true},
	faceBold:         {"sans", "B", liberationsansbold.TTF, faceFallbackBold, true},
	faceFallback:     {"dejavu", "", dejavusans.TTF, faceFallback, false},
	faceFallbackBold: {"dejavu", "B", dejavusansbold.TTF, faceFallbackBold, false},
	faceMono:         {"mono", "", liberationmonoregular.TTF, faceFallback, true},
}

// latin is what the main faces keep: Latin letters with their accents,
// general punctuation (dashes, quotes, bullets, the ellipsis), currency
// signs, and the arithmetic the bank's texts use.
func latin() string {
	var b strings.Builder
	for _, rg := range [][2]rune{{0x20, 0x7E}, {0xA0, 0x17F}, {0x2010, 0x205E}, {0x20A0, 0x20BF}, {0x2190, 0x2199}} {
		for r := rg[0]; r <= rg[1]; r++ {
			b.WriteRune(r)
		}
	}
	b.WriteString("\u2122\u2212\u2248\u2260\u2264\u2265")
	return b.String()
}

// Loaded once per process: sfnt.Font is safe for concurrent use as long as
// every goroutine brings its own sfnt.Buffer, which metrics does.
var (
	parseOnce   sync.Once
	fontFiles   [numFaces][]byte // what fpdf embeds
	parsedFaces [numFaces]*sfnt.Font
	parseErr    error
)

func loadFaces() error {
	parseOnce.Do(func() {
		for i, fi := range faceInfos {
			ttf := fi.ttf
			if fi.latin {
				// UTF8CutFont works on a copy: fpdf writes into the bytes
				// it reads (see emit).
				ttf = fpdf.UTF8CutFont(bytes.Clone(ttf), latin())
			}
			f, err := sfnt.Parse(ttf)
			if err != nil {
				parseErr = fmt.Errorf("bankpdf: parse font %s %s: %w", fi.family, fi.style, err)
				return
			}
			fontFiles[i], parsedFaces[i] = ttf, f
		}
	})
	return parseErr
}

// mmPerPt converts typographic points to millimetres, the layout unit.
const mmPerPt = 25.4 / 72

// glyph is what metrics knows of one rune in one face: its advance in
// thousandths of an em, rounded exactly as fpdf rounds it so that measured
// and rendered widths agree to the last digit.
type glyph struct {
	width   int32
	present bool
}

// glyphs remembers every glyph measured, for every render in the process:
// a rune's entry is 0 until measured, then known|present|width. Writes are
// idempotent, so concurrent renders may race to fill an entry harmlessly.
var glyphs [numFaces][0x10000]atomic.Uint32

const (
	glyphKnown   = 1 << 31
	glyphPresent = 1 << 30
)

// metrics measures text for one render and records which faces it used.
// It is not shared between goroutines.
type metrics struct {
	buf  sfnt.Buffer
	used [numFaces]bool
}

func newMetrics() (*metrics, error) {
	if err := loadFaces(); err != nil {
		return nil, err
	}
	return &metrics{}, nil
}

func (m *metrics) glyph(f face, r rune) glyph {
	if r < 0 || r > 0xFFFF {
		return glyph{} // fpdf cannot address glyphs beyond the BMP
	}
	if v := glyphs[f][r].Load(); v&glyphKnown != 0 {
		return glyph{width: int32(v &^ (glyphKnown | glyphPresent)), present: v&glyphPresent != 0}
	}
	var g glyph
	sf := parsedFaces[f]
	if gi, err := sf.GlyphIndex(&m.buf, r); err == nil && gi != 0 {
		upem := int(sf.UnitsPerEm())
		adv, err := sf.GlyphAdvance(&m.buf, gi, fixed.I(upem), font.HintingNone)
		if err == nil {
			g = glyph{width: int32(math.Round(float64(adv) / 64 * 1000 / float64(upem))), present: true}
		}
	}
	v := uint32(glyphKnown) | uint32(max(g.width, 0))
	if g.present {
		v |= glyphPresent
	}
	glyphs[f][r].Store(v)
	return g
}

// run is a stretch of text drawn in one face.
type run struct {
	face  face
	text  string
	width float64 // mm
}

// clean makes text safe to lay out: control characters go, tabs become
// spaces, and a rune no embedded font can draw becomes U+FFFD rather than an
// invisible gap (fpdf also cannot address glyphs beyond the BMP).
func (m *metrics) clean(s string, f face) string {
	ok := true
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || r > 0xFFFF || unicode.In(r, unicode.Cf) || !m.drawable(f, r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\t':
			out = append(out, ' ')
		case r == '\n':
			out = append(out, r)
		case r < 0x20 || r == 0x7f || unicode.In(r, unicode.Cf):
		case r > 0xFFFF || !m.drawable(f, r):
			out = append(out, '\uFFFD')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

// line is clean for text that must stay on one line (titles in headers).
func (m *metrics) line(s string, f face) string {
	s = m.clean(s, f)
	if strings.IndexByte(s, '\n') >= 0 {
		s = strings.ReplaceAll(s, "\n", " ")
	}
	return s
}

func (m *metrics) drawable(f face, r rune) bool {
	return r == '\n' || m.glyph(f, r).present || m.glyph(faceInfos[f].fallback, r).present
}

// runs splits s into stretches of the face itself and of its fallback.
func (m *metrics) runs(s string, f face, size float64) []run {
	var out []run
	start, cur, units := 0, face(255), int32(0)
	scale := size * mmPerPt / 1000
	for i, r := range s {
		rf := f
		if !m.glyph(f, r).present {
			if fb := faceInfos[f].fallback; m.glyph(fb, r).present {
				rf = fb
			}
		}
		if rf != cur {
			if i > start {
				out = append(out, run{cur, s[start:i], float64(units) * scale})
			}
			start, cur, units = i, rf, 0
		}
		units += m.glyph(rf, r).width
	}
	if len(s) > start {
		out = append(out, run{cur, s[start:], float64(units) * scale})
	}
	for _, r := range out {
		m.used[r.face] = true
	}
	return out
}

// width is the width of s in mm, with fallback glyphs measured in their own
// face as they will be drawn.
func (m *metrics) width(s string, f face, size float64) float64 {
	var units int32
	fb := faceInfos[f].fallback
	for _, r := range s {
		g := m.glyph(f, r)
		if !g.present {
			if g2 := m.glyph(fb, r); g2.present {
				g = g2
			}
		}
		units += g.width
	}
	return float64(units) * size * mmPerPt / 1000
}

// wrap breaks s into lines no wider than w. Lines break at spaces; a word
// wider than a whole line (a URL, an identifier) breaks after a hyphen,
// slash, dot or underscore where it can, else between characters, so nothing
// ever crosses the margin. Newlines in s are kept as line breaks.
func (m *metrics) wrap(s string, f face, size, w float64) []string {
	return m.wrapFirst(s, f, size, w, w)
}

// wrapFirst is wrap with a first line of its own width, for a paragraph
// that starts after a run-in label ("Strong  …").
func (m *metrics) wrapFirst(s string, f face, size, first, w float64) []string {
	var lines []string
	space := m.width(" ", f, size)
	limit := func() float64 {
		if len(lines) == 0 {
			return first
		}
		return w
	}
	for _, para := range strings.Split(s, "\n") {
		words := glueDashes(fieldsSpace(para))
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur, curW := "", 0.0
		for _, word := range words {
			ww := m.width(word, f, size)
			if cur != "" && curW+space+ww <= limit() {
				cur, curW = cur+" "+word, curW+space+ww
				continue
			}
			if cur != "" || (len(lines) == 0 && ww > first && first < w) {
				// A first word too wide for a short first line starts on the
				// next, full-width line instead of being cut.
				lines = append(lines, cur)
				cur, curW = "", 0
			}
			for ww > limit() {
				head, tail := m.breakWord(word, f, size, limit())
				lines = append(lines, head)
				word = tail
				ww = m.width(word, f, size)
			}
			cur, curW = word, ww
		}
		lines = append(lines, cur)
	}
	return lines
}

// breakWord splits an over-long word into a head that fits w and the rest.
func (m *metrics) breakWord(word string, f face, size, w float64) (string, string) {
	fit, soft := 0, 0 // byte offsets: the longest prefix that fits; the last soft break in it
	acc := 0.0
	for i, r := range word {
		acc += m.width(string(r), f, size)
		if acc > w {
			break
		}
		fit = i + utf8.RuneLen(r)
		switch r {
		case '-', '/', '.', '_', '–', '—', ',', ':', '?', '&', '=':
			soft = fit
		}
	}
	if fit == 0 { // not even one character fits: emit it anyway rather than loop
		_, n := utf8.DecodeRuneInString(word)
		fit = n
	}
	if soft > fit/2 { // a soft break that keeps at least half the line filled
		fit = soft
	}
	return word[:fit], word[fit:]
}

// glueDashes binds a lone hyphen-minus (an operator: "a - b") to the word
// after it, so that no line ends in "-": a reader, and poppler's text
// extraction, would take that for a word hyphenated across the break.
func glueDashes(words []string) []string {
	for i := 0; i < len(words)-1; i++ {
		if words[i] == "-" {
			words[i] += " " + words[i+1]
			words = slices.Delete(words, i+1, i+2)
		}
	}
	return words
}

// fieldsSpace splits on runs of spaces only: a no-break space must keep its
// two words together (e.g. "10 ms").
func fieldsSpace(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if r == ' ' || r == '\t' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}
