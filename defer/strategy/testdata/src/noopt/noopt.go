// Package noopt holds expectations for -gcflags=-N (flag -N).
package noopt

func f() {
	defer println() // want `^stack-allocated defer: -N disables optimizations$`
}

func loop(xs []int) {
	for range xs {
		defer println() // want `^heap-allocated defer: in a loop`
	}
}
