package bankpdf_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/seed"
)

// These tests read the PDF back with poppler's pdftotext. They skip where it
// is not installed; CI installs it (apt-get install -y poppler-utils), so
// there they always run.

var generated = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

func seeded(t testing.TB) *seed.Bank {
	t.Helper()
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func render(t testing.TB, d bankpdf.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bankpdf.Render(&buf, d); err != nil {
		t.Fatalf("Render: %v", err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", out[:min(len(out), 16)])
	}
	if !bytes.Contains(out[max(len(out)-64, 0):], []byte("%%EOF")) {
		t.Fatal("output has no end-of-file trailer")
	}
	if dir := os.Getenv("BANKPDF_OUT"); dir != "" { // to look at the result: BANKPDF_OUT=/tmp/x go test
		_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), out, 0o644)
	}
	return out
}

func needPoppler(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		// CI installs poppler-utils and sets CI=true: there the PDF must be
		// checked, never skipped.
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not on PATH in CI: .ci/run installs poppler-utils")
		}
		t.Skip("pdftotext not on PATH (apt-get install -y poppler-utils); CI installs it")
	}
}

// pdftotext runs poppler on pdf with args and returns its output. Poppler
// failing to parse the file fails the test.
func pdftotext(t testing.TB, pdf []byte, args ...string) string {
	t.Helper()
	needPoppler(t)
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", append(append([]string{"-enc", "UTF-8"}, args...), f, "-")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// norm reduces text to its word sequence, so that a sentence wrapped over
// several lines still matches the one-line original.
func norm(s string) string { return " " + strings.Join(strings.Fields(s), " ") + " " }

// squash drops all whitespace: for text whose over-long words were broken
// mid-word to fit the line.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' || r == '\f' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

// containsWords reports whether text has want's words in sequence. Callers
// checking many strings pass norm(text), which this does not redo.
func containsWords(text, want string) bool {
	if !strings.HasPrefix(text, " ") || !strings.HasSuffix(text, " ") || strings.Contains(text, "  ") || strings.ContainsAny(text, "\n\f") {
		text = norm(text)
	}
	return strings.Contains(text, norm(want))
}

// pages splits pdftotext output into pages (it ends each with a form feed).
func pages(text string) []string {
	p := strings.Split(text, "\f")
	if len(p) > 0 && strings.TrimSpace(p[len(p)-1]) == "" {
		p = p[:len(p)-1]
	}
	return p
}

func wholeBank(b *seed.Bank) bankpdf.Document {
	return bankpdf.Document{Title: "LayersRank Question Bank", Generated: generated, Revision: 42, Taxonomy: &b.Taxonomy, Questions: b.Questions}
}

func TestSeededBankContainsEverything(t *testing.T) {
	b := seeded(t)
	utf := qbank.Question{ID: "pricing-latency-utf8", Version: 3, State: qbank.StateActive, Content: qbank.Content{
		Text:           "A customer on the ₹2,500 “Starter” plan says p99 latency rose 10× – from 120 ms ± 5 to 1.2 s – after last week’s release. What’s your first step?",
		Roles:          []string{"backend-engineer"},
		Dimension:      "technical",
		Competency:     "debugging-operations",
		WhatItReveals:  "Whether the candidate starts from data — “what changed?” — rather than guesses.",
		ResponseFormat: qbank.FormatVideo,
		Minutes:        4,
		FollowUps:      []string{"The ₹1,800 “Growth” customers see nothing: what does that tell you?"},
		ScoringGuide:   qbank.ScoringGuide{Strong: "Compares before/after ± noise.", Adequate: "Checks dashboards.", Weak: "Guesses."},
	}}
	d := wholeBank(b)
	d.Questions = append(slices.Clone(b.Questions), utf)
	raw := pdftotext(t, render(t, d))
	text := norm(raw)
	for _, q := range d.Questions {
		if !containsWords(text, q.Text) {
			t.Errorf("question %s: text missing from the PDF: %q", q.ID, q.Text)
		}
		if !containsWords(text, q.WhatItReveals) {
			t.Errorf("question %s: whatItReveals missing", q.ID)
		}
	}
	for _, c := range b.Taxonomy.Competencies {
		if !containsWords(text, c.Title) {
			t.Errorf("competency title %q missing", c.Title)
		}
	}
	for _, r := range b.Taxonomy.Roles {
		if !containsWords(text, r.Title) {
			t.Errorf("role title %q missing", r.Title)
		}
	}
	for _, want := range []string{"Page 1 of", utf.Text, utf.FollowUps[0], utf.WhatItReveals} {
		if !containsWords(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, want := range []string{"₹2,500", "10× – from", "“Starter”", "week’s", "± 5", "What’s"} {
		if !strings.Contains(raw, want) {
			t.Errorf("PDF text lacks %q: UTF-8 did not round-trip", want)
		}
	}
	if strings.ContainsRune(raw, '\uFFFD') {
		t.Error("PDF text has U+FFFD: some character could not be drawn")
	}
}

func TestPageNumbersAndContents(t *testing.T) {
	b := seeded(t)
	pdf := render(t, wholeBank(b))
	ps := pages(pdftotext(t, pdf, "-layout"))
	printed := len(ps) - 1 // the cover is not numbered
	for i, p := range ps {
		want := fmt.Sprintf("Page %d of %d", i, printed)
		if i == 0 {
			if strings.Contains(p, "Page ") {
				t.Errorf("the cover has a page number")
			}
			continue
		}
		if !strings.Contains(p, want) {
			t.Errorf("pdf page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, "LayersRank Question Bank") {
			t.Errorf("pdf page %d lacks the running header", i+1)
		}
	}

	// Every contents entry's page number must be the page where the entry's
	// section is: the role page says "ROLE k OF n", the others show the title.
	entry := regexp.MustCompile(`^\s*(\S.*?\S)\s+[. ]*(\d+)\s*$`)
	titles := map[string]bool{}
	for _, r := range b.Taxonomy.Roles {
		titles[r.Title] = true
	}
	for _, c := range b.Taxonomy.Competencies {
		titles[c.Title] = true
	}
	checked := 0
	role := ""
	for _, line := range strings.Split(ps[1], "\n") {
		m := entry.FindStringSubmatch(line)
		if m == nil || !titles[m[1]] {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > printed {
			t.Errorf("contents: %q on page %d of %d", m[1], n, printed)
			continue
		}
		target := ps[n] // printed page n is pdf page n+1, index n
		if _, isRole := b.Taxonomy.Role(idOfRole(b, m[1])); isRole {
			role = m[1]
			if !strings.Contains(target, "ROLE ") || !strings.Contains(target, m[1]) {
				t.Errorf("contents: role %q says page %d, which is:\n%.300s", m[1], n, target)
			}
		} else if !containsWords(target, m[1]) || !containsWords(target, role) {
			t.Errorf("contents: %q (%s) says page %d, which lacks it", m[1], role, n)
		}
		checked++
	}
	// Every role and each role's competencies, in order.
	want := 0
	for _, r := range b.Taxonomy.Roles {
		want += 1 + len(r.Competencies)
	}
	if checked != want {
		t.Errorf("checked %d contents entries, want %d:\n%s", checked, want, ps[1])
	}
}

func idOfRole(b *seed.Bank, title string) string {
	for _, r := range b.Taxonomy.Roles {
		if r.Title == title {
			return r.ID
		}
	}
	return ""
}

func TestRoleEditionHasOnlyThatRole(t *testing.T) {
	b := seeded(t)
	d := wholeBank(b)
	d.Role = "devops-engineer"
	text := norm(pdftotext(t, render(t, d)))
	in, out := 0, 0
	for _, q := range b.Questions {
		has := containsWords(text, q.Text)
		if slices.Contains(q.Roles, "devops-engineer") {
			in++
			if !has {
				t.Errorf("devops question %s missing", q.ID)
			}
		} else {
			out++
			if has {
				t.Errorf("question %s (roles %v) is in the devops edition", q.ID, q.Roles)
			}
		}
	}
	if in == 0 || out == 0 {
		t.Fatalf("seed bank no longer tests this: %d devops questions, %d others", in, out)
	}
	if !containsWords(text, "DevOps Engineer") {
		t.Error("role title missing")
	}
	for _, r := range b.Taxonomy.Roles {
		if r.ID != "devops-engineer" && containsWords(text, r.Title) {
			t.Errorf("another role's section (%s) is in the devops edition", r.Title)
		}
	}
	for _, id := range []string{"infrastructure-as-code", "ci-cd", "observability"} {
		c, _ := b.Taxonomy.Competency(id)
		if !containsWords(text, c.Title) {
			t.Errorf("devops competency %q missing", c.Title)
		}
	}
	c, _ := b.Taxonomy.Competency("pipeline-design") // a data engineer competency
	if containsWords(text, c.Title) {
		t.Errorf("%q (not a devops competency) is in the devops edition", c.Title)
	}
}

func TestUnknownRole(t *testing.T) {
	b := seeded(t)
	d := wholeBank(b)
	d.Role = "astronaut"
	err := bankpdf.Render(&bytes.Buffer{}, d)
	if !errors.Is(err, bankpdf.ErrUnknownRole) {
		t.Fatalf("Render(role astronaut) = %v, want ErrUnknownRole", err)
	}
}

// A bank with no questions still prints every role's scorecard, and says
// plainly where questions are missing.
func TestEmptyBank(t *testing.T) {
	b := seeded(t)
	d := wholeBank(b)
	d.Questions = nil
	text := norm(pdftotext(t, render(t, d)))
	for _, want := range []string{"No active question probes this competency", "Evaluation criteria", "Data Engineer"} {
		if !containsWords(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

// stressDoc has a question and a competency far larger than real content:
// a word longer than a line, a text and scorecard cells longer than a page,
// and many follow-ups and stacks.
func stressDoc(b *seed.Bank) (bankpdf.Document, qbank.Question, qbank.Competency) {
	tax := b.Taxonomy
	tax.Competencies = slices.Clone(tax.Competencies)
	tax.Roles = slices.Clone(tax.Roles)
	long := func(seed string, n int) string {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "%s %d of the criteria, phrased at length so that the cell wraps many times; ", seed, i)
		}
		return strings.TrimSpace(sb.String())
	}
	comp := qbank.Competency{
		ID: "endurance", Dimension: "technical", Title: "Endurance under very long scorecard cells with a title that wraps",
		Description:    long("Description", 6),
		GreatLooksLike: long("Great", 60) + " " + strings.Repeat("unbreakable", 30),
		RedFlags:       long("Flag", 45),
	}
	tax.Competencies = append(tax.Competencies, comp)
	role := qbank.Role{ID: "stress-tester", Title: "Stress Tester", DimensionWeights: map[string]int{"technical": 45, "behavioral": 35, "contextual": 20},
		Competencies: []string{"endurance", "system-design", "collaboration", "growth-trajectory"}}
	for i := range 6 { // enough rows that the scorecard spans several pages
		id := fmt.Sprintf("filler-%d", i)
		tax.Competencies = append(tax.Competencies, qbank.Competency{ID: id, Dimension: "behavioral", Title: "Filler " + id,
			Description: long("Filler", 2), GreatLooksLike: long("Good", 4), RedFlags: long("Bad", 3)})
		role.Competencies = append(role.Competencies, id)
	}
	tax.Roles = append(tax.Roles, role)
	var fu []string
	for i := range 20 {
		fu = append(fu, fmt.Sprintf("Follow-up %d: %s", i, long("probe", 1+i%4)))
	}
	q := qbank.Question{ID: "stress-" + strings.Repeat("x", 56), Version: 12, Content: qbank.Content{
		Text: "Explain " + strings.Repeat("supercalifragilistic", 15) + " and then " + long("Text", 18) +
			" https://example.com/a/really/long/path/" + strings.Repeat("segment/", 25),
		Roles: []string{"stress-tester", "backend-engineer"}, Dimension: "technical", Competency: "endurance",
		WhatItReveals:  long("Reveals", 8),
		ResponseFormat: qbank.FormatWritten, Minutes: 15,
		Seniorities:   []string{"junior", "mid", "senior"},
		Stacks:        []string{"go", "java", "python", "nodejs", "postgresql", "kafka", "kubernetes", "aws", "terraform", "react", "spark"},
		StackVariants: map[string]qbank.StackVariant{"aws": {Text: long("On AWS", 3)}, "go": {Text: long("In Go", 2)}, "spark": {Text: strings.Repeat("sparkly", 40)}},
		FollowUps:     fu,
		ScoringGuide:  qbank.ScoringGuide{Strong: long("Strong", 30), Adequate: long("Adequate", 5), Weak: long("Weak", 2)},
	}}
	d := wholeBank(b)
	d.Taxonomy = &tax
	d.Questions = append(slices.Clone(b.Questions), q)
	return d, q, comp
}

func TestStressContentDoesNotBreak(t *testing.T) {
	b := seeded(t)
	d, q, comp := stressDoc(b)
	for _, role := range []string{"", "stress-tester"} {
		t.Run("role="+role, func(t *testing.T) {
			d.Role = role
			pdf := render(t, d)
			// Single-column text reads back whole (over-long words were cut
			// to fit, hence the whitespace-free comparison).
			text := squash(pdftotext(t, pdf))
			for _, want := range append([]string{q.Text, q.WhatItReveals, q.ScoringGuide.Strong, q.StackVariants["spark"].Text}, q.FollowUps...) {
				if !strings.Contains(text, squash(want)) {
					t.Errorf("PDF text lacks %.80q…", want)
				}
			}
			// Scorecard cells sit side by side, so read each column on its
			// own from the pages that carry the table's header row.
			const mm = 72 / 25.4
			words := bboxWords(t, pdf)
			great := tableColumn(words, (20+38)*mm, (20+38+66)*mm)
			flags := tableColumn(words, (20+38+66)*mm, 190*mm)
			for _, c := range []struct{ got, want string }{{great, comp.GreatLooksLike}, {flags, comp.RedFlags}} {
				if !strings.Contains(c.got, squash(c.want)) {
					t.Errorf("scorecard column lacks %.80q…", c.want)
				}
			}
			checkInsideMargins(t, words)
		})
	}
}

type word struct {
	x0, y0, x1, y1 float64
	text           string
}

// bboxWords returns each page's words with their boxes, in points.
func bboxWords(t *testing.T, pdf []byte) [][]word {
	t.Helper()
	attr := func(line, name string) float64 {
		_, v, _ := strings.Cut(line, name+`="`)
		v, _, _ = strings.Cut(v, `"`)
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	unescape := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`)
	var pages [][]word
	for _, line := range strings.Split(pdftotext(t, pdf, "-bbox"), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "<page ") {
			pages = append(pages, nil)
			continue
		}
		if !strings.HasPrefix(line, "<word ") || len(pages) == 0 {
			continue
		}
		_, text, _ := strings.Cut(line, ">")
		text, _, _ = strings.Cut(text, "</word>")
		w := word{attr(line, "xMin"), attr(line, "yMin"), attr(line, "xMax"), attr(line, "yMax"), unescape.Replace(text)}
		pages[len(pages)-1] = append(pages[len(pages)-1], w)
	}
	if len(pages) == 0 {
		t.Fatal("pdftotext -bbox found no pages")
	}
	return pages
}

// tableColumn concatenates, without whitespace, the words between x0 and x1
// on every page that shows the scorecard's header row, less the header.
func tableColumn(pages [][]word, x0, x1 float64) string {
	var sb strings.Builder
	for _, ws := range pages {
		headerY := -1.0
		for _, w := range ws {
			if w.text == "Competency" && w.x0 < 65 { // the header's first cell, at the left margin
				headerY = w.y0
			}
		}
		if headerY < 0 {
			continue
		}
		for _, w := range ws {
			if w.x0 >= x0 && w.x0 < x1 && w.y0 > headerY+2 && w.y1 < 276*72/25.4 {
				sb.WriteString(w.text)
			}
		}
	}
	return sb.String()
}

func TestSeededBankInsideMargins(t *testing.T) {
	checkInsideMargins(t, bboxWords(t, render(t, wholeBank(seeded(t)))))
}

// checkInsideMargins asserts that every word poppler finds lies within the
// page's side margins and above the footer's bottom edge.
func checkInsideMargins(t *testing.T, pages [][]word) {
	t.Helper()
	const mm = 72 / 25.4
	left, right, bottom := 20*mm-0.5, (210-20)*mm+0.5, 290*mm
	bad := 0
	for p, ws := range pages {
		for _, w := range ws {
			// Body text ends by 276 mm; the footer's text starts below its
			// rule at 281 mm: nothing may straddle the gap between.
			intoFooter := w.y1 > 278.5*mm && w.y0 < 282*mm
			if w.x0 < left || w.x1 > right || w.y1 > bottom || intoFooter {
				if bad++; bad <= 10 {
					t.Errorf("page %d: %q at x %.1f–%.1f, y %.1f–%.1f pt lies outside the margins", p+1, w.text, w.x0, w.x1, w.y0, w.y1)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	b := seeded(t)
	d := wholeBank(b)
	// As the server passes them: stored versions (their "· vN" is set in Go
	// Mono) and text that needs the fallback face.
	d.Questions = slices.Clone(b.Questions)
	for i := range d.Questions {
		d.Questions[i].Version = 1 + i%3
	}
	d.Questions[0].Text += " (₹2,500)"
	fonts := sha256.Sum256(slices.Concat(goregular.TTF, gobold.TTF, goitalic.TTF, gomono.TTF))

	first := render(t, d)
	shuffled := slices.Clone(d.Questions)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	d.Questions = shuffled
	for i := range 2 {
		if again := render(t, d); !bytes.Equal(first, again) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", i+2, len(again), len(first))
		}
	}
	if sha256.Sum256(slices.Concat(goregular.TTF, gobold.TTF, goitalic.TTF, gomono.TTF)) != fonts {
		t.Fatal("rendering changed the embedded gofont bytes")
	}
	d.Revision++
	if bytes.Equal(first, render(t, d)) {
		t.Fatal("a different revision rendered the same bytes")
	}
}

// Characters no embedded font has (an emoji beyond the BMP, which fpdf
// cannot address either) and control characters must not break the file.
func TestUndrawableCharacters(t *testing.T) {
	b := seeded(t)
	d := wholeBank(b)
	d.Title = "Bank\nwith a\x07 newline"
	d.Role = "backend-engineer"
	q := b.Questions[0]
	q.ID, q.Roles = "emoji-question", []string{"backend-engineer"}
	q.Text = "Ship it 🚀 today,\tthen\x00 report back ✓ with 中文."
	d.Questions = []qbank.Question{q}
	text := pdftotext(t, render(t, d))
	for _, want := range []string{"Ship it \uFFFD today, then report back", "Bank with a newline"} {
		if !containsWords(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

// The server renders for concurrent downloads; the race detector (CI runs
// with -race) checks the shared, parsed fonts are only read.
func TestConcurrentRenders(t *testing.T) {
	b := seeded(t)
	want := render(t, wholeBank(b))
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			err := bankpdf.Render(&buf, wholeBank(b))
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = errors.New("a concurrent render differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkRenderSeededBank(b *testing.B) {
	bank := seeded(b)
	d := wholeBank(bank)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := bankpdf.Render(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/pdf")
}
