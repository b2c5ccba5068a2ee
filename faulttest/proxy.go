// Package faulttest proves qbank's guarantees when things go wrong: bad and
// hostile input, many clients racing on one resource, the process killed with
// SIGKILL in the middle of a burst of writes, the database becoming
// unreachable under load, a long mixed load, and callers without the right
// token. Everything runs on loopback against real servers (in-process through
// server.New, or the built binary as a subprocess) on both stores.
//
// The package itself exports only Proxy, the TCP proxy the outage test puts
// between the server and PostgreSQL; the tests are in the _test files.
package faulttest

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Proxy forwards TCP connections from a loopback port to a target address and
// can be cut and restored, to simulate the network path to a database failing
// and coming back.
//
// Why a proxy instead of stopping the database: the machine's PostgreSQL is
// shared by every test package that runs at the same time (go test runs
// packages in parallel), so stopping it would break unrelated tests, and it
// would need privileges the tests should not have. From the server's point of
// view a cut proxy is indistinguishable from the database host going away:
// established connections are reset (as when the host crashes and comes back,
// or a firewall rejects them) and new ones are refused. Stall simulates the
// other kind of outage, a partition, where nothing answers at all.
type Proxy struct {
	target string
	addr   string // fixed by the first listen, reused by Restore

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]struct{}
	up      bool
	stalled bool
	resume  *sync.Cond // broadcast when a stall ends (or the proxy is cut)
	wg      sync.WaitGroup
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.resume = sync.NewCond(&p.mu)
	p.serve(ln)
	return p, nil
}

// Addr is the proxy's address (host:port); it stays the same across Cut and
// Restore, so a database URL pointing at it keeps working once restored.
func (p *Proxy) Addr() string { return p.addr }

// Up reports whether the proxy is forwarding.
func (p *Proxy) Up() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.up
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln, p.up = ln, true
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener was closed by Cut or Close
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(c)
			}()
		}
	}()
}

// track registers a connection unless the proxy was cut meanwhile, in which
// case the connection is closed at once (a cut must leave nothing open).
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.up {
		for _, c := range cs {
			abort(c)
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
}

func (p *Proxy) forward(client net.Conn) {
	if !p.track(client) {
		return
	}
	server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		p.untrack(client)
		return
	}
	if !p.track(server) {
		p.untrack(client)
		return
	}
	var once sync.Once
	done := func() { once.Do(func() { p.untrack(client, server) }) }
	pipe := func(dst, src net.Conn) {
		defer done()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				// During a stall the bytes are held, as a partitioned
				// network holds (retransmits) segments until it heals.
				if !p.waitStall() {
					return
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		pipe(server, client)
	}()
	pipe(client, server)
}

// waitStall blocks while the proxy is stalled; it reports false when the
// proxy was cut meanwhile.
func (p *Proxy) waitStall() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.stalled && p.up {
		p.resume.Wait()
	}
	return p.up
}

// Stall simulates a network partition: connections stay open and new ones
// are accepted, but no byte gets through in either direction until Unstall.
// Unlike Cut, nothing tells the peers that anything is wrong; only their own
// timeouts can.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = true
}

// Unstall ends a stall: held bytes are delivered and forwarding resumes.
func (p *Proxy) Unstall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = false
	p.resume.Broadcast()
}

// abort closes a connection with a reset rather than an orderly FIN, as a
// crashed host or a dropped network path would look to the peer.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// Cut stops forwarding: it closes the listener (new connections are refused)
// and resets every proxied connection, on both sides.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.up {
		return
	}
	p.up = false
	p.resume.Broadcast()
	p.ln.Close()
	for c := range p.conns {
		abort(c)
		delete(p.conns, c)
	}
}

// Restore listens again on the same address and resumes forwarding.
func (p *Proxy) Restore() error {
	if p.Up() {
		return nil
	}
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ln, err = net.Listen("tcp", p.addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("proxy re-listen on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

// Close cuts the proxy for good and waits for its goroutines to end.
func (p *Proxy) Close() error {
	p.Cut()
	p.wg.Wait()
	return nil
}
