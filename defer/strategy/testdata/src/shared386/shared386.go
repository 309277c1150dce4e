// Package shared386 holds expectations for 386 with -shared (flags
// -goarch=386 -shared): open-coded exits are not supported there.
package shared386

func f() {
	defer println() // want `^stack-allocated defer: 386 with -shared/-dynlink$`
}
