package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/layersrank/qbank"
	"github.com/layersrank/qbank/assembly"
	"github.com/layersrank/qbank/bankpdf"
	"github.com/layersrank/qbank/internal/bankgen"
	"github.com/layersrank/qbank/internal/heappeak"
	pb "github.com/layersrank/qbank/proto/layersrank/questionbank/v1"
	"github.com/layersrank/qbank/seed"
	"github.com/layersrank/qbank/server/auth"
)

// Renders is what the documents cost to render in process, against the
// targets of issue 15: the whole seeded bank under 300 ms, an assessment
// kit under 50 ms; a 5,000-question bank renders, with its time and memory.
type Renders struct {
	WholeBank, Kit, Bank5000          time.Duration // median wall time of a render
	WholeBankCPU, KitCPU, Bank5000CPU time.Duration // CPU time per render (all threads)
	WholeBankQuestions, KitItems      int
	Bank5000Questions                 int
	WholeBankKiB, KitKiB, Bank5000KiB float64
	// Bank5000PeakHeapMB is the most heap the 5,000-question render held
	// above what was live before it.
	Bank5000PeakHeapMB float64
}

// MeasureRenders renders each document runs times (the 5,000-question bank
// three times) and reports the median.
func MeasureRenders(runs int) (Renders, error) {
	s, err := seed.Load()
	if err != nil {
		return Renders{}, err
	}
	var active []qbank.Question
	for _, q := range s.Questions {
		if q.State == "" || q.State == qbank.StateActive {
			q.Version, q.State = 1, qbank.StateActive
			active = append(active, q)
		}
	}
	tax := &s.Taxonomy
	var r Renders
	bank := func(qs []qbank.Question) func(io.Writer) error {
		return func(w io.Writer) error {
			return bankpdf.RenderBank(w, bankpdf.Bank{Revision: 1, Taxonomy: tax, Questions: qs})
		}
	}
	if r.WholeBank, r.WholeBankCPU, r.WholeBankKiB, err = timeRender(runs, bank(active)); err != nil {
		return r, fmt.Errorf("whole bank: %w", err)
	}
	r.WholeBankQuestions = len(active)

	// The kit of an assessment the engine assembles for a backend engineer
	// on Go, as the platform would ask for it.
	a, err := assembly.Assemble(assembly.Bank{Taxonomy: tax, Questions: active, Revision: 1},
		assembly.Request{Role: "backend-engineer", Stacks: []string{"go"}, Seed: 7})
	if err != nil {
		return r, fmt.Errorf("assemble: %w", err)
	}
	k := bankpdf.Kit{Role: "backend-engineer", Stacks: []string{"go"}, Taxonomy: tax}
	for _, it := range a.Items {
		k.Items = append(k.Items, active[slices.IndexFunc(active, func(q qbank.Question) bool { return q.ID == it.QuestionID })])
	}
	if r.Kit, r.KitCPU, r.KitKiB, err = timeRender(runs*5, func(w io.Writer) error { return bankpdf.RenderKit(w, k) }); err != nil {
		return r, fmt.Errorf("kit: %w", err)
	}
	r.KitItems = len(k.Items)

	big := append(slices.Clone(active), bankgen.Questions(tax, 5000, 1)...)
	for i := range big {
		big[i].Version, big[i].State = 1, qbank.StateActive
	}
	r.Bank5000Questions = len(big)
	peak := heappeak.Start(10 * time.Millisecond)
	r.Bank5000, r.Bank5000CPU, r.Bank5000KiB, err = timeRender(3, bank(big))
	rise := peak()
	if err != nil {
		return r, fmt.Errorf("5,000 questions: %w", err)
	}
	r.Bank5000PeakHeapMB = float64(rise) / (1 << 20)
	return r, nil
}

