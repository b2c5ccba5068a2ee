package faulttest_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/faulttest"
	"github.com/layersrank/qbank/internal/testserver"
	"github.com/layersrank/qbank/repository/postgres"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
	"github.com/layersrank/qbank/server"
)

// Outage bounds, from the issue: while the database is unreachable, writes
// fail within writeFailBound; once it is back, writes succeed again within
// recoverBound, without a restart.
const (
	writeFailBound = 2 * time.Second
	recoverBound   = 5 * time.Second
	outageLength   = 3 * time.Second
)

// sample is one call made under load.
type sample struct {
	write      bool
	began, end time.Time
	code       int
	what       string
}

// TestDatabaseOutage cuts PostgreSQL away from a server under a load of
// reads and writes, and brings it back.
//
// The outage is simulated by faulttest.Proxy, a TCP proxy between the server
// and 127.0.0.1:5432 that the test cuts (listener closed, every connection
// reset) and restores on the same port. The machine's PostgreSQL itself is
// never stopped: other test packages use it at the same time, and for the
// server a reset connection and a refused reconnect are exactly what a
// crashed or partitioned database looks like.
//
// During the cut, reads keep being served from the catalog's snapshot (200),
// writes fail fast with Unavailable (503), and /readyz says 503 with a
// reason. After the restore, writes succeed again within a few seconds
// without a restart, and every write acknowledged before, during or after the
// outage is in the database.
func TestDatabaseOutage(t *testing.T) {
	t.Run("cut", func(t *testing.T) {
		databaseOutage(t, func(p *faulttest.Proxy) { p.Cut() }, func(p *faulttest.Proxy) error { return p.Restore() })
	})
	// A partition is the harder case: no reset tells the server anything,
	// so only its own timeouts can turn a hung write into a 503.
	t.Run("partition", func(t *testing.T) {
		databaseOutage(t, func(p *faulttest.Proxy) { p.Stall() }, func(p *faulttest.Proxy) error { p.Unstall(); return nil })
	})
}

