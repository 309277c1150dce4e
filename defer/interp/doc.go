// Package interp runs Go source on the defer model of package
// defer/chain: each defer statement is executed with the strategy the
// compiler would choose for it (open-coded, stack-allocated or
// heap-allocated, as predicted by package defer/strategy), so the trace
// shows what the Go 1.26 runtime does, and the program's output is what
// the compiled program prints.
//
// # The subset
//
// A program is one file of package main, the kind a lesson is made of:
// structs with pointer-receiver methods, a sync.Mutex unlocked by a
// deferred method value, goroutines and a WaitGroup, a map of handlers
// behind a recover middleware, errors wrapped with %w. The subset is:
//
//   - types: int, int8 to int64, uint8 to uint32 (byte and rune too;
//     arithmetic wraps at their width), float64, bool, string, error,
//     any, runtime.Error, fmt.Stringer; pointers,
//     slices, arrays, maps, structs (embedded fields too), channels,
//     func types and interfaces built from these; the program's own
//     named types over any of them, with value- or pointer-receiver
//     methods (an Error or String method makes fmt and the crash report
//     print its result, as in Go); sync.Mutex,
//     sync.RWMutex, sync.WaitGroup and sync.Once;
//   - declarations: functions (no type parameters; variadic parameters
//     are in), methods, package-level and local var, const and type,
//     named results;
//   - statements: assignment (=, :=, op=) to variables, fields, elements
//     and map entries, ++ and --, if, for (each iteration has its own
//     loop variables as in Go 1.22+), for range over an int, a string, a
//     slice, an array, a map, a channel or a function (Go 1.23 iterators,
//     with a defer in the body attached to the enclosing function by
//     deferrangefunc and deferprocat, and the runtime's errors for
//     iterators that break the protocol), switch and type switch,
//     labels, goto, break, continue, fallthrough, return, defer, go,
//     select, send;
//   - expressions: literals (keyed and nested composite literals too),
//     arithmetic and bit operators, comparison (of structs and arrays
//     too), && || !, &x of a variable, a field, an array element, a
//     composite literal or a slice element, *p,
//     calls, closures (they capture variables by reference), field
//     selectors, method values (f := v.M) and method expressions
//     ((*T).M), indexing of slices, arrays, maps and strings, v, ok :=
//     m[k], slicing of slices, arrays (sharing their elements, as in Go)
//     and strings, three-index slices, conversions (between
//     integers and float64, string to and from []byte and []rune, an
//     integer to a string), type assertions to any type;
//   - builtins: len, cap, append, copy, delete, new, make of a slice, a
//     map or a channel, close, panic, recover, print, println (an address
//     prints as 0x0 when nil, else as a placeholder);
//   - library: fmt (Print, Println, Printf, Sprint, Sprintln, Sprintf,
//     Errorf with %w, Fprint, Fprintln and Fprintf to any io.Writer,
//     Stringer), errors (New, Is, As, Unwrap, Join), strings (with
//     strings.Builder, whose copy check panics as Go's does), io.Writer,
//     os.Stdout and os.Stderr, time (Sleep, After, Duration and its
//     units) on a virtual clock that jumps to the next timer when no
//     goroutine can run, strconv, sort (Ints, Strings, Slice,
//     SliceStable, Sort and Stable of a sort.Interface, SearchInts) and
//     math (Pi, Sqrt, Abs ...), log (Print, Fatal and Panic, with a
//     clock standing at 2009/11/10 23:00:00), each with the functions
//     [Load]'s error lists; os.Exit, runtime.Goexit, runtime.Gosched,
//     runtime.GC (nothing to collect in the model) and
//     runtime.Breakpoint (SIGTRAP, exit status 2).
//
// The model visits a map in sorted key order where Go's order is random,
// so a program whose output depends on that order prints one of Go's
// possible outputs. Anything else (generics, other packages, uint,
// uint64, float32, complex numbers, printing an address with fmt's %p or
// a pointer below the top level) is rejected by
// [Load] with an error naming the construct and its position. Runtime
// errors are modelled as Go reports them: index out of range, slice
// bounds out of range, integer divide by zero, nil pointer dereference,
// assignment to entry in nil map, failed type assertions, a value
// method called through a nil pointer in an interface.
//
// Runs are deterministic: the same program gives the same output and
// the same events. A step limit (see [Options]) ends runaway programs
// with an error, and so do a call depth limit and a limit of 4 Mi
// elements on strings and slices, and a limit of 64 MiB of output.
package interp
