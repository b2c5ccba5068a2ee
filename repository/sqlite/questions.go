package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// headColumns select a head joined to its current version.
const headColumns = `q.id, q.version, q.state, q.etag, q.create_time, q.update_time,
	v.content, v.author, v.change_note`

const headJoin = `FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version`

type scanner interface{ Scan(dest ...any) error }

func scanHead(row scanner) (qbank.Question, error) {
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
func scanHeadRaw(row scanner) (qbank.Question, []byte, error) {
	var (
		q            qbank.Question
		state        string
		content      []byte
		created, upd int64
	)
	if err := row.Scan(&q.ID, &q.Version, &state, &q.Etag, &created, &upd, &content, &q.Author, &q.ChangeNote); err != nil {
		return qbank.Question{}, nil, err
	}
	q.State = qbank.State(state)
	q.CreateTime, q.UpdateTime = fromMicros(created), fromMicros(upd)
	return q, content, nil
}

// Load reads the taxonomy, every head and every template in one read
// transaction, so they all reflect the same revision.
func (s *Store) Load(ctx context.Context) (repository.Contents, error) {
	var c repository.Contents
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, wrap(err, "load bank")
	}
	defer tx.Rollback() //nolint:errcheck
	if err := tx.QueryRowContext(ctx, "SELECT revision FROM bank_meta WHERE id = 1").Scan(&c.Revision); err != nil {
		return c, wrap(err, "load bank")
	}
	var body string
	switch err := tx.QueryRowContext(ctx, "SELECT body FROM taxonomy WHERE id = 1").Scan(&body); {
	case err == nil:
		c.Taxonomy = &qbank.Taxonomy{}
		if err := json.Unmarshal([]byte(body), c.Taxonomy); err != nil {
			return c, fmt.Errorf("decode taxonomy: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return c, wrap(err, "load taxonomy")
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+headColumns+" "+headJoin+" ORDER BY q.id")
	if err != nil {
		return c, wrap(err, "load questions")
	}
	defer rows.Close()
	var raws [][]byte
	for rows.Next() {
		q, raw, err := scanHeadRaw(rows)
		if err != nil {
			return c, wrap(err, "load questions")
		}
		c.Questions, raws = append(c.Questions, q), append(raws, raw)
	}
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
func (s *Store) Question(ctx context.Context, ref qbank.Ref) (qbank.Question, error) {
	head, err := scanHead(s.read.QueryRowContext(ctx, "SELECT "+headColumns+" "+headJoin+" WHERE q.id = ?", ref.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return qbank.Question{}, qbank.QuestionNotFound(ref.ID)
	}
	if err != nil || ref.Version == 0 || ref.Version == head.Version {
		return head, wrap(err, "get question")
	}
	versions, err := s.versions(ctx, head, "AND version = ?", ref.Version)
	if err != nil {
		return qbank.Question{}, err
	}
	if len(versions) == 0 {
		return qbank.Question{}, qbank.VersionNotFound(ref.ID, ref.Version, head.Version)
	}
	return versions[0], nil
}

// QuestionVersions returns every version of a question, newest first.
func (s *Store) QuestionVersions(ctx context.Context, id string) ([]qbank.Question, error) {
	head, err := s.Question(ctx, qbank.Ref{ID: id})
	if err != nil {
		return nil, err
	}
	return s.versions(ctx, head, "")
}

// versions reads version rows of head's question; each carries the head's
// state and create time, and its own author, note and time as UpdateTime.
func (s *Store) versions(ctx context.Context, head qbank.Question, extra string, args ...any) ([]qbank.Question, error) {
	rows, err := s.read.QueryContext(ctx,
		"SELECT version, content, author, change_note, create_time FROM question_versions WHERE question_id = ? "+extra+" ORDER BY version DESC",
		append([]any{head.ID}, args...)...)
	if err != nil {
		return nil, wrap(err, "list versions")
	}
	defer rows.Close()
	var out []qbank.Question
	for rows.Next() {
		q := head
		var content string
		var created int64
		if err := rows.Scan(&q.Version, &content, &q.Author, &q.ChangeNote, &created); err != nil {
			return nil, wrap(err, "list versions")
		}
		q.Content = qbank.Content{}
		if err := json.Unmarshal([]byte(content), &q.Content); err != nil {
			return nil, fmt.Errorf("decode question %s v%d: %w", q.ID, q.Version, err)
		}
		q.UpdateTime = fromMicros(created)
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
	err := s.inWrite(ctx, "create question", func(tx *sql.Tx, rev int64) (bool, error) {
		var err error
		head, err = createQuestion(ctx, tx, q, c, rev)
		return err == nil, err
	})
	return head, err
}

func createQuestion(ctx context.Context, tx *sql.Tx, q qbank.Question, c qbank.Change, rev int64) (qbank.Question, error) {
	var exists int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM questions WHERE id = ?", q.ID).Scan(&exists)
	if err == nil {
		return qbank.Question{}, qbank.QuestionExists(q.ID)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return qbank.Question{}, err
	}
	head := repository.NewHead(q, c, rev)
	return head, insertHead(ctx, tx, head, rev)
}

func insertHead(ctx context.Context, tx *sql.Tx, h qbank.Question, rev int64) error {
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO questions (id, version, state, etag, revision, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
		h.ID, h.Version, string(h.State), h.Etag, rev, micros(h.CreateTime), micros(h.UpdateTime)); err != nil {
		return err
	}
	return insertVersion(ctx, tx, h)
}

func insertVersion(ctx context.Context, tx *sql.Tx, h qbank.Question) error {
	content, err := json.Marshal(h.Content)
	if err != nil {
		return fmt.Errorf("encode question %s: %w", h.ID, err)
	}
	_, err = tx.ExecContext(ctx,
		"INSERT INTO question_versions (question_id, version, content, author, change_note, create_time) VALUES (?, ?, ?, ?, ?, ?)",
		h.ID, h.Version, string(content), h.Author, h.ChangeNote, micros(h.UpdateTime))
	return err
}

// UpdateQuestion compares the etag and writes the change in one transaction.
func (s *Store) UpdateQuestion(ctx context.Context, id, etag string, content qbank.Content, state qbank.State, c qbank.Change) (qbank.Question, error) {
	c = repository.Stamp(c)
	var head qbank.Question
	err := s.inWrite(ctx, "update question", func(tx *sql.Tx, rev int64) (bool, error) {
		var changed bool
		var err error
		head, changed, err = updateQuestion(ctx, tx, id, etag, content, state, c, rev)
		return changed, err
	})
	return head, err
}

func updateQuestion(ctx context.Context, tx *sql.Tx, id, etag string, content qbank.Content, state qbank.State, c qbank.Change, rev int64) (qbank.Question, bool, error) {
	cur, err := scanHead(tx.QueryRowContext(ctx, "SELECT "+headColumns+" "+headJoin+" WHERE q.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
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
	// The etag in WHERE is the compare-and-swap; the transaction already
	// holds the write lock, so this is belt and braces.
	res, err := tx.ExecContext(ctx,
		"UPDATE questions SET version = ?, state = ?, etag = ?, revision = ?, update_time = ? WHERE id = ? AND etag = ?",
		head.Version, string(head.State), head.Etag, rev, micros(head.UpdateTime), id, etag)
	if err != nil {
		return qbank.Question{}, false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return qbank.Question{}, false, qbank.QuestionEtagMismatch(id, 0)
	}
	return head, true, nil
}

// ImportQuestions applies every op in one transaction.
func (s *Store) ImportQuestions(ctx context.Context, ops []repository.ImportOp, c qbank.Change) ([]qbank.Question, error) {
	c = repository.Stamp(c)
	out := make([]qbank.Question, len(ops))
	err := s.inWrite(ctx, "import questions", func(tx *sql.Tx, rev int64) (bool, error) {
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
	rows, err := s.read.QueryContext(ctx, "SELECT "+headColumns+" "+headJoin+" ORDER BY q.id")
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
	err := s.inWrite(ctx, "seed questions", func(tx *sql.Tx, rev int64) (bool, error) {
		added = added[:0]
		for _, q := range qs {
			h := repository.NewHead(q, c, rev)
			res, err := tx.ExecContext(ctx,
				"INSERT INTO questions (id, version, state, etag, revision, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
				h.ID, h.Version, string(h.State), h.Etag, rev, micros(h.CreateTime), micros(h.UpdateTime))
			if err != nil {
				return false, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
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
func (s *Store) Taxonomy(ctx context.Context) (qbank.Taxonomy, error) {
	var body string
	err := s.read.QueryRowContext(ctx, "SELECT body FROM taxonomy WHERE id = 1").Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return qbank.Taxonomy{}, qbank.Errorf(qbank.ENOTFOUND, "the store holds no taxonomy yet: run `qbank seed`").WithReason(qbank.ReasonTaxonomyMissing)
	}
	if err != nil {
		return qbank.Taxonomy{}, wrap(err, "read taxonomy")
	}
	var t qbank.Taxonomy
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return qbank.Taxonomy{}, fmt.Errorf("decode taxonomy: %w", err)
	}
	return t, nil
}

// PutTaxonomy replaces the taxonomy when it differs.
func (s *Store) PutTaxonomy(ctx context.Context, t qbank.Taxonomy) (bool, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return false, fmt.Errorf("encode taxonomy: %w", err)
	}
	changed := false
	err = s.inWrite(ctx, "write taxonomy", func(tx *sql.Tx, rev int64) (bool, error) {
		var cur string
		err := tx.QueryRowContext(ctx, "SELECT body FROM taxonomy WHERE id = 1").Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		if cur == string(body) {
			return false, nil
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO taxonomy (id, body, revision) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, revision = excluded.revision", string(body), rev)
		changed = err == nil
		return changed, err
	})
	return changed, err
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked") || strings.Contains(msg, "sql: database is closed")
}

// Changes reads what changed after revision since, in one read transaction.
func (s *Store) Changes(ctx context.Context, since int64) (repository.Changes, error) {
	var c repository.Changes
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, wrap(err, "read changes")
	}
	defer tx.Rollback() //nolint:errcheck
	if err := tx.QueryRowContext(ctx, "SELECT revision FROM bank_meta WHERE id = 1").Scan(&c.Revision); err != nil {
		return c, wrap(err, "read changes")
	}
	if c.Revision == since {
		return c, nil
	}
	var body string
	switch err := tx.QueryRowContext(ctx, "SELECT body FROM taxonomy WHERE id = 1 AND revision > ?", since).Scan(&body); {
	case err == nil:
		c.Taxonomy = &qbank.Taxonomy{}
		if err := json.Unmarshal([]byte(body), c.Taxonomy); err != nil {
			return c, fmt.Errorf("decode taxonomy: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return c, wrap(err, "read taxonomy change")
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+headColumns+" "+headJoin+" WHERE q.revision > ? ORDER BY q.id", since)
	if err != nil {
		return c, wrap(err, "read question changes")
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanHead(rows)
		if err != nil {
			return c, wrap(err, "read question changes")
		}
		c.Questions = append(c.Questions, q)
	}
	if err := rows.Err(); err != nil {
		return c, wrap(err, "read question changes")
	}
	trows, err := tx.QueryContext(ctx, "SELECT id, body, etag, create_time, update_time, deleted FROM templates WHERE revision > ?", since)
	if err != nil {
		return c, wrap(err, "read template changes")
	}
	defer trows.Close()
	for trows.Next() {
		var deleted bool
		t, err := scanTemplate(scanFunc(func(dest ...any) error { return trows.Scan(append(dest, &deleted)...) }))
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

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