// timeRender renders n times and returns the median wall time, the mean
// CPU time and the size of the document.
func timeRender(n int, render func(io.Writer) error) (wall, cpu time.Duration, kib float64, err error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil { // warm: fonts parsed, glyph widths known
		return 0, 0, 0, err
	}
	times := make([]time.Duration, n)
	c0 := processCPU()
	for i := range n {
		buf.Reset()
		t := time.Now()
		if err := render(&buf); err != nil {
			return 0, 0, 0, err
		}
		times[i] = time.Since(t)
	}
	cpu = (processCPU() - c0) / time.Duration(n)
	slices.Sort(times)
	return times[n/2], cpu, float64(buf.Len()) / 1024, nil
}

// PDFLoad is GetQuestion's latency with no PDF traffic (before) and while
// PDFClients clients, each with its own reader token, download PDFs
// (after): what a burst of downloads does to the platform's reads.
type PDFLoad struct {
	Scenario      string
	Before, After Result
	PDFsPerSec    float64 // documents served during the loaded phase
	RefusedPerSec float64 // 429s (a token's allowance, or the render queue full)
}

// PDFClients is how many clients download PDFs at once.
const PDFClients = 32

// MeasurePDFLoad runs a server on a seeded SQLite store and measures
// GetQuestion (from conc clients) before and while PDFClients clients
// download: the bank and role kits (cached per bank revision after their
// first render), then interview kits that differ on every request (each a
// render).
func MeasurePDFLoad(ctx context.Context, conc int, d time.Duration, pgURL string) ([]PDFLoad, error) {
	prep, err := Prepare(ctx, "sqlite", 50, pgURL)
	if err != nil {
		return nil, err
	}
	defer prep.Drop()
	// One token per downloading client, as 32 hiring managers would have:
	// one shared token would meet its own PDF allowance and measure that.
	tokens := make([]string, PDFClients)
	var tf auth.TokensFile
	for i := range tokens {
		tokens[i] = fmt.Sprintf("bench-pdf-reader-%02d-0123456789", i)
		tf.Tokens = append(tf.Tokens, struct {
			Name   string    `json:"name"`
			Role   auth.Role `json:"role"`
			SHA256 string    `json:"sha256"`
		}{fmt.Sprintf("pdf-reader-%02d", i), auth.RoleReader, auth.HashToken(tokens[i])})
	}
	raw, err := json.Marshal(tf)
	if err != nil {
		return nil, err
	}
	cfg := prep.Config
	cfg.TokensFile = filepath.Join(cfg.DataDir, "bench-tokens.json")
	if err := os.WriteFile(cfg.TokensFile, raw, 0o600); err != nil {
		return nil, err
	}
	srv, conn, stop, err := Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer stop()
	client := pb.NewQuestionBankServiceClient(conn)
	rctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+readerToken)
	ids := prep.IDs
	getQuestion := func(ctx context.Context, _ int, rng *mrand.Rand) error {
		_, err := client.GetQuestion(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+readerToken), &pb.GetQuestionRequest{Id: ids[rng.IntN(len(ids))]})
		return err
	}
	// Every backend question's current version, for kits that differ on
	// every request.
	var refs []string
	for page := ""; ; {
		resp, err := client.ListQuestions(rctx, &pb.ListQuestionsRequest{Role: "backend-engineer", PageSize: 100, PageToken: page})
		if err != nil {
			return nil, err
		}
		for _, q := range resp.GetQuestions() {
			refs = append(refs, fmt.Sprintf("%s@%d", q.GetId(), q.GetVersion()))
		}
		if page = resp.GetNextPageToken(); page == "" {
			break
		}
	}
	if len(refs) < 4 {
		return nil, fmt.Errorf("only %d backend questions", len(refs))
	}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: time.Minute}
	base := "http://" + srv.HTTPAddr()
	download := func(ctx context.Context, path, token string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := httpClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	roles := []string{"", "?role=backend-engineer", "?role=full-stack-developer", "?role=devops-engineer", "?role=data-engineer", "?collection=layersrank-50"}
	scenarios := []struct {
		name string
		path func(client, i int) string
	}{
		{"the bank, the published 50 and role kits (cached per revision)", func(c, i int) string {
			return "/v1/question-bank.pdf" + roles[(c+i)%len(roles)]
		}},
		{"interview kits, a different one each request (rendered each time)", func(c, i int) string {
			n := len(refs)
			k := c*7919 + i*PDFClients
			x := k % n
			y := (x + 1 + (k/n)%(n-2)) % n
			z := (y + 1) % n
			if z == x {
				z = (z + 1) % n
			}
			return fmt.Sprintf("/v1/interview-kit.pdf?role=backend-engineer&refs=%s&refs=%s&refs=%s", refs[x], refs[y], refs[z])
		}},
	}
	// A server that has been up a while has rendered the bank documents of
	// its revision once each.
	for i := range roles {
		if code, err := download(ctx, scenarios[0].path(0, i), readerToken); err != nil || code != http.StatusOK {
			return nil, fmt.Errorf("warm up %s: %d %v", scenarios[0].path(0, i), code, err)
		}
	}
	var out []PDFLoad
	for _, sc := range scenarios {
		measure(ctx, conc, d/10, getQuestion) // warm connections
		runtime.GC()
		before := measure(ctx, conc, d, getQuestion)
		lctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		var served, refused, failed atomic.Int64
		var counting atomic.Bool
		for c := range PDFClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; lctx.Err() == nil; i++ {
					code, err := download(lctx, sc.path(c, i), tokens[c])
					switch {
					case lctx.Err() != nil:
						return
					case code == http.StatusTooManyRequests:
						if counting.Load() {
							refused.Add(1)
						}
						time.Sleep(100 * time.Millisecond) // as told by Retry-After, roughly
					case err != nil || code != http.StatusOK:
						failed.Add(1)
					case counting.Load():
						served.Add(1)
					}
				}
			}()
		}
		time.Sleep(300 * time.Millisecond) // every client has a download in flight
		counting.Store(true)
		t0 := time.Now()
		after := measure(ctx, conc, d, getQuestion)
		elapsed := time.Since(t0)
		counting.Store(false)
		cancel()
		wg.Wait()
		if n := failed.Load(); n > 0 {
			return out, fmt.Errorf("%s: %d downloads failed", sc.name, n)
		}
		before.Store, before.Questions, before.Op = "sqlite", len(ids), "GetQuestion"
		after.Store, after.Questions, after.Op = "sqlite", len(ids), "GetQuestion"
		out = append(out, PDFLoad{Scenario: sc.name, Before: before, After: after,
			PDFsPerSec: float64(served.Load()) / elapsed.Seconds(), RefusedPerSec: float64(refused.Load()) / elapsed.Seconds()})
	}
	return out, nil
}

