package bench

import (
	"fmt"
	"io"
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
