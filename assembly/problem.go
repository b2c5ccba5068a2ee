package assembly

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/layersrank/qbank"
)

// cand is an eligible question with what the constraints see of it.
type cand struct {
	q      *qbank.Question
	dim    int
	comp   int    // index into the role's competencies, -1 if not one of them
	format int    // 0 video, 1 written
	stacks uint32 // bit i: the question is specific to requested stack i
}

// problem is the request reduced to what the search needs.
type problem struct {
	p     *plan
	cands []cand // eligible and not required
	req   []cand // required, all eligible

	// Cross-dimension ("outer") constraint bits still open after the
	// required questions: a missing format or an uncovered stack each own a
	// bit; formatBit/stackBit are 0 for what is already satisfied.
	outerBits  int
	needOuter  uint32
	formatBit  [2]uint32
	stackBit   []uint32
	needStacks []int // requested stacks with an eligible stack-specific question

	tables  []*dimTable
	classes []*class // every dimension's classes, dimension by dimension
}

const (
	fmtVideo   = 0
	fmtWritten = 1
)

// Reasons a question is not eligible, checked cheapest first because most
// questions of a large bank fail on the role.
const (
	okEligible = iota
	notActive
	notForRole
	published
	notForSeniority
	notForStacks
	badDimension
	badFormat
	badMinutes
)

