// Package bankpdf renders the documents hiring teams print from the bank:
//
//   - the bank, whole or one collection of it (the published 50): every
//     question once, by dimension and competency, with an index of roles;
//   - a role kit: how to rate, the role's criteria and every question the
//     role can be asked, once, with levels, stack variants, final-round
//     probes and scoring guides;
//   - an assessment kit: exactly the pinned items of one assembled
//     assessment, worded for its stacks, and a scorecard to fill in.
//
// Each closes with an index of questions by id and a quick reference of the
// rating scale. Layout is done here, measured with the embedded fonts' own
// metrics, and only the finished pages go through fpdf; that is what lets
// the contents, the index and "Page N of M" print numbers of pages laid out
// after them, in a single pass.
package bankpdf

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/layersrank/qbank"
)

// Bank asks for the bank, a collection of it, or a role kit.
type Bank struct {
	Revision int64 // printed on the cover
	// AsOf is when the bank last changed, printed on the cover and stored
	// as the PDF's dates; callers pass the newest update among the
	// questions, so the same bank always prints the same document.
	AsOf       time.Time
	Role       string // a role kit; "" for every role
	Collection string // only this collection's questions; "" for all
	Taxonomy   *qbank.Taxonomy
	// Questions are the current versions to print, each once, any order;
	// only those in the role and collection asked for are printed.
	Questions []qbank.Question
}

// Kit asks for one assembled assessment's interview kit.
type Kit struct {
	Role     string
	Stacks   []string // stack ids (or aliases), in the order requested
	Taxonomy *qbank.Taxonomy
	// Items are the assessment's pinned question versions, in its order.
	Items []qbank.Question
}

// Errors for a request the taxonomy cannot answer, so that a caller can
// answer 400 rather than 500 (they are returned wrapped).
var (
	ErrUnknownRole       = errors.New("bankpdf: unknown role")
	ErrUnknownCollection = errors.New("bankpdf: unknown collection")
	ErrUnknownStack      = errors.New("bankpdf: unknown stack")
)

type kind int

const (
	kindBank kind = iota // the whole bank or a collection
	kindRole             // a role kit
	kindKit              // an assessment kit
)

// doc is what a document prints, grouped as it is printed.
type doc struct {
	kind     kind
	title    string // running header and PDF title
	scope    string // the cover's subtitle
	tax      *qbank.Taxonomy
	role     qbank.Role // kindRole, kindKit
	coll     qbank.Collection
	revision int64
	asOf     time.Time
	stacks   []string // kindKit: resolved stack ids

	entries []*entry     // every question printed, each once
	dims    []dimSection // kindBank, kindRole: the questions by dimension and competency
}

// entry is one printed question.
type entry struct {
	q qbank.Question
	r qbank.Rendered // the text, probes and anchors printed as the question's own
	n int            // its number in the document, given as it is placed
}

type dimSection struct {
	dim    qbank.Dimension
	weight int
	comps  []compSection
}

type compSection struct {
	comp    qbank.Competency
	entries []*entry
}

// RenderBank writes a bank document or role kit as a PDF to w. The same
// Bank always yields the same bytes.
func RenderBank(w io.Writer, b Bank) error {
	d, err := bankDoc(b)
	if err != nil {
		return err
	}
	return d.render(w)
}

// RenderKit writes an assessment kit as a PDF to w.
func RenderKit(w io.Writer, k Kit) error {
	d, err := kitDoc(k)
	if err != nil {
		return err
	}
	return d.render(w)
}

func bankDoc(b Bank) (*doc, error) {
	tax := b.Taxonomy
	if tax == nil {
		return nil, errors.New("bankpdf: Bank.Taxonomy is required")
	}
	d := &doc{kind: kindBank, tax: tax, revision: b.Revision, asOf: b.AsOf, title: "LayersRank Question Bank"}
	if b.Collection != "" {
		c, ok := tax.Collection(b.Collection)
		if !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownCollection, b.Collection, strings.Join(tax.CollectionIDs(), ", "))
		}
		d.coll = c
		d.title = cmp.Or(c.Title, c.ID)
	}
	if b.Role != "" {
		r, ok := tax.Role(b.Role)
		if !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownRole, b.Role, strings.Join(tax.RoleIDs(), ", "))
		}
		d.kind, d.role = kindRole, r
		d.title = roleTitle(r) + " Interview Kit"
	}
	switch {
	case d.kind == kindRole && d.coll.ID != "":
		d.scope = d.coll.Title + " · the questions a " + roleTitle(d.role) + " can be asked"
	case d.kind == kindRole:
		d.scope = "Every question a " + roleTitle(d.role) + " can be asked"
	case d.coll.ID != "":
		d.scope = cmp.Or(d.coll.Description, "The "+d.coll.Title+" collection")
	default:
		d.scope = "The complete bank · every role"
	}

	qs := slices.Clone(b.Questions)
	slices.SortFunc(qs, func(a, b qbank.Question) int { return cmp.Compare(a.ID, b.ID) })
	qs = slices.CompactFunc(qs, func(a, b qbank.Question) bool { return a.ID == b.ID })
	for _, q := range qs {
		if (b.Role != "" && !slices.Contains(q.Roles, b.Role)) || (b.Collection != "" && !slices.Contains(q.Collections, b.Collection)) {
			continue
		}
		d.entries = append(d.entries, &entry{q: q, r: q.ForStacks(nil)})
	}
	d.group()
	return d, nil
}

