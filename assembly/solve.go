package assembly

import (
	"slices"
)

// inf marks an unreachable cell. Item counts never reach it: every question
// takes at least a minute and no table is wider than inf minutes.
const inf = 255

// class is a set of interchangeable candidates of one dimension: same
// minutes, same constraint bits.
type class struct {
	bits    uint32
	minutes int
	members []int // indices into problem.cands, in id order
	cap     int   // most copies a selection can use
	dim, id int   // its dimension; its index in problem.classes
}

// layer is the dynamic programme's table after some classes: for each
// reachable state mask, the fewest items per exact minute total (a row of
// width max+1).
type layer struct {
	masks []uint32 // sorted
	vals  []uint8
}

func (l *layer) row(i, w int) []uint8 { return l.vals[i*w : (i+1)*w] }

func (l *layer) find(mask uint32) (int, bool) { return slices.BinarySearch(l.masks, mask) }

// entry is a way to fill a dimension with a given minute total: the outer
// bits it sets and the fewest items it takes.
type entry struct {
	outer uint32
	items uint8
}

// dimTable holds one dimension's classes and tables.
type dimTable struct {
	compBit     []uint32 // per role competency; 0 if not open in this dimension
	covBits     int
	fullCov     uint32
	baseMinutes int // of the required questions in this dimension
	baseItems   int
	classes     []*class
	layers      []layer   // layers[j]: after classes[:j]
	entries     [][]entry // per minute total, with full coverage
}

// build runs the per-dimension programme up to width-1 minutes.
func (t *dimTable) build(width, outerBits int) {
	maxM := width - 1
	first := layer{masks: []uint32{0}, vals: make([]uint8, width)}
	fill(first.vals, inf)
	first.vals[t.baseMinutes] = uint8(t.baseItems)
	t.layers = append(t.layers[:0], first)
	var scratch []uint8
	for _, cl := range t.classes {
		cl.cap = min(len(cl.members), maxM/cl.minutes)
		if cl.cap == 0 {
			t.layers = append(t.layers, t.layers[len(t.layers)-1])
			continue
		}
		var next layer
		next, scratch = step(&t.layers[len(t.layers)-1], cl, width, scratch)
		t.layers = append(t.layers, next)
	}

	final := &t.layers[len(t.layers)-1]
	t.entries = make([][]entry, width)
	for i, mask := range final.masks {
		if mask&t.fullCov != t.fullCov {
			continue
		}
		outer := mask >> t.covBits
		for m, v := range final.row(i, width) {
			if v != inf {
				t.entries[m] = append(t.entries[m], entry{outer, v})
			}
		}
	}
	for m, es := range t.entries {
		t.entries[m] = dropDominated(es, outerBits)
	}
}

// step adds one class: any number of its copies, 0 to cap. Only the first
// copy can change the mask (bits are OR-ed), so the transition is: merge
// every row s into row s|bits, then a bounded knapsack along the minutes.
func step(prev *layer, cl *class, width int, scratch []uint8) (layer, []uint8) {
	b, w := cl.bits, cl.minutes
	masks := make([]uint32, 0, 2*len(prev.masks))
	masks = append(masks, prev.masks...)
	for _, s := range prev.masks {
		masks = append(masks, s|b)
	}
	slices.Sort(masks)
	masks = slices.Compact(masks)
	next := layer{masks: masks, vals: make([]uint8, len(masks)*width)}
	if cap(scratch) < len(next.vals) {
		scratch = make([]uint8, len(next.vals))
	}
	merged := scratch[:len(next.vals)]
	// Rows are filled lazily: copied from prev where prev has the mask,
	// set to inf only where nothing else writes them.
	fromPrev := make([]bool, len(masks))
	touched := make([]bool, len(masks))
	for i, s := range prev.masks {
		j, _ := next.find(s)
		copy(next.row(j, width), prev.row(i, width))
		fromPrev[j] = true
	}
	for j, ok := range fromPrev {
		if !ok {
			fill(next.row(j, width), inf)
		}
	}
	for i, s := range prev.masks {
		src := prev.row(i, width)
		k, _ := next.find(s | b)
		dst := merged[k*width : (k+1)*width]
		if !touched[k] {
			copy(dst, src)
			touched[k] = true
			continue
		}
		for m, v := range src {
			if v < dst[m] {
				dst[m] = v
			}
		}
	}
	unbounded := cl.cap >= (width-1)/w
	for k, ok := range touched {
		if !ok {
			continue
		}
		a := merged[k*width : (k+1)*width]
		out := next.row(k, width)
		if unbounded {
			knapUnbounded(a, out, w)
			continue
		}
		for m := w; m < width; m++ {
			best := out[m]
			for x := 1; x <= cl.cap && x*w <= m; x++ {
				if v := a[m-x*w]; v != inf && v+uint8(x) < best {
					best = v + uint8(x)
				}
			}
			out[m] = best
		}
	}
	return next, scratch
}

