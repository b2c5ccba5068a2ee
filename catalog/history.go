package catalog

import (
	"context"
	"sync"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// History serves questions' version lists from memory. A version never
// changes once written, so a question's list stays right for as long as its
// head does; entries are keyed by the head's etag, which every write of the
// head changes. This keeps pinned reads (id@version), which the assessment
// platform makes forever, off the database, and serving through an outage.
type History struct {
	store repository.Store
	mu    sync.Mutex
	lists map[string]historyEntry
}

type historyEntry struct {
	etag     string
	versions []qbank.Question // newest first
}

// maxHistory bounds the cached lists; past it the cache starts over, which
// costs one store read per question asked for again.
const maxHistory = 20000

// NewHistory returns an empty history over store.
func NewHistory(store repository.Store) *History {
	return &History{store: store, lists: map[string]historyEntry{}}
}

// Versions returns every version of the question whose current head is
// head, newest first.
func (h *History) Versions(ctx context.Context, head qbank.Question) ([]qbank.Question, error) {
	h.mu.Lock()
	e, ok := h.lists[head.ID]
	h.mu.Unlock()
	if ok && e.etag == head.Etag {
		return e.versions, nil
	}
	versions, err := h.store.QuestionVersions(ctx, head.ID)
	if err != nil {
		return nil, err
	}
	// Cache only a list that matches the head it was asked for: the store
	// may already be ahead of this replica's snapshot.
	if len(versions) > 0 && versions[0].Etag == head.Etag {
		h.mu.Lock()
		if len(h.lists) >= maxHistory {
			h.lists = map[string]historyEntry{}
		}
		h.lists[head.ID] = historyEntry{etag: head.Etag, versions: versions}
		h.mu.Unlock()
	}
	return versions, nil
}

// Version returns one version of the question whose current head is head.
func (h *History) Version(ctx context.Context, head qbank.Question, version int) (qbank.Question, error) {
	if version == head.Version {
		return head, nil
	}
	versions, err := h.Versions(ctx, head)
	if err != nil {
		return qbank.Question{}, err
	}
	for _, v := range versions {
		if v.Version == version {
			return v, nil
		}
	}
	// Not in the list this replica knows: the store decides (a newer
	// version, or none).
	return h.store.Question(ctx, qbank.Ref{ID: head.ID, Version: version})
}
