//go:build race

package faulttest_test

// raceEnabled says the tests run under the race detector: the subprocess
// binary is then built with it too, and timing bounds are read generously.
const raceEnabled = true
