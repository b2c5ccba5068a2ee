package faulttest_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/layersrank/qbank/faulttest"
)

// TestProxy checks the outage simulator itself: it forwards, a cut resets
// open connections and refuses new ones, a restore serves again on the same
// address, and a stall holds bytes until it ends.
func TestProxy(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	p, err := faulttest.NewProxy(echo.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	dial := func() (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
		if err != nil {
			t.Fatalf("dial through the proxy: %v", err)
		}
		return c, bufio.NewReader(c)
	}
	roundTrip := func(c net.Conn, r *bufio.Reader, within time.Duration) error {
		_ = c.SetDeadline(time.Now().Add(within))
		if _, err := c.Write([]byte("ping\n")); err != nil {
			return err
		}
		_, err := r.ReadString('\n')
		return err
	}

	c, r := dial()
	if err := roundTrip(c, r, time.Second); err != nil {
		t.Fatalf("through an open proxy: %v", err)
	}

	p.Cut()
	if err := roundTrip(c, r, time.Second); err == nil {
		t.Error("a connection survived the cut")
	}
	c.Close()
	if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("a cut proxy accepted a connection")
	}

	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	c, r = dial()
	defer c.Close()
	if err := roundTrip(c, r, time.Second); err != nil {
		t.Fatalf("after the restore: %v", err)
	}

	p.Stall()
	if err := roundTrip(c, r, 200*time.Millisecond); err == nil {
		t.Error("bytes got through a stalled proxy")
	}
	p.Unstall()
	// The held "ping" arrives now; read it, then a fresh round trip works.
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatalf("held bytes were not delivered after the stall: %v", err)
	}
	if err := roundTrip(c, r, time.Second); err != nil {
		t.Fatalf("after the stall: %v", err)
	}
}
