package catalog_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/catalog"
	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/repository"
)

// countingStore is a real SQLite store that counts the reads the catalog
// falls back to, so a test can see what a read costs.
type countingStore struct {
	repository.Store
	reads atomic.Int64
}

func (s *countingStore) Question(ctx context.Context, ref qbank.Ref) (qbank.Question, error) {
	s.reads.Add(1)
	return s.Store.Question(ctx, ref)
}

func (s *countingStore) QuestionVersions(ctx context.Context, id string) ([]qbank.Question, error) {
	s.reads.Add(1)
	return s.Store.QuestionVersions(ctx, id)
}

func (s *countingStore) Template(ctx context.Context, id string) (qbank.Template, error) {
	s.reads.Add(1)
	return s.Store.Template(ctx, id)
}

// seededCatalog is a catalog over a seeded SQLite store whose question
// "probe" has versions 1–3.
func seededCatalog(t *testing.T) (*catalog.Catalog, *countingStore, qbank.Question) {
	t.Helper()
	ctx := context.Background()
	st, bank := seededStore(t)
	store := &countingStore{Store: st}
	q := bankgen.Questions(&bank.Taxonomy, 1, 5)[0]
	q.ID = "probe"
	head, err := store.CreateQuestion(ctx, q, qbank.Change{Author: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"Second wording of the probe question?", "Third wording of the probe question?"} {
		c := head.Content.Clone()
		c.Text = text
		if head, err = store.UpdateQuestion(ctx, head.ID, head.Etag, c, head.State, qbank.Change{Author: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := catalog.New(ctx, store, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return cat, store, head
}

// costs runs read and returns how many store reads it made.
func costs(t *testing.T, store *countingStore, read func() error) int64 {
	t.Helper()
	before := store.reads.Load()
	if err := read(); err != nil {
		t.Fatal(err)
	}
	return store.reads.Load() - before
}

func TestQuestionByRef(t *testing.T) {
	ctx := context.Background()
	cat, store, head := seededCatalog(t)

	t.Run("current versions come from the snapshot", func(t *testing.T) {
		for _, ref := range []qbank.Ref{{ID: "probe"}, {ID: "probe", Version: 3}} {
			n := costs(t, store, func() error {
				q, current, err := cat.Question(ctx, ref)
				if err == nil && (q.Version != 3 || current != cat.Snapshot()) {
					t.Errorf("%v: version %d from snapshot %p, want 3 from the current one", ref, q.Version, current)
				}
				return err
			})
			if n != 0 {
				t.Errorf("%v cost %d store reads, want 0", ref, n)
			}
		}
	})

	t.Run("an old version costs one store read, then none", func(t *testing.T) {
		for i, want := range []int64{1, 0, 0} {
			version := 1 + i%2
			n := costs(t, store, func() error {
				q, current, err := cat.Question(ctx, qbank.Ref{ID: "probe", Version: version})
				if err == nil && (q.Version != version || current != nil || q.Etag != "") {
					t.Errorf("got version %d (current %p, etag %q), want version %d, not current, no etag", q.Version, current, q.Etag, version)
				}
				return err
			})
			if n != want {
				t.Errorf("read %d of an old version cost %d store reads, want %d", i+1, n, want)
			}
		}
	})

	t.Run("a version this replica has not seen yet costs one store read", func(t *testing.T) {
		c := head.Content.Clone()
		c.Text = "Fourth wording, written on another replica?"
		if _, err := store.Store.UpdateQuestion(ctx, "probe", head.Etag, c, head.State, qbank.Change{Author: "t"}); err != nil {
			t.Fatal(err)
		}
		n := costs(t, store, func() error {
			q, _, err := cat.Question(ctx, qbank.Ref{ID: "probe", Version: 4})
			if err == nil && q.Text != c.Text {
				t.Errorf("got %q", q.Text)
			}
			return err
		})
		if n != 1 {
			t.Errorf("cost %d store reads, want 1", n)
		}
	})

	t.Run("a question this replica has not seen yet costs one store read", func(t *testing.T) {
		q := head
		q.ID = "probe-elsewhere"
		if _, err := store.Store.CreateQuestion(ctx, q, qbank.Change{Author: "t"}); err != nil {
			t.Fatal(err)
		}
		n := costs(t, store, func() error {
			_, current, err := cat.Question(ctx, qbank.Ref{ID: "probe-elsewhere"})
			if current != nil {
				t.Error("a question read from the store is reported as a snapshot's current version")
			}
			return err
		})
		if n != 1 {
			t.Errorf("cost %d store reads, want 1", n)
		}
	})

	t.Run("missing questions and versions are not found", func(t *testing.T) {
		for _, ref := range []qbank.Ref{{ID: "no-such-question"}, {ID: "probe", Version: 99}, {ID: "no-such-question", Version: 2}} {
			if _, _, err := cat.Question(ctx, ref); qbank.ErrorCode(err) != qbank.ENOTFOUND {
				t.Errorf("%v: %v, want not found", ref, err)
			}
		}
	})
}

func TestListVersions(t *testing.T) {
	ctx := context.Background()
	cat, store, _ := seededCatalog(t)
	var got []int
	token := ""
	n := costs(t, store, func() error {
		for {
			p, err := cat.ListVersions(ctx, "probe", 2, token)
			if err != nil {
				return err
			}
			for _, v := range p.Versions {
				got = append(got, v.Version)
			}
			if token = p.NextPageToken; token == "" {
				return nil
			}
		}
	})
	if len(got) != 3 || got[0] != 3 || got[1] != 2 || got[2] != 1 {
		t.Errorf("versions %v, want [3 2 1]", got)
	}
	if n != 1 {
		t.Errorf("paging through the history cost %d store reads, want 1", n)
	}
	first, _ := cat.ListVersions(ctx, "probe", 2, "")
	if _, err := cat.ListVersions(ctx, "probe", 1, first.NextPageToken); qbank.ErrorCode(err) != qbank.EINVALID {
		t.Errorf("a token used with another page size: %v, want invalid", err)
	}
	if _, err := cat.ListVersions(ctx, "no-such-question", 0, ""); qbank.ErrorCode(err) != qbank.ENOTFOUND {
		t.Errorf("versions of a missing question: %v, want not found", err)
	}
}

func TestHeads(t *testing.T) {
	ctx := context.Background()
	cat, store, head := seededCatalog(t)
	n := costs(t, store, func() error {
		q, err := cat.Head(ctx, "probe", head.Etag)
		if err == nil && q.Etag != head.Etag {
			t.Errorf("head with etag %q, want %q", q.Etag, head.Etag)
		}
		return err
	})
	if n != 0 {
		t.Errorf("the head the snapshot holds cost %d store reads, want 0", n)
	}
	if n := costs(t, store, func() error { _, err := cat.Head(ctx, "probe", "stale-etag"); return err }); n != 1 {
		t.Errorf("a head with another etag cost %d store reads, want 1 (the store decides)", n)
	}

	def, ok := cat.Snapshot().Template("backend-engineer-default")
	if !ok {
		t.Fatal("the seeded default template is missing")
	}
	if n := costs(t, store, func() error { _, err := cat.Template(ctx, def.ID); return err }); n != 0 {
		t.Errorf("a template in the snapshot cost %d store reads", n)
	}
	if n := costs(t, store, func() error { _, err := cat.TemplateHead(ctx, def.ID, def.Etag); return err }); n != 0 {
		t.Errorf("a template head in the snapshot cost %d store reads", n)
	}
	other := def
	other.ID = "made-elsewhere"
	if _, err := store.Store.CreateTemplate(ctx, other, qbank.Change{Author: "t"}); err != nil {
		t.Fatal(err)
	}
	if n := costs(t, store, func() error { _, err := cat.Template(ctx, other.ID); return err }); n != 1 {
		t.Errorf("a template this replica has not seen cost %d store reads, want 1", n)
	}
	if _, err := cat.Template(ctx, "no-such-template"); qbank.ErrorCode(err) != qbank.ENOTFOUND {
		t.Errorf("a missing template: %v", err)
	}
}

func TestMemo(t *testing.T) {
	ctx := context.Background()
	cat, store, head := seededCatalog(t)
	lengths := catalog.NewMemo[string, int]()
	doubled := catalog.NewMemo[string, int]()
	builds := 0
	length := func(s *catalog.Snapshot) int {
		return lengths.Get(s, "probe", func() int { builds++; q, _ := s.Question("probe"); return len(q.Text) })
	}
	first := cat.Snapshot()
	if a, b := length(first), length(first); a != b || builds != 1 {
		t.Fatalf("two gets built %d times (%d, %d), want once", builds, a, b)
	}
	if _, ok := doubled.Lookup(first, "probe"); ok {
		t.Error("a memo sees another memo's value under the same key")
	}
	c := head.Content.Clone()
	c.Text = "A longer wording of the probe question, so its length changes?"
	if _, err := store.UpdateQuestion(ctx, "probe", head.Etag, c, head.State, qbank.Change{Author: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := lengths.Lookup(cat.Snapshot(), "probe"); ok {
		t.Error("a new snapshot starts with the old one's values")
	}
	if got := length(cat.Snapshot()); got != len(c.Text) || builds != 2 {
		t.Errorf("after the write: %d (built %d times), want %d built twice", got, builds, len(c.Text))
	}
	if got, _ := lengths.Lookup(first, "probe"); got != len(head.Text) {
		t.Errorf("the old snapshot's value changed: %d, want %d", got, len(head.Text))
	}
}

// TestMemoBoundsArePerMemo: one kind of value filling its bound (a wire
// form for each question of a large bank) must not stop another kind from
// being remembered; before, the bound was shared, and at 50,000 questions
// GetQuestion's wire forms left every list filter and a role's active
// questions to be rebuilt on every call.
func TestMemoBoundsArePerMemo(t *testing.T) {
	cat, _, _ := seededCatalog(t)
	s := cat.Snapshot()
	many := catalog.NewMemo[int, int]()
	for i := range 20000 {
		many.Get(s, i, func() int { return i })
	}
	if _, ok := many.Lookup(s, 19999); ok {
		t.Error("a memo remembers past its bound")
	}
	other := catalog.NewMemo[string, int]()
	builds := 0
	for range 3 {
		other.Get(s, "x", func() int { builds++; return 1 })
	}
	if builds != 1 {
		t.Errorf("another memo built its value %d times after the first filled its bound, want once", builds)
	}
}
