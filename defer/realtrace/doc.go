// Package realtrace watches the real Go runtime's defer machinery while a
// compiled program runs, and returns what it did as [chain.Event] values,
// so that package chain's renderers (WriteDiagram, WriteSVG, JSON) draw
// the real runtime exactly as they draw the model.
//
// How: [Build] compiles the program with go build -overlay against a copy
// of the installed runtime (go1.26's runtime/panic.go and proc.go, copied
// at build time, with calls to small probes added at fixed anchors, and
// one added file with the probes). A probe writes one 48-byte record with
// a raw write system call on descriptor 3 and allocates nothing: deferproc
// and deferprocStack after the push, deferreturn, each deferred call that
// _panic.nextDefer hands to gopanic, Goexit or deferreturn (an open-coded
// slot or a linked record), popDefer, gopanic, gorecover (accepted or
// not), recovery, Goexit, os.Exit (os_beforeExit), fatalpanic and
// fatalthrow, which every throw and fatal error reaches (the frame of
// the goroutine that threw, or none when the scheduler threw with no
// goroutine left to run). Each record carries the goroutine's _defer list length, read by walking the
// list, and the frame, found with the runtime's own unwinder.
//
// Open-coded defers make no runtime call: the defer statement stores its
// closure and ORs its bit into the frame's deferBits byte, and a normal
// exit tests, clears and calls inline. [Program.Run] finds those stores
// as the runtime finds the byte: FUNCDATA_OpenCodedDeferInfo (read from
// the binary's .gopclntab) gives deferBits' offset below the frame's
// varp, the pcsp table gives varp's distance from SP, and every
// MOVB $imm/reg, off(SP) at that offset in the program's functions is a
// deferBits store (the first, in the entry block, zeroes the byte and is
// not watched). Each watched store gets an int3 breakpoint (ptrace). At
// the trap the tracer performs the store itself (the old byte, the new
// one, RIP past the instruction), so no thread is single-stepped and no
// other thread waits; it reads the goroutine (R14) and its _defer list,
// and writes its record into the same pipe, after everything the
// stopped thread's probes wrote before it: the order is the program's.
// A program without open-coded defers runs without ptrace.
//
// Bounds: a run ends after Options.Timeout or Options.MaxEvents records
// (the program is killed: SIGKILL, and PTRACE_O_EXITKILL plus a
// parent-death signal if the tracer itself dies), and no stopped or
// traced process is left behind.
//
// Only linux/amd64 is supported (the store decoder is x86's); a machine
// where ptrace is refused gives errors matching [ErrUnavailable].
package realtrace
