package assembly

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/layersrank/qbank"
)

// Assembler assembles assessments and remembers, per bank revision and
// request shape (the request without its seed), the distribution it draws
// from: computing it is the expensive part, a draw is cheap. Entries of an
// older revision are dropped as soon as a newer revision is seen, and the
// cache holds at most a bounded number of entries and bytes, least recently
// used first out. The zero of *Assembler (nil) caches nothing.
//
// An Assembler is safe for concurrent use; concurrent first calls of one
// shape compute it once.
type Assembler struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int64
	bytes      int64
	newest     int64
	entries    map[cacheKey]*list.Element
	lru        list.List // of *cacheEntry, most recent first
	// computing admits at most GOMAXPROCS distribution computations at
	// once, so readers asking for many new shapes cannot take every CPU
	// from the draws and reads of everyone else.
	computing chan struct{}
}

type cacheKey struct {
	revision int64
	shape    string
}

type cacheEntry struct {
	key   cacheKey
	ready chan struct{}
	sol   *solution
	err   error
	size  int64
}

// Default bounds of an Assembler's cache.
const (
	DefaultCacheEntries = 1024
	DefaultCacheBytes   = 256 << 20
)

// NewAssembler returns an Assembler caching at most maxEntries shapes and
// about maxBytes of them.
func NewAssembler(maxEntries int, maxBytes int64) *Assembler {
	return &Assembler{maxEntries: maxEntries, maxBytes: maxBytes, entries: map[cacheKey]*list.Element{},
		computing: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// solution is everything a request shape needs to draw and to report.
type solution struct {
	pr      *problem
	balance Balance
	dist    *distribution
	count   uint64
	exact   bool // count is exact, not a lower bound

	reportOnce sync.Once
	report     Exposure // built on first use, shared read-only
}

// Assemble draws an assessment for r from the bank b with r's seed.
func (a *Assembler) Assemble(ctx context.Context, b Bank, r Request) (Assessment, error) {
	if b.Taxonomy == nil {
		return Assessment{}, qbank.Errorf(qbank.EINTERNAL, "assembly: bank has no taxonomy")
	}
	p, err := resolve(b.Taxonomy, r)
	if err != nil {
		return Assessment{}, err
	}
	sol, err := a.solve(ctx, b, p)
	if err != nil {
		return Assessment{}, err
	}
	picked := sol.dist.draw(sol.pr, r.Seed)
	out := sol.pr.p.assessment(sol.pr, picked, b.Revision, r.Seed)
	out.Balance = sol.balance
	return out, nil
}

// Exposure is the exposure report for a request.
type Exposure struct {
	// Items lists every eligible question (required ones included), most
	// exposed first, then by id.
	Items []ItemExposure
	// MaxExposure is the largest exposure.
	MaxExposure float64
	// ExpectedOverlap is Σp² / Σp: the expected share of one assessment's
	// items that another assessment for the same request also contains.
	ExpectedOverlap float64
	// ExpectedItems is Σp, the expected number of items.
	ExpectedItems float64
	// AcceptableAssessments counts the distinct assessments the draw
	// chooses among (acceptable ones, or the closest possible); a lower
	// bound when AcceptableIsLowerBound.
	AcceptableAssessments  int64
	AcceptableIsLowerBound bool
	Balance                Balance
	TolerancePoints        int
	BankRevision           int64
}

// ItemExposure is one question's share of assessments.
type ItemExposure struct {
	QuestionID     string
	Version        int
	Dimension      string
	Competency     string
	ResponseFormat qbank.ResponseFormat
	Minutes        int
	Exposure       float64
	Required       bool
}

// AnalyzeExposure reports how often each eligible question appears in the
// assessments drawn for r (the seed is ignored).
func (a *Assembler) AnalyzeExposure(ctx context.Context, b Bank, r Request) (Exposure, error) {
	if b.Taxonomy == nil {
		return Exposure{}, qbank.Errorf(qbank.EINTERNAL, "assembly: bank has no taxonomy")
	}
	p, err := resolve(b.Taxonomy, r)
	if err != nil {
		return Exposure{}, err
	}
	sol, err := a.solve(ctx, b, p)
	if err != nil {
		return Exposure{}, err
	}
	sol.reportOnce.Do(func() { sol.report = sol.exposure() })
	out := sol.report
	out.BankRevision = b.Revision
	out.Items = slices.Clone(out.Items)
	return out, nil
}

// exposure builds the report once per solution.
func (sol *solution) exposure() Exposure {
	pr := sol.pr
	out := Exposure{
		Balance: sol.balance, TolerancePoints: pr.p.tol,
		AcceptableAssessments: int64(sol.count), AcceptableIsLowerBound: !sol.exact,
	}
	add := func(c cand, e float64, required bool) {
		q := c.q
		out.Items = append(out.Items, ItemExposure{
			QuestionID: q.ID, Version: q.Version, Dimension: q.Dimension, Competency: q.Competency,
			ResponseFormat: q.ResponseFormat, Minutes: q.Minutes, Exposure: e, Required: required,
		})
	}
	for _, c := range pr.req {
		add(c, 1, true)
	}
	for k, cl := range pr.classes {
		e := sol.dist.exposure[k] / float64(len(cl.members))
		for _, i := range cl.members {
			add(pr.cands[i], e, false)
		}
	}
	// Candidates no class holds cannot be used at all (they take more
	// minutes than the window allows): exposure 0.
	inClass := make([]bool, len(pr.cands))
	for _, cl := range pr.classes {
		for _, i := range cl.members {
			inClass[i] = true
		}
	}
	for i, c := range pr.cands {
		if !inClass[i] {
			add(c, 0, false)
		}
	}
	sum, sq := 0.0, 0.0
	for _, it := range out.Items {
		sum += it.Exposure
		sq += it.Exposure * it.Exposure
		out.MaxExposure = max(out.MaxExposure, it.Exposure)
	}
	out.ExpectedItems = sum
	if sum > 0 {
		out.ExpectedOverlap = sq / sum
	}
	slices.SortStableFunc(out.Items, func(x, y ItemExposure) int {
		return cmp.Or(cmp.Compare(y.Exposure, x.Exposure), strings.Compare(x.QuestionID, y.QuestionID))
	})
	return out
}

// solve returns the solution for the plan's shape on bank b, from the
// cache when it holds one.
func (a *Assembler) solve(ctx context.Context, b Bank, p *plan) (*solution, error) {
	if a == nil {
		return compute(ctx, b, p)
	}
	key := cacheKey{b.Revision, p.key()}
	for {
		a.mu.Lock()
		if a.entries == nil {
			a.entries = map[cacheKey]*list.Element{}
			a.computing = make(chan struct{}, runtime.GOMAXPROCS(0))
			a.maxEntries, a.maxBytes = cmp.Or(a.maxEntries, DefaultCacheEntries), cmp.Or(a.maxBytes, DefaultCacheBytes)
		}
		if el, ok := a.entries[key]; ok {
			a.lru.MoveToFront(el)
			e := el.Value.(*cacheEntry)
			a.mu.Unlock()
			select {
			case <-e.ready:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if e.err != nil && isCancel(e.err) {
				// The caller computing it gave up; try again with ours.
				continue
			}
			return e.sol, e.err
		}
		if b.Revision < a.newest {
			// A reader still on an older snapshot: answer, don't cache.
			a.mu.Unlock()
			return a.computeAdmitted(ctx, b, p)
		}
		if b.Revision > a.newest {
			a.newest = b.Revision
			a.dropOlder()
		}
		e := &cacheEntry{key: key, ready: make(chan struct{})}
		a.entries[key] = a.lru.PushFront(e)
		a.mu.Unlock()

		e.sol, e.err = a.computeAdmitted(ctx, b, p)
		a.mu.Lock()
		if e.err != nil && isCancel(e.err) {
			if el, ok := a.entries[key]; ok && el.Value == e {
				a.lru.Remove(el)
				delete(a.entries, key)
			}
		} else if el, ok := a.entries[key]; ok && el.Value == e {
			e.size = e.sol.size()
			a.bytes += e.size
			a.evict()
		}
		a.mu.Unlock()
		close(e.ready)
		return e.sol, e.err
	}
}

// computeAdmitted waits for a computation slot (or the caller's end), then
// computes.
func (a *Assembler) computeAdmitted(ctx context.Context, b Bank, p *plan) (*solution, error) {
	select {
	case a.computing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-a.computing }()
	return compute(ctx, b, p)
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// dropOlder removes every entry of a revision before the newest.
func (a *Assembler) dropOlder() {
	for el := a.lru.Front(); el != nil; {
		next := el.Next()
		if e := el.Value.(*cacheEntry); e.key.revision < a.newest {
			a.remove(el)
		}
		el = next
	}
}

func (a *Assembler) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	a.lru.Remove(el)
	delete(a.entries, e.key)
	a.bytes -= e.size
}

// evict drops least recently used entries beyond the bounds (an entry
// still being computed counts nothing yet).
func (a *Assembler) evict() {
	for a.lru.Len() > 1 && (a.lru.Len() > a.maxEntries || a.bytes > a.maxBytes) {
		a.remove(a.lru.Back())
	}
}

// CacheLen reports how many request shapes are cached.
func (a *Assembler) CacheLen() int {
	if a == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lru.Len()
}

// compute builds the problem, finds the acceptable selections and their
// distribution. Errors that follow from the request and the bank (invalid,
// infeasible) are results like any other and may be cached.
func compute(ctx context.Context, b Bank, p *plan) (*solution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pr, err := p.buildProblem(b)
	if err != nil {
		return nil, err
	}
	// Each phase ends with a look at ctx: a client that gave up (or ran
	// out of time) stops the work at the next phase, not at the end.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	boxes, within := pr.acceptableBoxes()
	if len(boxes) == 0 {
		return nil, pr.explainInfeasible()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sol := &solution{pr: pr, balance: ClosestPossible}
	if within {
		sol.balance = WithinTolerance
	}
	if sol.dist, err = pr.distribute(ctx, boxes); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sol.count, sol.exact = pr.countAcceptable(boxes)
	// The tables served the search; draws need only the classes.
	for _, t := range pr.tables {
		t.layers, t.entries = nil, nil
	}
	return sol, nil
}

// size estimates the bytes a cached solution holds.
func (s *solution) size() int64 {
	if s == nil {
		return 256
	}
	n := int64(512 + 160*len(s.pr.cands) + 96*len(s.pr.classes)) // with the report, once built
	for _, c := range s.dist.cols {
		n += int64(8*len(c) + 32)
	}
	return n
}