// PDFMarkdown writes the render times and the reads under PDF load.
func PDFMarkdown(w io.Writer, r Renders, loads []PDFLoad) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	fmt.Fprintln(w, "| document | questions | render (median) | CPU per render | size | target |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | --- |")
	fmt.Fprintf(w, "| the whole seeded bank | %d | %s | %s | %.0f KiB | < 300 ms |\n", r.WholeBankQuestions, ms(r.WholeBank), ms(r.WholeBankCPU), r.WholeBankKiB)
	fmt.Fprintf(w, "| an assessment kit with scorecard | %d | %s | %s | %.0f KiB | < 50 ms |\n", r.KitItems, ms(r.Kit), ms(r.KitCPU), r.KitKiB)
	fmt.Fprintf(w, "| a bank of 5,000 more questions | %d | %s | %s | %.0f KiB | reported; peak heap %.0f MB |\n",
		r.Bank5000Questions, ms(r.Bank5000), ms(r.Bank5000CPU), r.Bank5000KiB, r.Bank5000PeakHeapMB)
	if len(loads) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| GetQuestion while %d clients download | conc. | p50 before | p99 before | p50 after | p99 after | PDFs/s | refused/s |\n", PDFClients)
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, l := range loads {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %.0f | %.0f |\n", l.Scenario, l.Before.Concurrency,
			micro(l.Before.P50), micro(l.Before.P99), micro(l.After.P50), micro(l.After.P99), l.PDFsPerSec, l.RefusedPerSec)
	}
}

// processCPU is the CPU time the process has used, every thread: on a
// machine shared with other work it is what a render costs, where wall
// time includes waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
