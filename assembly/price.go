package assembly

import (
	"cmp"
	"math"
	"slices"
)

// pricer finds, for a cost per copy of each class, an acceptable count
// vector (copies per class) of least total cost: the pricing step of the
// column generation in distribution.go. It is the feasibility programme of
// solve.go with float costs in place of item counts: the same layers, masks
// and boxes, so it searches exactly the acceptable selections.
type pricer struct {
	pr    *problem
	width int
	dims  []*dimPricer
	boxes []box
	K     int // outer masks
	// box DP scratch, per stage d: value and back pointers per state
	// (minutes so far)·K + outer mask.
	val  [][]float64
	from [][]int32
	ent  [][]int32
	mins [][]int16
}

type dimPricer struct {
	t     *dimTable
	cost  [][]float64 // per layer j, masks×width
	prev  [][]int32   // per layer j ≥ 1: the mask index in layer j−1
	take  [][]uint8   // per layer j ≥ 1: copies of class j−1
	final [][]pentry  // per minute total: undominated ways with full coverage
}

// pentry is a way to fill a dimension with some minutes: the outer bits it
// sets, its least cost, and its mask's index in the final layer.
type pentry struct {
	outer uint32
	cost  float64
	mask  int32
}

func newPricer(pr *problem, boxes []box) *pricer {
	width := pr.p.max + 1
	K := 1 << pr.outerBits
	pc := &pricer{pr: pr, width: width, boxes: boxes, K: K}
	for _, t := range pr.tables {
		dp := &dimPricer{t: t}
		for j, l := range t.layers {
			dp.cost = append(dp.cost, make([]float64, len(l.masks)*width))
			if j > 0 {
				dp.prev = append(dp.prev, make([]int32, len(l.masks)*width))
				dp.take = append(dp.take, make([]uint8, len(l.masks)*width))
			}
		}
		dp.final = make([][]pentry, width)
		pc.dims = append(pc.dims, dp)
	}
	maxT := 0
	for _, b := range boxes {
		maxT = max(maxT, b.T)
	}
	D := len(pr.tables)
	n := (maxT + 1) * K
	for range D + 1 {
		pc.val = append(pc.val, make([]float64, n))
		pc.from = append(pc.from, make([]int32, n))
		pc.ent = append(pc.ent, make([]int32, n))
		pc.mins = append(pc.mins, make([]int16, n))
	}
	return pc
}

// price returns the least total cost of an acceptable selection when each
// copy of class k costs w[k], and that selection's copies per class.
func (pc *pricer) price(w []float64) (float64, []int, bool) {
	cols := pc.priceMany(w, math.Inf(1), 1)
	if len(cols) == 0 {
		return 0, nil, false
	}
	return cols[0].cost, cols[0].counts, true
}

// priced is a selection found by pricing: its copies per class and cost.
type priced struct {
	cost   float64
	counts []int
}

// priceMany returns, cheapest first, up to limit selections that cost less
// than below: the cheapest of each box (each total), so one run of the
// per-dimension programmes can feed the master several columns. The first
// is the cheapest acceptable selection of all.
func (pc *pricer) priceMany(w []float64, below float64, limit int) []priced {
	for _, dp := range pc.dims {
		dp.run(w, pc.width, pc.pr.outerBits)
	}
	type boxCost struct {
		i    int
		cost float64
	}
	var found []boxCost
	for bi, b := range pc.boxes {
		if v := pc.boxDP(b); v < below && !math.IsInf(v, 1) {
			found = append(found, boxCost{bi, v})
		}
	}
	// Cheapest first; equal costs keep box order, so ties are deterministic.
	slices.SortStableFunc(found, func(a, b boxCost) int { return cmp.Compare(a.cost, b.cost) })
	if len(found) > limit {
		found = found[:limit]
	}
	D, K, need := len(pc.dims), pc.K, int(pc.pr.needOuter)
	out := make([]priced, 0, len(found))
	for _, f := range found {
		// Rerun the box to recover its back pointers.
		b := pc.boxes[f.i]
		pc.boxDP(b)
		counts := make([]int, len(pc.pr.classes))
		state := b.T*K + need
		for d := D; d > 0; d-- {
			m := int(pc.mins[d][state])
			e := pc.dims[d-1].final[m][pc.ent[d][state]]
			pc.dims[d-1].backtrack(int(e.mask), m, pc.width, counts)
			state = int(pc.from[d][state])
		}
		out = append(out, priced{f.cost, counts})
	}
	return out
}

