package assembly_test

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
)

// This file is the test oracle for banks too large to enumerate (the
// shipped bank has ~60–70 eligible questions per role and ~10⁸ acceptable
// selections). It computes the exact minimax exposure
//
//	t* = min_π max_i P_π(i ∈ S)
//
// over the selections the engine may draw, from the bank and the request
// alone, sharing no code with the engine. It works through LP duality:
//
//	t* = max μ  s.t.  μ ≤ Σ_{i∈s} y_i for every acceptable selection s,
//	                  Σ_i y_i = 1,  y ≥ 0.
//
// Symmetry. Questions equal in everything the rules look at (dimension,
// competency, format, minutes, the requested stacks they are specific to,
// not required) are interchangeable: swapping two maps the acceptable
// selections onto themselves. Averaging a feasible y over such swaps keeps
// it feasible with the same μ (each constraint becomes an average of
// constraints), so y may be taken constant on each such class: y_k per
// member of class k, Σ_k n_k·y_k = 1, and a selection enters only through
// its copies per class x_k(s). The classes here are finer than the engine's
// (which merges competencies already covered, formats, …), which is fine:
// finer classes lose nothing.
//
// Cutting planes. The programme over the selections found so far (the
// cuts) is solved by gonum's simplex; its optimum μ_R is an upper bound on
// t* (fewer constraints). The separation step finds, exactly, the
// acceptable selection s* of least Σ_{i∈s*} y_i for the current y: that
// value is a lower bound on t* (y is dual feasible, weak duality). If the
// bounds meet, t* is known; otherwise s* is a violated constraint and is
// added. There are finitely many selections, so this ends, and the answer
// is certified by the two bounds, whatever gonum's rounding.
//
// Separation is exact because it searches every selection, not a sample:
// per dimension, a dynamic programme over that dimension's questions, one
// at a time (take it or not; a required one must be taken), whose state is
// (minutes so far, which of the dimension's role competencies are covered,
// which formats and needed stacks are present), keeping the least cost of
// each state. Every selection's restriction to a dimension is one path
// through it, so the table holds the least cost of every (minutes,
// coverage, outer bits). Then every minute vector (m_d per dimension) that
// the rules accept (the tolerance band, or the least deviation when no
// vector is within it) is combined over the dimensions' outer bits, which
// must together hold both formats and every needed stack.

// oracle is the request reduced to what the separation needs.
type oracle struct {
	t       *testing.T
	dims    []string
	weights []int
	lo, hi  int
	tol     int
	cands   []*qbank.Question
	class   []int // per candidate
	size    []int // members per class
	req     []bool
	// per dimension: its candidates and the coverage bits it must fill
	dimItems [][]int
	compBit  []uint32 // per candidate, local to its dimension
	fullComp []uint32 // per dimension
	outer    []uint32 // per candidate: format bit, needed-stack bits
	ob       int      // outer bits
	need     uint32
	vectors  [][]int // acceptable minute vectors
	within   bool
	dps      []*oracleDP
	// combine's scratch: per (dimension, outer mask) the least cost and
	// where it came from
	cv          []float64
	cfrom, cout []int32
}

// oracleDP is one dimension's table: val[j][state] after its first j
// questions, prev[j][state] the state it came from.
type oracleDP struct {
	items  []int
	cb     int
	val    [][]float64
	prev   [][]int32
	count  []float64 // selections per state after all questions (exact below 2^53)
	states int
}

func (o *oracle) state(m int, comp, outer uint32, cb int) int {
	return (m<<cb|int(comp))<<o.ob | int(outer)
}

