//go:build race

package costlessons

const raceEnabled = true
