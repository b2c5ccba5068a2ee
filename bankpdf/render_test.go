package bankpdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/bankpdf/pdftest"
)

// These tests read every document back with poppler (pdftotext, pdftohtml)
// as a reader would see it. They skip where poppler is not installed; CI
// installs it, and there they always run.

var asOf = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

func render(t testing.TB, name string, f func(io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out[max(len(out)-64, 0):], []byte("%%EOF")) {
		t.Fatalf("%s: the output is not a complete PDF", name)
	}
	if dir := os.Getenv("BANKPDF_OUT"); dir != "" { // to look at them: BANKPDF_OUT=/tmp/x go test ./bankpdf
		_ = os.WriteFile(filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_", "[", "", "]", "").Replace(name)+".pdf"), out, 0o600)
	}
	return out
}

func renderBank(t testing.TB, name string, b bankpdf.Bank) []byte {
	t.Helper()
	return render(t, name, func(w io.Writer) error { return bankpdf.RenderBank(w, b) })
}

func renderKit(t testing.TB, name string, k bankpdf.Kit) []byte {
	t.Helper()
	return render(t, name, func(w io.Writer) error { return bankpdf.RenderKit(w, k) })
}

// printed is a document as a reader sees it: its pages as pdftotext reads
// them and its pieces, sizes and outline as pdftohtml does.
type printed struct {
	pdf   []byte
	pages []string
	words *pdftest.Words
	doc   *pdftest.Doc
}

type sharedDoc struct {
	once sync.Once
	p    *printed
}

var sharedDocs sync.Map // name → *sharedDoc

// read renders the document named name once per test binary, however many
// tests look at it, and reads it back once: rendering the bank and reading
// it back are what these tests spend their time on, the race detector
// multiplying both.
func read(t *testing.T, name string, f func(io.Writer) error) *printed {
	t.Helper()
	pdftest.Need(t)
	v, _ := sharedDocs.LoadOrStore(name, &sharedDoc{})
	s := v.(*sharedDoc)
	s.once.Do(func() {
		pdf := render(t, name, f)
		pages := pdftest.Pages(t, pdf)
		s.p = &printed{pdf: pdf, pages: pages, words: pdftest.NewWords(pages), doc: pdftest.Read(t, pdf)}
	})
	if s.p == nil {
		t.Fatalf("%s could not be rendered or read (see the test that first asked for it)", name)
	}
	return s.p
}

func readBank(t *testing.T, name string, b bankpdf.Bank) *printed {
	t.Helper()
	return read(t, name, func(w io.Writer) error { return bankpdf.RenderBank(w, b) })
}

// The documents several tests read.
func wholeBank(t *testing.T) *printed {
	tax, qs := pdftest.RichBank(t)
	return readBank(t, "whole bank", bankpdf.Bank{Revision: 42, AsOf: asOf, Taxonomy: tax, Questions: qs})
}

func publishedBank(t *testing.T) (bankpdf.Bank, *printed) {
	tax, qs := pdftest.RichBank(t)
	b := bankpdf.Bank{Revision: 7, AsOf: asOf, Collection: pdftest.Published, Taxonomy: tax, Questions: qs}
	return b, readBank(t, "published bank", b)
}

func roleKit(t *testing.T, role string) *printed {
	tax, qs := pdftest.RichBank(t)
	return readBank(t, "role kit "+role, bankpdf.Bank{Revision: 3, AsOf: asOf, Role: role, Taxonomy: tax, Questions: qs})
}

func ref(q qbank.Question) string { return fmt.Sprintf("%s@%d", q.ID, q.Version) }

// block is where a question is printed: its number and page.
type block struct{ num, page int }

// pageRow is one line of a page: the pieces at one height.
type pageRow struct {
	page   int
	pieces []pdftest.Piece
}

func pageRows(d *pdftest.Doc) []pageRow {
	var rows []pageRow
	for _, p := range d.Pages {
		byTop := map[int][]pdftest.Piece{}
		for _, pc := range p.Pieces {
			k := int(math.Round(pc.Top))
			for _, dk := range []int{-1, 1} { // the same line, a rounding apart
				if _, ok := byTop[k+dk]; ok {
					k += dk
				}
			}
			byTop[k] = append(byTop[k], pc)
		}
		keys := make([]int, 0, len(byTop))
		for k := range byTop {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			rows = append(rows, pageRow{p.Number, byTop[k]})
		}
	}
	return rows
}

// qnum is the question number a piece reads ("Q12"), or 0.
func qnum(pc pdftest.Piece) int {
	s := strings.TrimSpace(pc.Text)
	if !strings.HasPrefix(s, "Q") {
		return 0
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil {
		return 0
	}
	return n
}

// blocks finds each question's block by the ref label in its header (the
// number on the same line), and the index's row for it; it requires one
// block per question, numbers 1…n each used once, and index rows that give
// the block's number and page. One pass over the document's lines.
func blocks(t *testing.T, d *pdftest.Doc, qs []qbank.Question) map[string]block {
	t.Helper()
	byRef := map[string]qbank.Question{}
	byID := map[string]qbank.Question{}
	for _, q := range qs {
		byRef[ref(q)], byID[q.ID] = q, q
	}
	found := map[string][]block{}
	type indexRow struct{ num, page int }
	indexed := map[string][]indexRow{}
	for _, r := range pageRows(d) {
		num := 0
		texts := map[string]bool{}
		for _, pc := range r.pieces {
			num = max(num, qnum(pc))
			texts[strings.TrimSpace(pc.Text)] = true
		}
		if num == 0 {
			continue
		}
		if len(r.pieces) == 2 {
			for s := range texts {
				if q, ok := byRef[s]; ok {
					found[q.ID] = append(found[q.ID], block{num, r.page})
				}
			}
		}
		// The index: id, version, number, page on one line.
		for s := range texts {
			if q, ok := byID[s]; ok && texts[fmt.Sprintf("v%d", q.Version)] {
				page := 0
				for _, pc := range r.pieces {
					if n, err := strconv.Atoi(strings.TrimSpace(pc.Text)); err == nil {
						page = n
					}
				}
				indexed[q.ID] = append(indexed[q.ID], indexRow{num, page})
			}
		}
	}
	out := map[string]block{}
	used := map[int]string{}
	for _, q := range qs {
		if len(found[q.ID]) != 1 {
			t.Errorf("%s: %d question blocks (%v), want 1", ref(q), len(found[q.ID]), found[q.ID])
			continue
		}
		b := found[q.ID][0]
		if prev, dup := used[b.num]; dup {
			t.Errorf("Q%d is both %s and %s", b.num, prev, q.ID)
		}
		used[b.num] = q.ID
		out[q.ID] = b
		if len(indexed[q.ID]) == 0 {
			t.Errorf("index: no row for %s", q.ID)
		}
		for _, ir := range indexed[q.ID] {
			if ir.num != b.num || ir.page != b.page {
				t.Errorf("index: %s is Q%d on page %d, but its block is Q%d on page %d", q.ID, ir.num, ir.page, b.num, b.page)
			}
		}
	}
	for n := 1; n <= len(qs); n++ {
		if _, ok := used[n]; !ok && len(out) == len(qs) {
			t.Errorf("no question is Q%d: numbers are not 1…%d", n, len(qs))
		}
	}
	return out
}

// texts are a question's body texts, as printed: in a bank or role kit
// (variants true) its stack variants too.
func texts(r qbank.Rendered, q qbank.Question, variants bool) []string {
	out := []string{r.Text, q.WhatItReveals, r.ScoringGuide.Strong, r.ScoringGuide.Adequate, r.ScoringGuide.Weak}
	out = append(out, r.FollowUps...)
	if variants {
		for _, v := range q.StackVariants {
			out = append(out, v.Text)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// checkDocument runs the checks every document must pass: footers, fill,
// body size, one block per question with its number and index row, each
// question's text printed once, and each question on one page (see
// together).
func checkDocument(t *testing.T, p *printed, qs []qbank.Question, rendered func(qbank.Question) qbank.Rendered, extra []string, variants bool) map[string]block {
	t.Helper()
	if len(p.pages) != len(p.doc.Pages) {
		t.Fatalf("pdftotext reads %d pages, pdftohtml %d", len(p.pages), len(p.doc.Pages))
	}
	pdftest.CheckFooters(t, p.pages)
	pdftest.CheckFill(t, p.doc)
	all := slices.Clone(extra)
	for _, q := range qs {
		all = append(all, texts(rendered(q), q, variants)...)
	}
	pdftest.CheckBodySize(t, p.doc, all)
	where := blocks(t, p.doc, qs)
	for _, q := range qs {
		r := rendered(q)
		if n := p.words.Count(r.Text); n != 1 {
			t.Errorf("%s: its text is printed %d times, want once", q.ID, n)
			continue
		}
		if b, ok := where[q.ID]; ok {
			together(t, p, q, b, texts(r, q, variants))
		}
	}
	if len(p.doc.Outline) == 0 {
		t.Error("the PDF has no bookmarks")
	}
	return where
}

// together requires a question's block on one page: its text, what it
// reveals, its scoring guide, probes and variants all on the page its
// header is on. The one exception (the spec's) is a block taller than a
// page: it runs on, each page it continues on opening with its
// "(continued)" line, and then it must be shown to be that tall.
func together(t *testing.T, p *printed, q qbank.Question, b block, parts []string) {
	t.Helper()
	last := continuedTo(p.doc, q, b)
	for _, s := range parts {
		if last == b.page && !p.words.OnPage(b.page, s) {
			t.Errorf("%s: its block is on page %d but %.50q… is not", q.ID, b.page, s)
		} else if last > b.page && !p.words.OnPages(b.page, last, s) {
			t.Errorf("%s: its block runs from page %d to %d but %.50q… is not on them", q.ID, b.page, last, s)
		}
	}
	if last == b.page {
		return
	}
	// Measure what the block printed: from its header to the foot of its
	// first page, every page it fills, and on its last page down to the
	// next question's header (or the last line).
	const slack = 10 * pdftest.MM // the line boxes around the text pieces
	h := 0.0
	for n := b.page; n <= last; n++ {
		pg := p.doc.Pages[n-1]
		top, bottom := pdftest.BodyBot, pdftest.BodyTop
		for _, pc := range pg.Pieces {
			if pc.Top < pdftest.BodyTop || pc.Top > pdftest.BodyBot {
				continue
			}
			if n == b.page && strings.TrimSpace(pc.Text) == ref(q) {
				top = min(top, pc.Top)
			} else if n > b.page {
				top = min(top, pc.Top)
			}
		}
		end := pdftest.BodyBot
		if n == last {
			for _, pc := range pg.Pieces {
				if qnum(pc) > 0 && pc.Top > top+pdftest.MM {
					end = min(end, pc.Top)
				}
			}
		}
		for _, pc := range pg.Pieces {
			if pc.Top >= top && pc.Top+pc.Height <= end && pc.Top <= pdftest.BodyBot {
				bottom = max(bottom, pc.Top+pc.Height)
			}
		}
		h += max(0, bottom-top)
	}
	if h < pdftest.BodyBot-pdftest.BodyTop-slack {
		t.Errorf("%s runs on from page %d to %d, but prints only %.0f mm: it would have fitted one page (%.0f mm)",
			q.ID, b.page, last, h/pdftest.MM, (pdftest.BodyBot-pdftest.BodyTop)/pdftest.MM)
	}
}

// continuedTo is the last page of the block at b: the pages after its own
// that open with its "(continued)" line.
func continuedTo(d *pdftest.Doc, q qbank.Question, b block) int {
	marker := pdftest.Norm(fmt.Sprintf("Q%d · %s (continued)", b.num, ref(q)))
	last := b.page
	for last < len(d.Pages) && strings.HasPrefix(pdftest.Norm(pdftest.FirstLine(d.Pages[last])), marker) {
		last++
	}
	return last
}

func own(q qbank.Question) qbank.Rendered { return q.ForStacks(nil) }

func criteria(tax *qbank.Taxonomy) []string {
	var out []string
	for _, c := range tax.Competencies {
		out = append(out, c.GreatLooksLike, c.RedFlags)
	}
	for _, g := range tax.ReviewerGuidance {
		out = append(out, g.Text)
	}
	for _, p := range tax.RatingScale {
		out = append(out, p.Description)
	}
	return out
}

func outlineHas(d *pdftest.Doc, title string) bool {
	return slices.ContainsFunc(d.Outline, func(o pdftest.OutlineItem) bool { return o.Title == title })
}

func TestWholeBankPrintsEachQuestionOnce(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	p := wholeBank(t)
	checkDocument(t, p, qs, own, criteria(tax), true)
	pages, d := p.pages, p.doc
	for _, want := range []string{"Bank revision 42", "Last changed 27 November 2026", "How to rate", "Index of questions"} {
		if !p.words.Contains(want) {
			t.Errorf("the bank lacks %q", want)
		}
	}
	// The index of roles lists, for each role, its questions by number.
	rolesPage := pages[slices.IndexFunc(pages, func(p string) bool { return strings.Contains(p, "Questions (") })]
	for _, r := range tax.Roles {
		n := 0
		for _, q := range qs {
			if slices.Contains(q.Roles, r.ID) {
				n++
			}
		}
		if !pdftest.Contains(rolesPage, r.Title) || !pdftest.Contains(rolesPage, fmt.Sprintf("Questions (%d)", n)) {
			t.Errorf("the index of roles lacks %s with its %d questions", r.Title, n)
		}
	}
	for _, dim := range tax.Dimensions {
		if !outlineHas(d, dim.Title) {
			t.Errorf("no bookmark for %s", dim.Title)
		}
	}
	for _, want := range []string{"Contents", "How to rate", "Roles", "Index of questions", "Quick reference: the rating scale"} {
		if !outlineHas(d, want) {
			t.Errorf("no bookmark %q", want)
		}
	}
	// The closing page is the rating scale.
	last := pages[len(pages)-1]
	for _, p := range tax.RatingScale {
		if !pdftest.Contains(last, p.Label) || !pdftest.Contains(last, p.Description) {
			t.Errorf("the quick reference lacks %d %s", p.Value, p.Label)
		}
	}
}

// The page's five sample questions, as the product page prints them.
var pageSamples = []string{
	"Walk me through how you would design an API rate limiting system. What trade-offs would you consider?",
	"You're debugging a production issue where API response times have suddenly increased by 10x. Walk me through your approach.",
	"Describe a technical decision you made that you later regretted. What would you do differently?",
	"Tell me about a time you disagreed with a frontend engineer about API design. How did you handle it?",
	"Describe a situation where you had to maintain a system you didn't build. What was challenging?",
}

func TestPublishedBankIsTheCollection(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	coll, ok := tax.Collection(pdftest.Published)
	if !ok {
		t.Fatalf("the taxonomy has no %s collection", pdftest.Published)
	}
	_, p := publishedBank(t)
	var in, out []qbank.Question
	for _, q := range qs {
		if slices.Contains(q.Collections, pdftest.Published) {
			in = append(in, q)
		} else {
			out = append(out, q)
		}
	}
	// The bank holds questions on either side, or this tests nothing.
	if len(in) != coll.Size || len(out) < len(in) {
		t.Fatalf("the bank has %d questions in the collection (it says %d) and %d out", len(in), coll.Size, len(out))
	}
	checkDocument(t, p, in, own, criteria(tax), true)
	for _, q := range out {
		if p.words.Contains(q.Text) || p.words.Contains(q.WhatItReveals) {
			t.Errorf("%s is not in the collection but is printed", q.ID)
		}
	}
	for _, s := range pageSamples {
		if n := p.words.Count(s); n != 1 {
			t.Errorf("the page sample %q is printed %d times, want once", s, n)
		}
	}
	if !pdftest.Contains(p.pages[0], coll.Title) || !pdftest.Contains(p.pages[0], fmt.Sprintf("%d questions", len(in))) {
		t.Errorf("the cover does not present the collection:\n%s", p.pages[0])
	}
}

func TestRoleKits(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	for _, r := range tax.Roles {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			p := roleKit(t, r.ID)
			var mine []qbank.Question
			for _, q := range qs {
				if slices.Contains(q.Roles, r.ID) {
					mine = append(mine, q)
				}
			}
			checkDocument(t, p, mine, own, criteria(tax), true)
			d, pages, words := p.doc, p.pages, p.words
			for _, q := range qs {
				if !slices.Contains(q.Roles, r.ID) && words.Contains(q.Text) {
					t.Errorf("%s is not a %s question but is printed", q.ID, r.ID)
				}
			}
			// How to rate comes first: guidance and scale before any question.
			guide, _ := words.PageOf(tax.ReviewerGuidance[0].Text)
			scale, _ := words.PageOf(tax.RatingScale[1].Description)
			first, _ := pdftest.PageOf(pages, "Q1 ")
			if guide == 0 || scale == 0 || guide >= first || scale >= first {
				t.Errorf("guidance on page %d and rating scale on page %d, first question on page %d", guide, scale, first)
			}
			// Every competency of the role, with the role's own criteria.
			for _, c := range r.Competencies {
				crit := tax.CriteriaFor(r.ID, c)
				comp, _ := tax.Competency(c)
				if !outlineHas(d, comp.Title) && slices.ContainsFunc(mine, func(q qbank.Question) bool { return q.Competency == c }) {
					t.Errorf("no bookmark for %s", comp.Title)
				}
				if words.Count(crit.GreatLooksLike) < 1 || words.Count(crit.RedFlags) < 1 {
					t.Errorf("the criteria of %s for %s are missing", c, r.ID)
				}
				if own, ok := r.Criteria[c]; ok {
					general, _ := tax.Competency(c)
					if !words.Contains(own.GreatLooksLike) || (general.GreatLooksLike != own.GreatLooksLike && words.Contains(general.GreatLooksLike)) {
						t.Errorf("the %s kit does not use the role's own %s criteria", r.ID, c)
					}
				}
			}
			// Stack variants with their own probes, follow-ups as final-round
			// probes, level anchors.
			wants := []string{"FINAL-ROUND"}
			for _, q := range mine {
				for _, lv := range q.ScoringGuide.Levels {
					if lv.Strong != "" {
						wants = append(wants, lv.Strong)
					}
				}
				for _, v := range q.StackVariants {
					wants = append(wants, v.FollowUps...)
				}
			}
			if slices.ContainsFunc(mine, func(q qbank.Question) bool { return len(q.StackVariants) > 0 }) {
				wants = append(wants, "STACK VARIANTS")
			}
			for _, want := range wants {
				if !words.Contains(want) {
					t.Errorf("the %s kit lacks %.60q…", r.ID, want)
				}
			}
		})
	}
}

// kitFor picks items as an assessment would: one per competency of the
// role, in the role's order, two for the first.
func kitFor(tax *qbank.Taxonomy, qs []qbank.Question, role string, stacks []string) bankpdf.Kit {
	r, _ := tax.Role(role)
	k := bankpdf.Kit{Role: role, Stacks: stacks, Taxonomy: tax}
	for i, c := range r.Competencies {
		want := 1
		if i == 0 {
			want = 2
		}
		for _, q := range qs {
			if want > 0 && q.Competency == c && slices.Contains(q.Roles, role) {
				k.Items = append(k.Items, q)
				want--
			}
		}
	}
	return k
}

func TestAssessmentKit(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	for _, role := range tax.RoleIDs() {
		for _, stacks := range [][]string{nil, {"golang", "postgres"}} {
			t.Run(fmt.Sprintf("%s/%v", role, stacks), func(t *testing.T) {
				t.Parallel()
				k := kitFor(tax, qs, role, stacks)
				ids := []string{}
				for _, s := range stacks {
					id, _ := tax.ResolveStack(s)
					ids = append(ids, id)
				}
				rendered := func(q qbank.Question) qbank.Rendered { return q.ForStacks(ids) }
				p := read(t, "assessment kit "+t.Name(), func(w io.Writer) error { return bankpdf.RenderKit(w, k) })
				where := checkDocument(t, p, k.Items, rendered, criteria(tax), false)
				d, pages, words := p.doc, p.pages, p.words
				for i, q := range k.Items {
					if b := where[q.ID]; b.num != i+1 {
						t.Errorf("item %d (%s) is Q%d", i+1, q.ID, b.num)
					}
				}
				// The cover, items at a glance and how to use the kit are
				// one page: "How to rate" opens the second.
				if first := pdftest.FirstLine(d.Pages[1]); !strings.HasPrefix(first, "How to rate") {
					t.Errorf("the cover runs onto page 2, which opens with %q", first)
				}
				// Exactly the items: no other question of the bank.
				for _, q := range qs {
					if !slices.ContainsFunc(k.Items, func(it qbank.Question) bool { return it.ID == q.ID }) && words.Contains(q.Text) {
						t.Errorf("%s is not an item but is printed", q.ID)
					}
				}
				worded := 0
				for _, q := range k.Items {
					r := rendered(q)
					if r.Stack == "" {
						continue
					}
					worded++
					if words.Contains(q.Text) {
						t.Errorf("%s is worded for %s, but its general text is printed", q.ID, r.Stack)
					}
					for _, f := range r.FollowUps {
						if !words.Contains(f) {
							t.Errorf("%s: the %s variant's probe %q is missing", q.ID, r.Stack, f)
						}
					}
				}
				if len(stacks) > 0 && worded == 0 && role == "backend-engineer" {
					t.Error("no item of the backend kit is worded for Go: the test no longer tests wording")
				}
				// The scorecard: a block per competency of the role, with the
				// scale's boxes, and the overall recommendation.
				sc := slices.IndexFunc(d.Outline, func(o pdftest.OutlineItem) bool { return o.Title == "Scorecard" })
				if sc < 0 {
					t.Fatal("no Scorecard bookmark")
				}
				card := strings.Join(pages[d.Outline[sc].Page-1:], "\f")
				r, _ := tax.Role(role)
				for _, c := range r.Competencies {
					comp, _ := tax.Competency(c)
					if !pdftest.Contains(card, comp.Title) {
						t.Errorf("the scorecard lacks %s", comp.Title)
					}
				}
				if got := pdftest.Count(card, "4 Strong"); got != len(r.Competencies) {
					t.Errorf("the scorecard has %d rating rows, want one per competency (%d)", got, len(r.Competencies))
				}
				for _, want := range []string{"Overall recommendation", "WHERE TO PROBE IN THE FINAL ROUND", "CANDIDATE", "REVIEWER"} {
					if !pdftest.Contains(card, want) {
						t.Errorf("the scorecard lacks %q", want)
					}
				}
			})
		}
	}
}

// Questions with code listings are nearly a page tall: too tall to share
// the first page of a kit's questions with its heading. Each still prints
// whole on a page of its own, never split to keep the heading company.
func TestTallItems(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	k := bankpdf.Kit{Role: "backend-engineer", Taxonomy: tax}
	for _, id := range []string{"java-transactional-review", "reading-a-slow-trace", "code-review-discount-function", "sql-join-double-counting", "terraform-plan-forces-replacement"} {
		i := slices.IndexFunc(qs, func(q qbank.Question) bool { return q.ID == id })
		if i < 0 {
			t.Fatalf("the bank has no %s", id)
		}
		k.Items = append(k.Items, qs[i])
	}
	p := read(t, "tall items", func(w io.Writer) error { return bankpdf.RenderKit(w, k) })
	checkDocument(t, p, k.Items, own, nil, false)
	if p.words.Contains("(continued)") {
		t.Error("a question shorter than a page is continued")
	}
	// A listing keeps its lines and its indentation: in a 10 pt monospace
	// face, each level of two spaces moves a line 12 pt right.
	left := map[string]float64{}
	for _, pg := range p.doc.Pages {
		for _, pc := range pg.Pieces {
			left[strings.TrimSpace(pc.Text)] = pc.Left
		}
	}
	outer, okO := left["public class OrderService {"]
	inner, okI := left["public void placeOrder(Order order) {"]
	body, okB := left["saveOrder(order);"]
	if !okO || !okI || !okB {
		t.Fatalf("the Java listing's lines are not printed one to a line (class %v, method %v, body %v)", okO, okI, okB)
	}
	if math.Abs(inner-outer-12) > 0.5 || math.Abs(body-inner-12) > 0.5 {
		t.Errorf("the listing's indentation is lost: lines start at %.1f, %.1f and %.1f pt", outer, inner, body)
	}
}

func TestKitRequest(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	byRef := map[qbank.Ref]qbank.Question{}
	for _, q := range qs {
		byRef[qbank.Ref{ID: q.ID, Version: q.Version}] = q
	}
	looked := 0
	lookup := func(r qbank.Ref) (qbank.Question, bool, error) {
		looked++
		q, ok := byRef[r]
		return q, ok, nil
	}
	backend := qs[slices.IndexFunc(qs, func(q qbank.Question) bool { return q.ID == "api-rate-limiting-design" })] // a backend question
	data := slices.IndexFunc(qs, func(q qbank.Question) bool { return !slices.Contains(q.Roles, "backend-engineer") })
	t.Run("OK", func(t *testing.T) {
		k, err := bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{ref(backend)}, Stacks: []string{"Golang"}}.Resolve(tax, lookup)
		if err != nil || len(k.Items) != 1 || k.Items[0].ID != backend.ID || !slices.Equal(k.Stacks, []string{"go"}) {
			t.Fatalf("Resolve = %+v, %v", k, err)
		}
	})
	for _, c := range []struct {
		name   string
		req    bankpdf.KitRequest
		fields []string
	}{
		{"Unknown", bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{ref(backend), "no-such-question@1", backend.ID[:5] + "x@1"}}, []string{"refs[1]", "refs[2]"}},
		{"Unpinned", bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{backend.ID}}, []string{"refs[0]"}},
		{"NoSuchVersion", bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{backend.ID + "@99"}}, []string{"refs[0]"}},
		{"AnotherRole", bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{ref(qs[data])}}, []string{"refs[0]"}},
		{"Twice", bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{ref(backend), ref(backend)}}, []string{"refs[1]"}},
		{"Malformed", bankpdf.KitRequest{Role: "backend-engineer", Refs: []string{"Not A Ref"}}, []string{"refs[0]"}},
		{"NoRefs", bankpdf.KitRequest{Role: "backend-engineer"}, []string{"refs"}},
		{"RoleAndStack", bankpdf.KitRequest{Role: "astronaut", Refs: []string{ref(backend)}, Stacks: []string{"cobol"}}, []string{"role", "stacks[0]"}},
		{"TooMany", bankpdf.KitRequest{Role: "backend-engineer", Refs: slices.Repeat([]string{ref(backend)}, bankpdf.MaxKitRefs+1)}, []string{"refs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := looked
			_, err := c.req.Resolve(tax, lookup)
			var e *qbank.Error
			if !errors.As(err, &e) || e.Code != qbank.EINVALID {
				t.Fatalf("Resolve = %v, want EINVALID", err)
			}
			for _, f := range c.fields {
				if !slices.ContainsFunc(e.Violations, func(v qbank.FieldViolation) bool { return v.Field == f }) {
					t.Errorf("no violation names %s: %v", f, e.Violations)
				}
			}
			if c.name == "Malformed" || c.name == "TooMany" || c.name == "RoleAndStack" {
				if looked != before {
					t.Errorf("a malformed request looked up %d questions", looked-before)
				}
			}
		})
	}
}

