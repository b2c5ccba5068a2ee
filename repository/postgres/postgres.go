// Package postgres is the PostgreSQL store, through pgx/v5's pool. Several
// replicas may share one database: migrations take a session lock, and every
// write transaction starts by bumping the bank revision, whose row lock
// serialises writers across replicas.
//
// The queries and the logic around them are sqlcore's, shared with SQLite;
// this package holds what is PostgreSQL's own: the pool and its deadlines,
// the migrations and their session lock, error classification, and
// LISTEN/NOTIFY between replicas.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/sqlcore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// dialect is PostgreSQL's: numbered placeholders, timestamptz times, row
// locks on what a write transaction is about to change, and a NOTIFY on
// every commit so that other replicas catch up at once.
var dialect = sqlcore.Dialect{
	Placeholders: sqlcore.Numbered,
	RowLocks:     true,
	Notify:       "SELECT pg_notify('" + changesChannel + "', ?)",
}

// Store is a repository.Store on PostgreSQL: the shared SQL core running on
// this package's pool.
type Store struct {
	*sqlcore.Store
	pool   *pgxpool.Pool
	health *connHealth
	Logger *slog.Logger // optional: where Notify reports reconnects
}

func (s *Store) log(msg string, err error) {
	if s.Logger != nil {
		s.Logger.Warn(msg, "err", err)
	}
}

var (
	_ repository.Store         = (*Store)(nil)
	_ repository.Notifier      = (*Store)(nil)
	_ repository.QueryObserver = (*Store)(nil)
)

// Open connects to url (postgres://…) and migrates the database.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// Fail fast when the server is gone, so writes answer Unavailable quickly
	// instead of hanging on a dead connection.
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > time.Second {
		cfg.ConnConfig.ConnectTimeout = time.Second
	}
	// Interrupt a blocked read or write on the connection the moment a
	// context ends, rather than first sending a cancel request, which cannot
	// get through a partitioned network either.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	// After the database was unreachable, pooled connections may be dead
	// without knowing it (an outage or a proxy cut them); each would fail
	// the first request that takes it. For a while after such an error,
	// every connection is pinged when taken from the pool, and a dead one
	// is replaced before any request uses it. Otherwise pgx's default
	// applies: ping those idle for more than a second.
	health := &connHealth{}
	cfg.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool {
		return p.IdleDuration > time.Second || health.suspect()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s := &Store{Store: sqlcore.New(dialect, engine{pool, querier{pool}, health}), pool: pool, health: health}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}

// Pool exposes the pool, for tests and for change notifications.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer s.health.note(&err) // runs last: sees the error as the caller will
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	return wrap(s.pool.Ping(ctx), "ping")
}

// connHealth remembers when the database was last unreachable.
type connHealth struct{ last atomic.Int64 } // unix nanoseconds; 0: never

// suspectFor is how long after an unreachable database every pooled
// connection is pinged before use.
const suspectFor = 30 * time.Second

func (h *connHealth) suspect() bool {
	last := h.last.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < suspectFor
}

// note records an operation's outcome: an unavailable database (refused,
// broken or silent past the deadline) starts the suspect period.
func (h *connHealth) note(err *error) {
	if *err != nil && qbank.ErrorCode(*err) == qbank.EUNAVAILABLE {
		h.last.Store(time.Now().UnixNano())
	}
}

// Deadlines on store operations. A partitioned network does not refuse a
// connection, it just stops answering: without a deadline of its own a
// write would hang for as long as the client waits. Past these, the store
// answers Unavailable, which clients may retry.
const (
	readTimeout  = 1500 * time.Millisecond
	writeTimeout = 1500 * time.Millisecond
	perOpTimeout = 10 * time.Millisecond // added per row of a bulk write
)

// bound gives an operation its own deadline; end (deferred with the
// operation's error) turns that deadline, when the caller's context is still
// live, into EUNAVAILABLE.
func bound(ctx context.Context, d time.Duration) (context.Context, func(*error)) {
	opCtx, cancel := context.WithTimeout(ctx, d)
	return opCtx, func(err *error) {
		defer cancel()
		if *err != nil && ctx.Err() == nil && opCtx.Err() != nil {
			*err = qbank.Unavailable("the database did not answer in time, try again")
		}
	}
}

