// Package interp runs Go source on the defer model of package
// defer/chain: each defer statement is executed with the strategy the
// compiler would choose for it (open-coded, stack-allocated or
// heap-allocated, as predicted by package defer/strategy), so the trace
// shows what the Go 1.26 runtime does, and the program's output is what
// the compiled program prints.
//
// # The subset
//
// A program is one file of package main. The subset is:
//
//   - types: int, bool, string, error, any (interface{}), pointers,
//     slices and func types built from these; untyped constants; the
//     program's own named types over int, bool or string (type code int),
//     with value-receiver methods (an Error or String method makes fmt
//     and the crash report print its result, as in Go);
//   - declarations: functions (no type parameters; variadic parameters
//     are in), methods with value receivers, package-level and local
//     var and const, named results;
//   - statements: assignment (=, :=, op=), ++ and --, if, for (three
//     clauses, condition only, forever; each iteration has its own loop
//     variables as in Go 1.22+), for range over an int or a slice,
//     switch with or without a tag (and fallthrough), labels, goto,
//     break and continue (with labels), return, defer, blocks;
//   - expressions: literals, arithmetic (+ - * / % on int, + on string),
//     comparison, && || !, unary -, &x of a variable, *p, calls, function
//     literals (closures capture variables by reference), slice
//     literals, indexing and slicing of slices, method calls (not method
//     values), conversions between a named type and its underlying type,
//     type assertions x.(T) and v, ok := x.(T) to int, bool, string,
//     error or a named type;
//   - builtins: len, cap, append (also append(s, t...)), make([]T, n[, m]), panic, recover,
//     print, println; fmt.Println, fmt.Print, fmt.Printf, fmt.Sprintf,
//     fmt.Sprint, fmt.Sprintln, fmt.Errorf, errors.New, os.Exit and
//     runtime.Goexit.
//
// Anything else (goroutines, channels, maps, structs, pointer receivers,
// generics, other packages, printing a pointer) is rejected by [Load] with an
// error naming the construct and its position. Runtime errors are
// modelled as Go reports them: index out of range, slice bounds out of
// range, integer divide by zero, nil pointer dereference (a nil func
// call or *p of a nil pointer), failed type assertions.
//
// Runs are deterministic: the same program gives the same output and
// the same events. A step limit (see [Options]) ends runaway programs
// with an error, and so do a call depth limit and a limit of 4 Mi
// elements on strings and slices, and a limit of 64 MiB of output.
package interp