func (p *plan) buildProblem(b Bank) (*problem, error) {
	questions := b.Questions
	pr := &problem{p: p}
	aliases := map[string]string{}
	for _, s := range p.tax.Stacks {
		aliases[s.ID] = s.ID
		for _, a := range s.Aliases {
			aliases[a] = s.ID
		}
	}
	compDim := make(map[string]string, len(p.tax.Competencies))
	for _, c := range p.tax.Competencies {
		compDim[c.ID] = c.Dimension
	}
	roleComp := make(map[string]int, len(p.role.Competencies))
	for i, c := range p.role.Competencies {
		roleComp[c] = i
	}
	isRequired := make(map[string]bool, len(p.required))
	for _, id := range p.required {
		isRequired[id] = true
	}

	classify := func(q *qbank.Question) (cand, int) {
		if q.State != qbank.StateActive {
			return cand{}, notActive
		}
		if !slices.Contains(q.Roles, p.role.ID) {
			return cand{}, notForRole
		}
		if p.tax.PublishedIn(&q.Content) != "" {
			return cand{}, published
		}
		if p.seniority != "" && len(q.Seniorities) > 0 && !slices.Contains(q.Seniorities, p.seniority) {
			return cand{}, notForSeniority
		}
		c := cand{q: q, comp: -1}
		for _, s := range q.Stacks {
			id, ok := aliases[s]
			if !ok {
				id = aliases[strings.ToLower(strings.TrimSpace(s))]
			}
			if i := slices.Index(p.stacks, id); i >= 0 {
				c.stacks |= 1 << i
			}
		}
		if len(q.Stacks) > 0 && c.stacks == 0 {
			return cand{}, notForStacks
		}
		d, ok := p.dimIndex[q.Dimension]
		if !ok || compDim[q.Competency] != q.Dimension {
			// Validation keeps these out of the bank; a question whose
			// competency sits in another dimension could not be counted
			// consistently, so it is left out rather than guessed at.
			return cand{}, badDimension
		}
		c.dim = d
		if i, ok := roleComp[q.Competency]; ok {
			c.comp = i
		}
		switch q.ResponseFormat {
		case qbank.FormatVideo:
			c.format = fmtVideo
		case qbank.FormatWritten:
			c.format = fmtWritten
		default:
			return cand{}, badFormat
		}
		if q.Minutes < 1 {
			return cand{}, badMinutes
		}
		return c, okEligible
	}

	var v qbank.Violations
	seen := make(map[string]int, len(questions)/2)
	reqSeen := map[string]int{}
	for i := range questions {
		q := &questions[i]
		if len(isRequired) > 0 && isRequired[q.ID] {
			c, why := classify(q)
			if j, dup := reqSeen[q.ID]; dup {
				// Two entries for one id: keep the newest version.
				if j >= 0 && q.Version > pr.req[j].q.Version && why == okEligible {
					pr.req[j] = c
				}
				continue
			}
			if why != okEligible {
				v.Add("requiredQuestionIds", "question %q %s", q.ID, p.ineligibleReason(q, why))
				reqSeen[q.ID] = -1
				continue
			}
			reqSeen[q.ID] = len(pr.req)
			pr.req = append(pr.req, c)
			continue
		}
		if len(p.excluded) > 0 && p.excluded[q.ID] {
			continue
		}
		c, why := classify(q)
		if why != okEligible {
			continue
		}
		if j, dup := seen[q.ID]; dup {
			if q.Version > pr.cands[j].q.Version {
				pr.cands[j] = c
			}
			continue
		}
		seen[q.ID] = len(pr.cands)
		pr.cands = append(pr.cands, c)
	}
	lookup := b.Lookup
	if lookup == nil {
		lookup = scanLookup(questions)
	}
	var unknown []string
	for _, id := range p.required {
		if _, ok := reqSeen[id]; ok {
			continue
		}
		// Not among the questions the engine was given (the server gives
		// the role's active ones): say what the question is instead.
		q, ok := lookup(id)
		if !ok {
			unknown = append(unknown, qbank.Quote(id))
			continue
		}
		_, why := classify(&q)
		if why == okEligible {
			why = notActive // given only the usable questions, it must be one of them
		}
		v.Add("requiredQuestionIds", "question %q %s", id, p.ineligibleReason(&q, why))
	}
	if len(unknown) > 0 {
		v.Add("requiredQuestionIds", "unknown question%s %s", plural(len(unknown)), listSome(unknown))
	}
	unknown = unknown[:0]
	for id := range p.excluded {
		if _, ok := lookup(id); !ok {
			unknown = append(unknown, qbank.Quote(id))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		v.Add("excludedQuestionIds", "unknown question%s %s", plural(len(unknown)), listSome(unknown))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := pr.precheck(); err != nil {
		return nil, err
	}
	pr.layout()
	return pr, nil
}

func (p *plan) ineligibleReason(q *qbank.Question, why int) string {
	switch why {
	case notActive:
		switch q.State {
		case qbank.StateRetired:
			return "is retired (restore it to use it)"
		case qbank.StateDraft:
			return "is a draft (activate it to use it)"
		}
		return fmt.Sprintf("is %s, not active", cmp.Or(string(q.State), "without a state"))
	case notForRole:
		return fmt.Sprintf("is not for role %s (its roles: %s)", p.role.ID, strings.Join(q.Roles, ", "))
	case published:
		return fmt.Sprintf("is published in %s, which anyone can read, so it is never part of an assessment", p.tax.PublishedIn(&q.Content))
	case notForSeniority:
		return fmt.Sprintf("is for seniorities %s, not %s", strings.Join(q.Seniorities, ", "), p.seniority)
	case notForStacks:
		asked := "no stacks"
		if len(p.stacks) > 0 {
			asked = strings.Join(p.stacks, ", ")
		}
		return fmt.Sprintf("is specific to %s but the request asks for %s", strings.Join(q.Stacks, ", "), asked)
	case badMinutes:
		return fmt.Sprintf("has %d minutes", q.Minutes)
	case badFormat:
		return fmt.Sprintf("has an unknown response format %q", q.ResponseFormat)
	default:
		return fmt.Sprintf("has an inconsistent dimension %q or competency %q", q.Dimension, q.Competency)
	}
}

// scanLookup finds questions by id in a list, for banks given without a
// Lookup.
func scanLookup(questions []qbank.Question) func(string) (qbank.Question, bool) {
	var byID map[string]int
	return func(id string) (qbank.Question, bool) {
		if byID == nil {
			byID = make(map[string]int, len(questions))
			for i := range questions {
				if j, ok := byID[questions[i].ID]; !ok || questions[i].Version > questions[j].Version {
					byID[questions[i].ID] = i
				}
			}
		}
		i, ok := byID[id]
		if !ok {
			return qbank.Question{}, false
		}
		return questions[i], true
	}
}

// scope describes the candidate filter for messages: "role backend-engineer,
// seniority senior".
func (p *plan) scope() string {
	s := "role " + p.role.ID
	if p.seniority != "" {
		s += ", seniority " + p.seniority
	}
	if len(p.stacks) > 0 {
		s += ", stacks " + strings.Join(p.stacks, ", ")
	}
	return s
}

// precheck reports the failures that need no search, each with its own
// message, so the common infeasible requests are explained precisely.
func (pr *problem) precheck() error {
	p := pr.p
	covered := make([]bool, len(p.role.Competencies))
	var formats [2]bool
	reqMinutes, allMinutes := 0, 0
	for _, c := range pr.req {
		reqMinutes += c.q.Minutes
	}
	allMinutes = reqMinutes
	for _, set := range [][]cand{pr.req, pr.cands} {
		for _, c := range set {
			if c.comp >= 0 {
				covered[c.comp] = true
			}
			formats[c.format] = true
		}
	}
	for _, c := range pr.cands {
		allMinutes += c.q.Minutes
	}
	for i, ok := range covered {
		if !ok {
			return qbank.Errorf(qbank.EPRECONDITION, "competency %q has no eligible question for %s", p.role.Competencies[i], p.scope()).WithReason(qbank.ReasonInfeasible)
		}
	}
	if !formats[fmtVideo] {
		return qbank.Errorf(qbank.EPRECONDITION, "no video question is eligible for %s (an assessment needs at least one)", p.scope()).WithReason(qbank.ReasonInfeasible)
	}
	if !formats[fmtWritten] {
		return qbank.Errorf(qbank.EPRECONDITION, "no written question is eligible for %s (an assessment needs at least one)", p.scope()).WithReason(qbank.ReasonInfeasible)
	}
	if reqMinutes > p.max {
		return qbank.Errorf(qbank.EPRECONDITION, "the required questions take %d minutes, more than maxMinutes %d", reqMinutes, p.max).WithReason(qbank.ReasonInfeasible)
	}
	if allMinutes < p.min {
		return qbank.Errorf(qbank.EPRECONDITION, "every eligible question together takes %d minutes, less than minMinutes %d (%s)", allMinutes, p.min, p.scope()).WithReason(qbank.ReasonInfeasible)
	}
	return nil
}

// layout assigns constraint bits and groups the candidates into classes of
// interchangeable questions, one table per dimension.
func (pr *problem) layout() {
	p := pr.p
	var reqFormats [2]bool
	var reqStacks, anyStacks uint32
	reqComp := make([]bool, len(p.role.Competencies))
	for _, c := range pr.req {
		reqFormats[c.format] = true
		reqStacks |= c.stacks
		anyStacks |= c.stacks
		if c.comp >= 0 {
			reqComp[c.comp] = true
		}
	}
	for _, c := range pr.cands {
		anyStacks |= c.stacks
	}

	bit := 0
	for f := range 2 {
		if !reqFormats[f] {
			pr.formatBit[f] = 1 << bit
			bit++
		}
	}
	pr.stackBit = make([]uint32, len(p.stacks))
	for i := range p.stacks {
		if anyStacks&(1<<i) == 0 {
			continue
		}
		pr.needStacks = append(pr.needStacks, i)
		if reqStacks&(1<<i) == 0 {
			pr.stackBit[i] = 1 << bit
			bit++
		}
	}
	pr.outerBits = bit
	pr.needOuter = 1<<bit - 1

	compDim := make(map[string]int, len(p.tax.Competencies))
	for _, c := range p.tax.Competencies {
		compDim[c.ID] = p.dimIndex[c.Dimension]
	}
	pr.tables = make([]*dimTable, len(p.dims))
	for d := range p.dims {
		t := &dimTable{compBit: make([]uint32, len(p.role.Competencies))}
		for i, c := range p.role.Competencies {
			if cd, ok := compDim[c]; ok && cd == d && !reqComp[i] {
				t.compBit[i] = 1 << t.covBits
				t.covBits++
			}
		}
		t.fullCov = 1<<t.covBits - 1
		pr.tables[d] = t
	}
	for _, c := range pr.req {
		t := pr.tables[c.dim]
		t.baseMinutes += c.q.Minutes
		t.baseItems++
	}

	type key struct {
		dim     int
		bits    uint32
		minutes int
	}
	classes := map[key]*class{}
	for i := range pr.cands {
		c := &pr.cands[i]
		k := key{c.dim, pr.bits(c), c.q.Minutes}
		cl := classes[k]
		if cl == nil {
			cl = &class{bits: k.bits, minutes: k.minutes}
			classes[k] = cl
			pr.tables[c.dim].classes = append(pr.tables[c.dim].classes, cl)
		}
		cl.members = append(cl.members, i)
	}
	for d, t := range pr.tables {
		// Map order must not leak into the answer.
		slices.SortFunc(t.classes, func(a, b *class) int {
			return cmp.Or(cmp.Compare(a.bits, b.bits), cmp.Compare(a.minutes, b.minutes))
		})
		for _, cl := range t.classes {
			// Bank order must not leak into the answer either.
			slices.SortFunc(cl.members, func(a, b int) int { return strings.Compare(pr.cands[a].q.ID, pr.cands[b].q.ID) })
			cl.dim, cl.id = d, len(pr.classes)
			pr.classes = append(pr.classes, cl)
		}
	}
}

// bits is the per-dimension state a candidate can set: its competency's
// coverage bit, then the outer bits shifted above the coverage bits.
func (pr *problem) bits(c *cand) uint32 {
	t := pr.tables[c.dim]
	var b uint32
	if c.comp >= 0 {
		b = t.compBit[c.comp]
	}
	outer := pr.formatBit[c.format]
	for i, sb := range pr.stackBit {
		if c.stacks&(1<<i) != 0 {
			outer |= sb
		}
	}
	return b | outer<<t.covBits
}
