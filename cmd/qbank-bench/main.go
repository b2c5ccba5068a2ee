// Command qbank-bench measures qbank against floors taken in the same run
// on the same machine (see README, "Performance"): real servers on loopback
// for each store and bank size, reads at each concurrency, and with --scale
// start-up, memory and write throughput; then what PDFs cost to render and
// what 32 clients downloading them do to GetQuestion's latency.
//
// It is a command of its own, not a subcommand of qbank, so that the
// production binary does not carry the benchmark harness, the bank
// generator or the PostgreSQL test helpers.
//
//	go run ./cmd/qbank-bench --markdown bench.md --scale
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/layersrank/qbank/bench"
	"github.com/layersrank/qbank/repository/postgres/pgtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "qbank-bench:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qbank-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stores := fs.String("stores", "sqlite,postgres", "stores to measure")
	sizes := fs.String("sizes", "50,5000,50000", "bank sizes (questions, seed included)")
	conc := fs.String("concurrency", "1,16", "client concurrencies")
	duration := fs.Duration("duration", 2*time.Second, "how long each measurement runs")
	pgURL := fs.String("postgres-url", pgtest.AdminURL(), "PostgreSQL where benchmark databases are created and dropped")
	markdown := fs.String("markdown", "", "also write the tables as Markdown to this file")
	scale := fs.Bool("scale", false, "also measure start-up and memory at 50,000 and 100,000 questions, and write throughput")
	only := fs.String("only", "", "measure only operations whose name contains this (floors always run)")
	pdfs := fs.Bool("pdf", true, "also measure PDF render times (whole bank, assessment kit, 5,000 questions) and GetQuestion latency while 32 clients download PDFs")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and clients) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cfg := bench.Config{
		Only:        *only,
		Stores:      strings.Split(*stores, ","),
		Duration:    *duration,
		PostgresURL: *pgURL,
		Progress:    stderr,
	}
	var err error
	if cfg.Sizes, err = ints(*sizes); err != nil {
		return fmt.Errorf("--sizes: %w", err)
	}
	if cfg.Concurrency, err = ints(*conc); err != nil {
		return fmt.Errorf("--concurrency: %w", err)
	}
	results, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	var md bytes.Buffer
	fmt.Fprintf(&md, "Measured by `qbank-bench %s` on %s.\n\n", strings.Join(args, " "), time.Now().UTC().Format("2006-01-02"))
	bench.Markdown(&md, results)
	bench.AssemblyMarkdown(&md, results)
	if *scale {
		var scales []bench.Scale
		var writes []bench.Writes
		for _, store := range cfg.Stores {
			for _, n := range []int{50000, 100000} {
				fmt.Fprintf(stderr, "scale: %s with %d questions\n", store, n)
				s, err := bench.MeasureScale(ctx, store, n, *pgURL)
				if err != nil {
					return err
				}
				scales = append(scales, s)
			}
			fmt.Fprintf(stderr, "writes: %s\n", store)
			w, err := bench.MeasureWrites(ctx, store, *pgURL, 4, *duration)
			if err != nil {
				return err
			}
			writes = append(writes, w)
		}
		md.WriteString("\n")
		bench.ScaleMarkdown(&md, scales, writes)
	}
	if *pdfs {
		fmt.Fprintln(stderr, "pdf: render times")
		r, err := bench.MeasureRenders(10)
		if err != nil {
			return fmt.Errorf("pdf renders: %w", err)
		}
		fmt.Fprintln(stderr, "pdf: GetQuestion while 32 clients download PDFs")
		loads, err := bench.MeasurePDFLoad(ctx, 1, *duration, *pgURL)
		if err != nil {
			return fmt.Errorf("pdf load: %w", err)
		}
		md.WriteString("\n")
		bench.PDFMarkdown(&md, r, loads)
	}
	_, _ = stdout.Write(md.Bytes())
	if *markdown != "" {
		if err := os.WriteFile(*markdown, md.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
