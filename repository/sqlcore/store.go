package sqlcore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

// Store is the shared implementation of repository.Store, minus what each
// engine does its own way (Ping, Close). Engines embed it.
type Store struct {
	d    Dialect
	e    Engine
	q    queries
	hook atomic.Pointer[func(string)]
}

// New returns the store of an engine that speaks d and runs statements
// through e.
func New(d Dialect, e Engine) *Store {
	return &Store{d: d, e: e, q: buildQueries(d)}
}

var _ repository.QueryObserver = (*Store)(nil)

// OnQuery makes the store call fn with the text of every statement it sends
// from now on, and BEGIN, COMMIT or ROLLBACK at the edges of a transaction;
// nil stops it. It is a hook for tests and diagnostics (counting what an
// operation costs), not a log: fn runs on the caller's goroutine, so it must
// be quick and safe for concurrent use. Argument values are never passed.
func (s *Store) OnQuery(fn func(sql string)) {
	if fn == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&fn)
}

// observe wraps q so that the installed hook, if any, sees its statements.
func observe(q Querier, hook *func(string)) Querier {
	if hook == nil {
		return q
	}
	return observed{q, *hook}
}

// read runs fn on single statements outside a transaction.
func (s *Store) read(ctx context.Context, op Op, fn func(context.Context, Querier) error) error {
	hook := s.hook.Load()
	return s.e.Read(ctx, op, func(ctx context.Context, q Querier) error {
		return fn(ctx, observe(q, hook))
	})
}

// snapshot runs fn in a read-only transaction that sees one committed state.
func (s *Store) snapshot(ctx context.Context, op Op, fn func(context.Context, Querier) error) error {
	hook := s.hook.Load()
	return s.e.Snapshot(ctx, op, func(ctx context.Context, q Querier) error {
		if hook != nil {
			(*hook)("BEGIN READ ONLY")
			defer (*hook)("ROLLBACK")
		}
		return fn(ctx, observe(q, hook))
	})
}

// tx runs fn in a write transaction that commits when fn returns true.
func (s *Store) tx(ctx context.Context, op Op, fn func(context.Context, Querier) (bool, error)) error {
	hook := s.hook.Load()
	return s.e.Write(ctx, op, func(ctx context.Context, q Querier) (commit bool, err error) {
		if hook != nil {
			(*hook)("BEGIN")
			defer func() {
				if commit && err == nil {
					(*hook)("COMMIT")
				} else {
					(*hook)("ROLLBACK")
				}
			}()
		}
		return fn(ctx, observe(q, hook))
	})
}

