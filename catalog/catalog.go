// Package catalog is the bank's only reader. It serves reads from an
// immutable in-memory snapshot of the bank, with posting-list indexes,
// swapped atomically after every committed write, and falls back to the
// store (read.go) only for what the snapshot cannot know. The store stays
// the source of truth: a snapshot is only ever built from it, in full on
// start and from the store's change log afterwards.
package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/layersrank/qbank/repository"
)

// Catalog holds the current snapshot of a store.
type Catalog struct {
	store   repository.Store
	log     *slog.Logger
	current atomic.Pointer[Snapshot]
	history *history
	// tokenKey authenticates page tokens: the store's secret, so every
	// replica honours the tokens of the others.
	tokenKey []byte
	// reload admits one refresh at a time. It is a channel, not a mutex,
	// so a caller can stop waiting for it when its context ends: during an
	// outage a refresh holds it until the store's deadline.
	reload chan struct{}
}

// New loads the first snapshot; the store must hold a taxonomy (seed first).
func New(ctx context.Context, store repository.Store, log *slog.Logger) (*Catalog, error) {
	c := &Catalog{store: store, log: log, reload: make(chan struct{}, 1), history: newHistory(store)}
	key, err := store.Secret(ctx, PageTokenKeyName, PageTokenKeySize)
	if err != nil {
		return nil, fmt.Errorf("catalog: page token key: %w", err)
	}
	c.tokenKey = key
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Snapshot returns the current snapshot.
func (c *Catalog) Snapshot() *Snapshot { return c.current.Load() }

// Refresh brings the snapshot up to the store's revision: the first time
// from a full load, afterwards from what changed since. Writers call it after
// committing, so a client reads its own write on the replica that took it.
func (c *Catalog) Refresh(ctx context.Context) error {
	select {
	case c.reload <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("catalog: waiting for a refresh in progress: %w", ctx.Err())
	}
	defer func() { <-c.reload }()
	cur := c.current.Load()
	if cur == nil {
		// The first load allocates the whole bank at once; letting the heap
		// grow further between collections while it does roughly halves
		// the garbage collector's share of start-up.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		contents, err := c.store.Load(ctx)
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if contents.Taxonomy == nil {
			return fmt.Errorf("catalog: the store holds no taxonomy: seed it first")
		}
		snap := build(contents)
		snap.tokenKey = c.tokenKey
		c.current.Store(snap)
		return nil
	}
	ch, err := c.store.Changes(ctx, cur.Revision)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if ch.Revision == cur.Revision {
		return nil
	}
	c.current.Store(cur.apply(ch))
	return nil
}

// Watch keeps the snapshot current until ctx ends. Stores that can push
// change notifications (PostgreSQL's LISTEN/NOTIFY) trigger a refresh as soon
// as another replica commits; polling every interval catches anything a
// dropped notification connection missed, and is all SQLite has.
func (c *Catalog) Watch(ctx context.Context, interval time.Duration) {
	kick := make(chan struct{}, 1)
	if n, ok := c.store.(repository.Notifier); ok {
		go n.Notify(ctx, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
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
