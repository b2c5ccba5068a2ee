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
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/bankpdf/pdftest"
	"github.com/layersrank/qbank/seed"
)

// These tests read every document back with poppler (pdftotext, pdftohtml)
// as a reader would see it. They skip where poppler is not installed; CI
// installs it, and there they always run.

var asOf = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

func render(t testing.TB, f func(io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out[max(len(out)-64, 0):], []byte("%%EOF")) {
		t.Fatal("the output is not a complete PDF")
	}
	if dir := os.Getenv("BANKPDF_OUT"); dir != "" { // to look at them: BANKPDF_OUT=/tmp/x go test ./bankpdf
		_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), out, 0o600)
	}
	return out
}

func renderBank(t testing.TB, b bankpdf.Bank) []byte {
	t.Helper()
	return render(t, func(w io.Writer) error { return bankpdf.RenderBank(w, b) })
}

func renderKit(t testing.TB, k bankpdf.Kit) []byte {
	t.Helper()
	return render(t, func(w io.Writer) error { return bankpdf.RenderKit(w, k) })
}

func ref(q qbank.Question) string { return fmt.Sprintf("%s@%d", q.ID, q.Version) }

// block is where a question is printed: its number and page.
type block struct{ num, page int }

// blocks finds each question's block by the ref label in its header (the
// number on the same line), and the index's row for it; it requires one
// block per question, numbers 1…n each used once, and index rows that give
// the block's number and page.
func blocks(t *testing.T, d *pdftest.Doc, qs []qbank.Question) map[string]block {
	t.Helper()
	type row struct {
		page   int
		pieces []pdftest.Piece
	}
	var rows []row
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
		for _, k := range slices.Sorted(func(yield func(int) bool) {
			for k := range byTop {
				if !yield(k) {
					return
				}
			}
		}) {
			rows = append(rows, row{p.Number, byTop[k]})
		}
	}
	text := func(r row, s string) bool {
		return slices.ContainsFunc(r.pieces, func(pc pdftest.Piece) bool { return strings.TrimSpace(pc.Text) == s })
	}
	num := func(r row) int {
		for _, pc := range r.pieces {
			if n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(pc.Text), "Q")); err == nil && strings.HasPrefix(strings.TrimSpace(pc.Text), "Q") {
				return n
			}
		}
		return 0
	}
	out := map[string]block{}
	used := map[int]string{}
	for _, q := range qs {
		var found []block
		for _, r := range rows {
			if len(r.pieces) == 2 && text(r, ref(q)) && num(r) > 0 {
				found = append(found, block{num(r), r.page})
			}
		}
		if len(found) != 1 {
			t.Errorf("%s: %d question blocks (%v), want 1", ref(q), len(found), found)
			continue
		}
		b := found[0]
		if prev, dup := used[b.num]; dup {
			t.Errorf("Q%d is both %s and %s", b.num, prev, q.ID)
		}
		used[b.num] = q.ID
		out[q.ID] = b

		// The index: id, version, number, page on one line.
		indexed := false
		for _, r := range rows {
			if !text(r, q.ID) || !text(r, fmt.Sprintf("v%d", q.Version)) {
				continue
			}
			indexed = true
			page := 0
			for _, pc := range r.pieces {
				if n, err := strconv.Atoi(strings.TrimSpace(pc.Text)); err == nil {
					page = n
				}
			}
			if num(r) != b.num || page != b.page {
				t.Errorf("index: %s is Q%d on page %d, but its block is Q%d on page %d", q.ID, num(r), page, b.num, b.page)
			}
		}
		if !indexed {
			t.Errorf("index: no row for %s", q.ID)
		}
	}
	for n := 1; n <= len(qs); n++ {
		if _, ok := used[n]; !ok && len(out) == len(qs) {
			t.Errorf("no question is Q%d: numbers are not 1…%d", n, len(qs))
		}
	}
	return out
}

