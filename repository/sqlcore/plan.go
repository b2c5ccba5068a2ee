package sqlcore

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// updatePlan is what an update of a question head must write. The store
// computes it inside the write transaction, from the head it read there, so
// the etag comparison and the write are one atomic compare-and-swap.
type updatePlan struct {
	NewVersion bool // the content changed: write version Head.Version
	Changed    bool // anything changed (content or state): write the head
	Head       qbank.Question
}

// planUpdate checks etag against the current head and works out the new head.
// revision is the bank revision the write will commit as; it feeds the etag so
// that every write of a head, even one that returns it to an earlier state,
// yields an etag never seen before.
func planUpdate(cur qbank.Question, etag string, content qbank.Content, state qbank.State, c qbank.Change, revision int64) (updatePlan, error) {
	if etag != cur.Etag {
		return updatePlan{}, qbank.QuestionEtagMismatch(cur.ID, cur.Version)
	}
	next := cur
	plan := updatePlan{}
	if !content.Equal(cur.Content) {
		plan.NewVersion, plan.Changed = true, true
		next.Version = cur.Version + 1
		next.Content = content.Clone()
		next.Author, next.ChangeNote = c.Author, c.Note
	}
	if state != cur.State {
		plan.Changed = true
		next.State = state
	}
	if plan.Changed {
		next.UpdateTime = c.Time
		next.Etag = qbank.ComputeEtag(cur.ID, next.Version, next.State, revision)
	}
	plan.Head = next
	return plan, nil
}

// newHead returns the head of a question created (or seeded) at version 1.
func newHead(q qbank.Question, c qbank.Change, revision int64) qbank.Question {
	h := q
	h.Version = 1
	h.Content = q.Content.Clone()
	if h.State == "" {
		h.State = qbank.StateActive
	}
	h.CreateTime, h.UpdateTime = c.Time, c.Time
	h.Author, h.ChangeNote = c.Author, c.Note
	h.Etag = qbank.ComputeEtag(h.ID, h.Version, h.State, revision)
	return h
}

// stamp fills in a change's time when the caller left it zero.
func stamp(c qbank.Change) qbank.Change {
	if c.Time.IsZero() {
		c.Time = repository.Now()
	}
	c.Time = c.Time.UTC().Truncate(time.Microsecond) // what both encodings keep
	return c
}

// templateBody is the stored form of a template: its configuration without
// the fields the store owns (etag, times).
func templateBody(t qbank.Template) qbank.Template {
	t.Etag, t.CreateTime, t.UpdateTime = "", time.Time{}, time.Time{}
	return t
}

// planTemplateUpdate checks etag against the current template and returns the
// template to write, or changed=false when nothing differs.
func planTemplateUpdate(cur qbank.Template, etag string, next qbank.Template, c qbank.Change, revision int64) (qbank.Template, bool, error) {
	if etag != cur.Etag {
		return qbank.Template{}, false, qbank.TemplateEtagMismatch(cur.ID)
	}
	if templateBody(next).Equal(templateBody(cur)) {
		return cur, false, nil
	}
	next.ID, next.CreateTime, next.UpdateTime = cur.ID, cur.CreateTime, c.Time
	next.Etag = qbank.ComputeEtag("template/"+cur.ID, 0, "", revision)
	return next, true, nil
}

// newTemplate returns a template as first stored.
func newTemplate(t qbank.Template, c qbank.Change, revision int64) qbank.Template {
	t.CreateTime, t.UpdateTime = c.Time, c.Time
	t.Etag = qbank.ComputeEtag("template/"+t.ID, 0, "", revision)
	return t
}

// decodeContents unmarshals each question's stored content JSON into it,
// spread over every CPU: decoding is most of the cost of loading a large
// bank at start-up.
func decodeContents(qs []qbank.Question, raws [][]byte) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(qs)/512))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(qs); i += workers {
				if err := json.Unmarshal(raws[i], &qs[i].Content); err != nil {
					errs[w] = fmt.Errorf("decode question %s v%d: %w", qs[i].ID, qs[i].Version, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
