package sqlite_test

import (
	"context"
	"testing"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/sqlite"
	"github.com/layersrank/qbank/repository/storetest"
)

func TestContract(t *testing.T) {
	storetest.RunAll(t, func(tb testing.TB) repository.Store { return MustOpen(tb, tb.TempDir()) })
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

func BenchmarkReads(b *testing.B) {
	storetest.RunBenchmarks(b, func(tb testing.TB) repository.Store { return MustOpen(tb, tb.TempDir()) })
}
