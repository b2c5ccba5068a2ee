// Package postgres is the PostgreSQL store, through pgx/v5's pool. Several
// replicas may share one database: migrations take a session lock, and every
// write transaction starts by bumping the bank revision, whose row lock
// serialises writers across replicas.
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
	"strconv"
	"strings"
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
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a repository.Store on PostgreSQL.
type Store struct {
	pool   *pgxpool.Pool
	Logger *slog.Logger // optional: where Notify reports reconnects
}

func (s *Store) log(msg string, err error) {
	if s.Logger != nil {
		s.Logger.Warn(msg, "err", err)
	}
}

var (
	_ repository.Store    = (*Store)(nil)
	_ repository.Notifier = (*Store)(nil)
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
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s := &Store{pool: pool}
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
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	return wrap(s.pool.Ping(ctx), "ping")
}

// Revision returns the bank revision.
func (s *Store) Revision(ctx context.Context) (_ int64, err error) {
	ctx, end := bound(ctx, readTimeout)
	defer end(&err)
	var rev int64
	err = s.pool.QueryRow(ctx, "SELECT revision FROM bank_meta WHERE id = 1").Scan(&rev)
	return rev, wrap(err, "read revision")
}

// inWrite runs fn in one transaction after bumping the revision; a write
// that changed nothing rolls back so the revision only moves with the bank.
func (s *Store) inWrite(ctx context.Context, what string, fn func(tx pgx.Tx, rev int64) (bool, error)) error {
	return s.inWriteN(ctx, what, 1, fn)
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

// inWriteN is inWrite for a bulk write of n rows, which gets a longer
// deadline.
func (s *Store) inWriteN(ctx context.Context, what string, n int, fn func(tx pgx.Tx, rev int64) (bool, error)) (err error) {
	ctx, end := bound(ctx, writeTimeout+time.Duration(n)*perOpTimeout)
	defer end(&err)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return wrap(err, what)
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
		return wrap(err, what)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	var rev int64
	if err := tx.QueryRow(ctx, "UPDATE bank_meta SET revision = revision + 1 WHERE id = 1 RETURNING revision").Scan(&rev); err != nil {
		return wrap(err, what)
	}
	wrote, err := fn(tx, rev)
	if err != nil || !wrote {
		return wrap(err, what)
	}
	// Delivered to listeners only when the transaction commits.
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", changesChannel, strconv.FormatInt(rev, 10)); err != nil {
		return wrap(err, what)
	}
	return wrap(tx.Commit(ctx), what)
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