// write runs fn in a write transaction that first bumps the bank revision
// and passes it to fn. Bumping first takes the lock that orders writers
// (PostgreSQL's row lock on bank_meta, SQLite's database lock) before
// anything is read, so each writer sees the one before it. fn reports
// whether it wrote anything; a write that changed nothing rolls back, so the
// revision moves only when the bank does.
func (s *Store) write(ctx context.Context, op Op, fn func(ctx context.Context, q Querier, rev int64) (bool, error)) error {
	return s.tx(ctx, op, func(ctx context.Context, q Querier) (bool, error) {
		var rev int64
		if err := q.QueryRow(ctx, s.q.bumpRevision).Scan(&rev); err != nil {
			return false, err
		}
		wrote, err := fn(ctx, q, rev)
		if err != nil || !wrote {
			return false, err
		}
		if s.q.notify != "" {
			if _, err := q.Exec(ctx, s.q.notify, strconv.FormatInt(rev, 10)); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}

// eachRow calls scan for every row of a query's result, then closes it
// (pgx needs the result closed before the connection runs anything else).
func eachRow(rows Rows, err error, scan func(Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Revision returns the bank revision.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	var rev int64
	err := s.read(ctx, Op{What: "read revision"}, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, s.q.revision).Scan(&rev)
	})
	return rev, err
}

// readTaxonomy runs a query for the taxonomy's body; nil when none matches.
func readTaxonomy(ctx context.Context, q Querier, query string, args ...any) (*qbank.Taxonomy, error) {
	var body []byte
	err := q.QueryRow(ctx, query, args...).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t := new(qbank.Taxonomy)
	if err := json.Unmarshal(body, t); err != nil {
		return nil, fmt.Errorf("decode taxonomy: %w", err)
	}
	return t, nil
}

// Taxonomy returns the stored taxonomy.
func (s *Store) Taxonomy(ctx context.Context) (qbank.Taxonomy, error) {
	var t *qbank.Taxonomy
	err := s.read(ctx, Op{What: "read taxonomy"}, func(ctx context.Context, q Querier) (err error) {
		t, err = readTaxonomy(ctx, q, s.q.taxonomy)
		return err
	})
	if err != nil {
		return qbank.Taxonomy{}, err
	}
	if t == nil {
		return qbank.Taxonomy{}, qbank.Errorf(qbank.ENOTFOUND, "the store holds no taxonomy yet: run `qbank seed`").WithReason(qbank.ReasonTaxonomyMissing)
	}
	return *t, nil
}

// PutTaxonomy replaces the taxonomy when it differs. The stored one is
// compared as a value, not as text: PostgreSQL's jsonb does not keep the
// text it was given, and a body written by an earlier release may order or
// space its fields differently, yet mean the same taxonomy.
func (s *Store) PutTaxonomy(ctx context.Context, t qbank.Taxonomy) (bool, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return false, fmt.Errorf("encode taxonomy: %w", err)
	}
	changed := false
	err = s.write(ctx, Op{What: "write taxonomy"}, func(ctx context.Context, q Querier, rev int64) (bool, error) {
		var stored []byte
		switch err := q.QueryRow(ctx, s.q.taxonomy).Scan(&stored); {
		case err == nil && sameTaxonomy(stored, body):
			return false, nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return false, err
		}
		_, err = q.Exec(ctx, s.q.putTaxonomy, string(body), rev)
		changed = err == nil
		return changed, err
	})
	return changed, err
}

// sameTaxonomy reports whether a stored body holds the taxonomy that body
// encodes: decoding and encoding it again gives the form json.Marshal writes
// today. A body that no longer decodes is not the same: it gets replaced.
func sameTaxonomy(stored, body []byte) bool {
	var t qbank.Taxonomy
	if json.Unmarshal(stored, &t) != nil {
		return false
	}
	canon, err := json.Marshal(t)
	return err == nil && bytes.Equal(canon, body)
}

// Secret returns the named secret, creating it with size random bytes the
// first time any replica asks. The insert does nothing when another replica
// got there first, and the read that follows it returns whichever value was
// stored, so every replica ends up with the same bytes. Secrets are not bank
// content: creating one does not move the revision, and no export reads
// them. Errors never include the value.
func (s *Store) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	if name == "" || len(name) > 100 {
		return nil, qbank.Errorf(qbank.EINVALID, "secret name must be 1 to 100 bytes, got %d", len(name))
	}
	if size < 16 || size > 1024 {
		return nil, qbank.Errorf(qbank.EINVALID, "secret %q: size must be 16 to 1024 bytes, got %d", name, size)
	}
	var value []byte
	found := false
	err := s.read(ctx, Op{What: "read secret"}, func(ctx context.Context, q Querier) error {
		err := q.QueryRow(ctx, s.q.secret, name).Scan(&value)
		found = err == nil
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		fresh := make([]byte, size)
		_, _ = rand.Read(fresh) // never fails (crypto/rand)
		err := s.tx(ctx, Op{What: "create secret"}, func(ctx context.Context, q Querier) (bool, error) {
			if _, err := q.Exec(ctx, s.q.createSecret, name, fresh, s.d.timeArg(repository.Now())); err != nil {
				return false, err
			}
			return true, q.QueryRow(ctx, s.q.secret, name).Scan(&value)
		})
		if err != nil {
			return nil, err
		}
	}
	if len(value) != size {
		return nil, qbank.Errorf(qbank.EPRECONDITION, "secret %q holds %d bytes, not the %d asked for", name, len(value), size)
	}
	return value, nil
}
