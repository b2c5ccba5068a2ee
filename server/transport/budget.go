// Package transport holds qbank's connection-level policies: listeners that
// cap connections and bound what an unauthenticated gRPC connection may
// send, and the adapters that route the libraries' own logs into slog.
package transport

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Trust is how far a gRPC connection has been trusted: it only rises, when
// the tap handle admits a call with a token.
type Trust int32

// The trust levels. An anonymous connection has carried no authenticated
// call; a reader connection has carried a reader's; an admin connection an
// admin's.
const (
	TrustAnonymous Trust = iota
	TrustReader
	TrustAdmin
)

// Budget is what a connection may read at one trust level: a token bucket
// of bytes. A connection that reads past it is closed.
type Budget struct {
	Burst     int     // bytes
	PerSecond float64 // bytes
}

// Why a byte budget: gRPC's receive limit is one number for the whole
// server and is checked against the length a message announces, before the
// message is read. Imports need a large one (a whole bank), so the server's
// limit is large; the tap handle refuses every call without a valid token
// (and a reader's import) before its payload is read, which leaves the
// open methods (health, reflection) and a reader's own methods able to
// announce a large message. The budget bounds those: an anonymous
// connection may send a little (health probes and reflection need less
// than a kilobyte a call) and a reader's a few MiB ahead of a steady rate,
// so a large message on either closes the connection after at most its
// burst has been read, whatever the message announced. Admin connections
// are unbounded (up to the message limit).
var (
	DefaultAnonymousBudget = Budget{Burst: 1 << 20, PerSecond: 64 << 10}
	DefaultReaderBudget    = Budget{Burst: 8 << 20, PerSecond: 8 << 20}
)

// ErrBudget is the read error of a connection that sent more than its
// budget; the gRPC transport closes the connection on it.
var ErrBudget = errors.New("connection closed: it sent more than its trust level allows")

// BudgetListener gives each accepted connection a byte budget by trust
// level; Raise lifts a connection's level (the tap handle calls it with the
// peer address of an admitted call).
type BudgetListener struct {
	net.Listener
	anonymous, reader Budget
	conns             sync.Map // remote address → *budgetConn
}

// NewBudgetListener wraps l.
func NewBudgetListener(l net.Listener, anonymous, reader Budget) *BudgetListener {
	return &BudgetListener{Listener: l, anonymous: anonymous, reader: reader}
}

// Accept returns the next connection, with the anonymous budget.
func (l *BudgetListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	bc := &budgetConn{Conn: c, owner: l, key: c.RemoteAddr().String()}
	bc.lim.Store(newLimiter(l.anonymous))
	l.conns.Store(bc.key, bc)
	return bc, nil
}

// Raise lifts the trust of the connection from peer to at least t.
func (l *BudgetListener) Raise(peer net.Addr, t Trust) {
	if peer == nil {
		return
	}
	v, ok := l.conns.Load(peer.String())
	if !ok {
		return
	}
	c := v.(*budgetConn)
	for {
		cur := c.trust.Load()
		if cur >= int32(t) {
			return
		}
		if c.trust.CompareAndSwap(cur, int32(t)) {
			break
		}
	}
	switch t {
	case TrustReader:
		c.lim.Store(newLimiter(l.reader))
	case TrustAdmin:
		c.lim.Store(nil)
	}
}

func newLimiter(b Budget) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(b.PerSecond), b.Burst)
}

type budgetConn struct {
	net.Conn
	owner *BudgetListener
	key   string
	trust atomic.Int32
	lim   atomic.Pointer[rate.Limiter] // nil: unbounded
	once  sync.Once
}

func (c *budgetConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if lim := c.lim.Load(); lim != nil && n > 0 {
		// n is at most one read buffer, far below any burst.
		if !lim.AllowN(time.Now(), n) {
			c.Close()
			return 0, ErrBudget
		}
	}
	return n, err
}

func (c *budgetConn) Close() error {
	c.once.Do(func() { c.owner.conns.Delete(c.key) })
	return c.Conn.Close()
}

// Loopback reports whether a listener's address is loopback only.
func Loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