// engine runs the core's operations on the pool, each within a deadline of
// its own.
type engine struct {
	pool   *pgxpool.Pool
	reads  sqlcore.Querier // pool, adapted once
	health *connHealth
}

// Read runs fn on the pool.
func (e engine) Read(ctx context.Context, op sqlcore.Op, fn func(context.Context, sqlcore.Querier) error) (err error) {
	defer e.health.note(&err) // runs last: sees the error as the caller will
	if !op.Long {
		var end func(*error)
		ctx, end = bound(ctx, readTimeout)
		defer end(&err)
	}
	return wrap(fn(ctx, e.reads), op.What)
}

// Snapshot runs fn in a REPEATABLE READ, READ ONLY transaction: every
// statement sees the snapshot its first one took.
func (e engine) Snapshot(ctx context.Context, op sqlcore.Op, fn func(context.Context, sqlcore.Querier) error) (err error) {
	defer e.health.note(&err) // runs last: sees the error as the caller will
	if !op.Long {
		var end func(*error)
		ctx, end = bound(ctx, readTimeout)
		defer end(&err)
	}
	tx, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return wrap(err, op.What)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read only: nothing to keep
	return wrap(fn(ctx, querier{tx}), op.What)
}

// Write runs fn in a transaction, with a deadline that grows with the rows
// a bulk write writes.
func (e engine) Write(ctx context.Context, op sqlcore.Op, fn func(context.Context, sqlcore.Querier) (bool, error)) (err error) {
	defer e.health.note(&err) // runs last: sees the error as the caller will
	ctx, end := bound(ctx, writeTimeout+time.Duration(max(op.Rows, 1))*perOpTimeout)
	defer end(&err)
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return wrap(err, op.What)
	}
	defer conn.Release()
	// At the deadline, close the connection under the transaction. pgx
	// normally interrupts a statement when its context ends, but on a
	// partitioned network one already on the wire was seen to outlive its
	// context by seconds; a closed socket ends it at once. The pool then
	// discards the connection, and the transaction, never committed, is
	// rolled back by the server.
	netConn := conn.Conn().PgConn().Conn()
	stop := context.AfterFunc(ctx, func() { _ = netConn.Close() })
	defer stop()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return wrap(err, op.What)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	commit, err := fn(ctx, querier{tx})
	if err != nil || !commit {
		return wrap(err, op.What)
	}
	return wrap(tx.Commit(ctx), op.What)
}

// querier hands the core pgx's own results: pgx.Rows and pgx.Row already
// have the shape sqlcore asks for, so rows are scanned by pgx directly.
type querier struct {
	q interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	}
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (sqlcore.Rows, error) {
	return q.q.Query(ctx, sql, args...)
}

func (q querier) QueryRow(ctx context.Context, sql string, args ...any) sqlcore.Row {
	return q.q.QueryRow(ctx, sql, args...)
}

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

// wrap adds context to a database error and turns connection failures into
// EUNAVAILABLE, which clients may retry; qbank errors pass through.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var qe *qbank.Error
	if errors.As(err, &qe) {
		return err
	}
	// A connection attempt that timed out wraps DeadlineExceeded, but it is
	// the database that is unreachable, not the caller that gave up.
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return qbank.Unavailable("%s: the database is unreachable, try again", what)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code[:2] == "08", pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03":
			return qbank.Unavailable("%s: the database is unavailable, try again", what)
		}
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	if unreachable(err) {
		return qbank.Unavailable("%s: the database is unreachable, try again", what)
	}
	// Anything else (encoding a value, a bug) will not get better by
	// retrying: it is internal, not unavailable.
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// unreachable reports whether err means the server could not be reached or
// the connection to it broke: dial, TLS, a dropped connection, a closed pool.
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "closed pool") || strings.Contains(err.Error(), "conn closed")
}
