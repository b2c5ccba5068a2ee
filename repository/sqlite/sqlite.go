// Package sqlite is the embedded default store: one SQLite file under the
// data dir, through the pure-Go modernc.org/sqlite driver (no cgo).
//
// Writes go through a single connection (SQLite has one writer anyway; one
// connection means writers queue in Go instead of spinning on SQLITE_BUSY),
// reads through a small pool that WAL lets run beside the writer.
//
// The queries and the logic around them are sqlcore's, shared with
// PostgreSQL; this package holds what is SQLite's own: the file, its pragmas,
// the two pools, the migrations and error classification.
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
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/sqlcore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file's name inside the data dir.
const FileName = "qbank.db"

// dialect is SQLite's: question-mark placeholders, times as Unix
// microseconds, no row locks (a write transaction begins IMMEDIATE and so
// holds the database's one write lock from its first statement), and no
// notification (one process serves a file and sees its own writes).
var dialect = sqlcore.Dialect{Placeholders: sqlcore.QuestionMarks, TimeAsMicros: true}

// Store is a repository.Store on one SQLite file: the shared SQL core
// running on this package's two pools.
type Store struct {
	*sqlcore.Store
	path   string
	db     *pools
	closed bool
}

var (
	_ repository.Store         = (*Store)(nil)
	_ repository.QueryObserver = (*Store)(nil)
)

// pools are the connections the core runs on: reads through read, every
// write through the one connection of write.
type pools struct {
	write *sql.DB // exactly one connection
	read  *sql.DB
	reads sqlcore.Querier // read, adapted once
}

// Open opens (creating if needed) the database in dir and migrates it.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	if err := secureFiles(dir, path); err != nil {
		return nil, err
	}
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
	db := &pools{write: write, read: read, reads: sqlcore.StdQuerier(read)}
	s := &Store{Store: sqlcore.New(dialect, db), path: path, db: db}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// SQLite made the -wal and -shm files, with the database's mode; say
	// it again in case an older run left them wider.
	if err := secureFiles(dir, path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Modes of the data dir and the database files: the bank (with scoring
// guides) and the server's secrets are for the service's user alone.
const (
	DirMode  = 0o700
	FileMode = 0o600
)

// secureFiles sets the data dir to DirMode and the database and its -wal
// and -shm files to FileMode, whatever an earlier run or an operator left
// (a pre-created 0755 dir, a copied 0644 file), creating the database file
// with FileMode first so that it is never readable by others, not even
// between its creation and its first chmod.
func secureFiles(dir, path string) error {
	if err := os.Chmod(dir, DirMode); err != nil {
		return fmt.Errorf("data dir %s: set mode %04o: %w", dir, DirMode, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		err := os.Chmod(p, FileMode)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: set mode %04o: %w", p, FileMode, err)
		}
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db.write, sub, goose.WithDisableGlobalRegistry(true))
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
	return errors.Join(s.db.write.Close(), s.db.read.Close())
}

// Ping checks the file can be read.
func (s *Store) Ping(ctx context.Context) error {
	return wrap(s.db.read.PingContext(ctx), "ping")
}

// IntegrityCheck runs SQLite's own consistency check of the file.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.db.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return wrap(err, "integrity check")
	}
	if res != "ok" {
		return fmt.Errorf("integrity check of %s: %s", s.path, res)
	}
	return nil
}

// Read runs fn on the read pool.
func (p *pools) Read(ctx context.Context, op sqlcore.Op, fn func(context.Context, sqlcore.Querier) error) error {
	return wrap(fn(ctx, p.reads), op.What)
}

// Snapshot runs fn in a read transaction: in WAL mode it sees the database
// as of its first read, whatever commits meanwhile.
func (p *pools) Snapshot(ctx context.Context, op sqlcore.Op, fn func(context.Context, sqlcore.Querier) error) error {
	tx, err := p.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap(err, op.What)
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to keep
	return wrap(fn(ctx, sqlcore.StdQuerier(tx)), op.What)
}

// Write runs fn in a transaction on the write connection. _txlock=immediate
// makes it BEGIN IMMEDIATE: it holds the write lock from the start, so no
// other writer (in this process or another) can slip in between its reads
// and its writes.
func (p *pools) Write(ctx context.Context, op sqlcore.Op, fn func(context.Context, sqlcore.Querier) (bool, error)) error {
	tx, err := p.write.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, op.What)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	commit, err := fn(ctx, sqlcore.StdQuerier(tx))
	if err != nil || !commit {
		return wrap(err, op.What)
	}
	return wrap(tx.Commit(), op.What)
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

func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked") || strings.Contains(msg, "sql: database is closed")
}
