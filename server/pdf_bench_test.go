package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/layersrank/qbank/internal/testserver"
)

// BenchmarkReadsWhilePDFs measures GET /v1/questions/{id} latency alone and
// while 32 clients download PDFs: the bank and role kits (which a server may
// cache), and, where the server has the route, interview kits that differ on
// every request (which it must render). It reports p50 and p99 of the reads
// in each phase; a read path that keeps its latency under PDF load shows a
// loaded p99 close to the idle one. The clients share one token, as a
// runaway script would, so many of their requests meet the token's PDF
// allowance (429: counted as refused, and retried a little later).
//
//	go test ./server -run '^$' -bench ReadsWhilePDFs -benchtime 1x
func BenchmarkReadsWhilePDFs(b *testing.B) {
	ts := testserver.Start(b, testserver.Backends[0].Config(b)())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: time.Minute}
	get := func(path, token string) (int, error) {
		req, _ := http.NewRequest("GET", ts.Base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	reads := func(d time.Duration) []time.Duration {
		var lat []time.Duration
		ids := []string{"api-rate-limiting-design", "regretted-technical-decision", "maintaining-system-you-didnt-build"}
		for end := time.Now().Add(d); time.Now().Before(end); {
			t0 := time.Now()
			if code, err := get("/v1/questions/"+ids[len(lat)%len(ids)], adminToken); err != nil || code != http.StatusOK {
				b.Fatalf("read: %d %v", code, err)
			}
			lat = append(lat, time.Since(t0))
		}
		return lat
	}
	pct := func(lat []time.Duration, p float64) float64 {
		s := slices.Clone(lat)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	const clients = 32
	phase := 3 * time.Second
	load := func(paths func(client, i int) string) (idleP50, idleP99, loadP50, loadP99 float64, pdfs, refused int64) {
		idle := reads(phase)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var n, busy atomic.Int64
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					code, err := get(paths(c, i), readerToken)
					if ctx.Err() != nil {
						return
					}
					if code == http.StatusTooManyRequests { // over the token's PDF allowance
						busy.Add(1)
						// Back off as a client told to retry later does; a
						// client that floods regardless is the per-address
						// limits' business, not the price of a PDF.
						time.Sleep(100 * time.Millisecond)
						continue
					}
					if err != nil || code != http.StatusOK {
						b.Errorf("pdf: %d %v", code, err)
						return
					}
					n.Add(1)
				}
			}()
		}
		time.Sleep(200 * time.Millisecond) // let every client have a render in flight
		loaded := reads(phase)
		cancel()
		wg.Wait()
		return pct(idle, .5), pct(idle, .99), pct(loaded, .5), pct(loaded, .99), n.Load(), busy.Load()
	}
	roles := []string{"", "backend-engineer", "full-stack-developer", "devops-engineer", "data-engineer"}
	scenarios := []struct {
		name  string
		paths func(client, i int) string
	}{
		{"bank-and-role-pdfs", func(c, i int) string {
			if r := roles[(c+i)%len(roles)]; r != "" {
				return "/v1/question-bank.pdf?role=" + r
			}
			return "/v1/question-bank.pdf"
		}},
	}
	if code, _ := get("/v1/interview-kit.pdf?role=backend-engineer&refs=api-rate-limiting-design@1", readerToken); code == http.StatusOK {
		// Each request pins a different triple of the role's questions, so
		// no two are the same document and none is served from a cache.
		var ids []string
		resp, err := client.Do(func() *http.Request {
			req, _ := http.NewRequest("GET", ts.Base+"/v1/questions?role=backend-engineer&pageSize=100", nil)
			req.Header.Set("Authorization", "Bearer "+readerToken)
			return req
		}())
		if err != nil {
			b.Fatal(err)
		}
		var page struct{ Questions []struct{ ID string } }
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || len(page.Questions) < 4 {
			b.Fatalf("backend questions: %v (%d)", err, len(page.Questions))
		}
		for _, q := range page.Questions {
			ids = append(ids, q.ID)
		}
		n := len(ids)
		scenarios = append(scenarios, struct {
			name  string
			paths func(client, i int) string
		}{"distinct-interview-kits", func(c, i int) string {
			k := c*7919 + i*clients
			x := k % n
			y := (x + 1 + (k/n)%(n-2)) % n
			z := (y + 1) % n
			if z == x {
				z = (z + 1) % n
			}
			return fmt.Sprintf("/v1/interview-kit.pdf?role=backend-engineer&refs=%s@1&refs=%s@1&refs=%s@1", ids[x], ids[y], ids[z])
		}})
	}
	// The bank and role documents once each, as a server that has been up
	// a while has them (each is rendered once per bank revision); the
	// distinct kits are never cached.
	for i := range roles {
		if code, err := get(scenarios[0].paths(0, i), adminToken); err != nil || code != http.StatusOK {
			b.Fatalf("warm up: %d %v", code, err)
		}
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				ip50, ip99, lp50, lp99, n, refused := load(sc.paths)
				b.ReportMetric(ip50, "idle-p50-ms")
				b.ReportMetric(ip99, "idle-p99-ms")
				b.ReportMetric(lp50, "loaded-p50-ms")
				b.ReportMetric(lp99, "loaded-p99-ms")
				b.ReportMetric(float64(n)/phase.Seconds(), "pdfs/s")
				b.ReportMetric(float64(refused)/phase.Seconds(), "refused/s")
			}
		})
	}
}
