//go:build !race

package procx_test

const raceEnabled = false
