package strategy

import "fmt"

// A Kind is the way the compiler implements one defer statement. The
// names are the words the compiler itself prints with -gcflags=-d=defer.
type Kind int

const (
	// OpenCoded: the deferred call is stored in a closure slot of the
	// frame, a bit is set in the frame's deferBits byte, and every exit
	// of the function calls the pending closures inline. No runtime
	// record and no runtime call on the normal path.
	OpenCoded Kind = iota
	// StackAllocated: the compiler builds a runtime._defer record in the
	// frame and links it with runtime.deferprocStack; deferreturn runs
	// it.
	StackAllocated
	// HeapAllocated: runtime.deferproc (or deferprocat inside a
	// range-over-func loop body) takes a record from the per-P pool or
	// the heap.
	HeapAllocated
	// DeadCode: the defer statement is in code the compiler's front end
	// drops before compiling (after a return, panic or goto, or under a
	// constant false condition), so no strategy is ever chosen and the
	// compiler prints nothing for it.
	DeadCode
)

// String returns "open-coded", "stack-allocated", "heap-allocated" or
// "dead code".
func (k Kind) String() string {
	switch k {
	case OpenCoded:
		return "open-coded"
	case StackAllocated:
		return "stack-allocated"
	case HeapAllocated:
		return "heap-allocated"
	case DeadCode:
		return "dead code"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind returns the Kind whose String is s. It accepts the three
// words the compiler prints and "dead code".
func ParseKind(s string) (Kind, error) {
	for k := OpenCoded; k <= DeadCode; k++ {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown defer strategy %q (want open-coded, stack-allocated, heap-allocated or dead code)", s)
}
