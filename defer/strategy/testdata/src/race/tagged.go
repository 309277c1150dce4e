//go:build race

// This file is only compiled with -race (the race build tag): the model
// must see the same files as the compiler.
package race

func onlyUnderRace() {
	defer println() // want `^stack-allocated defer: -race instruments function entry and exit$`
}
