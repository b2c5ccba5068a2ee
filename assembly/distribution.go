package assembly

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/layersrank/qbank"
)

// distribution is a probability distribution over acceptable selections,
// each given by its copies per class; a draw then picks that many members
// of each class uniformly, so every member of class k appears with
// probability exposure[k] / |members of k|.
type distribution struct {
	cols     [][]int   // copies per class (dense) of each selection in the support
	prob     []float64 // their probabilities, summing to 1
	exposure []float64 // per class: expected copies
	levels   []float64 // the exposure level fixed at each stage
	columns  int       // selections generated in all
}

// Limits of the column generation. maxStages bounds the lexicographic
// refinement (see doc.go): after it, the classes not yet fixed keep the last
// level as their bound, which the distribution meets. maxColumnsPerStage
// bounds one stage; it is far above what the shipped bank and generated
// 50,000-question banks need (tens), and only guards against a numerical
// stall.
const (
	maxStages          = 12
	maxColumnsPerStage = 2000
	// reducedCostEps: a selection whose reduced cost is not below −eps
	// cannot lower the objective by more than eps, which is far below what
	// the exposures are reported to.
	reducedCostEps = 1e-9
	// pricedPerRound bounds the columns one pricing round adds. More than
	// one per round (the cheapest of other totals) was measured to slow
	// the whole down: the master grows faster than the rounds shrink.
	pricedPerRound = 1
)

// distribute computes the distribution over the acceptable selections (the
// minute vectors of boxes) that minimises the largest exposure, then the
// next largest, and so on (see doc.go).
func (pr *problem) distribute(ctx context.Context, boxes []box) (*distribution, error) {
	K := len(pr.classes)
	pc := newPricer(pr, boxes)
	n := make([]float64, K)
	w := make([]float64, K)
	for k, cl := range pr.classes {
		n[k] = float64(len(cl.members))
		// A first selection that leans on the largest classes.
		w[k] = 1 / n[k]
	}
	_, first, ok := pc.price(w)
	if !ok {
		return nil, qbank.Errorf(qbank.EINTERNAL, "assembly: no acceptable selection although the search found one")
	}
	d := &distribution{}
	var pool [][]int
	inPool := map[string]bool{}
	addPool := func(x []int) bool {
		k := colKey(x)
		if inPool[k] {
			return false
		}
		inPool[k] = true
		pool = append(pool, x)
		return true
	}
	addPool(first)
	if K == 0 {
		d.cols, d.prob, d.exposure = pool, []float64{1}, nil
		return d, nil
	}

	fixed := make([]bool, K)
	bound := make([]float64, K) // exposure bound of a fixed class, per member
	free := K
	// prev is the last stage's distribution: a later stage that fails
	// (numerically) leaves it, which is still optimal for every level
	// fixed so far.
	var prev *distribution
	fail := func(stage int, err error) (*distribution, error) {
		if isCancel(err) {
			return nil, err
		}
		if prev != nil {
			return prev, nil
		}
		return nil, qbank.Errorf(qbank.EINTERNAL, "assembly: stage %d: %v", stage, err)
	}
	for stage := 0; ; stage++ {
		l, tcol, poolCol := master(pool, n, fixed, bound)
		l.done = ctx.Err
		if err := l.solve(); err != nil {
			return fail(stage, err)
		}
		for added := 0; ; {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			y0 := l.dual(0)
			for k := range K {
				w[k] = max(0, -l.dual(k+1))
			}
			// Every box's cheapest selection that would lower the
			// objective enters at once: one run of the per-dimension
			// programmes, fewer rounds.
			cols := pc.priceMany(w, y0-reducedCostEps, pricedPerRound)
			entered := 0
			for _, c := range cols {
				if added+entered < maxColumnsPerStage && addPool(c.counts) {
					rows, vals := columnEntries(c.counts)
					poolCol = append(poolCol, l.add(0, rows, vals))
					entered++
				}
			}
			if entered == 0 {
				break
			}
			added += entered
			if err := l.solve(); err != nil {
				return fail(stage, err)
			}
		}
		level := l.x(tcol)
		d.levels = append(d.levels, level)
		d.columns = len(pool)

		// Classes with a positive dual price are at the level in every
		// optimal distribution (complementary slackness): fix them there.
		fixedNow := 0
		for k := range K {
			if !fixed[k] && w[k] > 1e-9 {
				fixed[k], bound[k] = true, level
				fixedNow++
			}
		}
		if fixedNow == 0 {
			// Numerically no dual is clearly positive: fix the classes at
			// the level, which are at least the bottleneck.
			e := exposures(l, pool, poolCol, K)
			for k := range K {
				if !fixed[k] && e[k] >= n[k]*level-1e-9 {
					fixed[k], bound[k] = true, level
					fixedNow++
				}
			}
		}
		free -= fixedNow
		d.finish(l, pool, poolCol, K)
		if free <= 0 || fixedNow == 0 || stage+1 >= maxStages {
			return d, nil
		}
		prev = d
		d = &distribution{levels: slices.Clone(d.levels), columns: d.columns}
		// The next stage starts from the selections this optimum uses,
		// which are feasible for it; the others would only enlarge its
		// programme and are generated again if they are needed.
		var keep [][]int
		clear(inPool)
		for i, x := range pool {
			if l.x(poolCol[i]) > 0 {
				keep = append(keep, x)
				inPool[colKey(x)] = true
			}
		}
		pool = keep
	}
}

