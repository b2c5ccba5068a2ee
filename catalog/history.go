package catalog

import (
	"context"
	"sync"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// history keeps questions' version lists in memory. A version never changes
// once written, so a question's list stays right for as long as its head
// does; entries are keyed by the head's etag, which every write of the head
// changes. This keeps pinned reads (id@version), which the assessment
// platform makes forever, off the database, and serving through an outage.
type history struct {
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

func newHistory(store repository.Store) *history {
	return &history{store: store, lists: map[string]historyEntry{}}
}

// versions returns every version of the question whose current head (in
// this replica's snapshot) is head, newest first: from memory, or with one
// store call.
func (h *history) versions(ctx context.Context, head qbank.Question) ([]qbank.Question, error) {
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
	// Keep only a list that matches the head it was asked for: the store
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
