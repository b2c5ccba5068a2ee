package assembly

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// inf marks an unreachable cell. Item counts never reach it: every question
// takes at least a minute and no table is wider than inf minutes.
const inf = 255

// class is a set of interchangeable candidates of one dimension: same
// minutes, same constraint bits.
type class struct {
	bits    uint32
	minutes int
	members []int // indices into problem.cands
	cap     int   // most copies a selection can use
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

// leaf is an optimal minute vector the search found, with its item count.
type leaf struct {
	m     []int
	total int // items
}

type searcher struct {
	pr      *problem
	w       []int // weights
	wsuf    []int // wsuf[i] = Σ w[i:]
	band    bool
	T       int
	found   bool
	bestN   int
	bestT   int
	bestIt  int
	ties    int
	rng     *rand.Rand
	cur     leaf
	best    leaf
	entries [][][]entry
}

// solve finds the optimal selection within maxM minutes: first among the
// selections inside the ±Tolerance band, then, if there are none, among all.
func (pr *problem) solve(maxM int, rng *rand.Rand) ([]int, bool) {
	for _, t := range pr.tables {
		t.build(maxM+1, pr.outerBits)
	}
	D := len(pr.tables)
	s := &searcher{pr: pr, w: pr.p.weights, wsuf: make([]int, D+1), rng: rng}
	for i := D - 1; i >= 0; i-- {
		s.wsuf[i] = s.wsuf[i+1] + s.w[i]
	}
	s.cur = leaf{m: make([]int, D)}
	s.entries = make([][][]entry, D)
	for i, t := range pr.tables {
		s.entries[i] = t.entries
	}
	for _, band := range []bool{true, false} {
		s.band = band
		for T := pr.p.min; T <= pr.p.max; T++ {
			s.T = T
			s.dfs(0, T, 0, 0, 0)
		}
		if s.found {
			break
		}
	}
	if !s.found {
		return nil, false
	}
	return pr.reconstruct(s.best, rng), true
}

func (s *searcher) dfs(i, rem, n, items int, or uint32) {
	T, w := s.T, s.w[i]
	es := s.entries[i]
	if i == len(s.w)-1 {
		m := rem
		dev := abs(100*m - w*T)
		if s.band && dev > Tolerance*T {
			return
		}
		n += dev
		if s.worse(n, T) {
			return
		}
		need := s.pr.needOuter &^ or
		var best uint8 = inf
		for _, e := range es[m] {
			if e.outer&need == need && e.items < best {
				best = e.items
			}
		}
		if best == inf {
			return
		}
		s.cur.m[i] = m
		s.leaf(n, T, items+int(best))
		return
	}
	lo, hi := 0, rem
	if s.band {
		if x := (w - Tolerance) * T; x > 0 {
			lo = (x + 99) / 100
		}
		hi = min(hi, (w+Tolerance)*T/100)
	}
	// Walk away from the ideal minutes in both directions. Past the ideal
	// each step adds 100 to this dimension's deviation and removes at most
	// 100 from the bound on the rest, so the bound never decreases and the
	// first cut ends the direction.
	up := (w*T + 99) / 100
	for m := max(up, lo); m <= hi; m++ {
		if !s.try(i, m, rem, n, items, or) {
			break
		}
	}
	for m := min(up-1, hi); m >= lo; m-- {
		if !s.try(i, m, rem, n, items, or) {
			break
		}
	}
}

func (s *searcher) try(i, m, rem, n, items int, or uint32) bool {
	T := s.T
	dev := abs(100*m - s.w[i]*T)
	if s.worse(n+dev+abs(100*(rem-m)-s.wsuf[i+1]*T), T) {
		return false
	}
	for _, e := range s.entries[i][m] {
		s.cur.m[i] = m
		s.dfs(i+1, rem-m, n+dev, items+int(e.items), or|e.outer)
	}
	return true
}

// worse reports whether a deviation of n/T is strictly worse than the best.
func (s *searcher) worse(n, T int) bool { return s.found && n*s.bestT > s.bestN*T }

func (s *searcher) leaf(n, T, items int) {
	c := -1
	if s.found {
		c = n*s.bestT - s.bestN*T
		if c == 0 {
			c = items - s.bestIt
		}
	}
	switch {
	case c > 0:
		return
	case c < 0:
		s.found, s.bestN, s.bestT, s.bestIt, s.ties = true, n, T, items, 1
	default:
		// Reservoir sampling: each tie ends up chosen with equal chance.
		s.ties++
		if s.rng.IntN(s.ties) != 0 {
			return
		}
	}
	s.best = leaf{m: slices.Clone(s.cur.m), total: items}
}

// reconstruct turns the chosen minute vector back into candidates. The
// search kept only undominated entries; here every way to fill each
// dimension with the optimal item count is back in play, so that a selection
// which, say, sets the written bit in two dimensions is as likely to come up
// as one that sets it in one.
func (pr *problem) reconstruct(l leaf, rng *rand.Rand) []int {
	D := len(pr.tables)
	ways := make([][]entry, D)
	for d, t := range pr.tables {
		ways[d] = t.finalEntries(l.m[d])
	}
	// rest[d][q]: the fewest items dimensions d.. need to supply bits q.
	n := 1 << pr.outerBits
	rest := make([][]int, D+1)
	rest[D] = make([]int, n)
	for q := 1; q < n; q++ {
		rest[D][q] = inf
	}
	for d := D - 1; d >= 0; d-- {
		rest[d] = make([]int, n)
		for q := range n {
			best := inf
			for _, e := range ways[d] {
				best = min(best, int(e.items)+rest[d+1][q&^int(e.outer)])
			}
			rest[d][q] = best
		}
	}
	chosen := make([]entry, D)
	var or uint32
	items := 0
	var valid []entry
	for d := range D {
		valid = valid[:0]
		for _, e := range ways[d] {
			if items+int(e.items)+rest[d+1][pr.needOuter&^(or|e.outer)] == l.total {
				valid = append(valid, e)
			}
		}
		e := valid[rng.IntN(len(valid))]
		chosen[d], or, items = e, or|e.outer, items+int(e.items)
	}

	var picked []int
	for d, t := range pr.tables {
		counts := t.backtrack(t.fullCov|chosen[d].outer<<t.covBits, l.m[d], int(chosen[d].items), rng)
		for j, x := range counts {
			if x == 0 {
				continue
			}
			members := slices.Clone(t.classes[j].members)
			// Bank order must not leak into the answer.
			slices.SortFunc(members, func(a, b int) int { return strings.Compare(pr.cands[a].q.ID, pr.cands[b].q.ID) })
			for k := range x {
				r := k + rng.IntN(len(members)-k)
				members[k], members[r] = members[r], members[k]
			}
			picked = append(picked, members[:x]...)
		}
	}
	return picked
}

// finalEntries lists every way to reach m minutes with full coverage: the
// outer bits set and the fewest items for them.
func (t *dimTable) finalEntries(m int) []entry {
	final := &t.layers[len(t.layers)-1]
	width := len(t.entries)
	var out []entry
	for i, mask := range final.masks {
		if v := final.vals[i*width+m]; mask&t.fullCov == t.fullCov && v != inf {
			out = append(out, entry{mask >> t.covBits, v})
		}
	}
	return out
}

// backtrack walks the layers from the final state to the start, choosing
// with rng among the predecessors that keep the item count optimal, and
// returns how many copies of each class were used.
func (t *dimTable) backtrack(mask uint32, m, v int, rng *rand.Rand) []int {
	width := len(t.entries)
	counts := make([]int, len(t.classes))
	type option struct {
		mask uint32
		x    int
	}
	var opts []option
	for j := len(t.classes); j > 0; j-- {
		prev, cl := &t.layers[j-1], t.classes[j-1]
		opts = opts[:0]
		if i, ok := prev.find(mask); ok && int(prev.vals[i*width+m]) == v {
			opts = append(opts, option{mask, 0})
		}
		if mask&cl.bits == cl.bits {
			for i, s := range prev.masks {
				if s|cl.bits != mask {
					continue
				}
				for x := 1; x <= cl.cap && x*cl.minutes <= m; x++ {
					if int(prev.vals[i*width+m-x*cl.minutes]) == v-x {
						opts = append(opts, option{s, x})
					}
				}
			}
		}
		o := opts[rng.IntN(len(opts))]
		counts[j-1] = o.x
		mask, m, v = o.mask, m-o.x*cl.minutes, v-o.x
	}
	return counts
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