// knapUnbounded sets out[m] = min(out[m], min over x ≥ 1 of a[m-x·w] + x).
func knapUnbounded(a, out []uint8, w int) {
	width := len(a)
	// chain[m] = min over x ≥ 1 of a[m-x·w] + x, built along each residue.
	for r := 0; r < w && r < width; r++ {
		var chain uint8 = inf
		for m := r; m+w < width; m += w {
			// chain for m+w = 1 + min(a[m], chain for m)
			c := min(a[m], chain)
			if c == inf {
				chain = inf
			} else {
				chain = c + 1
			}
			if chain < out[m+w] {
				out[m+w] = chain
			}
		}
	}
}

func fill(s []uint8, v uint8) {
	for i := range s {
		s[i] = v
	}
}

// dropDominated keeps the entries no other entry beats: one that sets a
// strict superset of the outer bits with no more items is at least as good
// in every completion. Each outer set appears at most once in es.
func dropDominated(es []entry, outerBits int) []entry {
	if len(es) < 2 {
		return es
	}
	out := es[:0:0]
	if len(es) <= 16 {
		for i, e := range es {
			dominated := false
			for j, f := range es {
				if i != j && f.outer&e.outer == e.outer && f.items <= e.items {
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
	// Many entries: a superset-minimum transform over the outer bits.
	sup := make([]uint8, 1<<outerBits)
	fill(sup, inf)
	for _, e := range es {
		sup[e.outer] = e.items
	}
	own := slices.Clone(sup)
	for b := range outerBits {
		for o := range sup {
			if o&(1<<b) == 0 {
				sup[o] = min(sup[o], sup[o|1<<b])
			}
		}
	}
	for _, e := range es {
		dominated := false
		for b := range outerBits {
			if e.outer&(1<<b) == 0 && sup[e.outer|1<<b] <= own[e.outer] {
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

// searcher walks the minute vectors (minutes per dimension) that some
// selection meeting the hard constraints can have: for a total T, the
// dimensions in turn, each minute count m drawn from the per-dimension
// tables. In band mode only vectors within the tolerance are visited and the
// first one found ends the search; otherwise it keeps every vector of least
// total deviation Σ|100·m_d − w_d·T| / T.
type searcher struct {
	pr      *problem
	w       []int // weights
	wsuf    []int // wsuf[i] = Σ w[i:]
	tol     int
	band    bool
	T       int
	found   bool
	bestN   int // best deviation is bestN / bestT
	bestT   int
	cur     []int
	best    [][]int // minute vectors of least deviation (not in band mode)
	entries [][][]entry
}

// box is a set of minute vectors with total T and dimension d's minutes in
// [lo[d], hi[d]]: the acceptable ones for one total, or a single vector.
type box struct {
	T      int
	lo, hi []int
}

// acceptableBoxes builds the feasibility tables and returns the minute
// vectors an acceptable assessment may have: within the tolerance when the
// bank allows it (within = true), else those of least deviation. It returns
// no boxes when no selection meets the hard constraints.
func (pr *problem) acceptableBoxes() (boxes []box, within bool) {
	p := pr.p
	for _, t := range pr.tables {
		t.build(p.max+1, pr.outerBits)
	}
	D := len(pr.tables)
	s := &searcher{pr: pr, w: p.weights, wsuf: make([]int, D+1), tol: p.tol, cur: make([]int, D)}
	for i := D - 1; i >= 0; i-- {
		s.wsuf[i] = s.wsuf[i+1] + s.w[i]
	}
	s.entries = make([][][]entry, D)
	for i, t := range pr.tables {
		s.entries[i] = t.entries
	}
	s.band = true
	for T := p.min; T <= p.max && !s.found; T++ {
		s.T = T
		s.dfs(0, T, 0, 0)
	}
	if s.found {
		for T := p.min; T <= p.max; T++ {
			b := box{T: T, lo: make([]int, D), hi: make([]int, D)}
			ok := true
			for d, w := range p.weights {
				b.lo[d], b.hi[d] = bandRange(w, p.tol, T)
				ok = ok && b.lo[d] <= b.hi[d]
			}
			if ok {
				boxes = append(boxes, b)
			}
		}
		return boxes, true
	}
	s.band = false
	for T := p.min; T <= p.max; T++ {
		s.T = T
		s.dfs(0, T, 0, 0)
	}
	for _, m := range s.best {
		T := 0
		for _, x := range m {
			T += x
		}
		boxes = append(boxes, box{T: T, lo: m, hi: m})
	}
	return boxes, false
}

// bandRange is the minutes a dimension of weight w may take out of T within
// tol points: |100·m − w·T| ≤ tol·T.
func bandRange(w, tol, T int) (lo, hi int) {
	if x := (w - tol) * T; x > 0 {
		lo = (x + 99) / 100
	}
	return lo, min(T, (w+tol)*T/100)
}

func (s *searcher) dfs(i, rem, n int, or uint32) {
	if s.band && s.found {
		return
	}
	T, w := s.T, s.w[i]
	es := s.entries[i]
	if i == len(s.w)-1 {
		m := rem
		dev := abs(100*m - w*T)
		if s.band && dev > s.tol*T {
			return
		}
		n += dev
		if s.worse(n, T) {
			return
		}
		need := s.pr.needOuter &^ or
		ok := false
		for _, e := range es[m] {
			if e.outer&need == need {
				ok = true
				break
			}
		}
		if !ok {
			return
		}
		s.cur[i] = m
		s.leaf(n, T)
		return
	}
	lo, hi := 0, rem
	if s.band {
		lo, hi = bandRange(w, s.tol, T)
		hi = min(hi, rem)
	}
	// Walk away from the ideal minutes in both directions. Past the ideal
	// each step adds 100 to this dimension's deviation and removes at most
	// 100 from the bound on the rest, so the bound never decreases and the
	// first cut ends the direction.
	up := (w*T + 99) / 100
	for m := max(up, lo); m <= hi; m++ {
		if !s.try(i, m, rem, n, or) {
			break
		}
	}
	for m := min(up-1, hi); m >= lo; m-- {
		if !s.try(i, m, rem, n, or) {
			break
		}
	}
}

func (s *searcher) try(i, m, rem, n int, or uint32) bool {
	T := s.T
	dev := abs(100*m - s.w[i]*T)
	if !s.band && s.worse(n+dev+abs(100*(rem-m)-s.wsuf[i+1]*T), T) {
		return false
	}
	// Entries set different outer bits; any of them may complete the
	// vector, and one success is enough for this m.
	for _, e := range s.entries[i][m] {
		s.cur[i] = m
		s.dfs(i+1, rem-m, n+dev, or|e.outer)
	}
	return true
}

// worse reports whether a deviation of n/T is strictly worse than the best.
func (s *searcher) worse(n, T int) bool { return s.found && n*s.bestT > s.bestN*T }

func (s *searcher) leaf(n, T int) {
	if s.band {
		s.found = true
		return
	}
	if !s.found || n*s.bestT < s.bestN*T {
		s.found, s.bestN, s.bestT, s.best = true, n, T, s.best[:0]
	}
	// Different outer-bit paths can reach the same vector.
	if len(s.best) > 0 && slices.Equal(s.best[len(s.best)-1], s.cur) {
		return
	}
	for _, b := range s.best {
		if slices.Equal(b, s.cur) {
			return
		}
	}
	s.best = append(s.best, slices.Clone(s.cur))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
