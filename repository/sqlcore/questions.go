package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// headScan holds the scan destinations of headColumns. One serves every row
// of a result, so reading a large bank does not allocate them row by row.
type headScan struct {
	d                *Dialect
	q                qbank.Question
	state            string
	content          []byte
	created, updated timeCol
	dest             []any
}

func (s *Store) newHeadScan() *headScan {
	h := &headScan{d: &s.d}
	h.dest = []any{&h.q.ID, &h.q.Version, &h.state, &h.q.Etag, s.d.dest(&h.created), s.d.dest(&h.updated),
		&h.content, &h.q.Author, &h.q.ChangeNote}
	return h
}

// raw scans a head, leaving its content JSON undecoded. Both drivers copy a
// []byte they scan into a new slice, so the content returned stays valid
// after the next row.
func (h *headScan) raw(row Row) (qbank.Question, []byte, error) {
	h.q = qbank.Question{}
	if err := row.Scan(h.dest...); err != nil {
		return qbank.Question{}, nil, err
	}
	q := h.q
	q.State = qbank.State(h.state)
	q.CreateTime, q.UpdateTime = h.d.value(&h.created), h.d.value(&h.updated)
	return q, h.content, nil
}

// head scans a head and decodes its content.
func (h *headScan) head(row Row) (qbank.Question, error) {
	q, content, err := h.raw(row)
	if err != nil {
		return qbank.Question{}, err
	}
	return q, decodeContent(&q, content)
}

func decodeContent(q *qbank.Question, raw []byte) error {
	if err := json.Unmarshal(raw, &q.Content); err != nil {
		return fmt.Errorf("decode question %s v%d: %w", q.ID, q.Version, err)
	}
	return nil
}

// version is a row of versionColumns: one version of a question as its
// history shows it (its own content, author, note, and the time it was
// written as UpdateTime; the head's state and create time; an etag only at
// the head, the one version a write may name), and the head it belongs to.
type version struct {
	qbank.Question
	headVersion int
	headUpdated time.Time
}

func (s *Store) scanVersion(row Row) (version, error) {
	var (
		v                         version
		state                     string
		content                   []byte
		created, written, updated timeCol
	)
	if err := row.Scan(&v.ID, &v.headVersion, &state, &v.Etag, s.d.dest(&created), s.d.dest(&updated),
		&v.Version, &content, &v.Author, &v.ChangeNote, s.d.dest(&written)); err != nil {
		return version{}, err
	}
	v.State = qbank.State(state)
	v.CreateTime, v.UpdateTime, v.headUpdated = s.d.value(&created), s.d.value(&written), s.d.value(&updated)
	if v.Version != v.headVersion {
		v.Etag = ""
	}
	if v.Version == 0 { // the LEFT JOIN found no such version
		return v, nil
	}
	return v, decodeContent(&v.Question, content)
}

// Question returns a question at a version (0 = current), in one statement.
func (s *Store) Question(ctx context.Context, ref qbank.Ref) (qbank.Question, error) {
	var out qbank.Question
	err := s.read(ctx, Op{What: "get question"}, func(ctx context.Context, q Querier) error {
		if ref.Version == 0 {
			head, err := s.newHeadScan().head(q.QueryRow(ctx, s.q.head, ref.ID))
			out = head
			return notFound(err, qbank.QuestionNotFound(ref.ID))
		}
		v, err := s.scanVersion(q.QueryRow(ctx, s.q.version, ref.Version, ref.ID))
		if err != nil {
			return notFound(err, qbank.QuestionNotFound(ref.ID))
		}
		if v.Version == 0 {
			return qbank.VersionNotFound(ref.ID, ref.Version, v.headVersion)
		}
		out = v.Question
		if v.Version == v.headVersion { // the head, as a head read would give it
			out.UpdateTime = v.headUpdated
		}
		return nil
	})
	return out, err
}

// notFound turns a missing row into the not-found error given.
func notFound(err error, missing *qbank.Error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return missing
	}
	return err
}

// QuestionVersions returns every version of a question, newest first, in one
// statement.
func (s *Store) QuestionVersions(ctx context.Context, id string) ([]qbank.Question, error) {
	var out []qbank.Question
	err := s.read(ctx, Op{What: "list versions"}, func(ctx context.Context, q Querier) error {
		rows, err := q.Query(ctx, s.q.versions, id)
		return eachRow(rows, err, func(r Rows) error {
			v, err := s.scanVersion(r)
			out = append(out, v.Question)
			return err
		})
	})
	if err == nil && len(out) == 0 {
		return nil, qbank.QuestionNotFound(id)
	}
	return out, err
}