// boxDP combines the dimensions' least costs over the box's minute vectors:
// states are (minutes so far, outer bits set so far).
func (pc *pricer) boxDP(b box) float64 {
	D, K, T := len(pc.dims), pc.K, b.T
	n := (T + 1) * K
	for d := 0; d <= D; d++ {
		fillF(pc.val[d][:n], math.Inf(1))
	}
	pc.val[0][0] = 0
	for d, dp := range pc.dims {
		cur, next := pc.val[d], pc.val[d+1]
		for u := 0; u <= T; u++ {
			lo, hi := b.lo[d], min(b.hi[d], T-u)
			if d == D-1 {
				if T-u < b.lo[d] || T-u > b.hi[d] {
					continue
				}
				lo, hi = T-u, T-u
			}
			for o := range K {
				v := cur[u*K+o]
				if math.IsInf(v, 1) {
					continue
				}
				for m := lo; m <= hi; m++ {
					for ei, e := range dp.final[m] {
						ns := (u+m)*K + (o | int(e.outer))
						if x := v + e.cost; x < next[ns] {
							next[ns] = x
							pc.from[d+1][ns] = int32(u*K + o)
							pc.ent[d+1][ns] = int32(ei)
							pc.mins[d+1][ns] = int16(m)
						}
					}
				}
			}
		}
	}
	return pc.val[D][T*K+int(pc.pr.needOuter)]
}

// run fills the dimension's cost layers for costs w (indexed by global
// class id) and its undominated final entries.
func (dp *dimPricer) run(w []float64, width, outerBits int) {
	t := dp.t
	fillF(dp.cost[0], math.Inf(1))
	dp.cost[0][t.baseMinutes] = 0
	for j, cl := range t.classes {
		prevL, nextL := &t.layers[j], &t.layers[j+1]
		pcost, ncost := dp.cost[j], dp.cost[j+1]
		nprev, ntake := dp.prev[j], dp.take[j]
		fillF(ncost, math.Inf(1))
		c := w[cl.id]
		for i, s := range prevL.masks {
			k0, _ := nextL.find(s)
			k1 := k0
			if cl.cap > 0 {
				k1, _ = nextL.find(s | cl.bits)
			}
			row := pcost[i*width : (i+1)*width]
			// No copy: the row carries over to mask s.
			out0 := ncost[k0*width : (k0+1)*width]
			reachable := false
			for m, v := range row {
				if v < out0[m] {
					out0[m] = v
					nprev[k0*width+m] = int32(i)
					ntake[k0*width+m] = 0
					reachable = true
				}
			}
			if cl.cap == 0 || !reachable && allInf(row) {
				continue
			}
			out1 := ncost[k1*width : (k1+1)*width]
			if cl.cap >= (width-1)/cl.minutes {
				// Any number of copies: along each residue of the minutes,
				// the best way to end at m with x ≥ 1 copies is one more
				// copy after the best of (no copy at m−w, ≥ 1 copies at
				// m−w), so one pass finds it.
				for r := 0; r < cl.minutes && r < width; r++ {
					chain, chainX := math.Inf(1), 0
					for m := r; m+cl.minutes < width; m += cl.minutes {
						if v := row[m]; v <= chain {
							chain, chainX = v, 0
						}
						if math.IsInf(chain, 1) {
							continue
						}
						chain, chainX = chain+c, chainX+1
						at := m + cl.minutes
						if chain < out1[at] {
							out1[at] = chain
							nprev[k1*width+at] = int32(i)
							ntake[k1*width+at] = uint8(chainX)
						}
					}
				}
				continue
			}
			for m, v := range row {
				if math.IsInf(v, 1) {
					continue
				}
				for x := 1; x <= cl.cap && m+x*cl.minutes < width; x++ {
					at := m + x*cl.minutes
					if val := v + float64(float64(x)*c); val < out1[at] {
						out1[at] = val
						nprev[k1*width+at] = int32(i)
						ntake[k1*width+at] = uint8(x)
					}
				}
			}
		}
	}
	final := &t.layers[len(t.layers)-1]
	last := dp.cost[len(dp.cost)-1]
	for m := range width {
		es := dp.final[m][:0]
		for i, mask := range final.masks {
			if mask&t.fullCov != t.fullCov {
				continue
			}
			if v := last[i*width+m]; !math.IsInf(v, 1) {
				es = append(es, pentry{outer: mask >> t.covBits, cost: v, mask: int32(i)})
			}
		}
		dp.final[m] = dropDominatedP(es)
	}
}

// backtrack adds to counts the copies per class of the least-cost way to
// reach mask index k of the final layer with m minutes.
func (dp *dimPricer) backtrack(k, m, width int, counts []int) {
	t := dp.t
	for j := len(t.classes); j > 0; j-- {
		at := k*width + m
		x := int(dp.take[j-1][at])
		cl := t.classes[j-1]
		counts[cl.id] += x
		k = int(dp.prev[j-1][at])
		m -= x * cl.minutes
	}
}

// dropDominatedP keeps the entries no other entry beats: one that sets a
// superset of the outer bits at no greater cost is at least as good in
// every completion. Each outer set appears at most once.
func dropDominatedP(es []pentry) []pentry {
	if len(es) < 2 {
		return es
	}
	out := make([]pentry, 0, len(es))
	for i, e := range es {
		dominated := false
		for j, f := range es {
			if i != j && f.outer&e.outer == e.outer && f.cost <= e.cost && (f.outer != e.outer || j < i) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, e)
		}
	}
	return out
}

func allInf(s []float64) bool {
	for _, v := range s {
		if !math.IsInf(v, 1) {
			return false
		}
	}
	return true
}

func fillF(s []float64, v float64) {
	for i := range s {
		s[i] = v
	}
}