// A bank whose taxonomy has no rating scale or reviewer guidance yet still
// prints: the scorecard falls back to the scoring guide's anchors.
func TestWithoutRatingScale(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	bare := *tax
	bare.RatingScale, bare.ReviewerGuidance = nil, nil
	k := kitFor(&bare, qs, "data-engineer", nil)
	p := read(t, "kit without a rating scale", func(w io.Writer) error { return bankpdf.RenderKit(w, k) })
	checkDocument(t, p, k.Items, own, nil, false)
	if !p.words.Contains("0 No evidence") {
		t.Error("without a rating scale the scorecard does not fall back to the guide's anchors")
	}
	if p.words.Contains(tax.RatingScale[1].Description) {
		t.Error("a rating scale the taxonomy does not have is printed")
	}
}

func TestUnknownRoleCollectionStack(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	for _, c := range []struct {
		err error
		f   func() error
	}{
		{bankpdf.ErrUnknownRole, func() error {
			return bankpdf.RenderBank(io.Discard, bankpdf.Bank{Role: "astronaut", Taxonomy: tax, Questions: qs})
		}},
		{bankpdf.ErrUnknownCollection, func() error {
			return bankpdf.RenderBank(io.Discard, bankpdf.Bank{Collection: "nope", Taxonomy: tax, Questions: qs})
		}},
		{bankpdf.ErrUnknownStack, func() error {
			return bankpdf.RenderKit(io.Discard, bankpdf.Kit{Role: "backend-engineer", Stacks: []string{"cobol"}, Taxonomy: tax})
		}},
	} {
		if err := c.f(); !errors.Is(err, c.err) {
			t.Errorf("got %v, want %v", err, c.err)
		}
	}
}

