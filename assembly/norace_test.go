//go:build !race

package assembly_test

const raceEnabled = false
