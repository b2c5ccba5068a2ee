package postgres_test

import (
	"context"
	"testing"

	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/postgres"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/repository/sqlcore"
	"github.com/layersrank/qbank/repository/storetest"
)

func TestContract(t *testing.T) {
	storetest.RunAll(t, engine)
}

func BenchmarkReads(b *testing.B) {
	storetest.RunBenchmarks(b, engine.Open)
}

// engine gives each test its own database; a replica is a second store (a
// second pool) on the same database.
var engine = storetest.Engine{
	Open: func(tb testing.TB) repository.Store { return mustOpen(tb, pgtest.NewDatabase(tb)) },
	Replica: func(tb testing.TB, s repository.Store) repository.Store {
		return mustOpen(tb, s.(*postgres.Store).Pool().Config().ConnString())
	},
	Exec: func(tb testing.TB, s repository.Store, query string, args ...any) {
		tb.Helper()
		if _, err := s.(*postgres.Store).Pool().Exec(context.Background(), sqlcore.Numbered.Rebind(query), args...); err != nil {
			tb.Fatalf("%s: %v", query, err)
		}
	},
}

func mustOpen(tb testing.TB, url string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("open postgres store: %v", err)
	}
	return s
}

// TestConcurrentMigrate: replicas starting together on one database must not
// trip over each other's migrations.
func TestConcurrentMigrate(t *testing.T) {
	url := pgtest.NewDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgres.Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
