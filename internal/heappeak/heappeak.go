// Package heappeak measures how far the Go heap rises while something runs:
// the peak of heap in use above where it stood when measuring began, sampled
// every few milliseconds. Benchmarks report it for large renders; fault
// tests use it to show that a refused request was not read into memory.
package heappeak

import (
	"runtime"
	"time"
)

// Start collects garbage, notes the heap in use, and samples it every
// interval until the returned stop is called; stop returns the highest
// rise seen, in bytes (0 when the heap never rose above its start).
func Start(interval time.Duration) (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, uint64(0)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base {
				peak = max(peak, ms.HeapInuse-base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished // peak is written by the sampler only; this orders the read after it
		return peak
	}
}
