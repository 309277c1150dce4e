package interp

// The library's own types (sync.Mutex ...) plug into the interpreter
// through these tables, filled by the files that model them.

// libZero gives the zero value of a named type of another package, keyed
// by "pkgpath.Name" ("sync.Mutex").
var libZero = map[string]func() any{}

// A cloner is a value with value semantics held behind a pointer: it is
// copied through clone on assignment, passing and capture by value.
type cloner interface{ clone() any }

// libMethods holds the library's methods, keyed by
// (*types.Func).FullName() ("(*sync.Mutex).Unlock"): calls and defers of
// them dispatch here. recv is the pointer cell for pointer receivers.
var libMethods = map[string]func(fr *frame, recv any, args []any) []any{}