// newOracle builds the oracle; ok is false when no selection meets the
// hard constraints.
func newOracle(t *testing.T, b assembly.Bank, r assembly.Request) (*oracle, bool) {
	t.Helper()
	n := normalise(t, b.Taxonomy, r)
	o := &oracle{t: t, lo: n.lo, hi: n.hi, tol: n.tol}
	for _, d := range b.Taxonomy.Dimensions {
		o.dims = append(o.dims, d.ID)
		o.weights = append(o.weights, n.weights[d.ID])
	}
	for i := range b.Questions {
		if n.eligible(&b.Questions[i]) {
			o.cands = append(o.cands, &b.Questions[i])
		}
	}
	var needStacks []string
	for _, s := range n.stacks {
		if slices.ContainsFunc(o.cands, func(x *qbank.Question) bool { return slices.Contains(x.Stacks, s) }) {
			needStacks = append(needStacks, s)
		}
	}
	o.ob = 2 + len(needStacks)
	if o.ob > 6 {
		t.Fatalf("oracle: %d needed stacks; it handles at most 4 (outer masks are sets in a uint64)", len(needStacks))
	}
	o.need = 1<<o.ob - 1
	o.dimItems = make([][]int, len(o.dims))
	o.fullComp = make([]uint32, len(o.dims))
	local := map[string]uint32{} // role competency → its bit in its dimension
	for _, c := range n.role.Competencies {
		for d := range o.dims {
			if compDimOf(b.Taxonomy, c) == o.dims[d] {
				local[c] = 1 << bits.OnesCount32(o.fullComp[d])
				o.fullComp[d] |= local[c]
			}
		}
	}
	classOf := map[string]int{}
	for i, x := range o.cands {
		d := slices.Index(o.dims, x.Dimension)
		if d < 0 {
			t.Fatalf("question %s has unknown dimension %q", x.ID, x.Dimension)
		}
		o.dimItems[d] = append(o.dimItems[d], i)
		o.compBit = append(o.compBit, local[x.Competency])
		var out uint32 = 1 // video
		if x.ResponseFormat == written {
			out = 2
		}
		var stackKey []string
		for k, s := range needStacks {
			if slices.Contains(x.Stacks, s) {
				out |= 4 << k
				stackKey = append(stackKey, s)
			}
		}
		o.outer = append(o.outer, out)
		required := slices.Contains(n.required, x.ID)
		o.req = append(o.req, required)
		key := fmt.Sprint(x.Dimension, x.Competency, x.ResponseFormat, x.Minutes, stackKey)
		if required {
			key = "required " + x.ID
		}
		k, seen := classOf[key]
		if !seen {
			k = len(o.size)
			classOf[key] = k
			o.size = append(o.size, 0)
		}
		o.class = append(o.class, k)
		o.size[k]++
	}
	for d := range o.dims {
		dp := &oracleDP{items: o.dimItems[d], cb: bits.OnesCount32(o.fullComp[d])}
		dp.states = (o.hi + 1) << dp.cb << o.ob
		for range len(dp.items) + 1 {
			dp.val = append(dp.val, make([]float64, dp.states))
			dp.prev = append(dp.prev, make([]int32, dp.states))
		}
		o.dps = append(o.dps, dp)
	}
	// Which minute vectors some selection meeting the hard constraints
	// has: the tables with zero costs say what is reachable.
	o.run(make([]float64, len(o.size)))
	type vec struct {
		m      []int
		T, dev int
		in     bool
	}
	var feasible []vec
	// reach[d][m]: the outer masks (as a set, bit o) with which dimension
	// d can take exactly m minutes and cover its competencies.
	K := 1 << o.ob
	reach := make([][]uint64, len(o.dims))
	for d, dp := range o.dps {
		last := dp.val[len(dp.val)-1]
		reach[d] = make([]uint64, o.hi+1)
		for mm := range o.hi + 1 {
			for out := range K {
				if !math.IsInf(last[o.state(mm, o.fullComp[d], uint32(out), dp.cb)], 1) {
					reach[d][mm] |= 1 << out
				}
			}
		}
	}
	or := func(a, b uint64) uint64 { // {x|y : x ∈ a, y ∈ b}
		var r uint64
		for x := range K {
			if a&(1<<x) == 0 {
				continue
			}
			for y := range K {
				if b&(1<<y) != 0 {
					r |= 1 << (x | y)
				}
			}
		}
		return r
	}
	m := make([]int, len(o.dims))
	var walk func(d, T, left int, have uint64)
	walk = func(d, T, left int, have uint64) {
		if d == len(o.dims)-1 {
			m[d] = left
			if or(have, reach[d][left])&(1<<o.need) == 0 {
				return
			}
			v := vec{m: slices.Clone(m), T: T, in: true}
			for i, w := range o.weights {
				x := abs(100*m[i] - w*T)
				v.dev += x
				v.in = v.in && x <= o.tol*T
			}
			feasible = append(feasible, v)
			return
		}
		for x := 0; x <= left; x++ {
			if reach[d][x] != 0 {
				m[d] = x
				walk(d+1, T, left-x, or(have, reach[d][x]))
			}
		}
	}
	for T := o.lo; T <= o.hi; T++ {
		walk(0, T, T, 1)
	}
	if len(feasible) == 0 {
		return o, false
	}
	o.within = slices.ContainsFunc(feasible, func(v vec) bool { return v.in })
	best := feasible[0]
	for _, v := range feasible {
		if v.dev*best.T < best.dev*v.T {
			best = v
		}
	}
	for _, v := range feasible {
		if (o.within && v.in) || (!o.within && v.dev*best.T == best.dev*v.T) {
			o.vectors = append(o.vectors, v.m)
		}
	}
	return o, true
}

