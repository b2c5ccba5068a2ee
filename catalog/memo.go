package catalog

import (
	"sync"
	"sync/atomic"
)

// A Memo holds values derived from a snapshot: each is computed at most once
// per snapshot and key (concurrent first calls may each compute it; one
// result is kept) and then shared by every reader of that snapshot, so it
// must not be modified. Snapshots are immutable, so a derived value never
// goes stale; a new snapshot starts with none, and an old one takes its
// values with it when it is collected.
//
// Each Memo is its own namespace: declare one per kind of value, typically
// as a package variable,
//
//	var wireForms = catalog.NewMemo[string, *pb.Question]()
//
// and the compiler checks what goes in and comes out.
type Memo[K comparable, V any] struct {
	_ byte // a non-zero size, so that every Memo has its own address
}

// NewMemo returns a new, empty kind of derived value.
func NewMemo[K comparable, V any]() *Memo[K, V] { return new(Memo[K, V]) }

// Get returns the value for key in s, building it the first time.
func (m *Memo[K, V]) Get(s *Snapshot, key K, build func() V) V {
	if v, ok := m.Lookup(s, key); ok {
		return v
	}
	v := build()
	s.derived.put(m, memoKey{m, key}, v)
	return v
}

// Lookup returns the value for key in s if one has been built.
func (m *Memo[K, V]) Lookup(s *Snapshot, key K) (V, bool) {
	if v, ok := s.derived.m.Load(memoKey{m, key}); ok {
		return v.(V), true
	}
	var zero V
	return zero, false
}

// memoKey names one value: the Memo it belongs to and its key there.
type memoKey struct {
	memo any
	key  any
}

// derivedValues is one snapshot's store of Memo values.
type derivedValues struct {
	m      sync.Map
	counts sync.Map // Memo → *atomic.Int64: how many values it holds here
}

// maxDerived bounds the values one Memo remembers per snapshot, so a client
// varying its filters cannot grow memory without limit; past it that Memo's
// values are built on every call. The bound is per Memo, so that one kind
// of value (say, a wire form per question of a 50,000-question bank) never
// crowds out the others (the list filters, a role's active questions).
const maxDerived = 16384

func (d *derivedValues) put(memo any, k memoKey, v any) {
	c, _ := d.counts.LoadOrStore(memo, new(atomic.Int64))
	n := c.(*atomic.Int64)
	if n.Load() >= maxDerived {
		return
	}
	if _, loaded := d.m.LoadOrStore(k, v); !loaded {
		n.Add(1)
	}
}
