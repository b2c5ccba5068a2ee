package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

const templateSelect = `SELECT id, body, etag, create_time, update_time FROM templates WHERE NOT deleted`

func scanTemplate(row pgx.Row) (qbank.Template, error) {
	var (
		t            qbank.Template
		id, etag     string
		body         []byte
		created, upd time.Time
	)
	if err := row.Scan(&id, &body, &etag, &created, &upd); err != nil {
		return qbank.Template{}, err
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return qbank.Template{}, fmt.Errorf("decode template %s: %w", id, err)
	}
	t.ID, t.Etag = id, etag
	t.CreateTime, t.UpdateTime = created.UTC(), upd.UTC()
	return t, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func queryTemplates(ctx context.Context, q querier) ([]qbank.Template, error) {
	rows, err := q.Query(ctx, templateSelect+" ORDER BY id")
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
func (s *Store) Templates(ctx context.Context) (_ []qbank.Template, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	ts, err := queryTemplates(ctx, s.pool)
	return ts, wrap(err, "list templates")
}

// Template returns one template.
func (s *Store) Template(ctx context.Context, id string) (_ qbank.Template, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	t, err := scanTemplate(s.pool.QueryRow(ctx, templateSelect+" AND id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return qbank.Template{}, qbank.TemplateNotFound(id)
	}
	return t, wrap(err, "get template")
}

func templateBody(t qbank.Template) ([]byte, error) {
	raw, err := json.Marshal(repository.TemplateBody(t))
	if err != nil {
		return nil, fmt.Errorf("encode template %s: %w", t.ID, err)
	}
	return raw, nil
}

// CreateTemplate stores a new template; it may reuse a deleted one's id.
func (s *Store) CreateTemplate(ctx context.Context, t qbank.Template, c qbank.Change) (qbank.Template, error) {
	c = repository.Stamp(c)
	var out qbank.Template
	err := s.inWrite(ctx, "create template", func(tx pgx.Tx, rev int64) (bool, error) {
		out = repository.NewTemplate(t, c, rev)
		body, err := templateBody(out)
		if err != nil {
			return false, err
		}
		tag, err := tx.Exec(ctx,
			`INSERT INTO templates (id, owner, body, etag, revision, create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7)
			 ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, body = excluded.body, etag = excluded.etag,
			   revision = excluded.revision, deleted = FALSE, create_time = excluded.create_time, update_time = excluded.update_time
			 WHERE templates.deleted`,
			out.ID, out.Owner, body, out.Etag, rev, out.CreateTime, out.UpdateTime)
		if err != nil {
			return false, err
		}
		if tag.RowsAffected() == 0 {
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
	err := s.inWrite(ctx, "update template", func(tx pgx.Tx, rev int64) (bool, error) {
		cur, err := scanTemplate(tx.QueryRow(ctx, templateSelect+" AND id = $1 FOR UPDATE", t.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return false, qbank.TemplateNotFound(t.ID)
		}
		if err != nil {
			return false, err
		}
		next, changed, err := repository.PlanTemplateUpdate(cur, etag, t, c, rev)
		out = next
		if err != nil || !changed {
			return false, err
		}
		body, err := templateBody(out)
		if err != nil {
			return false, err
		}
		tag, err := tx.Exec(ctx,
			`UPDATE templates SET owner = $1, body = $2, etag = $3, revision = $4, update_time = $5
			 WHERE id = $6 AND etag = $7 AND NOT deleted`,
			out.Owner, body, out.Etag, rev, out.UpdateTime, t.ID, etag)
		if err != nil {
			return false, err
		}
		if tag.RowsAffected() != 1 {
			return false, qbank.TemplateEtagMismatch(t.ID)
		}
		return true, nil
	})
	return out, err
}

// DeleteTemplate marks a template deleted after comparing its etag.
func (s *Store) DeleteTemplate(ctx context.Context, id, etag string) error {
	return s.inWrite(ctx, "delete template", func(tx pgx.Tx, rev int64) (bool, error) {
		cur, err := scanTemplate(tx.QueryRow(ctx, templateSelect+" AND id = $1 FOR UPDATE", id))
		if errors.Is(err, pgx.ErrNoRows) {
			return false, qbank.TemplateNotFound(id)
		}
		if err != nil {
			return false, err
		}
		if cur.Etag != etag {
			return false, qbank.TemplateEtagMismatch(id)
		}
		_, err = tx.Exec(ctx, "UPDATE templates SET deleted = TRUE, revision = $1 WHERE id = $2", rev, id)
		return err == nil, err
	})
}

// SeedTemplates inserts the templates whose ids the store has never held.
func (s *Store) SeedTemplates(ctx context.Context, ts []qbank.Template, c qbank.Change) ([]string, error) {
	c = repository.Stamp(c)
	var added []string
	err := s.inWriteN(ctx, "seed templates", len(ts), func(tx pgx.Tx, rev int64) (bool, error) {
		added = added[:0]
		for _, t := range ts {
			t = repository.NewTemplate(t, c, rev)
			body, err := templateBody(t)
			if err != nil {
				return false, err
			}
			tag, err := tx.Exec(ctx,
				`INSERT INTO templates (id, owner, body, etag, revision, create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7)
				 ON CONFLICT (id) DO NOTHING`,
				t.ID, t.Owner, body, t.Etag, rev, t.CreateTime, t.UpdateTime)
			if err != nil {
				return false, err
			}
			if tag.RowsAffected() == 1 {
				added = append(added, t.ID)
			}
		}
		return len(added) > 0, nil
	})
	return added, err
}