// texts are a question's body texts, as printed.
func texts(r qbank.Rendered, q qbank.Question) []string {
	out := []string{r.Text, q.WhatItReveals, r.ScoringGuide.Strong, r.ScoringGuide.Adequate, r.ScoringGuide.Weak}
	out = append(out, r.FollowUps...)
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// checkDocument runs the checks every document must pass: footers, fill,
// body size, one block per question with its number and index row, each
// question's text printed once and on the page of its block together with
// its scoring guide.
func checkDocument(t *testing.T, pdf []byte, qs []qbank.Question, rendered func(qbank.Question) qbank.Rendered, extra []string) (*pdftest.Doc, []string) {
	t.Helper()
	pages := pdftest.Pages(t, pdf)
	d := pdftest.Read(t, pdf)
	if len(pages) != len(d.Pages) {
		t.Fatalf("pdftotext reads %d pages, pdftohtml %d", len(pages), len(d.Pages))
	}
	pdftest.CheckFooters(t, pages)
	pdftest.CheckFill(t, d)
	all := slices.Clone(extra)
	for _, q := range qs {
		all = append(all, texts(rendered(q), q)...)
	}
	pdftest.CheckBodySize(t, d, all)
	where := blocks(t, d, qs)
	whole := strings.Join(pages, "\f")
	for _, q := range qs {
		r := rendered(q)
		if n := pdftest.Count(whole, r.Text); n != 1 {
			t.Errorf("%s: its text is printed %d times, want once", q.ID, n)
			continue
		}
		page, _ := pdftest.PageOf(pages, r.Text)
		if b, ok := where[q.ID]; ok && b.page != page {
			t.Errorf("%s: block on page %d, text on page %d", q.ID, b.page, page)
		}
		if g := r.ScoringGuide.Strong; g != "" && !pdftest.Contains(pages[page-1], g) {
			t.Errorf("%s: its text is on page %d but its scoring guide is not", q.ID, page)
		}
	}
	if len(d.Outline) == 0 {
		t.Error("the PDF has no bookmarks")
	}
	return d, pages
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
	pdf := renderBank(t, bankpdf.Bank{Revision: 42, AsOf: asOf, Taxonomy: tax, Questions: qs})
	d, pages := checkDocument(t, pdf, qs, own, criteria(tax))
	whole := strings.Join(pages, "\f")
	for _, want := range []string{"Bank revision 42", "Last changed 27 November 2026", "How to rate", "Index of questions"} {
		if !pdftest.Contains(whole, want) {
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
		if !pdftest.Contains(rolesPage, fmt.Sprintf("%s", r.Title)) || !pdftest.Contains(rolesPage, fmt.Sprintf("Questions (%d)", n)) {
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
	pdf := renderBank(t, bankpdf.Bank{Revision: 7, AsOf: asOf, Collection: pdftest.Published, Taxonomy: tax, Questions: qs})
	var in, out []qbank.Question
	for _, q := range qs {
		if slices.Contains(q.Collections, pdftest.Published) {
			in = append(in, q)
		} else {
			out = append(out, q)
		}
	}
	if len(in) != 50 || len(out) == 0 {
		t.Fatalf("the fixture has %d questions in the collection and %d out", len(in), len(out))
	}
	_, pages := checkDocument(t, pdf, in, own, criteria(tax))
	whole := strings.Join(pages, "\f")
	for _, q := range out {
		if pdftest.Contains(whole, q.Text) {
			t.Errorf("%s is not in the collection but is printed", q.ID)
		}
	}
	for _, s := range pageSamples {
		if n := pdftest.Count(whole, s); n != 1 {
			t.Errorf("the page sample %q is printed %d times, want once", s, n)
		}
	}
	if !pdftest.Contains(pages[0], "The LayersRank 50") || !pdftest.Contains(pages[0], "50 questions") {
		t.Errorf("the cover does not present the collection:\n%s", pages[0])
	}
}

func TestRoleKits(t *testing.T) {
	t.Parallel()
	tax, qs := pdftest.RichBank(t)
	for _, r := range tax.Roles {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			pdf := renderBank(t, bankpdf.Bank{Revision: 3, AsOf: asOf, Role: r.ID, Taxonomy: tax, Questions: qs})
			var mine []qbank.Question
			for _, q := range qs {
				if slices.Contains(q.Roles, r.ID) {
					mine = append(mine, q)
				}
			}
			d, pages := checkDocument(t, pdf, mine, own, criteria(tax))
			whole := strings.Join(pages, "\f")
			for _, q := range qs {
				if !slices.Contains(q.Roles, r.ID) && pdftest.Contains(whole, q.Text) {
					t.Errorf("%s is not a %s question but is printed", q.ID, r.ID)
				}
			}
			// How to rate comes first: guidance and scale before any question.
			guide, _ := pdftest.PageOf(pages, tax.ReviewerGuidance[0].Text)
			scale, _ := pdftest.PageOf(pages, tax.RatingScale[1].Description)
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
				if pdftest.Count(whole, crit.GreatLooksLike) < 1 || pdftest.Count(whole, crit.RedFlags) < 1 {
					t.Errorf("the criteria of %s for %s are missing", c, r.ID)
				}
			}
			// Stack variants with their own probes, follow-ups as final-round
			// probes, level anchors.
			wants := []string{"FINAL-ROUND PROBES", "For a junior engineer: gets the core of this right"}
			if slices.ContainsFunc(mine, func(q qbank.Question) bool { return len(q.StackVariants) > 0 }) {
				wants = append(wants, "STACK VARIANTS")
			}
			for _, want := range wants {
				if !pdftest.Contains(whole, want) {
					t.Errorf("the %s kit lacks %q", r.ID, want)
				}
			}
		})
	}
	// A role's own criteria replace the competency's.
	pdf := renderBank(t, bankpdf.Bank{Role: "devops-engineer", Taxonomy: tax, Questions: qs})
	text := pdftest.Text(t, pdf)
	own := tax.CriteriaFor("devops-engineer", "collaboration")
	general, _ := tax.Competency("collaboration")
	if !pdftest.Contains(text, own.GreatLooksLike) || pdftest.Contains(text, general.GreatLooksLike) {
		t.Error("the DevOps kit does not use the role's own collaboration criteria")
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
				pdf := renderKit(t, k)
				ids := []string{}
				for _, s := range stacks {
					id, _ := tax.ResolveStack(s)
					ids = append(ids, id)
				}
				rendered := func(q qbank.Question) qbank.Rendered { return q.ForStacks(ids) }
				d, pages := checkDocument(t, pdf, k.Items, rendered, criteria(tax))
				where := blocks(t, d, k.Items)
				for i, q := range k.Items {
					if b := where[q.ID]; b.num != i+1 {
						t.Errorf("item %d (%s) is Q%d", i+1, q.ID, b.num)
					}
				}
				whole := strings.Join(pages, "\f")
				// Exactly the items: no other question of the bank.
				for _, q := range qs {
					if !slices.ContainsFunc(k.Items, func(it qbank.Question) bool { return it.ID == q.ID }) && pdftest.Contains(whole, q.Text) {
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
					if pdftest.Contains(whole, q.Text) {
						t.Errorf("%s is worded for %s, but its general text is printed", q.ID, r.Stack)
					}
					for _, f := range r.FollowUps {
						if !pdftest.Contains(whole, f) {
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
	backend := qs[0] // api-rate-limiting-design is a backend question
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

// The seed bank as it is today (no rating scale, no collections) prints
// too: a bank without them has no "How to rate" and no quick reference.
func TestSeedBank(t *testing.T) {
	t.Parallel()
	b, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	qs := slices.Clone(b.Questions)
	for i := range qs {
		qs[i].Version = 1
	}
	pdf := renderBank(t, bankpdf.Bank{Revision: 1, Taxonomy: &b.Taxonomy, Questions: qs})
	checkDocument(t, pdf, qs, own, criteria(&b.Taxonomy))
	k := kitFor(&b.Taxonomy, qs, "data-engineer", nil)
	kit := renderKit(t, k)
	_, pages := checkDocument(t, kit, k.Items, own, nil)
	if !pdftest.Contains(strings.Join(pages, " "), "0 No evidence") {
		t.Error("without a rating scale the scorecard does not fall back to the guide's anchors")
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
	for _, role := range []string{"backend-engineer"} {
		pdf := renderBank(t, bankpdf.Bank{Role: role, Taxonomy: tax, Questions: append(slices.Clone(qs), q)})
		raw := pdftest.Text(t, pdf)
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		for _, want := range append([]string{q.Text, q.WhatItReveals, q.ScoringGuide.Strong, q.StackVariants["aws"].Text}, q.FollowUps...) {
			if !strings.Contains(squash(raw), squash(want)) {
				t.Errorf("the PDF lacks %.60q…", want)
			}
		}
		if !strings.Contains(raw, "(continued)") {
			t.Error("a question longer than a page carries no continuation marker")
		}
		d := pdftest.Read(t, pdf)
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
	tax, qs := pdftest.RichBank(t)
	b := bankpdf.Bank{Revision: 5, AsOf: asOf, Collection: pdftest.Published, Taxonomy: tax, Questions: qs}
	first := renderBank(t, b)
	shuffled := slices.Clone(qs)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b.Questions = shuffled
	if again := renderBank(t, b); !bytes.Equal(first, again) {
		t.Fatal("the same bank in another order rendered differently")
	}
	b.Revision++
	if bytes.Equal(first, renderBank(t, b)) {
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
	pdf := renderBank(t, bankpdf.Bank{Role: "backend-engineer", Taxonomy: tax, Questions: []qbank.Question{q}})
	raw := pdftest.Text(t, pdf)
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
	want := renderKit(t, k)
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
