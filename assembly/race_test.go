//go:build race

package assembly_test

// raceEnabled: the race detector slows the engine about tenfold, so the
// heaviest randomized tests run fewer cases under it (CI runs both).
const raceEnabled = true
