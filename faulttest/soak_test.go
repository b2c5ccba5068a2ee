package faulttest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/layersrank/qbank/internal/testserver"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server"
)

// soakConcurrency is how many clients the soak runs at once; half use gRPC,
// half the JSON gateway.
const soakConcurrency = 8

// op is one kind of call in the soak mix.
type op struct {
	name   string
	weight int // out of 100
	write  bool
}

// The mix: 90 % reads and assemblies, 10 % writes.
var soakMix = []op{
	{"list", 25, false},
	{"get", 18, false},
	{"batchGet", 10, false},
	{"assemble", 20, false},
	{"taxonomy", 5, false},
	{"templates", 5, false},
	{"versions", 7, false},
	{"update", 8, true},
	{"create", 2, true},
}

// TestSoak runs the soak mix against an in-process server on each store for
// -soak (default: a short run, as in CI): zero errors allowed, p50/p99 and
// QPS reported; afterwards every goroutine the server started must be gone
// (goleak) and the heap must be back near where it started.
//
// Writes do not contend: each client updates its own question with the etag
// it last got, so any error, including a conflict, is a failure.
func TestSoak(t *testing.T) {
	d := defaultSoak
	if *soakFor > 0 {
		d = *soakFor
	}
	bank, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range bank.Questions {
		ids = append(ids, q.ID)
	}
	testserver.ForEachBackend(t, func(t *testing.T, cfg func() server.Config) {
		c := cfg()
		// Logs are formatted as in production but not kept: a buffer of
		// them would grow with the traffic and hide what the heap check
		// looks for.
		c.Logger = slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
		// Baselines: before the server exists. Whatever is running now
		// (other tests' leftovers, the PostgreSQL test database's setup) is
		// not this test's to judge.
		ignore := goleak.IgnoreCurrent()
		heapBefore := heapAlloc()

		ts := testserver.Start(t, c)
		res := soak(t, ts, ids, d)
		heapLoaded := heapAlloc()
		ts.Stop()

		lat := res.latencies
		slices.Sort(lat)
		t.Logf("soak %v at concurrency %d: %d calls (%d writes), %.0f QPS, p50 %v, p99 %v, max %v, errors %d; heap %d KiB before, %d KiB under load",
			res.elapsed.Round(time.Millisecond), soakConcurrency, len(lat), res.writes,
			float64(len(lat))/res.elapsed.Seconds(), pct(lat, 50), pct(lat, 99), lat[len(lat)-1], len(res.errors),
			heapBefore>>10, heapLoaded>>10)
		for i, e := range res.errors {
			if i == 10 {
				t.Errorf("… and %d more errors", len(res.errors)-10)
				break
			}
			t.Errorf("soak error: %s", e)
		}
		if len(lat) == 0 {
			t.Fatal("the soak made no calls")
		}

		goleak.VerifyNone(t, ignore)
		// The server's snapshots, caches and pools are garbage once it has
		// stopped; allow for allocator slack and the test's own records.
		heapAfter := heapAlloc()
		if limit := heapBefore + heapBefore/4 + 8<<20; heapAfter > limit {
			t.Errorf("heap after the soak and shutdown is %d MiB, baseline %d MiB: something the server allocated is still reachable", heapAfter>>20, heapBefore>>20)
		}
		t.Logf("heap after shutdown and GC: %d KiB (baseline %d KiB)", heapAfter>>10, heapBefore>>10)
	})
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC() // the second cycle frees what the first one's finalizers released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// pct is the p-th percentile of sorted latencies.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

type soakResult struct {
	latencies []time.Duration
	writes    int
	errors    []string
	elapsed   time.Duration
}

// soak runs the mix with soakConcurrency clients for d.
func soak(t *testing.T, ts *testserver.Server, ids []string, d time.Duration) soakResult {
	t.Helper()
	// Each client owns one question, so its updates never conflict.
	etags := make([]string, soakConcurrency)
	versions := make([]int, soakConcurrency)
	for w := range soakConcurrency {
		r, err := ts.API.CreateQuestion(testserver.GRPCContext(t, adminToken), &pb.CreateQuestionRequest{
			Question: questionPB(fmt.Sprintf("soak-owned-%d", w), fmt.Sprintf("Soak client %d's question, version 1.", w)),
		})
		if err != nil {
			t.Fatal(err)
		}
		etags[w], versions[w] = r.GetQuestion().GetEtag(), 1
	}
	roles := []string{"backend-engineer", "full-stack-developer", "devops-engineer", "data-engineer"}
	stacks := []string{"", "go", "golang", "java", "python", "postgres", "kafka", "kubernetes", "aws"}

	var (
		mu  sync.Mutex
		out soakResult
	)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	began := time.Now()
	var wg sync.WaitGroup
	for w := range soakConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			viaHTTP := w%2 == 1
			var lat []time.Duration
			var errs []string
			writes, created := 0, 0
			for ctx.Err() == nil {
				o := pick(rng)
				callCtx, cancelCall := context.WithTimeout(context.Background(), 30*time.Second)
				t0 := time.Now()
				var err error
				switch o.name {
				case "list":
					q := url.Values{"role": {roles[rng.IntN(len(roles))]}, "pageSize": {fmt.Sprint(1 + rng.IntN(20))}}
					if s := stacks[rng.IntN(len(stacks))]; s != "" {
						q.Set("stack", s)
					}
					if rng.IntN(3) == 0 {
						q.Set("query", []string{"latency", "design", "team", "incident", "data"}[rng.IntN(5)])
					}
					err = soakRead(callCtx, ts, viaHTTP, "/v1/questions?"+q.Encode(), func(ctx context.Context) error {
						_, err := ts.API.ListQuestions(ctx, &pb.ListQuestionsRequest{Role: q.Get("role"), Stack: q.Get("stack"), Query: q.Get("query"), PageSize: 20})
						return err
					})
				case "get":
					id := ids[rng.IntN(len(ids))]
					err = soakRead(callCtx, ts, viaHTTP, "/v1/questions/"+id, func(ctx context.Context) error {
						_, err := ts.API.GetQuestion(ctx, &pb.GetQuestionRequest{Id: id})
						return err
					})
				case "batchGet":
					a, b := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
					err = soakRead(callCtx, ts, viaHTTP, "/v1/questions:batchGet?refs="+a+"&refs="+b+"@1", func(ctx context.Context) error {
						_, err := ts.API.BatchGetQuestions(ctx, &pb.BatchGetQuestionsRequest{Refs: []string{a, b + "@1"}})
						return err
					})
				case "assemble":
					role, stack, seedN := roles[rng.IntN(len(roles))], stacks[rng.IntN(len(stacks))], rng.Int64N(1000)
					var reqStacks []string
					if stack != "" {
						reqStacks = []string{stack}
					}
					if viaHTTP {
						err = expect200(testserver.Do(callCtx, ts.Client, "POST", ts.Base+"/v1/assessments:assemble", readerToken,
							map[string]any{"role": role, "stacks": reqStacks, "seed": seedN}))
					} else {
						_, err = ts.API.AssembleAssessment(testserver.AuthContext(callCtx, readerToken), &pb.AssembleAssessmentRequest{Role: role, Stacks: reqStacks, Seed: &seedN})
					}
				case "taxonomy":
					err = soakRead(callCtx, ts, viaHTTP, "/v1/taxonomy", func(ctx context.Context) error {
						_, err := ts.API.GetTaxonomy(ctx, &pb.GetTaxonomyRequest{})
						return err
					})
				case "templates":
					err = soakRead(callCtx, ts, viaHTTP, "/v1/templates?owner=acme", func(ctx context.Context) error {
						_, err := ts.API.ListTemplates(ctx, &pb.ListTemplatesRequest{Owner: "acme"})
						return err
					})
				case "versions":
					id := fmt.Sprintf("soak-owned-%d", rng.IntN(soakConcurrency))
					err = soakRead(callCtx, ts, viaHTTP, "/v1/questions/"+id+"/versions", func(ctx context.Context) error {
						_, err := ts.API.ListQuestionVersions(ctx, &pb.ListQuestionVersionsRequest{Id: id})
						return err
					})
				case "update":
					writes++
					id := fmt.Sprintf("soak-owned-%d", w)
					text := fmt.Sprintf("Soak client %d's question, version %d.", w, versions[w]+1)
					var etag string
					var code int
					etag, code, err = writeQuestion(callCtx, ts.API, ts.Client, ts.Base, viaHTTP, id, etags[w], versions[w]+1, text)
					if err == nil {
						etags[w], versions[w] = etag, versions[w]+1
					} else {
						err = fmt.Errorf("%w (HTTP %d)", err, code)
					}
				case "create":
					writes++
					created++
					id := fmt.Sprintf("soak-new-%d-%05d", w, created)
					_, _, err = writeQuestion(callCtx, ts.API, ts.Client, ts.Base, viaHTTP, id, "", 1, "A question the soak created: "+id)
				}
				elapsed := time.Since(t0)
				cancelCall()
				if err != nil && ctx.Err() == nil {
					errs = append(errs, fmt.Sprintf("%s (via HTTP %v): %v", o.name, viaHTTP, err))
				}
				lat = append(lat, elapsed)
			}
			mu.Lock()
			defer mu.Unlock()
			out.latencies = append(out.latencies, lat...)
			out.errors = append(out.errors, errs...)
			out.writes += writes
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(began)

	// Every client's updates all landed: its question is at the version it
	// counted, and the history has exactly that many versions.
	for w := range soakConcurrency {
		id := fmt.Sprintf("soak-owned-%d", w)
		hist, err := allVersions(testserver.GRPCContext(t, readerToken), ts.API, id)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(hist); n != versions[w] || int(hist[0].GetVersion()) != versions[w] {
			t.Errorf("%s has %d versions (head %d); its client had %d acknowledged", id, n, hist[0].GetVersion(), versions[w])
		}
	}
	return out
}

func pick(rng *rand.Rand) op {
	n := rng.IntN(100)
	for _, o := range soakMix {
		if n < o.weight {
			return o
		}
		n -= o.weight
	}
	return soakMix[0]
}

// soakRead makes a read as a reader, over HTTP (path) or gRPC (call).
func soakRead(ctx context.Context, ts *testserver.Server, viaHTTP bool, path string, call func(context.Context) error) error {
	if viaHTTP {
		return expect200(testserver.Do(ctx, ts.Client, "GET", ts.Base+path, readerToken, nil))
	}
	return call(testserver.AuthContext(ctx, readerToken))
}

func expect200(r testserver.Reply, err error) error {
	if err != nil {
		return err
	}
	if r.Code != http.StatusOK {
		return fmt.Errorf("HTTP %d %s", r.Code, truncate(string(r.Raw), 200))
	}
	return nil
}