func databaseOutage(t *testing.T, fail func(*faulttest.Proxy), heal func(*faulttest.Proxy) error) {
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	proxy, err := faulttest.NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	proxied := *u
	proxied.Host = proxy.Addr()
	ts := testserver.Start(t, server.Config{DataDir: t.TempDir(), DatabaseURL: proxied.String()})

	var (
		mu      sync.Mutex
		samples []sample
		log     = &ackLog{}
	)
	record := func(s sample) {
		mu.Lock()
		defer mu.Unlock()
		samples = append(samples, s)
	}
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	var wg sync.WaitGroup

	// Readers: everything a reader does that the snapshot answers.
	reads := []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/questions?role=backend-engineer&pageSize=10", nil},
		{"GET", "/v1/questions?query=latency", nil},
		{"GET", "/v1/questions/api-rate-limiting-design", nil},
		{"GET", "/v1/questions:batchGet?refs=api-rate-limiting-design&refs=regretted-technical-decision", nil},
		{"GET", "/v1/taxonomy", nil},
		{"GET", "/v1/templates", nil},
		{"GET", "/v1/templates/backend-engineer-default", nil},
		{"POST", "/v1/assessments:assemble", map[string]any{"role": "backend-engineer", "seed": 7}},
	}
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := r; ctx.Err() == nil; n++ {
				rd := reads[n%len(reads)]
				began := time.Now()
				rep, err := testserver.Do(ctx, ts.Client, rd.method, ts.Base+rd.path, readerToken, rd.body)
				if ctx.Err() != nil {
					return
				}
				code := rep.Code
				if err != nil {
					code = 0
				}
				record(sample{began: began, end: time.Now(), code: code, what: rd.method + " " + rd.path})
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	// Writers: one over HTTP, one over gRPC; each creates a question and
	// updates it, and after a failure starts a new question (the failed
	// write's outcome is unknown to it, as to any client).
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				id := fmt.Sprintf("outage-w%d-%04d", w, n)
				etag := ""
				for v := 1; v <= 2 && ctx.Err() == nil; v++ {
					text := fmt.Sprintf("Outage writer %d item %d version %d: what do you do when the database goes away?", w, n, v)
					began := time.Now()
					newEtag, code, err := writeQuestion(ctx, ts.API, ts.Client, ts.Base, w == 0, id, etag, v, text)
					if ctx.Err() != nil {
						return
					}
					record(sample{write: true, began: began, end: time.Now(), code: code, what: fmt.Sprintf("write %s@%d: %v", id, v, err)})
					if err != nil {
						time.Sleep(20 * time.Millisecond)
						break
					}
					log.add(ack{id: id, version: v, text: text})
					etag = newEtag
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}

	readyz := func() testserver.Reply {
		r, err := testserver.Do(context.Background(), ts.Client, "GET", ts.Base+"/readyz", "", nil)
		if err != nil {
			t.Fatalf("/readyz: %v", err)
		}
		return r
	}

	time.Sleep(time.Second)
	before := len(log.all())
	if before == 0 {
		t.Fatal("no write succeeded before the outage")
	}

	cut := time.Now()
	fail(proxy)
	var firstNotReady time.Duration
	var reason string
	for time.Since(cut) < outageLength {
		if r := readyz(); r.Code == http.StatusServiceUnavailable && firstNotReady == 0 {
			firstNotReady, reason = time.Since(cut), str(r.Body["reason"])
		}
		time.Sleep(50 * time.Millisecond)
	}
	if firstNotReady == 0 {
		t.Errorf("/readyz never said 503 during a %v outage", outageLength)
	} else if reason == "" || reason == "<nil>" {
		t.Errorf("/readyz said 503 without a reason")
	}

	restore := time.Now()
	if err := heal(proxy); err != nil {
		t.Fatal(err)
	}
	var firstWriteBack, readyBack time.Duration
	for time.Since(restore) < 2*recoverBound && (firstWriteBack == 0 || readyBack == 0) {
		if readyBack == 0 && readyz().Code == http.StatusOK {
			readyBack = time.Since(restore)
		}
		if firstWriteBack == 0 {
			mu.Lock()
			for _, s := range samples {
				if s.write && s.code == http.StatusOK && s.began.After(restore) && (firstWriteBack == 0 || s.end.Sub(restore) < firstWriteBack) {
					firstWriteBack = s.end.Sub(restore)
				}
			}
			mu.Unlock()
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // a healthy stretch after recovery
	stopLoad()
	wg.Wait()

	// Judge the samples.
	var readsOK, readsBad, writesDuring, writes503, slowFail int
	var worstFail time.Duration
	for _, s := range samples {
		if !s.write {
			if s.code == http.StatusOK {
				readsOK++
			} else {
				readsBad++
				if readsBad <= 5 {
					t.Errorf("read %s at %v after the cut answered %d, want 200 throughout", s.what, s.began.Sub(cut).Round(time.Millisecond), s.code)
				}
			}
			continue
		}
		if !s.began.After(cut) || !s.began.Before(restore) {
			continue // before the outage or after it
		}
		writesDuring++
		d := s.end.Sub(s.began)
		worstFail = max(worstFail, d)
		if d > writeFailBound {
			slowFail++
			if slowFail <= 3 {
				t.Errorf("a write begun %v into the outage took %v to answer %d (%s)", s.began.Sub(cut).Round(time.Millisecond), d.Round(time.Millisecond), s.code, s.what)
			}
		}
		switch {
		case s.code == http.StatusServiceUnavailable:
			writes503++
		case s.end.Before(restore):
			t.Errorf("a write during the outage answered %d (%s), want 503", s.code, s.what)
		}
	}
	// Writes that were in flight at the cut must also end within the bound.
	for _, s := range samples {
		if s.write && s.began.Before(cut) && s.end.After(cut) && s.end.Sub(cut) > writeFailBound {
			t.Errorf("a write in flight at the cut took %v after it to answer (%s)", s.end.Sub(cut), s.what)
		}
	}
	if writesDuring == 0 {
		t.Error("no write was attempted during the outage")
	}
	if slowFail > 0 {
		t.Errorf("%d writes took longer than %v to fail (worst %v)", slowFail, writeFailBound, worstFail)
	}
	if firstWriteBack == 0 || firstWriteBack > recoverBound {
		t.Errorf("writes did not resume within %v of the restore (first success after %v)", recoverBound, firstWriteBack)
	}
	if readyBack == 0 {
		t.Errorf("/readyz did not return to 200 after the restore")
	}

	// Nothing acknowledged is missing: read every ack back through the
	// server, and straight from the database, not through the proxy.
	acks := log.all()
	for _, a := range acks {
		r := ts.Call(t, "GET", fmt.Sprintf("/v1/questions/%s?version=%d", a.id, a.version), readerToken, nil)
		if r.Code != http.StatusOK || str(r.Body["text"]) != a.text {
			t.Errorf("acknowledged %s@%d: %d %s", a.id, a.version, r.Code, truncate(string(r.Raw), 200))
		}
	}
	checkAcksInDatabase(t, dbURL, acks)

	t.Logf("outage %v: %d reads all 200 (%d not), %d writes during it all 503 (worst %v to fail), /readyz 503 after %v (%q); after restore: /readyz 200 after %v, first write OK after %v; %d acknowledged writes (%d before the cut) all present",
		restore.Sub(cut).Round(time.Millisecond), readsOK, readsBad, writes503, worstFail.Round(time.Millisecond),
		firstNotReady.Round(time.Millisecond), truncate(reason, 80), readyBack.Round(time.Millisecond),
		firstWriteBack.Round(time.Millisecond), len(acks), before)
}

// checkAcksInDatabase reads every acknowledged version straight from the
// PostgreSQL database (not through the server or the proxy).
func checkAcksInDatabase(t *testing.T, dbURL string, acks []ack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, a := range acks {
		q, err := store.Question(ctx, qbank.Ref{ID: a.id, Version: a.version})
		if err != nil || q.Text != a.text {
			t.Errorf("acknowledged %s@%d in the database: %q, %v", a.id, a.version, q.Text, err)
		}
	}
}