func compDimOf(tax *qbank.Taxonomy, c string) string {
	for _, x := range tax.Competencies {
		if x.ID == c {
			return x.Dimension
		}
	}
	return ""
}

// run fills every dimension's table for cost y[k] per member of class k.
func (o *oracle) run(y []float64) {
	for d, dp := range o.dps {
		fillInf(dp.val[0])
		dp.val[0][0] = 0
		for j, i := range dp.items {
			cur, next, prev := dp.val[j], dp.val[j+1], dp.prev[j+1]
			x := o.cands[i]
			if o.req[i] {
				fillInf(next) // a required question must be taken
			} else {
				copy(next, cur)
				for s := range prev {
					prev[s] = int32(s)
				}
			}
			c := y[o.class[i]]
			for s, v := range cur {
				if math.IsInf(v, 1) {
					continue
				}
				out := uint32(s) & (1<<o.ob - 1)
				comp := uint32(s>>o.ob) & o.fullComp[d]
				mins := s >> o.ob >> dp.cb
				if mins+x.Minutes > o.hi {
					continue
				}
				to := o.state(mins+x.Minutes, comp|o.compBit[i], out|o.outer[i], dp.cb)
				if v+c < next[to] {
					next[to], prev[to] = v+c, int32(s)
				}
			}
		}
	}
}

// combine finds, for the minute vector m, the least total cost over the
// dimensions' final states with full coverage whose outer bits together
// are complete, and the final state of each dimension it uses.
func (o *oracle) combine(m []int) (float64, []int, bool) {
	K := 1 << o.ob
	D := len(o.dps)
	if len(o.cv) != (D+1)*K {
		o.cv, o.cfrom, o.cout = make([]float64, (D+1)*K), make([]int32, (D+1)*K), make([]int32, (D+1)*K)
	}
	fillInf(o.cv)
	o.cv[0] = 0
	for d, dp := range o.dps {
		cur, next := o.cv[d*K:(d+1)*K], o.cv[(d+1)*K:(d+2)*K]
		last := dp.val[len(dp.val)-1]
		base := o.state(m[d], o.fullComp[d], 0, dp.cb)
		for acc, v := range cur {
			if math.IsInf(v, 1) {
				continue
			}
			for out := range K {
				if x := v + last[base+out]; x < next[acc|out] {
					next[acc|out] = x
					o.cfrom[(d+1)*K+acc|out], o.cout[(d+1)*K+acc|out] = int32(acc), int32(out)
				}
			}
		}
	}
	v := o.cv[D*K+int(o.need)]
	if math.IsInf(v, 1) {
		return v, nil, false
	}
	states := make([]int, D)
	acc := int(o.need)
	for d := D; d > 0; d-- {
		out := int(o.cout[d*K+acc])
		states[d-1] = o.state(m[d-1], o.fullComp[d-1], uint32(out), o.dps[d-1].cb)
		acc = int(o.cfrom[d*K+acc])
	}
	return v, states, true
}

// separate returns the acceptable selection (candidate indices) of least
// cost for y.
func (o *oracle) separate(y []float64) []int {
	o.run(y)
	best, bestV := []int(nil), math.Inf(1)
	for _, m := range o.vectors {
		if v, from, ok := o.combine(m); ok && v < bestV {
			best, bestV = from, v
		}
	}
	var sel []int
	for d, dp := range o.dps {
		s := best[d]
		for j := len(dp.items); j > 0; j-- {
			p := int(dp.prev[j][s])
			if p != s {
				sel = append(sel, dp.items[j-1])
			}
			s = p
		}
	}
	return sel
}

// counts is a selection's copies per class.
func (o *oracle) counts(sel []int) []float64 {
	x := make([]float64, len(o.size))
	for _, i := range sel {
		x[o.class[i]]++
	}
	return x
}

