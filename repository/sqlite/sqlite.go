// Package sqlite is the embedded default store: one SQLite file under the
// data dir, through the pure-Go modernc.org/sqlite driver (no cgo).
//
// Writes go through a single connection (SQLite has one writer anyway; one
// connection means writers queue in Go instead of spinning on SQLITE_BUSY),
// reads through a small pool that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file's name inside the data dir.
const FileName = "qbank.db"

// Store is a repository.Store on one SQLite file.
type Store struct {
	path   string
	write  *sql.DB // exactly one connection
	read   *sql.DB
	closed bool
}

var _ repository.Store = (*Store)(nil)

// Open opens (creating if needed) the database in dir and migrates it.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// Pragmas go in the DSN so that every pooled connection gets them, not
	// just the first. synchronous(FULL): an acknowledged write survives power
	// loss, not only a crash of the process.
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	s := &Store{path: path, write: write, read: read}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", s.path, err)
	}
	return nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes both pools.
func (s *Store) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return errors.Join(s.write.Close(), s.read.Close())
}

// Ping checks the file can be read.
func (s *Store) Ping(ctx context.Context) error {
	return wrap(s.read.PingContext(ctx), "ping")
}

// IntegrityCheck runs SQLite's own consistency check of the file.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return wrap(err, "integrity check")
	}
	if res != "ok" {
		return fmt.Errorf("integrity check of %s: %s", s.path, res)
	}
	return nil
}

// Revision returns the bank revision.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	var rev int64
	err := s.read.QueryRowContext(ctx, "SELECT revision FROM bank_meta WHERE id = 1").Scan(&rev)
	return rev, wrap(err, "read revision")
}

// inWrite runs fn in one write transaction after bumping the revision; fn
// reports whether it wrote anything, and a write that changed nothing rolls
// back so that the revision only moves when the bank does.
func (s *Store) inWrite(ctx context.Context, what string, fn func(tx *sql.Tx, rev int64) (bool, error)) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, what)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var rev int64
	if err := tx.QueryRowContext(ctx, "UPDATE bank_meta SET revision = revision + 1 WHERE id = 1 RETURNING revision").Scan(&rev); err != nil {
		return wrap(err, what)
	}
	wrote, err := fn(tx, rev)
	if err != nil || !wrote {
		return err
	}
	return wrap(tx.Commit(), what)
}

// wrap adds context to a database error and classifies the ones a client can
// act on; qbank errors pass through unchanged.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var qe *qbank.Error
	if errors.As(err, &qe) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, sql.ErrConnDone) || isBusy(err) {
		return qbank.Unavailable("%s: the store is busy or closed, try again", what)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
