package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter gives each principal (token) its own token bucket, so one
// runaway or leaked client cannot starve the others.
type RateLimiter struct {
	perSecond rate.Limit
	burst     int
	buckets   sync.Map // principal name → *rate.Limiter
}

// NewRateLimiter allows perSecond calls per token with bursts of burst.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	return &RateLimiter{perSecond: rate.Limit(perSecond), burst: burst}
}

// Allow reports whether principal may make a call now, and if not, how long
// until it may.
func (l *RateLimiter) Allow(principal string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	v, ok := l.buckets.Load(principal)
	if !ok {
		v, _ = l.buckets.LoadOrStore(principal, rate.NewLimiter(l.perSecond, l.burst))
	}
	r := v.(*rate.Limiter).Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel() // a refused call spends nothing
		return false, d
	}
	return true, 0
}
