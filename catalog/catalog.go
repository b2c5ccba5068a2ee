// Package catalog serves reads from an immutable in-memory snapshot of the
// bank, swapped atomically whenever the store's revision moves. The store
// stays the source of truth: a snapshot is only ever built from it.
package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// Snapshot is the bank at one revision. It is never mutated after it is
// published, so readers use it without locks.
type Snapshot struct {
	Revision  int64
	Taxonomy  *qbank.Taxonomy
	Questions []qbank.Question // every head, any state, ordered by id
	Templates []qbank.Template // ordered by id
	byID      map[string]int
}

// Template returns a template by id.
func (s *Snapshot) Template(id string) (qbank.Template, bool) {
	i, ok := slices.BinarySearchFunc(s.Templates, id, func(t qbank.Template, id string) int { return strings.Compare(t.ID, id) })
	if !ok {
		return qbank.Template{}, false
	}
	return s.Templates[i], true
}

// Question returns the current version of a question.
func (s *Snapshot) Question(id string) (qbank.Question, bool) {
	i, ok := s.byID[id]
	if !ok {
		return qbank.Question{}, false
	}
	return s.Questions[i], true
}

func newSnapshot(c repository.Contents) *Snapshot {
	qs, ts := c.Questions, c.Templates
	sort.Slice(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	byID := make(map[string]int, len(qs))
	for i, q := range qs {
		byID[q.ID] = i
	}
	return &Snapshot{Revision: c.Revision, Taxonomy: c.Taxonomy, Questions: qs, Templates: ts, byID: byID}
}

// Catalog holds the current snapshot of a store.
type Catalog struct {
	store   repository.Store
	log     *slog.Logger
	current atomic.Pointer[Snapshot]
	reload  sync.Mutex // one rebuild at a time
}

// New loads the first snapshot; the store must hold a taxonomy (seed first).
func New(ctx context.Context, store repository.Store, log *slog.Logger) (*Catalog, error) {
	c := &Catalog{store: store, log: log}
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Snapshot returns the current snapshot.
func (c *Catalog) Snapshot() *Snapshot { return c.current.Load() }

// Refresh rebuilds the snapshot if the store's revision moved past it. Writers
// call it after committing, so a client reads its own write on the replica
// that took it.
func (c *Catalog) Refresh(ctx context.Context) error {
	c.reload.Lock()
	defer c.reload.Unlock()
	cur := c.current.Load()
	if cur != nil {
		rev, err := c.store.Revision(ctx)
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if rev == cur.Revision {
			return nil
		}
	}
	contents, err := c.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if contents.Taxonomy == nil {
		return fmt.Errorf("catalog: the store holds no taxonomy: seed it first")
	}
	c.current.Store(newSnapshot(contents))
	return nil
}

// Watch refreshes every interval until ctx ends, so that writes committed by
// other replicas on the same database become visible here.
func (c *Catalog) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := c.Refresh(ctx)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			failing = true
			c.log.Warn("catalog refresh failed; serving the last snapshot", "err", err)
		case err == nil && failing:
			failing = false
			c.log.Info("catalog refresh recovered", "revision", c.Snapshot().Revision)
		}
	}
}