// master builds the restricted master programme of one stage over the
// selections found so far:
//
//	minimise t
//	Σ_v π_v = 1                                  (row 0)
//	Σ_v x_kv·π_v − n_k·t + s_k = 0               free class k (row k+1)
//	Σ_v x_kv·π_v + s_k = n_k·bound_k             fixed class k
//	π, t, s ≥ 0
//
// where x_kv is the copies of class k in selection v and n_k its members:
// a member's exposure is Σ_v x_kv·π_v / n_k.
func master(pool [][]int, n []float64, fixed []bool, bound []float64) (*lp, int, []int) {
	K := len(n)
	b := make([]float64, K+1)
	b[0] = 1
	for k := range K {
		if fixed[k] {
			// A hair of slack: the bound is the previous stage's optimum
			// in floating point.
			b[k+1] = n[k]*bound[k] + 1e-9
		}
	}
	l := newLP(b)
	var rows []int
	var vals []float64
	for k := range K {
		if !fixed[k] {
			rows = append(rows, k+1)
			vals = append(vals, -n[k])
		}
	}
	tcol := l.add(1, rows, vals)
	for k := range K {
		l.add(0, []int{k + 1}, []float64{1})
	}
	poolCol := make([]int, len(pool))
	for i, x := range pool {
		rows, vals := columnEntries(x)
		poolCol[i] = l.add(0, rows, vals)
	}
	return l, tcol, poolCol
}

func columnEntries(x []int) ([]int, []float64) {
	rows, vals := []int{0}, []float64{1}
	for k, c := range x {
		if c > 0 {
			rows = append(rows, k+1)
			vals = append(vals, float64(c))
		}
	}
	return rows, vals
}

func colKey(x []int) string {
	var b strings.Builder
	for _, c := range x {
		b.WriteString(strconv.Itoa(c))
		b.WriteByte(',')
	}
	return b.String()
}

func exposures(l *lp, pool [][]int, poolCol []int, K int) []float64 {
	e := make([]float64, K)
	for i, x := range pool {
		p := l.x(poolCol[i])
		for k, c := range x {
			e[k] += float64(p * float64(c))
		}
	}
	return e
}

// finish keeps the selections the optimal basis uses and renormalises their
// probabilities (the simplex's are nonnegative and sum to 1 up to rounding).
func (d *distribution) finish(l *lp, pool [][]int, poolCol []int, K int) {
	d.cols, d.prob = nil, nil
	sum := 0.0
	for i, x := range pool {
		if p := l.x(poolCol[i]); p > 1e-12 {
			d.cols = append(d.cols, x)
			d.prob = append(d.prob, p)
			sum += p
		}
	}
	d.exposure = make([]float64, K)
	for i, x := range d.cols {
		d.prob[i] /= sum
		for k, c := range x {
			d.exposure[k] += float64(d.prob[i] * float64(c))
		}
	}
}

