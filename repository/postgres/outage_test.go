package postgres_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/faulttest"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
)

// TestReadsAfterAnOutage: connections the pool held when the database went
// away are dead without knowing it. Once the database is back, reads must
// not fail on them: after an unreachable error the pool pings each
// connection before use and replaces a dead one. Before, each stale
// connection failed the first read that took it ("the database is
// unreachable") although the database was up.
func TestReadsAfterAnOutage(t *testing.T) {
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := faulttest.NewProxy(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	u.Host = proxy.Addr()
	s := mustOpen(t, u.String())
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()

	const readers = 6
	reads := func() []error {
		var wg sync.WaitGroup
		errs := make([]error, readers)
		for i := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Revision(ctx)
			}()
		}
		wg.Wait()
		return errs
	}
	// Fill the pool with connections that are then idle for well under a
	// second, so pgx's default (ping only after a second idle) skips them.
	for _, err := range reads() {
		if err != nil {
			t.Fatalf("read before the outage: %v", err)
		}
	}
	proxy.Cut()
	if _, err := s.Revision(ctx); qbank.ErrorCode(err) != qbank.EUNAVAILABLE {
		t.Fatalf("read during the outage: %v, want unavailable", err)
	}
	if err := proxy.Restore(); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	for i, err := range reads() {
		if err != nil {
			t.Errorf("read %d right after the database came back: %v", i, err)
		}
	}
	t.Logf("%d reads after the restore took %v", readers, time.Since(began).Round(time.Millisecond))
}
