// Package noopen holds expectations for -gcflags=-d=noopendefer
// (flag -noopendefer).
package noopen

func f() {
	defer println() // want `^stack-allocated defer: -d=noopendefer$`
}

func g() (err error) {
	defer func() { err = nil }() // want `^stack-allocated defer: -d=noopendefer$`
	return nil
}
