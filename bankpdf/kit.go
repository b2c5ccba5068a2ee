package bankpdf

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
)

// Request limits of an assessment kit: an assessment of the longest length
// allowed, in the shortest items, and as many stacks as assembly takes.
const (
	MaxKitRefs   = qbank.MaxAssessmentMinutes / 3
	MaxKitStacks = assembly.MaxStacks
)

// KitRequest asks for an assessment kit as the HTTP route and the CLI take
// it: the role, the pinned refs (id@version) in the assessment's order, and
// the stacks it was assembled for.
type KitRequest struct {
	Role   string
	Refs   []string
	Stacks []string
}

// Lookup returns one pinned version of a question; found is false when no
// question has that version. An error is a failure to look (the store).
type Lookup func(ref qbank.Ref) (q qbank.Question, found bool, err error)

// Resolve checks the request against the taxonomy and fetches each pinned
// version, reporting every bad field at once: an unknown role or stack, a
// ref that is not id@version, a ref asked twice, a version no question has,
// or a question the role is never asked. A request wrong as a whole (an
// unknown role or stack, too many refs) costs no lookup.
func (r KitRequest) Resolve(tax *qbank.Taxonomy, lookup Lookup) (Kit, error) {
	var v qbank.Violations
	if r.Role == "" {
		v.Add("role", "is required: the role the assessment was assembled for (valid: %s)", strings.Join(tax.RoleIDs(), ", "))
	} else if _, ok := tax.Role(r.Role); !ok {
		v.Add("role", "unknown role %q (valid: %s)", r.Role, strings.Join(tax.RoleIDs(), ", "))
	}
	switch n := len(r.Refs); {
	case n == 0:
		v.Add("refs", "at least one ref (id@version) is required: the items of the assessment, in order")
	case n > MaxKitRefs:
		v.Add("refs", "has %d refs, the limit is %d", n, MaxKitRefs)
	}
	var stacks []string
	if len(r.Stacks) > MaxKitStacks {
		v.Add("stacks", "has %d stacks, the limit is %d", len(r.Stacks), MaxKitStacks)
	} else {
		bad := 0
		for i, s := range r.Stacks {
			id, ok := tax.ResolveStack(s)
			if !ok {
				if bad++; bad <= 5 {
					v.Add("stacks["+strconv.Itoa(i)+"]", "unknown stack %q", s)
				}
				continue
			}
			if !slices.Contains(stacks, id) {
				stacks = append(stacks, id)
			}
		}
		if bad > 0 {
			v.Add("stacks", "valid stacks: %s", strings.Join(tax.StackIDs(), ", "))
		}
	}
	type pinned struct {
		i   int
		ref qbank.Ref
	}
	var refs []pinned
	if len(r.Refs) <= MaxKitRefs {
		seen := map[string]int{}
		for i, raw := range r.Refs {
			field := "refs[" + strconv.Itoa(i) + "]"
			ref, err := qbank.ParseRef(raw)
			switch {
			case err != nil:
				v.Add(field, "%v", err)
			case ref.Version == 0:
				v.Add(field, "%q is not pinned: a kit prints the versions an assessment was given, id@version", raw)
			default:
				if prev, dup := seen[ref.ID]; dup {
					v.Add(field, "%q repeats refs[%d]: an assessment asks each question once", raw, prev)
					continue
				}
				seen[ref.ID] = i
				refs = append(refs, pinned{i, ref})
			}
		}
	}
	// Well-formed refs are looked up even when others are not, so one
	// answer names every bad ref; a request wrong as a whole (role, count)
	// is refused before any lookup.
	if len(v) > 0 && slices.ContainsFunc(v, func(f qbank.FieldViolation) bool { return !strings.HasPrefix(f.Field, "refs[") }) {
		return Kit{}, v.Err()
	}
	k := Kit{Role: r.Role, Stacks: stacks, Taxonomy: tax}
	for _, p := range refs {
		q, found, err := lookup(p.ref)
		field := "refs[" + strconv.Itoa(p.i) + "]"
		switch {
		case err != nil:
			return Kit{}, err
		case !found:
			v.Add(field, "no question %q has version %d", p.ref.ID, p.ref.Version)
		case !slices.Contains(q.Roles, r.Role):
			v.Add(field, "%s is not a %s question (its roles: %s)", p.ref, r.Role, strings.Join(q.Roles, ", "))
		default:
			k.Items = append(k.Items, q)
		}
	}
	if err := v.Err(); err != nil {
		return Kit{}, err
	}
	return k, nil
}

