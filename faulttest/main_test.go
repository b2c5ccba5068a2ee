package faulttest_test

import (
	"flag"
	"os"
	"testing"
	"time"
)

// soakFor is the soak test's duration: `go test ./faulttest -run Soak
// -soak=3m`. Unset, the soak runs briefly (defaultSoak), as CI does.
var soakFor = flag.Duration("soak", 0, "run the mixed-load soak test for this long (default: a short run)")

// TestMain removes the binary the crash tests built, once every test is done
// with it.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

const defaultSoak = 5 * time.Second
