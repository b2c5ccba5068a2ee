// Package bankpdf renders the question bank, or one role's part of it, as a
// printable PDF for hiring managers: a cover, contents, and per role its
// score weights, evaluation criteria (the scorecard) and every question with
// what it reveals, follow-ups and a scoring guide.
//
// Layout is done here, measured with the embedded fonts' own metrics, and
// only the finished pages go through fpdf. That is what lets the contents
// page print the page numbers of sections laid out after it, and "Page N of
// M" print M, in a single pass.
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

// Document is what to render.
type Document struct {
	Title     string    // e.g. "LayersRank Question Bank"; that is the default
	Generated time.Time // shown on the cover and stored as the PDF's dates
	Revision  int64     // bank revision, shown on the cover
	Role      string    // "" = the whole bank; else only that role's section
	Taxonomy  *qbank.Taxonomy
	// Questions to include: the caller passes active current versions. Any
	// order; within a competency they are printed by id, so the same bank
	// always prints the same way.
	Questions []qbank.Question
}

// DefaultTitle is used when Document.Title is empty.
const DefaultTitle = "LayersRank Question Bank"

// ErrUnknownRole is returned (wrapped) when Document.Role names no role of
// the taxonomy, so an HTTP handler can answer 400 rather than 500.
var ErrUnknownRole = errors.New("bankpdf: unknown role")

// Render writes d as a PDF to w. The same Document always yields the same
// bytes.
func Render(w io.Writer, d Document) error {
	if d.Taxonomy == nil {
		return errors.New("bankpdf: Document.Taxonomy is required")
	}
	if d.Title == "" {
		d.Title = DefaultTitle
	}
	b, err := build(d)
	if err != nil {
		return err
	}
	m, err := newMetrics()
	if err != nil {
		return err
	}
	l := &layout{m: m, tax: d.Taxonomy, anchors: map[string]anchor{}}
	l.cover(d, b)
	l.contents(b)
	for i := range b.roles {
		l.role(b, i)
	}
	return emit(w, d, l)
}

// bank is the document's content, grouped as it is printed.
type bank struct {
	tax       *qbank.Taxonomy
	wholeBank bool
	roles     []roleSection
	questions []qbank.Question // in scope, each once
}

type roleSection struct {
	id, title string
	dims      []dimSection
	criteria  []qbank.Competency // the scorecard: the competencies the role lists
	questions int
}

type dimSection struct {
	dim    qbank.Dimension
	weight int
	comps  []compSection
}

type compSection struct {
	comp      qbank.Competency
	questions []qbank.Question
}

func build(d Document) (*bank, error) {
	tax := d.Taxonomy
	b := &bank{tax: tax, wholeBank: d.Role == ""}
	var roles []qbank.Role
	if d.Role != "" {
		r, ok := tax.Role(d.Role)
		if !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownRole, d.Role, strings.Join(tax.RoleIDs(), ", "))
		}
		roles = []qbank.Role{r}
	} else {
		roles = slices.Clone(tax.Roles)
		// A question tagged with a role the taxonomy no longer has would
		// otherwise vanish from the whole-bank export; give it a section.
		var extra []string
		for _, q := range d.Questions {
			for _, id := range q.Roles {
				if _, ok := tax.Role(id); !ok && !slices.Contains(extra, id) {
					extra = append(extra, id)
				}
			}
		}
		slices.Sort(extra)
		for _, id := range extra {
			roles = append(roles, qbank.Role{ID: id, Title: id})
		}
	}
	qs := slices.Clone(d.Questions)
	slices.SortFunc(qs, func(a, b qbank.Question) int { return cmp.Compare(a.ID, b.ID) })
	for _, q := range qs {
		if b.wholeBank || slices.Contains(q.Roles, d.Role) {
			b.questions = append(b.questions, q)
		}
	}
	for _, r := range roles {
		b.roles = append(b.roles, buildRole(tax, r, b.questions))
	}
	return b, nil
}

func buildRole(tax *qbank.Taxonomy, r qbank.Role, qs []qbank.Question) roleSection {
	rs := roleSection{id: r.ID, title: cmp.Or(r.Title, r.ID)}
	var mine []qbank.Question
	for _, q := range qs {
		if slices.Contains(q.Roles, r.ID) {
			mine = append(mine, q)
		}
	}
	rs.questions = len(mine)
	// The role's competencies in its own order, then any competency its
	// questions probe that the role does not list, so no question is lost.
	compIDs := slices.Clone(r.Competencies)
	for _, c := range tax.Competencies {
		if !slices.Contains(compIDs, c.ID) && slices.ContainsFunc(mine, func(q qbank.Question) bool { return q.Competency == c.ID }) {
			compIDs = append(compIDs, c.ID)
		}
	}
	for _, q := range mine {
		if !slices.Contains(compIDs, q.Competency) {
			compIDs = append(compIDs, q.Competency)
		}
	}
	for _, id := range r.Competencies {
		if c, ok := tax.Competency(id); ok {
			rs.criteria = append(rs.criteria, c)
		}
	}
	var comps []compSection
	for _, id := range compIDs {
		var cs compSection
		for _, q := range mine {
			if q.Competency == id {
				cs.questions = append(cs.questions, q)
			}
		}
		c, ok := tax.Competency(id)
		if !ok {
			if len(cs.questions) == 0 {
				continue // a dangling id in the role's list; Taxonomy.Validate reports it
			}
			c = qbank.Competency{ID: id, Title: id, Dimension: cs.questions[0].Dimension}
		}
		cs.comp = c
		comps = append(comps, cs)
	}
	dims := slices.Clone(tax.Dimensions)
	for _, c := range comps {
		if !slices.ContainsFunc(dims, func(d qbank.Dimension) bool { return d.ID == c.comp.Dimension }) {
			dims = append(dims, qbank.Dimension{ID: c.comp.Dimension, Title: c.comp.Dimension})
		}
	}
	for _, dim := range dims {
		ds := dimSection{dim: dim, weight: dim.Weight}
		if w, ok := r.DimensionWeights[dim.ID]; ok {
			ds.weight = w
		}
		for _, c := range comps {
			if c.comp.Dimension == dim.ID {
				ds.comps = append(ds.comps, c)
			}
		}
		if len(ds.comps) > 0 || ds.weight > 0 {
			rs.dims = append(rs.dims, ds)
		}
	}
	return rs
}

// stats are the cover's figures for the document's scope.
type stats struct {
	questions, roles, competencies, video, written, minutes int
}

func (b *bank) stats() stats {
	s := stats{questions: len(b.questions), roles: len(b.roles)}
	comps := map[string]bool{}
	for _, r := range b.roles {
		for _, d := range r.dims {
			for _, c := range d.comps {
				comps[c.comp.ID] = true
			}
		}
	}
	s.competencies = len(comps)
	for _, q := range b.questions {
		if q.ResponseFormat == qbank.FormatVideo {
			s.video++
		} else {
			s.written++
		}
		s.minutes += q.Minutes
	}
	return s
}

// Anchor keys name the places the contents and bookmarks point at.
func roleKey(r string) string               { return "role/" + r }
func criteriaKey(r string) string           { return "role/" + r + "/criteria" }
func dimKey(r, d string) string             { return "role/" + r + "/dim/" + d }
func compKey(r, d, c string) string         { return "role/" + r + "/dim/" + d + "/comp/" + c }
func plural(n int, one, many string) string { return fmt.Sprintf("%d %s", n, noun(n, one, many)) }

func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
