// Package bench measures qbank against floors taken in the same run on the
// same machine: a gRPC health check on the same server, and a bare net/http
// handler writing the JSON of a question, the bytes the gateway's GET writes. Every figure is reported with its ratio
// to its floor, so results compare across machines.
package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/layersrank/qbank/protoconv"
	"github.com/layersrank/qbank/seed"
)

// Result is one measured operation at one concurrency.
type Result struct {
	Store       string
	Questions   int
	Op          string
	Concurrency int
	Calls       int
	Errors      int
	FirstError  error // the first failure seen, to say why when Errors > 0
	QPS         float64
	P50, P99    time.Duration
	Floor       string // the floor op this is compared with
	QPSRatio    float64
	P50Ratio    float64
}

// op is one call; worker is its goroutine number and rng its own source.
type op func(ctx context.Context, worker int, rng *rand.Rand) error

// measure runs fn from conc goroutines for d and returns throughput and
// latency percentiles.
func measure(ctx context.Context, conc int, d time.Duration, fn op) Result {
	lat := make([][]time.Duration, conc)
	errs := make([]int, conc)
	first := make([]error, conc)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				if err := fn(ctx, w, rng); err != nil {
					if errs[w]++; first[w] == nil {
						first[w] = err
					}
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	r := Result{Concurrency: conc}
	for w := range conc {
		all = append(all, lat[w]...)
		r.Errors += errs[w]
		if r.FirstError == nil {
			r.FirstError = first[w]
		}
	}
	slices.Sort(all)
	r.Calls = len(all)
	if len(all) > 0 {
		r.QPS = float64(len(all)) / elapsed.Seconds()
		r.P50 = all[len(all)/2]
		r.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return r
}

// bareHTTP serves the HTTP floor: a handler that does nothing but write
// the JSON of a seed question of median size (about 1.6 KB), as the gateway
// serves it, so the gateway's GET is compared with writing the same bytes.
func bareHTTP() (url string, stop func(), err error) {
	bank, err := seed.Load()
	if err != nil {
		return "", nil, err
	}
	// The median-sized question's JSON stands for a typical GET.
	var bodies [][]byte
	for i := range bank.Questions {
		b, err := protojson.Marshal(protoconv.QuestionToProto(&bank.Questions[i]))
		if err != nil {
			return "", nil, fmt.Errorf("floor: %w", err)
		}
		bodies = append(bodies, b)
	}
	if len(bodies) == 0 {
		return "", nil, fmt.Errorf("floor: the seed has no questions")
	}
	slices.SortFunc(bodies, func(a, b []byte) int { return len(a) - len(b) })
	body := bodies[len(bodies)/2]
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	return "http://" + lis.Addr().String() + "/", func() { srv.Close() }, nil
}

// httpGet returns an op that GETs url(rng) and drains the body, like any
// client would, on a client with enough idle connections for conc.
func httpGet(client *http.Client, url func(*rand.Rand) string, token string) op {
	return func(ctx context.Context, _ int, rng *rand.Rand) error {
		req, err := http.NewRequestWithContext(ctx, "GET", url(rng), nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET: %s", resp.Status)
		}
		return nil
	}
}