func kitDoc(k Kit) (*doc, error) {
	tax := k.Taxonomy
	if tax == nil {
		return nil, errors.New("bankpdf: Kit.Taxonomy is required")
	}
	r, ok := tax.Role(k.Role)
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownRole, k.Role, strings.Join(tax.RoleIDs(), ", "))
	}
	d := &doc{kind: kindKit, tax: tax, role: r, title: "Assessment kit · " + roleTitle(r)}
	for _, s := range k.Stacks {
		id, ok := tax.ResolveStack(s)
		if !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownStack, s, strings.Join(tax.StackIDs(), ", "))
		}
		if !slices.Contains(d.stacks, id) {
			d.stacks = append(d.stacks, id)
		}
	}
	minutes := 0
	for _, q := range k.Items {
		d.entries = append(d.entries, &entry{q: q, r: renderFor(tax, q.Content, d.stacks)})
		minutes += q.Minutes
	}
	d.scope = fmt.Sprintf("%s · %d minutes · the questions, scoring guides and scorecard for one assessment",
		plural(len(k.Items), "question", "questions"), minutes)
	return d, nil
}

// renderFor renders a question for the stacks exactly as assembly words an
// assessment's items: the first requested stack the question has a variant
// for, a variant key written as an alias counting as its stack (versions
// stored before keys were normalised have them).
func renderFor(tax *qbank.Taxonomy, c qbank.Content, stacks []string) qbank.Rendered {
	if len(c.StackVariants) > 0 {
		keys := make([]string, 0, len(c.StackVariants))
		for k := range c.StackVariants {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		byStack := make(map[string]qbank.StackVariant, len(keys))
		for _, k := range keys {
			byStack[k] = c.StackVariants[k]
		}
		for _, k := range keys {
			if id, ok := tax.ResolveStack(k); ok && id != k {
				if _, own := c.StackVariants[id]; !own {
					if _, taken := byStack[id]; !taken {
						byStack[id] = c.StackVariants[k]
					}
				}
			}
		}
		c.StackVariants = byStack
	}
	return c.ForStacks(stacks)
}

// ---- the items -------------------------------------------------------------

func (d *doc) items(l *layout) {
	l.section("Questions")
	intro := "The items in the order the candidate answered them, worded as the candidate saw them"
	if len(d.stacks) > 0 {
		intro += " (for " + d.stackList() + ")"
	}
	intro += ". Under each: what it reveals, the scoring guide and probes for the final round."
	head := &block{rows: append([]row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "The assessment")
	}}}, append(l.paragraph(intro, stBody, marginL, contentW), space(1))...),
		keepNext: true, anchor: keyItems, mark: &bookmark{title: "Questions"},
		// Named for the notes area it gets when the first item is too tall
		// to share its page.
		name: func() string { return "THE ASSESSMENT" }}
	g := group{head: []*block{head}, fixed: true, notes: notesArea}
	n := 0
	for _, e := range d.entries {
		b := d.question(l, e)
		b.placed = func() { n++; e.n = n }
		b.mark = &bookmark{title: fmt.Sprintf("Q%d · %s@%d", len(g.members)+1, e.q.ID, e.q.Version), level: 1}
		g.members = append(g.members, b)
	}
	l.flowGroup(g)
}

// notesArea is ruled space for a reviewer's notes on one item: dotted
// lines, drawn as text so that the page reads as the form it is.
func notesArea(l *layout, b *block, h float64) []row {
	st := stLabel.color(colMuted)
	title := "NOTES"
	if b.name != nil {
		title += " ON " + b.name()
	}
	rows := []row{l.label(title, cardX, st)}
	dot := style{faceRegular, 10, colRule, 8}
	dw := l.m.width(" .", dot.face, dot.size)
	dots := strings.Repeat(" .", int(cardW/dw))
	for h -= rows[0].h; h >= dot.lead; h -= dot.lead {
		rows = append(rows, row{h: dot.lead, draw: func(l *layout, y float64) {
			l.text(cardX-1, y+dot.lead-1.5, dot, dots)
		}})
	}
	return rows
}

func (d *doc) stackList() string {
	var ts []string
	for _, s := range d.stacks {
		ts = append(ts, d.stackTitle(s))
	}
	return strings.Join(ts, ", ")
}

// ---- the scorecard ---------------------------------------------------------

