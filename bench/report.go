package bench

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Markdown writes results as a table: QPS, p50 and p99, and for each
// operation its throughput and p50 as ratios of its floor's.
func Markdown(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "| store | questions | operation | conc. | QPS | p50 | p99 | QPS ÷ floor | p50 ÷ floor | errors |")
	fmt.Fprintln(w, "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rs {
		ratio, p50 := "—", "—"
		if r.Floor != "" {
			ratio, p50 = fmt.Sprintf("%.2f", r.QPSRatio), fmt.Sprintf("%.2f", r.P50Ratio)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %d | %.0f | %s | %s | %s | %s | %d |\n",
			r.Store, r.Questions, r.Op, r.Concurrency, r.QPS, micro(r.P50), micro(r.P99), ratio, p50, r.Errors)
	}
}

func micro(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

// Operation names the assembly summary compares.
const (
	opAssembleSeed  = "AssembleAssessment (new seed each call)"
	opAssembleShape = "AssembleAssessment (new shape: first call)"
	opHealthFloor   = "floor: gRPC health check"
)

// Targets of issue #14 for assembly, checked by AssemblyMarkdown.
const (
	// TargetAssembleRatio: a call of a cached shape with a new seed runs at
	// least this fraction of the same server's health-check throughput at
	// concurrency 16.
	TargetAssembleRatio = 0.3
	// TargetAssembleGrowth: a call at the largest bank costs at most this
	// many times a call at the smallest.
	TargetAssembleGrowth = 2.0
)

// AssemblyMarkdown summarises the assembly rows against their targets:
// per store and size, a repeated shape's throughput as a ratio of the
// health check's at concurrency 16; its per-call cost (p50 at concurrency
// 1, and throughput at 16) at each size against the smallest size; and
// the first call of a new shape. It writes nothing when the run measured
// no assembly.
func AssemblyMarkdown(w io.Writer, rs []Result) {
	type key struct {
		store, op string
		q, conc   int
	}
	by := map[key]Result{}
	smallest := map[string]int{}
	var stores []string
	var sizes []int
	for _, r := range rs {
		by[key{r.Store, r.Op, r.Questions, r.Concurrency}] = r
		if r.Op != opAssembleSeed {
			continue
		}
		if _, ok := smallest[r.Store]; !ok {
			stores = append(stores, r.Store)
			smallest[r.Store] = r.Questions
		}
		smallest[r.Store] = min(smallest[r.Store], r.Questions)
		if !slices.Contains(sizes, r.Questions) {
			sizes = append(sizes, r.Questions)
		}
	}
	if len(stores) == 0 {
		return
	}
	slices.Sort(sizes)
	fmt.Fprintf(w, "\nAssembly against its targets: a repeated shape with a new seed each call at ≥ %.1f× the health check's throughput at concurrency 16, and a call at every size within %.0f× of one at the smallest; the first call of a new shape computes its distribution.\n\n", TargetAssembleRatio, TargetAssembleGrowth)
	fmt.Fprintln(w, "| store | questions | new seed: QPS ÷ health, c=16 | new seed: p50, c=1 | p50 ÷ smallest bank's | QPS ÷ smallest bank's, c=16 | new shape: first call p50 | targets |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, store := range stores {
		base1 := by[key{store, opAssembleSeed, smallest[store], 1}]
		base16 := by[key{store, opAssembleSeed, smallest[store], 16}]
		for _, q := range sizes {
			s1, ok1 := by[key{store, opAssembleSeed, q, 1}]
			s16, ok16 := by[key{store, opAssembleSeed, q, 16}]
			if !ok1 && !ok16 {
				continue
			}
			met := true
			ratio, p50, growth, qpsGrowth, first := "—", "—", "—", "—", "—"
			if ok16 {
				if h := by[key{store, opHealthFloor, q, 16}]; h.QPS > 0 {
					x := s16.QPS / h.QPS
					ratio = fmt.Sprintf("%.2f", x)
					met = met && x >= TargetAssembleRatio
				}
				if base16.QPS > 0 {
					x := base16.QPS / s16.QPS
					qpsGrowth = fmt.Sprintf("%.2f", x)
					met = met && x <= TargetAssembleGrowth
				}
			}
			if ok1 {
				p50 = micro(s1.P50)
				if base1.P50 > 0 {
					x := float64(s1.P50) / float64(base1.P50)
					growth = fmt.Sprintf("%.2f", x)
					met = met && x <= TargetAssembleGrowth
				}
			}
			if f, ok := by[key{store, opAssembleShape, q, 1}]; ok {
				first = micro(f.P50)
			}
			verdict := "met"
			if !met {
				verdict = "**missed**"
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", store, q, ratio, p50, growth, qpsGrowth, first, verdict)
		}
	}
}
