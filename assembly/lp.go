package assembly

import (
	"errors"
	"math"
)

// lp is a dense simplex tableau for
//
//	minimise c·x  subject to  A x = b, x ≥ 0,  b ≥ 0,
//
// stored by column so that column generation can append columns to a solved
// problem and continue from its optimal basis. Every row has an artificial
// column; they start as the basis (phase 1 drives them out) and are kept
// afterwards because their columns hold B⁻¹: a new column a enters the
// tableau as B⁻¹a, and the duals y = c_B B⁻¹ are read from their reduced
// costs.
//
// Gonum's simplex (the test oracle's) returns neither duals nor a basis to
// continue from, which column generation needs; this one does both, and its
// arithmetic is a fixed sequence of float64 operations, so the same input
// gives the same distribution on every run.
type lp struct {
	m     int         // rows
	cols  [][]float64 // cols[j][i] = (B⁻¹A)_ij for i < m; cols[j][m] = reduced cost
	cost  []float64   // phase 2 costs
	art   []bool      // artificial columns
	rhs   []float64   // B⁻¹b; rhs[m] = −objective
	basis []int       // column basic in each row
	phase int
	piv   []float64 // scratch: the pivot column
	// done, when set, is polled between pivots: a long solve stops when
	// its caller gives up.
	done func() error
}

var errInfeasibleLP = errors.New("assembly: linear programme infeasible")

const (
	lpEps      = 1e-9 // a reduced cost below −lpEps improves the objective
	lpPivotEps = 1e-9 // smallest usable pivot
)

// newLP starts a problem with m rows and right-hand side b (b ≥ 0).
func newLP(b []float64) *lp {
	m := len(b)
	p := &lp{m: m, rhs: make([]float64, m+1), basis: make([]int, m), phase: 1}
	copy(p.rhs, b)
	for i := range m {
		col := make([]float64, m+1)
		col[i] = 1
		p.cols = append(p.cols, col)
		p.cost = append(p.cost, 0)
		p.art = append(p.art, true)
		p.basis[i] = i
	}
	// Phase 1 minimises the sum of the artificials: the reduced cost of a
	// structural column is −Σ_i a_ij, and the objective is Σ b.
	for i := range m {
		p.rhs[m] -= b[i]
	}
	return p
}

// add appends a structural column with cost c and sparse entries (row,
// value) of A, and returns its index.
func (p *lp) add(c float64, rows []int, vals []float64) int {
	// B⁻¹a and the reduced cost, both from the artificial columns, whose
	// original form is the identity: in phase 2 an artificial's reduced
	// cost is −y_i, so c − y·a = c + Σ a_i·d_i; in phase 1 its cost is 1,
	// so −y·a = Σ a_i·(d_i − 1).
	col := make([]float64, p.m+1)
	if p.phase == 2 {
		col[p.m] = c
	}
	for k, i := range rows {
		v := vals[k]
		if p.phase == 1 {
			col[p.m] -= v
		}
		for r, a := range p.cols[i] {
			col[r] += float64(v * a) // no fused multiply-add: see doc.go
		}
	}
	p.cols = append(p.cols, col)
	p.cost = append(p.cost, c)
	p.art = append(p.art, false)
	return len(p.cols) - 1
}

// solve runs the simplex to optimality (both phases on the first call).
func (p *lp) solve() error {
	if p.phase == 1 {
		if err := p.iterate(); err != nil {
			return err
		}
		if -p.rhs[p.m] > 1e-7 {
			return errInfeasibleLP
		}
		p.driveOutArtificials()
		p.phase = 2
		p.priceOut()
	}
	return p.iterate()
}

// priceOut sets the objective row to the phase 2 reduced costs
// c_j − c_B·B⁻¹A_j and the objective to c_B·B⁻¹b.
func (p *lp) priceOut() {
	m := p.m
	for j, col := range p.cols {
		d := 0.0
		if !p.art[j] {
			d = p.cost[j]
		}
		for i, bj := range p.basis {
			if cb := p.basicCost(bj); cb != 0 {
				d -= float64(cb * col[i])
			}
		}
		col[m] = d
	}
	z := 0.0
	for i, bj := range p.basis {
		z -= float64(p.basicCost(bj) * p.rhs[i])
	}
	p.rhs[m] = z
}

func (p *lp) basicCost(j int) float64 {
	if p.art[j] {
		return 0
	}
	return p.cost[j]
}

