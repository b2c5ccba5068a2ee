// Package importer plans and applies bulk imports of questions: all or
// nothing, every problem reported with its item index and field, new
// questions created, changed ones versioned only with their current etag,
// unchanged ones left alone (so importing an export of the same bank is a
// no-op).
package importer

import (
	"context"
	"fmt"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// MaxQuestions bounds one import; larger banks import in several files.
const MaxQuestions = 10000

// Action is what an import does to one question.
type Action string

// The actions.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
)

// Result is the outcome for one question, in request order.
type Result struct {
	ID      string
	Action  Action
	Version int // after the import (predicted, for a dry run)
}

// Plan is a checked import: the store ops to run and what they will do.
type Plan struct {
	Ops     []repository.ImportOp
	Results []Result
}

// Counts tallies the results by action.
func (p Plan) Counts() (created, updated, unchanged int) {
	for _, r := range p.Results {
		switch r.Action {
		case Created:
			created++
		case Updated:
			updated++
		case Unchanged:
			unchanged++
		}
	}
	return created, updated, unchanged
}

// Build checks items (each with the etag it was exported with) against the
// bank, where current returns a question's current version. It reports
// every problem at once, under questions[i].field.
func Build(tax *qbank.Taxonomy, current func(id string) (qbank.Question, bool), items []qbank.Question) (Plan, error) {
	return BuildContext(context.Background(), tax, current, items)
}

// BuildContext is Build that stops when ctx ends: a plan of 10,000
// questions is no use to a client that has gone.
func BuildContext(ctx context.Context, tax *qbank.Taxonomy, current func(id string) (qbank.Question, bool), items []qbank.Question) (Plan, error) {
	var v qbank.Violations
	switch n := len(items); {
	case n == 0:
		v.Add("questions", "the import holds no questions")
	case n > MaxQuestions:
		v.Add("questions", "holds %d questions, the limit for one import is %d", n, MaxQuestions)
	}
	if err := v.Err(); err != nil {
		return Plan{}, err
	}
	var p Plan
	seen := make(map[string]int, len(items))
	for i, q := range items {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return Plan{}, err
			}
		}
		f := fmt.Sprintf("questions[%d].", i)
		qbank.ValidateQuestionID(&v, f+"id", q.ID)
		if prev, dup := seen[q.ID]; dup && q.ID != "" {
			v.Add(f+"id", "%s also appears at questions[%d]", qbank.Quote(q.ID), prev)
		}
		seen[q.ID] = i
		qbank.NormalizeContent(&q.Content, tax)
		qbank.ValidateContent(&v, f, &q.Content, tax)
		switch q.State {
		case "", qbank.StateActive, qbank.StateDraft, qbank.StateRetired:
		default:
			v.Add(f+"state", "unknown state %s", qbank.Quote(string(q.State)))
		}

		cur, exists := current(q.ID)
		if !exists {
			if q.State == "" {
				q.State = qbank.StateActive
			}
			p.Ops = append(p.Ops, repository.ImportOp{Create: true, Question: q})
			p.Results = append(p.Results, Result{ID: q.ID, Action: Created, Version: 1})
			continue
		}
		if q.State == "" {
			q.State = cur.State
		}
		contentChanged := !q.Content.Equal(cur.Content)
		if !contentChanged && q.State == cur.State {
			p.Results = append(p.Results, Result{ID: q.ID, Action: Unchanged, Version: cur.Version})
			continue
		}
		switch {
		case q.Etag == "":
			v.Add(f+"etag", "is required to change question %q: export it (or GET it) and edit that copy", q.ID)
		case q.Etag != cur.Etag:
			v.Add(f+"etag", "is stale: question %q changed since this copy was exported (now at version %d)", q.ID, cur.Version)
		}
		version := cur.Version
		if contentChanged {
			version++
		}
		p.Ops = append(p.Ops, repository.ImportOp{Question: q, Etag: q.Etag})
		p.Results = append(p.Results, Result{ID: q.ID, Action: Updated, Version: version})
	}
	if err := v.Err(); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// Apply runs a plan's ops in one store transaction and returns the results
// with the versions actually written.
func Apply(ctx context.Context, store repository.Store, p Plan, c qbank.Change) ([]Result, error) {
	if len(p.Ops) == 0 {
		return p.Results, nil
	}
	written, err := store.ImportQuestions(ctx, p.Ops, c)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	byID := make(map[string]int, len(written))
	for _, q := range written {
		byID[q.ID] = q.Version
	}
	out := make([]Result, len(p.Results))
	for i, r := range p.Results {
		if v, ok := byID[r.ID]; ok {
			r.Version = v
		}
		out[i] = r
	}
	return out, nil
}

// Bank is what an import is checked against: the taxonomy, each
// question's current version, and the revision they are at.
type Bank struct {
	Taxonomy *qbank.Taxonomy
	Current  func(id string) (qbank.Question, bool)
	Revision int64
}

// Report is what an import did (or, validating only, would do).
type Report struct {
	Results                     []Result // one per item, in request order
	Created, Updated, Unchanged int
	ValidateOnly                bool
	// Revision is the bank's revision after the import (before it, for a
	// dry run or an import that changed nothing).
	Revision int64
}

// Run is an import from end to end, the same for the gRPC service (and so
// the gateway) and the CLI: validate and plan every item against the bank,
// apply the plan in one store transaction unless validateOnly, and report.
func Run(ctx context.Context, store repository.Store, bank Bank, items []qbank.Question, validateOnly bool, c qbank.Change) (Report, error) {
	plan, err := BuildContext(ctx, bank.Taxonomy, bank.Current, items)
	if err != nil {
		return Report{}, err
	}
	r := Report{Results: plan.Results, ValidateOnly: validateOnly, Revision: bank.Revision}
	if !validateOnly && len(plan.Ops) > 0 {
		if r.Results, err = Apply(ctx, store, plan, c); err != nil {
			return Report{}, err
		}
		if r.Revision, err = store.Revision(ctx); err != nil {
			return Report{}, fmt.Errorf("import: read the revision: %w", err)
		}
	}
	r.Created, r.Updated, r.Unchanged = plan.Counts()
	return r, nil
}