// check verifies a separated selection against the rules directly, so a
// slip in the tables cannot pass unnoticed.
func (o *oracle) check(sel []int) {
	minutes := make([]int, len(o.dims))
	var comp = make([]uint32, len(o.dims))
	var out uint32
	T := 0
	for _, i := range sel {
		d := slices.Index(o.dims, o.cands[i].Dimension)
		minutes[d] += o.cands[i].Minutes
		comp[d] |= o.compBit[i]
		out |= o.outer[i]
		T += o.cands[i].Minutes
	}
	for i, r := range o.req {
		if r && !slices.Contains(sel, i) {
			o.t.Fatalf("oracle: selection misses required %s", o.cands[i].ID)
		}
	}
	if out != o.need || T < o.lo || T > o.hi || !slices.ContainsFunc(o.vectors, func(m []int) bool { return slices.Equal(m, minutes) }) {
		o.t.Fatalf("oracle: selection with minutes %v, outer %b is not acceptable", minutes, out)
	}
	for d := range o.dims {
		if comp[d] != o.fullComp[d] {
			o.t.Fatalf("oracle: selection leaves competencies of %s uncovered", o.dims[d])
		}
	}
}

// minimax returns the exact minimax exposure as certified bounds lower ≤ t*
// ≤ upper, within 1e-7 of each other.
func (o *oracle) minimax() (lower, upper float64) {
	K := len(o.size)
	y := make([]float64, K)
	for k, n := range o.size {
		y[k] = 1 / float64(K*n)
	}
	var cuts [][]float64
	dot := func(x []float64) float64 {
		v := 0.0
		for k := range x {
			v += x[k] * y[k]
		}
		return v
	}
	upper = math.Inf(1)
	for round := 0; ; round++ {
		sel := o.separate(y)
		o.check(sel)
		x := o.counts(sel)
		lower = max(lower, dot(x))
		if upper-lower <= 1e-7 {
			return lower, upper
		}
		if slices.ContainsFunc(cuts, func(c []float64) bool { return slices.Equal(c, x) }) || round > 5000 {
			o.t.Fatalf("oracle: cutting planes stalled at round %d: %.9f ≤ t* ≤ %.9f", round, lower, upper)
		}
		cuts = append(cuts, x)
		// Variables y_0..y_{K−1}, μ ≥ 0 (t* > 0), a slack per cut. Rows:
		// Σ_k n_k·y_k = 1; μ − Σ_k x_k(s)·y_k + slack_s = 0 per cut.
		C := len(cuts)
		A := mat.NewDense(1+C, K+1+C, nil)
		for k, n := range o.size {
			A.Set(0, k, float64(n))
		}
		for c, xc := range cuts {
			for k, v := range xc {
				A.Set(1+c, k, -v)
			}
			A.Set(1+c, K, 1)
			A.Set(1+c, K+1+c, 1)
		}
		cost := make([]float64, K+1+C)
		cost[K] = -1
		rhs := make([]float64, 1+C)
		rhs[0] = 1
		// A feasible start: all weight on the largest class, μ = 0.
		k0 := 0
		for k, n := range o.size {
			if n > o.size[k0] {
				k0 = k
			}
		}
		basis := []int{k0}
		for c := range C {
			basis = append(basis, K+1+c)
		}
		opt, sol, err := lp.Simplex(cost, A, rhs, 1e-12, basis)
		if err != nil {
			o.t.Fatalf("oracle LP, round %d: %v", round, err)
		}
		upper = -opt
		copy(y, sol[:K])
	}
}

// countSelections counts the acceptable selections (for comparison with
// the engine's AcceptableAssessments); exact below 2^53.
func (o *oracle) countSelections() float64 {
	for d, dp := range o.dps {
		cur := make([]float64, dp.states)
		cur[0] = 1
		for _, i := range dp.items {
			next := make([]float64, dp.states)
			if !o.req[i] {
				copy(next, cur)
			}
			for s, v := range cur {
				if v == 0 {
					continue
				}
				out := uint32(s) & (1<<o.ob - 1)
				comp := uint32(s>>o.ob) & o.fullComp[d]
				mins := s >> o.ob >> dp.cb
				if m := mins + o.cands[i].Minutes; m <= o.hi {
					next[o.state(m, comp|o.compBit[i], out|o.outer[i], dp.cb)] += v
				}
			}
			cur = next
		}
		dp.count = cur
	}
	K := 1 << o.ob
	total := 0.0
	for _, m := range o.vectors {
		ways := make([]float64, K)
		ways[0] = 1
		for d, dp := range o.dps {
			next := make([]float64, K)
			for acc, w := range ways {
				for out := range K {
					next[acc|out] += w * dp.count[o.state(m[d], o.fullComp[d], uint32(out), dp.cb)]
				}
			}
			ways = next
		}
		total += ways[o.need]
	}
	return total
}

func fillInf(s []float64) {
	for i := range s {
		s[i] = math.Inf(1)
	}
}
