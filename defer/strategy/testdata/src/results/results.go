// Package results checks the result-parameter rule: a result moved to
// the heap must be copied back after the deferred calls run, so the
// function does not open-code.
package results

import "fmt"

var sink *error

func addrEscapes() (err error) {
	defer println() // want `^stack-allocated defer: the address of result err leaves the function`
	sink = &err
	return nil
}

func scanned(s string) (n int, err error) {
	defer println() // want `^stack-allocated defer: the address of result n leaves the function`
	_, err = fmt.Sscan(s, &n)
	return
}

func catch(errp *error) {
	if r := recover(); r != nil {
		*errp = fmt.Errorf("recovered: %v", r)
	}
}

// OK because catch does not keep the pointer.
func caught() (err error) {
	defer catch(&err) // want `^open-coded defer$`
	panic("x")
}

// OK because the deferred closure does not outlive the call.
func named() (err error) {
	defer func() { // want `^open-coded defer$`
		if err != nil {
			err = fmt.Errorf("wrapped: %w", err)
		}
	}()
	return nil
}

func goroutine() (err error) {
	done := make(chan bool)
	defer close(done) // want `^stack-allocated defer: result err is captured by reference by a closure`
	go func() {
		err = nil
		done <- true
	}()
	<-done
	return err
}

// OK because a closure called on the spot does not escape.
func helper() (n int) {
	defer println() // want `^open-coded defer$`
	add := func() { n++ }
	add()
	return n
}