// group sorts the entries into dimensions and competencies: the taxonomy's
// order (a role kit: the role's competencies first, in its order), then any
// dimension or competency the taxonomy does not know, so no question is lost.
func (d *doc) group() {
	tax := d.tax
	var compIDs []string
	if d.kind == kindRole {
		compIDs = slices.Clone(d.role.Competencies)
	}
	for _, c := range tax.Competencies {
		if !slices.Contains(compIDs, c.ID) && (d.kind != kindRole || d.probes(c.ID)) {
			compIDs = append(compIDs, c.ID)
		}
	}
	for _, e := range d.entries {
		if !slices.Contains(compIDs, e.q.Competency) {
			compIDs = append(compIDs, e.q.Competency)
		}
	}
	var comps []compSection
	for _, id := range compIDs {
		cs := compSection{}
		for _, e := range d.entries {
			if e.q.Competency == id {
				cs.entries = append(cs.entries, e)
			}
		}
		c, ok := tax.Competency(id)
		if !ok {
			if len(cs.entries) == 0 {
				continue // a dangling id in the role's list; Taxonomy.Validate reports it
			}
			c = qbank.Competency{ID: id, Title: id, Dimension: cs.entries[0].q.Dimension}
		}
		if len(cs.entries) == 0 && d.kind == kindBank {
			continue // the bank prints what it holds; a role kit shows a gap
		}
		cs.comp = c
		comps = append(comps, cs)
	}
	dims := slices.Clone(tax.Dimensions)
	for _, c := range comps {
		if !slices.ContainsFunc(dims, func(x qbank.Dimension) bool { return x.ID == c.comp.Dimension }) {
			dims = append(dims, qbank.Dimension{ID: c.comp.Dimension, Title: c.comp.Dimension})
		}
	}
	for _, dim := range dims {
		ds := dimSection{dim: dim, weight: dim.Weight}
		if w, ok := d.role.DimensionWeights[dim.ID]; ok && d.kind == kindRole {
			ds.weight = w
		}
		for _, c := range comps {
			if c.comp.Dimension == dim.ID {
				ds.comps = append(ds.comps, c)
			}
		}
		if len(ds.comps) > 0 {
			d.dims = append(d.dims, ds)
		}
	}
}

// probes reports whether any printed question probes the competency.
func (d *doc) probes(comp string) bool {
	return slices.ContainsFunc(d.entries, func(e *entry) bool { return e.q.Competency == comp })
}

// render lays the document out and writes it. The questions are laid out
// first, so that the front matter can list the numbers they were given.
func (d *doc) render(w io.Writer) error {
	m, err := newMetrics()
	if err != nil {
		return err
	}
	anchors := map[string]anchor{}
	body := newLayout(m, anchors)
	back := newLayout(m, anchors)
	front := newLayout(m, anchors)
	switch d.kind {
	case kindKit:
		d.items(body)
		d.scorecard(body)
		d.cover(front)
		d.howToRate(front)
	default:
		d.questions(body)
		d.cover(front)
		d.contents(front)
		d.howToRate(front)
		if d.kind == kindRole {
			d.roleOverview(front)
		} else {
			d.roleIndex(front)
		}
	}
	d.index(back)
	d.quickReference(back)
	pages := slices.Concat(front.pages, body.pages, back.pages)
	subject := "Interview questions and scoring guides"
	if d.kind == kindKit {
		subject = "Interview kit and scorecard for one assessment"
	}
	return emit(w, meta{title: d.title, subject: subject, date: d.asOf}, m, pages, anchors)
}

func roleTitle(r qbank.Role) string { return cmp.Or(r.Title, r.ID) }

func (d *doc) dimTitle(id string) string {
	if x, ok := d.tax.Dimension(id); ok && x.Title != "" {
		return x.Title
	}
	return id
}

func (d *doc) compTitle(id string) string {
	if c, ok := d.tax.Competency(id); ok && c.Title != "" {
		return c.Title
	}
	return id
}

func (d *doc) roleTitleOf(id string) string {
	if r, ok := d.tax.Role(id); ok {
		return roleTitle(r)
	}
	return id
}

func (d *doc) stackTitle(id string) string {
	for _, s := range d.tax.Stacks {
		if s.ID == id && s.Title != "" {
			return s.Title
		}
	}
	return id
}

// numbers lists question numbers compactly: "Q1, Q3–Q6, Q9".
func numbers(ns []int) string {
	ns = slices.Clone(ns)
	slices.Sort(ns)
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, fmt.Sprintf("Q%d", ns[i]))
		case j == i+1:
			parts = append(parts, fmt.Sprintf("Q%d", ns[i]), fmt.Sprintf("Q%d", ns[j]))
		default:
			parts = append(parts, fmt.Sprintf("Q%d–Q%d", ns[i], ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string { return fmt.Sprintf("%d %s", n, noun(n, one, many)) }

func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Anchor keys name the places the contents, bookmarks and index point at.
func dimKey(d string) string       { return "dim/" + d }
func compKey(c string) string      { return "comp/" + c }
func questionKey(id string) string { return "q/" + id }

const (
	keyGuide     = "guide"
	keyRoles     = "roles"
	keyIndex     = "index"
	keyQuickRef  = "quickref"
	keyItems     = "items"
	keyScorecard = "scorecard"
)