// ratingPoints are the boxes of the scorecard: the taxonomy's rating scale,
// or, for a taxonomy without one, the scoring guides' own anchors.
func (d *doc) ratingPoints() []qbank.RatingPoint {
	if len(d.tax.RatingScale) > 0 {
		return d.tax.RatingScale
	}
	return []qbank.RatingPoint{{Value: 0, Label: "No evidence"}, {Value: 1, Label: "Weak"}, {Value: 2, Label: "Adequate"}, {Value: 3, Label: "Strong"}}
}

// scorecard is what a reviewer fills in: one block per competency the role
// lists (rated from the items that probe it), then an overall
// recommendation and where to probe in the final round.
func (d *doc) scorecard(l *layout) {
	l.section("Scorecard")
	points := d.ratingPoints()
	intro := fmt.Sprintf("Rate each competency once, from the evidence in the items listed with it, by ticking one box. "+
		"%d (%s) is for a competency the answers did not touch: it is not a low rating.", points[0].Value, points[0].Label)
	blocks := []*block{{rows: append([]row{{h: 14, draw: func(l *layout, y float64) {
		l.text(marginL, y+9, stH1, "Scorecard")
	}}}, append(l.paragraph(intro, stBody, marginL, contentW), space(4))...),
		keepNext: true, anchor: keyScorecard, mark: &bookmark{title: "Scorecard"}}}
	blocks = append(blocks, &block{rows: []row{d.fields(l, []string{"Candidate", "Reviewer", "Date"})}, gap: 0})

	for _, dim := range d.tax.Dimensions {
		var comps []qbank.Competency
		for _, id := range d.role.Competencies {
			if c, ok := d.tax.Competency(id); ok && c.Dimension == dim.ID {
				comps = append(comps, c)
			}
		}
		if len(comps) == 0 {
			continue
		}
		w := dim.Weight
		if x, ok := d.role.DimensionWeights[dim.ID]; ok {
			w = x
		}
		label := fmt.Sprintf("%s · %d%% OF THE SCORE", strings.ToUpper(dim.Title), w)
		blocks = append(blocks, &block{gap: 8, keepNext: true, rows: []row{l.label(label, marginL, stLabel.with(8.5)), space(1)}})
		for _, c := range comps {
			blocks = append(blocks, d.scoreBlock(l, c, points))
		}
	}
	// A role list naming a competency the taxonomy lacks still gets a block.
	for _, id := range d.role.Competencies {
		if _, ok := d.tax.Competency(id); !ok {
			blocks = append(blocks, d.scoreBlock(l, qbank.Competency{ID: id, Title: id}, points))
		}
	}
	blocks = append(blocks, d.recommendation(l))
	l.flow(blocks)
}

func (d *doc) scoreBlock(l *layout, c qbank.Competency, points []qbank.RatingPoint) *block {
	var ns []int
	for _, e := range d.entries {
		if e.q.Competency == c.ID {
			ns = append(ns, e.n)
		}
	}
	evidence := "Evidence: " + numbers(ns)
	if len(ns) == 0 {
		evidence = "No item probes it: rate it in the final round"
	}
	x, w := marginL+4, contentW-8
	var rows []row
	rows = append(rows, space(3))
	title := l.m.wrap(l.m.clean(c.Title, stH3.face), stH3.face, stH3.size, w-70)
	for i, ln := range title {
		rows = append(rows, row{h: stH3.lead, draw: func(l *layout, y float64) {
			l.text(x, baseline(y, stH3), stH3, ln)
			if i == 0 {
				l.textRight(x+w, baseline(y, stH3), stMuted, l.fit(evidence, stMuted, 68))
			}
		}})
	}
	rows = append(rows, space(1))
	crit := d.tax.CriteriaFor(d.role.ID, c.ID)
	if crit.GreatLooksLike != "" {
		rows = append(rows, l.runIn("Look for", stBold.color(colAccent), crit.GreatLooksLike, stBody, x, w)...)
	}
	if crit.RedFlags != "" {
		rows = append(rows, l.runIn("Red flags", stBold.color(colRed), crit.RedFlags, stBody, x, w)...)
	}
	rows = append(rows, space(2), d.boxes(l, points, x, w), space(1.5))
	rows = append(rows, l.label("NOTES", x, stLabel.color(colMuted)))
	for range 2 {
		rows = append(rows, row{h: 7.5, draw: func(l *layout, y float64) {
			l.line(x, y+6.5, x+w, y+6.5, 0.2, colRule)
		}})
	}
	rows = append(rows, space(3))
	rows = decorate(rows, func(l *layout, y, h float64) {
		l.line(marginL, y, marginL, y+h, 0.4, colRule)
		l.line(marginL+contentW, y, marginL+contentW, y+h, 0.4, colRule)
	})
	top, bot := rows[0].draw, rows[len(rows)-1].draw
	rows[0].draw = func(l *layout, y float64) { top(l, y); l.line(marginL, y, marginL+contentW, y, 0.4, colRule) }
	last := rows[len(rows)-1].h
	rows[len(rows)-1].draw = func(l *layout, y float64) {
		bot(l, y)
		l.line(marginL, y+last, marginL+contentW, y+last, 0.4, colRule)
	}
	return &block{rows: rows, gap: 4}
}