// A question far larger than real content: a word longer than a line, a
// text, guide and probe list longer than a page. It runs on under a
// "continued" line, nothing crosses a margin, and every word is printed.
func TestStressQuestion(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	long := func(s string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s %d, phrased at length so that the paragraph wraps many times over; ", s, i)
		}
		return strings.TrimSpace(b.String())
	}
	var fu []string
	for i := range 24 {
		fu = append(fu, fmt.Sprintf("Probe %d: %s", i, long("probe", 1+i%3)))
	}
	q := qbank.Question{ID: "stress-" + strings.Repeat("x", 56), Version: 12, State: qbank.StateActive, Content: qbank.Content{
		Text:  "Explain " + strings.Repeat("supercalifragilistic", 12) + " and then " + long("Text", 12),
		Roles: []string{"backend-engineer"}, Dimension: "technical", Competency: "system-design",
		WhatItReveals: long("Reveals", 6), ResponseFormat: qbank.FormatWritten, Minutes: 15,
		Stacks:        []string{"go", "java", "python", "nodejs", "postgresql", "kafka", "kubernetes", "aws"},
		StackVariants: map[string]qbank.StackVariant{"go": {Text: long("In Go", 4), FollowUps: []string{long("Go probe", 2)}}, "aws": {Text: strings.Repeat("cloudy", 40)}},
		FollowUps:     fu,
		ScoringGuide:  qbank.ScoringGuide{Strong: long("Strong", 14), Adequate: long("Adequate", 4), Weak: long("Weak", 2)},
	}}
	// A few ordinary questions around it: the stress is in the one.
	var others []qbank.Question
	for _, o := range qs {
		if slices.Contains(o.Roles, "backend-engineer") && len(others) < 3 {
			others = append(others, o)
		}
	}
	for _, role := range []string{"backend-engineer"} {
		p := readBank(t, "stress", bankpdf.Bank{Role: role, Taxonomy: tax, Questions: append(slices.Clone(others), q)})
		// The text without the running header, footer and continuation
		// lines that interrupt it where it runs on.
		var body []string
		for _, pg := range p.pages {
			header := 2 // the running header's title and section
			for _, ln := range strings.Split(pg, "\n") {
				switch {
				case strings.TrimSpace(ln) == "":
				case header > 0:
					header--
				case strings.HasPrefix(ln, "Confidential") || strings.HasPrefix(ln, "Page ") || strings.Contains(ln, "(continued)"):
				case slices.Contains([]string{"WHAT IT", "REVEALS", "Strong", "Adequate", "Weak", "FINAL-ROUND", "PROBES"}, strings.TrimSpace(ln)):
					// the side labels, which pdftotext reads between a
					// part's lines where it runs on
				default:
					body = append(body, ln)
				}
			}
		}
		pdf, raw := p.pdf, strings.Join(body, "\n")
		if !strings.Contains(strings.Join(p.pages, "\f"), "(continued)") {
			t.Error("a question longer than a page carries no continuation marker")
		}
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		for _, want := range append([]string{q.Text, q.WhatItReveals, q.ScoringGuide.Strong, q.StackVariants["aws"].Text}, q.FollowUps...) {
			if !strings.Contains(squash(raw), squash(want)) {
				t.Errorf("the PDF lacks %.60q…", want)
			}
		}
		d := p.doc
		// It is the one block that runs on, and it is truly taller than a
		// page; the others each keep to one page.
		for _, pg := range d.Pages {
			for _, pc := range pg.Pieces {
				if strings.TrimSpace(pc.Text) == ref(q) {
					var num int
					for _, o := range pg.Pieces {
						if math.Abs(o.Top-pc.Top) < 2 && qnum(o) > 0 {
							num = qnum(o)
						}
					}
					b := block{num, pg.Number}
					if last := continuedTo(d, q, b); last == b.page {
						t.Errorf("the stress question (Q%d, page %d) is not continued", num, b.page)
					}
					together(t, p, q, b, nil)
				}
			}
		}
		where := blocks(t, d, append(slices.Clone(others), q))
		for _, o := range others {
			if b, ok := where[o.ID]; ok {
				together(t, p, o, b, texts(own(o), o, true))
			}
		}
		_ = pdf
		for _, p := range d.Pages {
			for _, pc := range p.Pieces {
				if pc.Left < 20*72/25.4-1 || pc.Left+pc.Width > (210-20)*72/25.4+1 {
					t.Errorf("page %d: %q crosses a side margin", p.Number, pc.Text)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	_, qs := pdftest.RichBank(t)
	b, p := publishedBank(t)
	first := p.pdf
	shuffled := slices.Clone(qs)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b.Questions = shuffled
	if again := renderBank(t, "shuffled", b); !bytes.Equal(first, again) {
		t.Fatal("the same bank in another order rendered differently")
	}
	b.Revision++
	if bytes.Equal(first, renderBank(t, "next revision", b)) {
		t.Fatal("another revision rendered the same bytes")
	}
}

// Characters no embedded font has and control characters must not break
// the file; the rupee sign, which the product's pricing uses, comes from
// the fallback face.
func TestUnusualCharacters(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	q := qs[0]
	q.Text = "A customer on the ₹2,500 “Starter” plan says p99 rose 10× – from 120 ms ± 5 – after last week’s release. Ship it 🚀,\tthen\x00 report ✓ 中文."
	raw := pdftest.Text(t, renderBank(t, "unusual", bankpdf.Bank{Role: "backend-engineer", Taxonomy: tax, Questions: []qbank.Question{q}}))
	for _, want := range []string{"₹2,500", "“Starter”", "10× – from", "± 5", "week’s", "Ship it \uFFFD, then report ✓"} {
		if !pdftest.Contains(raw, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
}

// The server renders for concurrent downloads; the race detector checks
// the shared fonts and glyph widths are safe to share.
func TestConcurrentRenders(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	k := kitFor(tax, qs, "devops-engineer", []string{"kubernetes"})
	want := renderKit(t, "concurrent", k)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			err := bankpdf.RenderKit(&buf, k)
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
