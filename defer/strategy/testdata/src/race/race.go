// Package race holds expectations for a -race build (flag -race).
package race

var glob int

func instrumented() {
	defer println() // want `^stack-allocated defer: -race instruments function entry and exit$`
	glob++
}

// OK because //go:norace functions get no racefuncenter/racefuncexit.
//
//go:norace
func exempt() {
	defer println() // want `^open-coded defer$`
	glob++
}

func loop(xs []int) {
	for range xs {
		defer println() // want `^heap-allocated defer: in a loop \(loop depth 2\); -race instruments`
	}
}