// boxes is a row of tick boxes, one per point, each with its value and
// label. Each cell is as wide as its label needs and the room left is
// shared out, so a long label ("Partly adequate") is printed whole; labels
// too long for one row together wrap onto a second line.
func (d *doc) boxes(l *layout, points []qbank.RatingPoint, x, w float64) row {
	st := stChip.with(9).color(colInk)
	const boxW, textX, after = 5.5, 7.5, 3.0
	labels := make([]string, len(points))
	cells := make([]float64, len(points))
	sum := 0.0
	for i, p := range points {
		labels[i] = l.m.line(fmt.Sprintf("%d  %s", p.Value, p.Label), st.face)
		cells[i] = textX + l.m.width(labels[i], st.face, st.size) + after
		sum += cells[i]
	}
	lines := make([][]string, len(points))
	h := 9.0
	if sum <= w {
		for i := range cells {
			cells[i] += (w - sum) / float64(len(cells))
			lines[i] = []string{labels[i]}
		}
	} else {
		h = 9 + st.lead
		for i := range cells {
			cells[i] = w / float64(len(cells))
			ls := l.m.wrap(labels[i], st.face, st.size, cells[i]-textX-1)
			if len(ls) > 2 {
				ls = []string{ls[0], l.fit(strings.Join(ls[1:], " "), st, cells[i]-textX-1)}
			}
			lines[i] = ls
		}
	}
	return row{h: h, draw: func(l *layout, y float64) {
		bx := x
		for i := range points {
			l.box(bx, y+1.5, boxW, boxW, 0.35, colInk)
			for k, ln := range lines[i] {
				l.text(bx+textX, baseline(y+1.5+float64(k)*st.lead, style{lead: boxW, size: st.size}), st, ln)
			}
			bx += cells[i]
		}
	}}
}

// fields is a row of labelled blanks to write on.
func (d *doc) fields(l *layout, names []string) row {
	gap := 6.0
	w := (contentW - gap*float64(len(names)-1)) / float64(len(names))
	return row{h: 12, draw: func(l *layout, y float64) {
		for i, n := range names {
			x := marginL + float64(i)*(w+gap)
			l.text(x, y+4, stLabel.color(colMuted), strings.ToUpper(n))
			l.line(x, y+11, x+w, y+11, 0.3, colInk)
		}
	}}
}

func (d *doc) recommendation(l *layout) *block {
	x, w := marginL, contentW
	var rows []row
	rows = append(rows, l.paragraph("Overall recommendation", stH2, x, w)...)
	rows = append(rows, space(1))
	rows = append(rows, l.paragraph("Weigh the competencies by the role's score weights; a competency rated from no evidence is a question for the final round, not a mark against the candidate.", stBody, x, w)...)
	rows = append(rows, space(2))
	options := []string{"Strong yes", "Yes", "No", "Strong no"}
	cell := w / float64(len(options))
	rows = append(rows, row{h: 10, draw: func(l *layout, y float64) {
		for i, o := range options {
			bx := x + float64(i)*cell
			l.box(bx, y+2, 6, 6, 0.4, colInk)
			l.text(bx+8.5, baseline(y+2, style{lead: 6, size: 10}), stBold, o)
		}
	}})
	rows = append(rows, space(4), l.label("WHERE TO PROBE IN THE FINAL ROUND", x, stLabel))
	for range 4 {
		rows = append(rows, row{h: 8, draw: func(l *layout, y float64) { l.line(x, y+7, x+w, y+7, 0.2, colRule) }})
	}
	rows = append(rows, space(4), d.fields(l, []string{"Reviewer signature", "Date"}))
	return &block{rows: rows, gap: 10}
}
