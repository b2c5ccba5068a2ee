package sqlcore

import (
	"context"
	"database/sql"
)

// Querier runs statements on a pool, a connection or a transaction. Its
// shape is pgx's, so PostgreSQL's adapter passes pgx's values through
// untouched (see the package comment).
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
}

// Rows is a result being read: pgx.Rows satisfies it as is.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result: both pgx.Row and *sql.Row satisfy it. A
// missing row is an error that errors.Is sql.ErrNoRows.
type Row interface {
	Scan(dest ...any) error
}

// Op describes one store operation to the engine that runs it.
type Op struct {
	// What the operation does, for error messages ("update question").
	What string
	// Rows is how many rows a bulk write writes (0 for one), so an engine
	// that bounds writes in time can allow a bulk write longer.
	Rows int
	// Long marks a read whose cost grows with the whole bank (Load,
	// EachQuestion): an engine must not bound it by a per-request deadline.
	Long bool
}

// Engine runs the core's functions on an engine's connections. Each method
// turns a failure into the error a client should see (naming op.What and
// classifying unavailability), passing qbank errors through unchanged.
type Engine interface {
	// Read runs fn with a querier for statements outside a transaction.
	Read(ctx context.Context, op Op, fn func(context.Context, Querier) error) error
	// Snapshot runs fn in a read-only transaction in which every statement
	// sees the same committed state.
	Snapshot(ctx context.Context, op Op, fn func(context.Context, Querier) error) error
	// Write runs fn in a read-write transaction, commits it when fn returns
	// true and rolls it back otherwise.
	Write(ctx context.Context, op Op, fn func(context.Context, Querier) (commit bool, err error)) error
}

// StdQuerier adapts a database/sql pool, connection or transaction.
func StdQuerier(q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) Querier {
	return stdQuerier{q}
}

type stdQuerier struct {
	q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}
}

func (s stdQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return stdRows{rows}, nil
}

func (s stdQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return s.q.QueryRowContext(ctx, query, args...)
}

func (s stdQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

type stdRows struct{ *sql.Rows }

// Close closes the rows. The core reads every result to its end and checks
// Err, which reports what went wrong while reading; Close adds nothing.
func (r stdRows) Close() { _ = r.Rows.Close() }

// observed reports every statement to a hook before running it.
type observed struct {
	q    Querier
	hook func(string)
}

func (o observed) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	o.hook(query)
	return o.q.Query(ctx, query, args...)
}

func (o observed) QueryRow(ctx context.Context, query string, args ...any) Row {
	o.hook(query)
	return o.q.QueryRow(ctx, query, args...)
}

func (o observed) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	o.hook(query)
	return o.q.Exec(ctx, query, args...)
}
