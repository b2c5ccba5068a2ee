package sqlcore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/layersrank/qbank"
)

// scanTemplate scans templateColumns, and the deleted flag after them when
// deleted is not nil.
func (s *Store) scanTemplate(row Row, deleted *bool) (qbank.Template, error) {
	var (
		t                qbank.Template
		id, etag         string
		body             []byte
		created, updated timeCol
	)
	dest := []any{&id, &body, &etag, s.d.dest(&created), s.d.dest(&updated)}
	if deleted != nil {
		dest = append(dest, deleted)
	}
	if err := row.Scan(dest...); err != nil {
		return qbank.Template{}, err
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return qbank.Template{}, fmt.Errorf("decode template %s: %w", id, err)
	}
	t.ID, t.Etag = id, etag
	t.CreateTime, t.UpdateTime = s.d.value(&created), s.d.value(&updated)
	return t, nil
}

func (s *Store) queryTemplates(ctx context.Context, q Querier) ([]qbank.Template, error) {
	var out []qbank.Template
	rows, err := q.Query(ctx, s.q.templates)
	err = eachRow(rows, err, func(r Rows) error {
		t, err := s.scanTemplate(r, nil)
		out = append(out, t)
		return err
	})
	return out, err
}

// Templates returns every template, ordered by id.
func (s *Store) Templates(ctx context.Context) ([]qbank.Template, error) {
	var ts []qbank.Template
	err := s.read(ctx, Op{What: "list templates"}, func(ctx context.Context, q Querier) (err error) {
		ts, err = s.queryTemplates(ctx, q)
		return err
	})
	return ts, err
}

// Template returns one template.
func (s *Store) Template(ctx context.Context, id string) (qbank.Template, error) {
	var t qbank.Template
	err := s.read(ctx, Op{What: "get template"}, func(ctx context.Context, q Querier) (err error) {
		t, err = s.scanTemplate(q.QueryRow(ctx, s.q.template, id), nil)
		return notFound(err, qbank.TemplateNotFound(id))
	})
	return t, err
}

// lockTemplate reads a live template in a write transaction, locking its row
// where the engine has row locks.
func (s *Store) lockTemplate(ctx context.Context, tx Querier, id string) (qbank.Template, error) {
	t, err := s.scanTemplate(tx.QueryRow(ctx, s.q.templateForUpdate, id), nil)
	return t, notFound(err, qbank.TemplateNotFound(id))
}

// templateArgs are the values a template row is written with, after id.
func (s *Store) templateArgs(t qbank.Template, rev int64) ([]any, error) {
	body, err := json.Marshal(templateBody(t))
	if err != nil {
		return nil, fmt.Errorf("encode template %s: %w", t.ID, err)
	}
	return []any{t.ID, t.Owner, string(body), t.Etag, rev, s.d.timeArg(t.CreateTime), s.d.timeArg(t.UpdateTime)}, nil
}

// CreateTemplate stores a new template; it may reuse a deleted one's id.
func (s *Store) CreateTemplate(ctx context.Context, t qbank.Template, c qbank.Change) (qbank.Template, error) {
	c = stamp(c)
	var out qbank.Template
	err := s.write(ctx, Op{What: "create template"}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		out = newTemplate(t, c, rev)
		args, err := s.templateArgs(out, rev)
		if err != nil {
			return false, err
		}
		n, err := tx.Exec(ctx, s.q.createTemplate, args...)
		if err == nil && n == 0 {
			err = qbank.TemplateExists(t.ID)
		}
		return err == nil, err
	})
	return out, err
}

// UpdateTemplate replaces a template after comparing its etag.
func (s *Store) UpdateTemplate(ctx context.Context, t qbank.Template, etag string, c qbank.Change) (qbank.Template, error) {
	c = stamp(c)
	var out qbank.Template
	err := s.write(ctx, Op{What: "update template"}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		cur, err := s.lockTemplate(ctx, tx, t.ID)
		if err != nil {
			return false, err
		}
		next, changed, err := planTemplateUpdate(cur, etag, t, c, rev)
		out = next
		if err != nil || !changed {
			return false, err
		}
		body, err := json.Marshal(templateBody(next))
		if err != nil {
			return false, fmt.Errorf("encode template %s: %w", t.ID, err)
		}
		n, err := tx.Exec(ctx, s.q.updateTemplate, next.Owner, string(body), next.Etag, rev, s.d.timeArg(next.UpdateTime), t.ID, etag)
		if err == nil && n != 1 {
			err = qbank.TemplateEtagMismatch(t.ID)
		}
		return err == nil, err
	})
	return out, err
}

// DeleteTemplate marks a template deleted after comparing its etag.
func (s *Store) DeleteTemplate(ctx context.Context, id, etag string) error {
	return s.write(ctx, Op{What: "delete template"}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		cur, err := s.lockTemplate(ctx, tx, id)
		if err != nil {
			return false, err
		}
		if cur.Etag != etag {
			return false, qbank.TemplateEtagMismatch(id)
		}
		_, err = tx.Exec(ctx, s.q.deleteTemplate, rev, id)
		return err == nil, err
	})
}

// SeedTemplates inserts the templates whose ids the store has never held.
func (s *Store) SeedTemplates(ctx context.Context, ts []qbank.Template, c qbank.Change) ([]string, error) {
	c = stamp(c)
	var added []string
	err := s.write(ctx, Op{What: "seed templates", Rows: len(ts)}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		added = added[:0]
		for _, t := range ts {
			args, err := s.templateArgs(newTemplate(t, c, rev), rev)
			if err != nil {
				return false, err
			}
			n, err := tx.Exec(ctx, s.q.seedTemplate, args...)
			if err != nil {
				return false, err
			}
			if n == 1 {
				added = append(added, t.ID)
			}
		}
		return len(added) > 0, nil
	})
	return added, err
}
