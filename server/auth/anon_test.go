package auth

import (
	"fmt"
	"testing"
)

// The anonymous limiter keeps a bucket per address (IPv6 per /64), refuses
// past the burst, and never remembers more addresses than its bound.
func TestAnonLimiterBucketsAndBound(t *testing.T) {
	l := NewAnonLimiter(1, 2, 4)
	for i := range 2 {
		if ok, _ := l.Allow("192.0.2.1:1000"); !ok {
			t.Fatalf("call %d within the burst refused", i+1)
		}
	}
	if ok, wait := l.Allow("192.0.2.1:2000"); ok || wait <= 0 {
		t.Fatalf("third call from the same IP (another port) = %v, %v; want refused with a wait", ok, wait)
	}
	if ok, _ := l.Allow("192.0.2.2:1000"); !ok {
		t.Fatalf("another address was refused")
	}
	l.Allow("[2001:db8::1]:1")
	l.Allow("[2001:db8::2]:1")
	if ok, _ := l.Allow("[2001:db8::3]:1"); ok {
		t.Fatalf("a third call from one IPv6 /64 was allowed (burst 2)")
	}
	for i := range 100 {
		l.Allow(fmt.Sprintf("198.51.100.%d:1", i))
	}
	if n := l.Len(); n > 4 {
		t.Fatalf("limiter remembers %d addresses, bound is 4", n)
	}
}

// The log sampler lets its allowance through and counts the rest.
func TestSamplerSuppresses(t *testing.T) {
	var s sampler
	logged := 0
	for range 1000 {
		if ok, _ := s.allow(); ok {
			logged++
		}
	}
	if logged < 1 || logged > 3*defaultLogsPerSecond {
		t.Fatalf("%d of 1,000 lines logged, want about %d a second", logged, defaultLogsPerSecond)
	}
}
