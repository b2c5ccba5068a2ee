package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/repository/storetest"
)

func TestContract(t *testing.T) {
	storetest.RunAll(t, engine)
}

func BenchmarkReads(b *testing.B) {
	storetest.RunBenchmarks(b, engine.Open)
}

// engine opens stores in a test's temporary directory; a replica is a second
// store on the same file, as a second process would open it.
var engine = storetest.Engine{
	Open: func(tb testing.TB) repository.Store { return MustOpen(tb, tb.TempDir()) },
	Replica: func(tb testing.TB, s repository.Store) repository.Store {
		return MustOpen(tb, filepath.Dir(s.(*sqlite.Store).Path()))
	},
	Exec: func(tb testing.TB, s repository.Store, query string, args ...any) {
		tb.Helper()
		db, err := sql.Open("sqlite", "file:"+s.(*sqlite.Store).Path()+"?_pragma=busy_timeout(5000)")
		if err != nil {
			tb.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(query, args...); err != nil {
			tb.Fatalf("%s: %v", query, err)
		}
	},
}

func MustOpen(tb testing.TB, dir string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		tb.Fatalf("open sqlite store: %v", err)
	}
	return s
}

// TestReopen: what one process wrote, the next one reads, and migrating an
// already migrated file is a no-op.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s := MustOpen(t, dir)
	q, err := s.CreateQuestion(context.Background(), storetest.Sample("durable"), qbank.Change{Author: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = MustOpen(t, dir)
	defer s.Close()
	got, err := s.Question(context.Background(), qbank.Ref{ID: "durable"})
	if err != nil || got.Etag != q.Etag {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestOpenMakesFilesPrivate: whatever modes an earlier run or an operator
// left, opening the store sets the data dir to 0700 and the database files
// to 0600.
func TestOpenMakesFilesPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, sqlite.FileName)
	for _, p := range []string{dir, db, db + "-wal", db + "-shm"} {
		if err := os.Chmod(p, 0o755); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	s, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[string]fs.FileMode{dir: sqlite.DirMode, db: sqlite.FileMode, db + "-wal": sqlite.FileMode, db + "-shm": sqlite.FileMode}
	for p, m := range want {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != m {
			t.Errorf("%s is %04o after open, want %04o", p, info.Mode().Perm(), m)
		}
	}
}
