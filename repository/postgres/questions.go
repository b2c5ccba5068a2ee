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

const headSelect = `SELECT q.id, q.version, q.state, q.etag, q.create_time, q.update_time,
	v.content, v.author, v.change_note
	FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version`

func scanHead(row pgx.Row) (qbank.Question, error) {
	q, content, err := scanHeadRaw(row)
	if err != nil {
		return qbank.Question{}, err
	}
	if err := json.Unmarshal(content, &q.Content); err != nil {
		return qbank.Question{}, fmt.Errorf("decode question %s v%d: %w", q.ID, q.Version, err)
	}
	return q, nil
}

// scanHeadRaw scans a head, leaving its content JSON undecoded.
func scanHeadRaw(row pgx.Row) (qbank.Question, []byte, error) {
	var (
		q            qbank.Question
		state        string
		content      []byte
		created, upd time.Time
	)
	if err := row.Scan(&q.ID, &q.Version, &state, &q.Etag, &created, &upd, &content, &q.Author, &q.ChangeNote); err != nil {
		return qbank.Question{}, nil, err
	}
	q.State = qbank.State(state)
	q.CreateTime, q.UpdateTime = created.UTC(), upd.UTC()
	return q, content, nil
}

// Load reads the taxonomy, every head and every template from one
// REPEATABLE READ snapshot, so they all reflect the same revision.
func (s *Store) Load(ctx context.Context) (repository.Contents, error) {
	var c repository.Contents
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return c, wrap(err, "load bank")
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if err := tx.QueryRow(ctx, "SELECT revision FROM bank_meta WHERE id = 1").Scan(&c.Revision); err != nil {
		return c, wrap(err, "load bank")
	}
	var body []byte
	switch err := tx.QueryRow(ctx, "SELECT body FROM taxonomy WHERE id = 1").Scan(&body); {
	case err == nil:
		c.Taxonomy = &qbank.Taxonomy{}
		if err := json.Unmarshal(body, c.Taxonomy); err != nil {
			return c, fmt.Errorf("decode taxonomy: %w", err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return c, wrap(err, "load taxonomy")
	}
	rows, err := tx.Query(ctx, headSelect+" ORDER BY q.id")
	if err != nil {
		return c, wrap(err, "load questions")
	}
	var raws [][]byte
	for rows.Next() {
		q, raw, err := scanHeadRaw(rows)
		if err != nil {
			rows.Close()
			return c, wrap(err, "load questions")
		}
		c.Questions, raws = append(c.Questions, q), append(raws, raw)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, wrap(err, "load questions")
	}
	if err := repository.DecodeContents(c.Questions, raws); err != nil {
		return c, err
	}
	c.Templates, err = queryTemplates(ctx, tx)
	return c, wrap(err, "load templates")
}

// Question returns a question at a version (0 = current).
func (s *Store) Question(ctx context.Context, ref qbank.Ref) (_ qbank.Question, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	head, err := scanHead(s.pool.QueryRow(ctx, headSelect+" WHERE q.id = $1", ref.ID))
	if errors.Is(err, pgx.ErrNoRows) {
		return qbank.Question{}, qbank.QuestionNotFound(ref.ID)
	}
	if err != nil || ref.Version == 0 || ref.Version == head.Version {
		return head, wrap(err, "get question")
	}
	versions, err := s.versions(ctx, head, ref.Version)
	if err != nil {
		return qbank.Question{}, err
	}
	if len(versions) == 0 {
		return qbank.Question{}, qbank.VersionNotFound(ref.ID, ref.Version, head.Version)
	}
	return versions[0], nil
}

// QuestionVersions returns every version of a question, newest first.
func (s *Store) QuestionVersions(ctx context.Context, id string) (_ []qbank.Question, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	head, err := s.Question(ctx, qbank.Ref{ID: id})
	if err != nil {
		return nil, err
	}
	return s.versions(ctx, head, 0)
}

// versions reads version rows (all when version is 0); each carries the
// head's state and create time, and its own author, note and time.
func (s *Store) versions(ctx context.Context, head qbank.Question, version int) ([]qbank.Question, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT version, content, author, change_note, create_time FROM question_versions
		 WHERE question_id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC`, head.ID, version)
	if err != nil {
		return nil, wrap(err, "list versions")
	}
	defer rows.Close()
	var out []qbank.Question
	for rows.Next() {
		q := head
		var content []byte
		var created time.Time
		if err := rows.Scan(&q.Version, &content, &q.Author, &q.ChangeNote, &created); err != nil {
			return nil, wrap(err, "list versions")
		}
		q.Content = qbank.Content{}
		if err := json.Unmarshal(content, &q.Content); err != nil {
			return nil, fmt.Errorf("decode question %s v%d: %w", q.ID, q.Version, err)
		}
		q.UpdateTime = created.UTC()
		if q.Version != head.Version {
			q.Etag = "" // only the head's etag can be used for a write
		}
		out = append(out, q)
	}
	return out, wrap(rows.Err(), "list versions")
}

// CreateQuestion stores q as version 1.
func (s *Store) CreateQuestion(ctx context.Context, q qbank.Question, c qbank.Change) (qbank.Question, error) {
	c = repository.Stamp(c)
	var head qbank.Question
	err := s.inWrite(ctx, "create question", func(tx pgx.Tx, rev int64) (bool, error) {
		var err error
		head, err = createQuestion(ctx, tx, q, c, rev)
		return err == nil, err
	})
	return head, err
}

func createQuestion(ctx context.Context, tx pgx.Tx, q qbank.Question, c qbank.Change, rev int64) (qbank.Question, error) {
	head := repository.NewHead(q, c, rev)
	tag, err := tx.Exec(ctx,
		`INSERT INTO questions (id, version, state, etag, revision, create_time, update_time)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		head.ID, head.Version, string(head.State), head.Etag, rev, head.CreateTime, head.UpdateTime)
	if err != nil {
		return qbank.Question{}, err
	}
	if tag.RowsAffected() == 0 {
		return qbank.Question{}, qbank.QuestionExists(q.ID)
	}
	return head, insertVersion(ctx, tx, head)
}

func insertVersion(ctx context.Context, tx pgx.Tx, h qbank.Question) error {
	content, err := json.Marshal(h.Content)
	if err != nil {
		return fmt.Errorf("encode question %s: %w", h.ID, err)
	}
	_, err = tx.Exec(ctx,
		`INSERT INTO question_versions (question_id, version, content, author, change_note, create_time)
		 VALUES ($1, $2, $3, $4, $5, $6)`,
		h.ID, h.Version, content, h.Author, h.ChangeNote, h.UpdateTime)
	return err
}

// UpdateQuestion compares the etag and writes the change in one transaction.
func (s *Store) UpdateQuestion(ctx context.Context, id, etag string, content qbank.Content, state qbank.State, c qbank.Change) (qbank.Question, error) {
	c = repository.Stamp(c)
	var head qbank.Question
	err := s.inWrite(ctx, "update question", func(tx pgx.Tx, rev int64) (bool, error) {
		var changed bool
		var err error
		head, changed, err = updateQuestion(ctx, tx, id, etag, content, state, c, rev)
		return changed, err
	})
	return head, err
}

func updateQuestion(ctx context.Context, tx pgx.Tx, id, etag string, content qbank.Content, state qbank.State, c qbank.Change, rev int64) (qbank.Question, bool, error) {
	cur, err := scanHead(tx.QueryRow(ctx, headSelect+" WHERE q.id = $1 FOR UPDATE OF q", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return qbank.Question{}, false, qbank.QuestionNotFound(id)
	}
	if err != nil {
		return qbank.Question{}, false, err
	}
	plan, err := repository.PlanUpdate(cur, etag, content, state, c, rev)
	if err != nil || !plan.Changed {
		return plan.Head, false, err
	}
	head := plan.Head
	if plan.NewVersion {
		if err := insertVersion(ctx, tx, head); err != nil {
			return qbank.Question{}, false, err
		}
	}
	// The etag in WHERE makes this a compare-and-swap even if a future
	// change dropped the revision lock.
	tag, err := tx.Exec(ctx,
		`UPDATE questions SET version = $1, state = $2, etag = $3, revision = $4, update_time = $5
		 WHERE id = $6 AND etag = $7`,
		head.Version, string(head.State), head.Etag, rev, head.UpdateTime, id, etag)
	if err != nil {
		return qbank.Question{}, false, err
	}
	if tag.RowsAffected() != 1 {
		return qbank.Question{}, false, qbank.QuestionEtagMismatch(id, 0)
	}
	return head, true, nil
}

// ImportQuestions applies every op in one transaction.
func (s *Store) ImportQuestions(ctx context.Context, ops []repository.ImportOp, c qbank.Change) ([]qbank.Question, error) {
	c = repository.Stamp(c)
	out := make([]qbank.Question, len(ops))
	err := s.inWriteN(ctx, "import questions", len(ops), func(tx pgx.Tx, rev int64) (bool, error) {
		wrote := false
		for i, op := range ops {
			var changed bool
			var err error
			if op.Create {
				out[i], err = createQuestion(ctx, tx, op.Question, c, rev)
				changed = true
			} else {
				out[i], changed, err = updateQuestion(ctx, tx, op.Question.ID, op.Etag, op.Question.Content, op.Question.State, c, rev)
			}
			if err != nil {
				return false, fmt.Errorf("question %d (%s): %w", i, op.Question.ID, err)
			}
			wrote = wrote || changed
		}
		return wrote, nil
	})
	return out, err
}

// EachQuestion streams every head in id order.
func (s *Store) EachQuestion(ctx context.Context, fn func(qbank.Question) error) error {
	rows, err := s.pool.Query(ctx, headSelect+" ORDER BY q.id")
	if err != nil {
		return wrap(err, "read questions")
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanHead(rows)
		if err != nil {
			return wrap(err, "read questions")
		}
		if err := fn(q); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "read questions")
}

// SeedQuestions inserts the questions whose ids the store does not hold.
func (s *Store) SeedQuestions(ctx context.Context, qs []qbank.Question, c qbank.Change) ([]string, error) {
	c = repository.Stamp(c)
	var added []string
	err := s.inWriteN(ctx, "seed questions", len(qs), func(tx pgx.Tx, rev int64) (bool, error) {
		added = added[:0]
		for _, q := range qs {
			h := repository.NewHead(q, c, rev)
			tag, err := tx.Exec(ctx,
				`INSERT INTO questions (id, version, state, etag, revision, create_time, update_time)
				 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
				h.ID, h.Version, string(h.State), h.Etag, rev, h.CreateTime, h.UpdateTime)
			if err != nil {
				return false, err
			}
			if tag.RowsAffected() == 0 {
				continue
			}
			if err := insertVersion(ctx, tx, h); err != nil {
				return false, err
			}
			added = append(added, h.ID)
		}
		return len(added) > 0, nil
	})
	return added, err
}

// Taxonomy returns the stored taxonomy.
func (s *Store) Taxonomy(ctx context.Context) (_ qbank.Taxonomy, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	var body []byte
	err = s.pool.QueryRow(ctx, "SELECT body FROM taxonomy WHERE id = 1").Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return qbank.Taxonomy{}, qbank.Errorf(qbank.ENOTFOUND, "the store holds no taxonomy yet: run `qbank seed`").WithReason(qbank.ReasonTaxonomyMissing)
	}
	if err != nil {
		return qbank.Taxonomy{}, wrap(err, "read taxonomy")
	}
	var t qbank.Taxonomy
	if err := json.Unmarshal(body, &t); err != nil {
		return qbank.Taxonomy{}, fmt.Errorf("decode taxonomy: %w", err)
	}
	return t, nil
}

// PutTaxonomy replaces the taxonomy when it differs (compared as JSON values,
// since JSONB does not keep the text it was given).
func (s *Store) PutTaxonomy(ctx context.Context, t qbank.Taxonomy) (bool, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return false, fmt.Errorf("encode taxonomy: %w", err)
	}
	changed := false
	err = s.inWrite(ctx, "write taxonomy", func(tx pgx.Tx, rev int64) (bool, error) {
		tag, err := tx.Exec(ctx,
			`INSERT INTO taxonomy (id, body, revision) VALUES (1, $1, $2)
			 ON CONFLICT (id) DO UPDATE SET body = excluded.body, revision = excluded.revision
			 WHERE taxonomy.body IS DISTINCT FROM excluded.body`, body, rev)
		if err != nil {
			return false, err
		}
		changed = tag.RowsAffected() > 0
		return changed, nil
	})
	return changed, err
}

// Changes reads what changed after revision since, from one REPEATABLE READ
// snapshot. Writers take the bank_meta row lock before anything else and
// hold it to commit, so revisions commit in order and "revision > since"
// misses nothing.
func (s *Store) Changes(ctx context.Context, since int64) (_ repository.Changes, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	var c repository.Changes
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return c, wrap(err, "read changes")
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if err := tx.QueryRow(ctx, "SELECT revision FROM bank_meta WHERE id = 1").Scan(&c.Revision); err != nil {
		return c, wrap(err, "read changes")
	}
	if c.Revision == since {
		return c, nil
	}
	var body []byte
	switch err := tx.QueryRow(ctx, "SELECT body FROM taxonomy WHERE id = 1 AND revision > $1", since).Scan(&body); {
	case err == nil:
		c.Taxonomy = &qbank.Taxonomy{}
		if err := json.Unmarshal(body, c.Taxonomy); err != nil {
			return c, fmt.Errorf("decode taxonomy: %w", err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return c, wrap(err, "read taxonomy change")
	}
	rows, err := tx.Query(ctx, headSelect+" WHERE q.revision > $1 ORDER BY q.id", since)
	if err != nil {
		return c, wrap(err, "read question changes")
	}
	for rows.Next() {
		q, err := scanHead(rows)
		if err != nil {
			rows.Close()
			return c, wrap(err, "read question changes")
		}
		c.Questions = append(c.Questions, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, wrap(err, "read question changes")
	}
	trows, err := tx.Query(ctx, "SELECT id, body, etag, create_time, update_time, deleted FROM templates WHERE revision > $1", since)
	if err != nil {
		return c, wrap(err, "read template changes")
	}
	defer trows.Close()
	for trows.Next() {
		var deleted bool
		t, err := scanTemplate(rowFunc(func(dest ...any) error { return trows.Scan(append(dest, &deleted)...) }))
		if err != nil {
			return c, wrap(err, "read template changes")
		}
		if deleted {
			c.DeletedTemplates = append(c.DeletedTemplates, t.ID)
		} else {
			c.Templates = append(c.Templates, t)
		}
	}
	return c, wrap(trows.Err(), "read template changes")
}

// rowFunc adapts a function to pgx.Row.
type rowFunc func(dest ...any) error

func (f rowFunc) Scan(dest ...any) error { return f(dest...) }
