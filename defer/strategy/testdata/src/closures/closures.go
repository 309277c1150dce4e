// Package closures checks that every function literal is a function of
// its own for the defer rules.
package closures

func outer(xs []int) {
	for range xs {
		func() {
			defer println() // want `^open-coded defer$`
		}()
	}
	defer func() { // want `^open-coded defer$`
		for range xs {
			defer println() // want `^heap-allocated defer: in a loop`
		}
	}()
}

var f = func() {
	defer println() // want `^open-coded defer$`
}

func generic[T any](x T) {
	defer println(any(x)) // want `^open-coded defer$`
	func() {
		defer println() // want `^open-coded defer$`
		return
	}()
}

func use() { generic(1) }

// recover and defer recover() do not disable open coding.
func recovers() (err error) {
	defer recover() // want `^open-coded defer$`
	defer func() {  // want `^open-coded defer$`
		if r := recover(); r != nil {
			err = nil
		}
	}()
	return nil
}
