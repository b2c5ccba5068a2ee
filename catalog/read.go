package catalog

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/layersrank/qbank"
)

// The catalog is the only reader of the bank: every read the service makes
// is answered here, from the current snapshot when it holds the answer, from
// the versions kept in memory, and otherwise from the store with one call.
// The store is asked when the snapshot cannot know: a question written on
// another replica a moment ago, a version newer than this replica's head,
// an old version read for the first time, a head whose etag the caller has
// but the snapshot does not.

// Question returns a question at ref (version 0 is the current one). When the
// answer is the current version held by a snapshot, current is that
// snapshot, so the caller may share what it derives from it (Memo); for an
// older version, or one read from the store, current is nil.
func (c *Catalog) Question(ctx context.Context, ref qbank.Ref) (q qbank.Question, current *Snapshot, err error) {
	snap := c.Snapshot()
	head, ok := snap.Question(ref.ID)
	switch {
	case !ok:
		// Perhaps written on another replica a moment ago.
		q, err = c.store.Question(ctx, ref)
		return q, nil, err
	case ref.Version == 0 || ref.Version == head.Version:
		return head, snap, nil
	case ref.Version > head.Version:
		// Newer than this replica knows: written elsewhere, or not at all.
		q, err = c.store.Question(ctx, ref)
		return q, nil, err
	}
	versions, err := c.history.versions(ctx, head)
	if err != nil {
		return qbank.Question{}, nil, err
	}
	for _, v := range versions {
		if v.Version == ref.Version {
			return v, nil, nil
		}
	}
	// The list holds every version up to the head's: this one never existed.
	return qbank.Question{}, nil, qbank.VersionNotFound(ref.ID, ref.Version, head.Version)
}

// Versions returns every version of a question, newest first.
func (c *Catalog) Versions(ctx context.Context, id string) ([]qbank.Question, error) {
	if head, ok := c.Snapshot().Question(id); ok {
		return c.history.versions(ctx, head)
	}
	return c.store.QuestionVersions(ctx, id)
}

// VersionPage is one page of a question's versions.
type VersionPage struct {
	Versions      []qbank.Question // newest first
	NextPageToken string
}

// ListVersions pages through a question's versions, newest first. A page
// size of 0 means the default and one above the maximum is coerced to it
// (AIP-158); the caller refuses negative sizes.
func (c *Catalog) ListVersions(ctx context.Context, id string, pageSize int, pageToken string) (VersionPage, error) {
	pageSize = min(orDefault(pageSize), MaxPageSize)
	// Versions are immutable and numbered, so "after version N" names a
	// position that stays valid however many versions are added meanwhile.
	fingerprint := fingerprintOf(fmt.Sprintf("versions|%q|%d", id, pageSize))
	after, err := pageAfter(c.tokenKey, pageToken, fingerprint)
	if err != nil {
		return VersionPage{}, err
	}
	below := math.MaxInt32
	if after != "" {
		if below, err = strconv.Atoi(after); err != nil {
			return VersionPage{}, badToken("is not a page token from this service")
		}
	}
	versions, err := c.Versions(ctx, id)
	if err != nil {
		return VersionPage{}, err
	}
	// Newest first: skip to the first version below the token's.
	start, _ := slices.BinarySearchFunc(versions, below, func(q qbank.Question, v int) int { return v - q.Version })
	for start < len(versions) && versions[start].Version >= below {
		start++
	}
	end := min(start+pageSize, len(versions))
	p := VersionPage{Versions: versions[start:end]}
	if end < len(versions) {
		p.NextPageToken = encodeToken(c.tokenKey, fingerprint, strconv.Itoa(versions[end-1].Version))
	}
	return p, nil
}

// Head returns the current version a write that read etag applies to. When
// the snapshot's head carries that etag, it is that head (an etag names one
// head state), and the store's compare-and-swap will confirm it is still
// current, so the store need not be read; otherwise the store decides.
func (c *Catalog) Head(ctx context.Context, id, etag string) (qbank.Question, error) {
	if q, ok := c.Snapshot().Question(id); ok && q.Etag == etag {
		return q, nil
	}
	return c.store.Question(ctx, qbank.Ref{ID: id})
}

// Template returns a template: from the snapshot, or from the store when
// the snapshot does not hold it (created on another replica a moment ago).
func (c *Catalog) Template(ctx context.Context, id string) (qbank.Template, error) {
	if t, ok := c.Snapshot().Template(id); ok {
		return t, nil
	}
	return c.store.Template(ctx, id)
}

// TemplateHead returns the template a write that read etag applies to, as
// Head does for questions.
func (c *Catalog) TemplateHead(ctx context.Context, id, etag string) (qbank.Template, error) {
	if t, ok := c.Snapshot().Template(id); ok && t.Etag == etag {
		return t, nil
	}
	return c.store.Template(ctx, id)
}