// draw picks a selection with the distribution's probabilities, then the
// members of each class uniformly among its subsets of the drawn size, and
// returns indices into problem.cands.
//
// The uniform numbers come from the seed by low-discrepancy sequences, not
// a generator: the selection's is the seed's bits reversed (van der
// Corput's sequence, vdc), each class's a Weyl sequence frac(seed·α) with
// its own irrational α (√prime). For a random seed each is uniform, as a
// generator's would be, and the classes' are jointly so; for consecutive
// seeds they are evenly spread, so over 1,000 seeds every question's
// frequency is within about 0.01–0.025 of its exposure instead of the
// 0.03–0.04 that independent draws scatter the most-off question by. The
// pair (vdc, Weyl) was measured to spread better than two Weyl sequences
// (a question's frequency depends on both numbers at once); the classes
// keep Weyl sequences because those are jointly uniform across classes.
func (d *distribution) draw(pr *problem, seed int64) []int {
	u := vdc(seed)
	col := d.cols[len(d.cols)-1]
	acc := 0.0
	for i, p := range d.prob {
		acc += p
		if u < acc {
			col = d.cols[i]
			break
		}
	}
	var rng *rand.Rand
	var picked []int
	for k, x := range col {
		if x == 0 {
			continue
		}
		members := pr.classes[k].members
		n := len(members)
		if x == n {
			picked = append(picked, members...)
			continue
		}
		if total := binomial(n, x); n <= 64 && total < 1<<53 {
			// Unrank the subset numbered ⌊v·C(n, x)⌋ in lexicographic
			// order: uniform over subsets, evenly spread over seeds.
			r := uint64(float64(weyl(seed, k+1) * float64(total)))
			for i := 0; x > 0; i++ {
				if c := binomial(n-i-1, x-1); r < c {
					picked = append(picked, members[i])
					x--
				} else {
					r -= c
				}
			}
			continue
		}
		// Very large classes: a partial Fisher–Yates shuffle with the swaps
		// kept in a map, x members uniformly in O(x).
		if rng == nil {
			rng = rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
		}
		swapped := make(map[int]int, 2*x)
		at := func(i int) int {
			if v, ok := swapped[i]; ok {
				return v
			}
			return i
		}
		for i := range x {
			r := i + rng.IntN(n-i)
			vi, vr := at(i), at(r)
			swapped[r] = vi
			picked = append(picked, members[vr])
		}
	}
	return picked
}

// vdc returns the seed's 64 bits reversed as a fraction in [0, 1): van der
// Corput's sequence, whose first N terms leave no gap wider than 2/N.
func vdc(seed int64) float64 {
	return float64(bits.Reverse64(uint64(seed))>>11) / (1 << 53)
}

// weyl returns frac(seed·α_j) in [0, 1) with α_j = frac(√p_j), p_j the
// (j+1)-th prime: the fractional parts of √primes are linearly independent
// over the rationals, so the sequences of different j are jointly
// equidistributed (Weyl), and draws of different classes do not correlate.
func weyl(seed int64, j int) float64 {
	m := weylMultiplier(j)
	return float64((uint64(seed)*m)>>11) / (1 << 53)
}

var (
	weylMu    sync.Mutex
	weylTable atomic.Pointer[[]uint64] // grows under weylMu; read without it
	weylNext  = uint64(2)              // the next number to test for primality
)

func weylMultiplier(j int) uint64 {
	if t := weylTable.Load(); t != nil && j < len(*t) {
		return (*t)[j]
	}
	weylMu.Lock()
	defer weylMu.Unlock()
	var mults []uint64
	if t := weylTable.Load(); t != nil {
		mults = slices.Clone(*t)
	}
	for len(mults) <= j+64 {
		p := weylNext
		weylNext++
		if !isPrime(p) {
			continue
		}
		f := math.Sqrt(float64(p))
		f -= math.Floor(f)
		// 2^64·frac(√p), made odd so that every seed maps to a distinct
		// point.
		mults = append(mults, uint64(f*(1<<63))<<1|1)
	}
	weylTable.Store(&mults)
	return mults[j]
}

func isPrime(n uint64) bool {
	for d := uint64(2); d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return n >= 2
}

func (d *distribution) String() string {
	return fmt.Sprintf("%d selections (of %d generated), levels %v", len(d.cols), d.columns, d.levels)
}
