package bench

import (
	"strings"
	"testing"
	"time"
)

// TestAssemblyMarkdown: the summary compares a repeated shape with the
// health check at concurrency 16 and with the smallest bank, and says
// which rows miss a target.
func TestAssemblyMarkdown(t *testing.T) {
	rs := []Result{
		{Store: "sqlite", Questions: 50, Op: opHealthFloor, Concurrency: 16, QPS: 10000},
		{Store: "sqlite", Questions: 50, Op: opAssembleSeed, Concurrency: 1, QPS: 1000, P50: 100 * time.Microsecond},
		{Store: "sqlite", Questions: 50, Op: opAssembleSeed, Concurrency: 16, QPS: 5000},
		{Store: "sqlite", Questions: 50, Op: opAssembleShape, Concurrency: 1, P50: 3 * time.Millisecond},
		{Store: "sqlite", Questions: 50000, Op: opHealthFloor, Concurrency: 16, QPS: 10000},
		{Store: "sqlite", Questions: 50000, Op: opAssembleSeed, Concurrency: 1, QPS: 300, P50: 300 * time.Microsecond},
		{Store: "sqlite", Questions: 50000, Op: opAssembleSeed, Concurrency: 16, QPS: 2000},
	}
	var b strings.Builder
	AssemblyMarkdown(&b, rs)
	out := b.String()
	for _, want := range []string{
		"| sqlite | 50 | 0.50 | 100 µs | 1.00 | 1.00 | 3000 µs | met |",
		"| sqlite | 50000 | 0.20 | 300 µs | 3.00 | 2.50 | — | **missed** |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	AssemblyMarkdown(&b, rs[:1])
	if b.Len() != 0 {
		t.Errorf("a run without assembly rows wrote %q", b.String())
	}
}
