//go:build !race

package faulttest_test

// raceEnabled says the tests run under the race detector.
const raceEnabled = false