// readHeads appends the heads query selects, decoding their content on every
// CPU (decoding is most of the cost of loading a large bank).
func (s *Store) readHeads(ctx context.Context, q Querier, dst []qbank.Question, query string, args ...any) ([]qbank.Question, error) {
	var raws [][]byte
	first := len(dst)
	h := s.newHeadScan()
	rows, err := q.Query(ctx, query, args...)
	err = eachRow(rows, err, func(r Rows) error {
		head, raw, err := h.raw(r)
		dst, raws = append(dst, head), append(raws, raw)
		return err
	})
	if err != nil {
		return dst, err
	}
	return dst, decodeContents(dst[first:], raws)
}

// Load reads the taxonomy, every head and every template in one snapshot,
// so they all reflect the same revision.
func (s *Store) Load(ctx context.Context) (repository.Contents, error) {
	var c repository.Contents
	err := s.snapshot(ctx, Op{What: "load bank", Long: true}, func(ctx context.Context, q Querier) error {
		var err error
		if err = q.QueryRow(ctx, s.q.revision).Scan(&c.Revision); err != nil {
			return err
		}
		if c.Taxonomy, err = readTaxonomy(ctx, q, s.q.taxonomy); err != nil {
			return err
		}
		if c.Questions, err = s.readHeads(ctx, q, nil, s.q.heads); err != nil {
			return err
		}
		c.Templates, err = s.queryTemplates(ctx, q)
		return err
	})
	return c, err
}

// Changes reads what changed after revision since, in one snapshot. Writers
// take the revision's lock before anything else and hold it to commit, so
// revisions commit in order and "revision > since" misses nothing.
func (s *Store) Changes(ctx context.Context, since int64) (repository.Changes, error) {
	var c repository.Changes
	err := s.snapshot(ctx, Op{What: "read changes"}, func(ctx context.Context, q Querier) error {
		var err error
		if err = q.QueryRow(ctx, s.q.revision).Scan(&c.Revision); err != nil || c.Revision == since {
			return err
		}
		if c.Taxonomy, err = readTaxonomy(ctx, q, s.q.taxonomySince, since); err != nil {
			return err
		}
		if c.Questions, err = s.readHeads(ctx, q, nil, s.q.headsSince, since); err != nil {
			return err
		}
		rows, err := q.Query(ctx, s.q.templatesSince, since)
		return eachRow(rows, err, func(r Rows) error {
			var deleted bool
			t, err := s.scanTemplate(r, &deleted)
			switch {
			case err != nil:
				return err
			case deleted:
				c.DeletedTemplates = append(c.DeletedTemplates, t.ID)
			default:
				c.Templates = append(c.Templates, t)
			}
			return nil
		})
	})
	return c, err
}

// EachQuestion streams every head in id order.
func (s *Store) EachQuestion(ctx context.Context, fn func(qbank.Question) error) error {
	var fnErr error
	err := s.read(ctx, Op{What: "read questions", Long: true}, func(ctx context.Context, q Querier) error {
		h := s.newHeadScan()
		rows, err := q.Query(ctx, s.q.heads)
		return eachRow(rows, err, func(r Rows) error {
			head, err := h.head(r)
			if err != nil {
				return err
			}
			fnErr = fn(head)
			return fnErr
		})
	})
	if fnErr != nil {
		return fnErr // the caller's own error, as it gave it
	}
	return err
}

// CreateQuestion stores q as version 1.
func (s *Store) CreateQuestion(ctx context.Context, q qbank.Question, c qbank.Change) (qbank.Question, error) {
	c = stamp(c)
	var head qbank.Question
	err := s.write(ctx, Op{What: "create question"}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		var err error
		head, err = s.createQuestion(ctx, tx, q, c, rev)
		return err == nil, err
	})
	return head, err
}

func (s *Store) createQuestion(ctx context.Context, tx Querier, q qbank.Question, c qbank.Change, rev int64) (qbank.Question, error) {
	head := newHead(q, c, rev)
	inserted, err := s.insertHead(ctx, tx, head, rev)
	if err == nil && !inserted {
		err = qbank.QuestionExists(q.ID)
	}
	if err != nil {
		return qbank.Question{}, err
	}
	return head, s.insertVersion(ctx, tx, head)
}

