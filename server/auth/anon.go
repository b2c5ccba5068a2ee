package auth

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// AnonLimiter is a token bucket per client address for calls that carry no
// valid token: the open routes (health, readiness, metrics, reflection),
// unknown paths and failed authentications. Authenticated calls are limited
// per token instead (RateLimiter). IPv6 clients are bucketed by their /64,
// which one host usually holds whole.
//
// The map is bounded: when it is full, buckets idle long enough to have
// refilled are dropped (forgetting them changes nothing), and if none is,
// one arbitrary bucket is, so a flood from many addresses costs at most
// maxEntries buckets and resets some of them, never memory without bound.
type AnonLimiter struct {
	perSecond rate.Limit
	burst     int
	max       int
	refill    time.Duration // time for an empty bucket to fill up again

	mu      sync.Mutex
	buckets map[netip.Prefix]*anonBucket
}

type anonBucket struct {
	lim  *rate.Limiter
	last time.Time
}

// DefaultAnonEntries bounds the addresses an AnonLimiter remembers.
const DefaultAnonEntries = 10000

// NewAnonLimiter allows perSecond anonymous calls per address with bursts of
// burst, remembering at most maxEntries addresses.
func NewAnonLimiter(perSecond float64, burst, maxEntries int) *AnonLimiter {
	return &AnonLimiter{
		perSecond: rate.Limit(perSecond), burst: burst, max: max(1, maxEntries),
		refill:  time.Duration(float64(burst) / perSecond * float64(time.Second)),
		buckets: map[netip.Prefix]*anonBucket{},
	}
}

// Allow reports whether the client at addr (host:port or a bare IP) may make
// an anonymous call now, and if not, how long until it may.
func (l *AnonLimiter) Allow(addr string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	key := clientKey(addr)
	now := time.Now()
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &anonBucket{lim: rate.NewLimiter(l.perSecond, l.burst)}
		l.buckets[key] = b
	}
	b.last = now
	l.mu.Unlock()
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Len is the number of addresses remembered.
func (l *AnonLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// evict makes room for one bucket; l.mu is held.
func (l *AnonLimiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.refill {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.max {
			return
		}
		delete(l.buckets, k) // map order is arbitrary: a random victim
	}
}

// clientKey is the bucket of a remote address: the IP for IPv4, the /64 for
// IPv6; anything unparsable shares one bucket.
func clientKey(addr string) netip.Prefix {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}

// sampler lets a few log lines a second through and counts the rest, so a
// flood of bad tokens cannot flood the log (nor fill the disk); the next
// line let through says how many were suppressed.
type sampler struct {
	perSecond int64        // 0: defaultLogsPerSecond
	window    atomic.Int64 // unix second of the current window
	seen      atomic.Int64 // lines in the current window
	dropped   atomic.Int64 // lines suppressed since the last one let through
}

// defaultLogsPerSecond is enough to see what is failing, and few enough
// that a flood costs nothing.
const defaultLogsPerSecond = 10

// allow reports whether to log now, and how many lines were suppressed since
// the last one logged.
func (s *sampler) allow() (bool, int64) {
	now := time.Now().Unix()
	if w := s.window.Load(); w != now && s.window.CompareAndSwap(w, now) {
		s.seen.Store(0)
	}
	limit := s.perSecond
	if limit <= 0 {
		limit = defaultLogsPerSecond
	}
	if s.seen.Add(1) > limit {
		s.dropped.Add(1)
		return false, 0
	}
	return true, s.dropped.Swap(0)
}