// driveOutArtificials pivots artificials that stayed basic at level zero out
// of the basis where some structural column can replace them; a row where
// none can is redundant and keeps its artificial at zero, which never
// enters again.
func (p *lp) driveOutArtificials() {
	for r, bj := range p.basis {
		if !p.art[bj] {
			continue
		}
		best, bestAbs := -1, 1e-6
		for j, col := range p.cols {
			if !p.art[j] && math.Abs(col[r]) > bestAbs {
				best, bestAbs = j, math.Abs(col[r])
			}
		}
		if best >= 0 {
			// The artificial is at zero up to rounding: a degenerate
			// pivot, which must not move the other values.
			p.rhs[r] = 0
			p.pivot(r, best)
		}
	}
}

// iterate pivots until no reduced cost is negative: Dantzig's rule, and
// Bland's (smallest index in and out) after a run of degenerate pivots, so
// it cannot cycle.
func (p *lp) iterate() error {
	m := p.m
	degenerate := 0
	for it := range 100000 {
		if p.done != nil && it%64 == 63 {
			if err := p.done(); err != nil {
				return err
			}
		}
		bland := degenerate > 50
		q, best := -1, -lpEps
		for j, col := range p.cols {
			if p.art[j] && p.phase == 2 {
				continue
			}
			if d := col[m]; d < best {
				q, best = j, d
				if bland {
					break
				}
			}
		}
		if q < 0 {
			return nil
		}
		col := p.cols[q]
		r := p.leaving(col, bland)
		if r < 0 {
			return errors.New("assembly: linear programme unbounded")
		}
		if p.rhs[r] < 1e-12 {
			degenerate++
		} else {
			degenerate = 0
		}
		p.pivot(r, q)
	}
	return errors.New("assembly: simplex did not converge")
}

// leaving chooses the row whose basic variable leaves when column col
// enters. Harris's two passes: the largest ratio any row allows with its
// value relaxed by a hair, then among the rows within it the largest pivot,
// which keeps the tableau accurate. In Bland mode: the least ratio, ties to
// the smallest basic index, which cannot cycle.
func (p *lp) leaving(col []float64, bland bool) int {
	const relax = 1e-9
	r := -1
	if bland {
		ratio := math.Inf(1)
		for i := range p.m {
			a := col[i]
			if a <= lpPivotEps {
				continue
			}
			t := p.rhs[i] / a
			if t < ratio-1e-12 || (t <= ratio+1e-12 && r >= 0 && p.basis[i] < p.basis[r]) {
				r, ratio = i, t
			}
		}
		return r
	}
	bound := math.Inf(1)
	for i := range p.m {
		if a := col[i]; a > lpPivotEps {
			bound = min(bound, (p.rhs[i]+relax)/a)
		}
	}
	best := 0.0
	for i := range p.m {
		if a := col[i]; a > lpPivotEps && p.rhs[i]/a <= bound && a > best {
			r, best = i, a
		}
	}
	return r
}

func (p *lp) pivot(r, q int) {
	pc := p.cols[q]
	inv := 1 / pc[r]
	// The pivot column is needed unchanged while the others are updated.
	if cap(p.piv) < len(pc) {
		p.piv = make([]float64, len(pc))
	}
	piv := p.piv[:len(pc)]
	copy(piv, pc)
	for _, col := range p.cols {
		a := col[r]
		if a == 0 {
			continue
		}
		f := a * inv
		for i := range col {
			col[i] -= float64(f * piv[i])
		}
		col[r] = f
	}
	f := p.rhs[r] * inv
	for i := range p.rhs {
		p.rhs[i] -= float64(f * piv[i])
	}
	p.rhs[r] = f
	for i := range p.m {
		// Harris's relaxed ratio lets a value go a hair below zero.
		p.rhs[i] = max(p.rhs[i], 0)
	}
	p.basis[r] = q
}

// x returns the value of column j.
func (p *lp) x(j int) float64 {
	for i, bj := range p.basis {
		if bj == j {
			return max(p.rhs[i], 0)
		}
	}
	return 0
}

// objective returns c·x at the current basis.
func (p *lp) objective() float64 { return -p.rhs[p.m] }

// dual returns y_i for row i: the artificial column of row i has original
// form e_i and cost 0, so its reduced cost is −y_i.
func (p *lp) dual(i int) float64 { return -p.cols[i][p.m] }
