package postgres_test

import (
	"context"
	"testing"

	"github.com/layersrank/qbank/repository"
	"github.com/layersrank/qbank/repository/postgres"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/repository/storetest"
)

func TestContract(t *testing.T) {
	storetest.RunAll(t, func(tb testing.TB) repository.Store {
		s, err := postgres.Open(context.Background(), pgtest.NewDatabase(tb))
		if err != nil {
			tb.Fatalf("open postgres store: %v", err)
		}
		return s
	})
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

func BenchmarkReads(b *testing.B) {
	storetest.RunBenchmarks(b, func(tb testing.TB) repository.Store {
		s, err := postgres.Open(context.Background(), pgtest.NewDatabase(tb))
		if err != nil {
			tb.Fatalf("open postgres store: %v", err)
		}
		return s
	})
}