// insertHead inserts a new head unless its id is taken.
func (s *Store) insertHead(ctx context.Context, tx Querier, h qbank.Question, rev int64) (bool, error) {
	n, err := tx.Exec(ctx, s.q.insertHead,
		h.ID, h.Version, string(h.State), h.Etag, rev, s.d.timeArg(h.CreateTime), s.d.timeArg(h.UpdateTime))
	return n == 1, err
}

func (s *Store) insertVersion(ctx context.Context, tx Querier, h qbank.Question) error {
	content, err := json.Marshal(h.Content)
	if err != nil {
		return fmt.Errorf("encode question %s: %w", h.ID, err)
	}
	// JSON travels as text on both engines: SQLite stores TEXT, and pgx
	// sends a string argument for a json column as the JSON text itself.
	_, err = tx.Exec(ctx, s.q.insertVersion,
		h.ID, h.Version, string(content), h.Author, h.ChangeNote, s.d.timeArg(h.UpdateTime))
	return err
}

// UpdateQuestion compares the etag and writes the change in one transaction.
func (s *Store) UpdateQuestion(ctx context.Context, id, etag string, content qbank.Content, state qbank.State, c qbank.Change) (qbank.Question, error) {
	c = stamp(c)
	var head qbank.Question
	err := s.write(ctx, Op{What: "update question"}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		var changed bool
		var err error
		head, changed, err = s.updateQuestion(ctx, tx, id, etag, content, state, c, rev)
		return changed, err
	})
	return head, err
}

func (s *Store) updateQuestion(ctx context.Context, tx Querier, id, etag string, content qbank.Content, state qbank.State, c qbank.Change, rev int64) (qbank.Question, bool, error) {
	cur, err := s.newHeadScan().head(tx.QueryRow(ctx, s.q.headForUpdate, id))
	if err != nil {
		return qbank.Question{}, false, notFound(err, qbank.QuestionNotFound(id))
	}
	plan, err := planUpdate(cur, etag, content, state, c, rev)
	if err != nil || !plan.Changed {
		return plan.Head, false, err
	}
	head := plan.Head
	if plan.NewVersion {
		if err := s.insertVersion(ctx, tx, head); err != nil {
			return qbank.Question{}, false, err
		}
	}
	n, err := tx.Exec(ctx, s.q.updateHead,
		head.Version, string(head.State), head.Etag, rev, s.d.timeArg(head.UpdateTime), id, etag)
	if err != nil {
		return qbank.Question{}, false, err
	}
	if n != 1 {
		return qbank.Question{}, false, qbank.QuestionEtagMismatch(id, 0)
	}
	return head, true, nil
}

// ImportQuestions applies every op in one transaction.
func (s *Store) ImportQuestions(ctx context.Context, ops []repository.ImportOp, c qbank.Change) ([]qbank.Question, error) {
	c = stamp(c)
	out := make([]qbank.Question, len(ops))
	err := s.write(ctx, Op{What: "import questions", Rows: len(ops)}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		wrote := false
		for i, op := range ops {
			changed := true
			var err error
			if op.Create {
				out[i], err = s.createQuestion(ctx, tx, op.Question, c, rev)
			} else {
				out[i], changed, err = s.updateQuestion(ctx, tx, op.Question.ID, op.Etag, op.Question.Content, op.Question.State, c, rev)
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

// SeedQuestions inserts the questions whose ids the store does not hold.
func (s *Store) SeedQuestions(ctx context.Context, qs []qbank.Question, c qbank.Change) ([]string, error) {
	c = stamp(c)
	var added []string
	err := s.write(ctx, Op{What: "seed questions", Rows: len(qs)}, func(ctx context.Context, tx Querier, rev int64) (bool, error) {
		added = added[:0]
		for _, q := range qs {
			h := newHead(q, c, rev)
			inserted, err := s.insertHead(ctx, tx, h, rev)
			if err != nil {
				return false, err
			}
			if !inserted {
				continue
			}
			if err := s.insertVersion(ctx, tx, h); err != nil {
				return false, err
			}
			added = append(added, h.ID)
		}
		return len(added) > 0, nil
	})
	return added, err
}
