package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

const templateSelect = `SELECT id, body, etag, create_time, update_time FROM templates WHERE deleted = 0`

func scanTemplate(row scanner) (qbank.Template, error) {
	var (
		t            qbank.Template
		id, body     string
		etag         string
		created, upd int64
	)
	if err := row.Scan(&id, &body, &etag, &created, &upd); err != nil {
		return qbank.Template{}, err
	}
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return qbank.Template{}, fmt.Errorf("decode template %s: %w", id, err)
	}
	t.ID, t.Etag = id, etag
	t.CreateTime, t.UpdateTime = fromMicros(created), fromMicros(upd)
	return t, nil
}

func queryTemplates(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]qbank.Template, error) {
	rows, err := q.QueryContext(ctx, templateSelect+" ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []qbank.Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Templates returns every template, ordered by id.
func (s *Store) Templates(ctx context.Context) ([]qbank.Template, error) {
	ts, err := queryTemplates(ctx, s.read)
	return ts, wrap(err, "list templates")
}

// Template returns one template.
func (s *Store) Template(ctx context.Context, id string) (qbank.Template, error) {
	t, err := scanTemplate(s.read.QueryRowContext(ctx, templateSelect+" AND id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return qbank.Template{}, qbank.TemplateNotFound(id)
	}
	return t, wrap(err, "get template")
}

func templateBody(t qbank.Template) (string, error) {
	raw, err := json.Marshal(repository.TemplateBody(t))
	if err != nil {
		return "", fmt.Errorf("encode template %s: %w", t.ID, err)
	}
	return string(raw), nil
}

// CreateTemplate stores a new template; it may reuse a deleted one's id.
func (s *Store) CreateTemplate(ctx context.Context, t qbank.Template, c qbank.Change) (qbank.Template, error) {
	c = repository.Stamp(c)
	var out qbank.Template
	err := s.inWrite(ctx, "create template", func(tx *sql.Tx, rev int64) (bool, error) {
		out = repository.NewTemplate(t, c, rev)
		body, err := templateBody(out)
		if err != nil {
			return false, err
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO templates (id, owner, body, etag, revision, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, body = excluded.body, etag = excluded.etag,
			   revision = excluded.revision, deleted = 0, create_time = excluded.create_time, update_time = excluded.update_time
			 WHERE templates.deleted = 1`,
			out.ID, out.Owner, body, out.Etag, rev, micros(out.CreateTime), micros(out.UpdateTime))
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, qbank.TemplateExists(t.ID)
		}
		return true, nil
	})
	return out, err
}

// UpdateTemplate replaces a template after comparing its etag.
func (s *Store) UpdateTemplate(ctx context.Context, t qbank.Template, etag string, c qbank.Change) (qbank.Template, error) {
	c = repository.Stamp(c)
	var out qbank.Template
	err := s.inWrite(ctx, "update template", func(tx *sql.Tx, rev int64) (bool, error) {
		cur, err := scanTemplate(tx.QueryRowContext(ctx, templateSelect+" AND id = ?", t.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return false, qbank.TemplateNotFound(t.ID)
		}
		if err != nil {
			return false, err
		}
		next, changed, err := repository.PlanTemplateUpdate(cur, etag, t, c, rev)
		if err != nil || !changed {
			out = next
			return false, err
		}
		out = next
		body, err := templateBody(out)
		if err != nil {
			return false, err
		}
		res, err := tx.ExecContext(ctx,
			"UPDATE templates SET owner = ?, body = ?, etag = ?, revision = ?, update_time = ? WHERE id = ? AND etag = ? AND deleted = 0",
			out.Owner, body, out.Etag, rev, micros(out.UpdateTime), t.ID, etag)
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return false, qbank.TemplateEtagMismatch(t.ID)
		}
		return true, nil
	})
	return out, err
}

// DeleteTemplate marks a template deleted after comparing its etag.
func (s *Store) DeleteTemplate(ctx context.Context, id, etag string) error {
	return s.inWrite(ctx, "delete template", func(tx *sql.Tx, rev int64) (bool, error) {
		cur, err := scanTemplate(tx.QueryRowContext(ctx, templateSelect+" AND id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return false, qbank.TemplateNotFound(id)
		}
		if err != nil {
			return false, err
		}
		if cur.Etag != etag {
			return false, qbank.TemplateEtagMismatch(id)
		}
		_, err = tx.ExecContext(ctx, "UPDATE templates SET deleted = 1, revision = ? WHERE id = ?", rev, id)
		return err == nil, err
	})
}

// SeedTemplates inserts the templates whose ids the store has never held.
func (s *Store) SeedTemplates(ctx context.Context, ts []qbank.Template, c qbank.Change) ([]string, error) {
	c = repository.Stamp(c)
	var added []string
	err := s.inWrite(ctx, "seed templates", func(tx *sql.Tx, rev int64) (bool, error) {
		added = added[:0]
		for _, t := range ts {
			t = repository.NewTemplate(t, c, rev)
			body, err := templateBody(t)
			if err != nil {
				return false, err
			}
			res, err := tx.ExecContext(ctx,
				`INSERT INTO templates (id, owner, body, etag, revision, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)
				 ON CONFLICT (id) DO NOTHING`,
				t.ID, t.Owner, body, t.Etag, rev, micros(t.CreateTime), micros(t.UpdateTime))
			if err != nil {
				return false, err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added = append(added, t.ID)
			}
		}
		return len(added) > 0, nil
	})
	return added, err
}
