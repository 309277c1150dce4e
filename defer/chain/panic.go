package chain

import (
	"fmt"
	"strings"
)

// panicState models a runtime._panic: one active panic or Goexit.
type panicState struct {
	id         int
	arg        any
	text       string
	link       *panicState
	startDepth int // depth of the frame that called panic or Goexit
	cur        int // depth of the frame being walked (the runtime's p.sp)
	recovered  bool
	repanicked bool
	goexit     bool
}

// unwind is the Go panic the model uses to unwind the caller's stack:
// to the frame that recovered (target), to a Goexit loop (goexit), or
// out of the program (exit).
type unwind struct {
	target *Frame
	goexit *panicState
	exit   *Outcome
}

// Outcome is how the modelled program ended.
type Outcome struct {
	// Status is the exit status: 0, os.Exit's code, or 2 for an
	// unrecovered panic or a fatal error.
	Status int
	// Stderr is what the runtime printed when it crashed ("panic: ..."
	// lines, or "fatal error: ..."), "" otherwise.
	Stderr string
	// How is "return", "os.Exit", "panic" or "Goexit".
	How string
}

// PanicLine returns the first line of Stderr, the one that starts with
// "panic: " or "fatal error: ", or "".
func (o Outcome) PanicLine() string {
	line, _, _ := strings.Cut(o.Stderr, "\n")
	return line
}

// RuntimeError is the panic value of the runtime errors the model raises
// itself (calling a nil func). It prints as the runtime's own errors do.
type RuntimeError struct {
	Msg    string
	Signal bool // a fault: the crash report adds a [signal SIGSEGV ...] line
	// Plain is the runtime's plainError: the message has no "runtime
	// error: " prefix ("assignment to entry in nil map").
	Plain bool
}

// Error returns "runtime error: " and the message, or the message alone
// for a plain error.
func (e *RuntimeError) Error() string {
	if e.Plain {
		return e.Msg
	}
	return "runtime error: " + e.Msg
}

// Run runs main, the program's main goroutine, and reports how it ended:
// returning, os.Exit, an unrecovered panic or Goexit. Each Run starts
// with no frame, an empty defer list and no panic; the pools and the
// counters carry over from earlier runs.
func (g *G) Run(main func()) (out Outcome) {
	g.frames, g.defers, g.panics, g.snap, g.floor = nil, nil, nil, nil, 0
	g.pending, g.invoked, g.catchAt, g.catchGx = nil, false, nil, nil
	defer func() {
		if r := recover(); r != nil {
			u, ok := r.(*unwind)
			if !ok || u.exit == nil {
				panic(r)
			}
			out = *u.exit
		}
	}()
	main()
	return Outcome{How: "return"}
}

// Panic models gopanic(arg): it runs the deferred calls of every frame
// from the innermost out until one recovers or none is left. text is
// what the runtime prints for arg (printpanicval after preprintpanics: the
// Error or String result, or the value). arg is compared with == against
// older panics' arguments to detect a re-panic of the same value, as the
// runtime compares interface words: pass a pointer for identity.
// Panic does not return.
func (g *G) Panic(arg any, text string) {
	g.panicN(&panicState{arg: arg, text: text})
}

func (g *G) panicN(p *panicState) {
	r := g.shared()
	r.panicID++
	p.id = r.panicID
	p.startDepth = len(g.frames) - 1
	p.cur = p.startDepth
	p.link = g.panics
	g.panics = p
	kind, detail := EvPanic, "panic("+p.text+")"
	if p.goexit {
		kind, detail = EvGoexit, "runtime.Goexit: run every deferred call, then end the goroutine"
	}
	g.emit(Event{Kind: kind, Detail: detail}, g.top())
	for {
		fn, ok := g.nextDefer(p)
		if !ok {
			break
		}
		g.invoke(fn, p)
	}
	if p.goexit {
		g.goexitEnd()
	}
	if g.floor > 0 && p.startDepth >= g.floor {
		text := p.text
		if g.opts.PrintingPanic != nil {
			text = g.opts.PrintingPanic(p.arg)
		}
		g.exit(Outcome{Status: 2, How: "panic",
			Stderr: "fatal error: panic while printing panic value: " + text + "\n" + g.noTrace("running")}, EvThrow, "a panic while printing a panic value: preprintpanics' deferred recover throws")
	}
	g.exit(Outcome{Status: 2, How: "panic", Stderr: g.crashText(p)}, EvCrash, "unrecovered panic")
}

func (g *G) top() *Frame {
	if len(g.frames) == 0 {
		return nil
	}
	return g.frames[len(g.frames)-1]
}

// nextDefer is _panic.nextDefer: recover if the last call recovered,
// else the next pending call of the current frame, else the next frame.
func (g *G) nextDefer(p *panicState) (func(), bool) {
	if p.recovered {
		g.recovery(p)
	}
	why := "gopanic"
	if p.goexit {
		why = "Goexit"
	}
	floor := 0
	if p.startDepth >= g.floor {
		floor = g.floor
	}
	for p.cur >= floor {
		f := g.frames[p.cur]
		if fn, ok := g.next(f, why); ok {
			return fn, true
		}
		p.cur--
	}
	return nil, false
}

// Recover models recover() called by the function running in frame f
// (nil when recover itself is the deferred call). It returns the panic's
// argument and true only when f was called directly by the loop of the
// newest panic, which is neither a Goexit nor already recovered.
// DeferredRecover is a deferred call of the builtin recover in frame f
// (defer recover()). Run by f's own exit, recover is called as from f,
// so it stops a panic whose defer loop called f; run by a panic's defer
// loop, it is called from the panic and recovers nothing (Go's
// test/recover1.go, test5 and test7).
// The recover step is f's either way.
func (g *G) DeferredRecover(f *Frame) {
	by := f
	if g.invoked && g.pending != nil {
		by = nil
	}
	g.invoked, g.pending = false, nil
	g.recover(by, f)
}

func (g *G) Recover(f *Frame) (any, bool) { return g.recover(f, f) }

// recover is Recover called by the function of frame by (nil: by the
// panic's own loop), with its step in frame at.
func (g *G) recover(f, at *Frame) (any, bool) {
	p := g.panics
	ok := p != nil && !p.goexit && !p.recovered && f != nil && f.invokedBy == p
	detail := "returns nil: "
	switch {
	case ok:
		p.recovered = true
		detail = "stops panic(" + p.text + ")"
	case p == nil:
		detail += "no panic"
	case p.goexit:
		detail += "Goexit is not a panic"
	case p.recovered:
		detail += "the panic is already recovered"
	default:
		detail += "not called directly by a deferred call of the panic"
	}
	g.emit(Event{Kind: EvRecover, Detail: detail}, at)
	if !ok {
		return nil, false
	}
	return p.arg, true
}

// recovery is runtime.recovery: drop the panics started at or below the
// frame that recovered, unless that would skip a Goexit, and unwind to
// that frame's deferreturn.
func (g *G) recovery(p *panicState) {
	target := g.frames[p.cur]
	q := p
	for ; q != nil && q.startDepth >= target.Depth; q = q.link {
		if q.goexit {
			g.panics = q
			g.frames = g.frames[:q.startDepth+1]
			g.emit(Event{Kind: EvRecovery, Detail: "a Goexit is pending below: its loop resumes"}, target)
			g.catchGx = q
			panic(&unwind{goexit: q})
		}
	}
	g.panics = q
	g.frames = g.frames[:target.Depth+1]
	g.emit(Event{Kind: EvRecovery, BitsBefore: target.Bits, BitsAfter: target.Bits,
		Detail: "resume at " + target.Func + "'s deferreturn"}, target)
	g.catchAt = target
	panic(&unwind{target: target})
}

// Goexit models runtime.Goexit on the main goroutine: every deferred call
// runs (recover returns nil in them), then, as no other goroutine
// exists, the program dies with "fatal error: no goroutines". Goexit does
// not return.
func (g *G) Goexit() {
	p := &panicState{goexit: true, text: "Goexit"}
	for {
		if g.goexitLoop(p) {
			return
		}
	}
}

// goexitLoop runs p, starting it the first time; a recovery that would
// skip the Goexit lands here and the loop resumes.
func (g *G) goexitLoop(p *panicState) (done bool) {
	defer func() {
		if g.catchGx != p {
			return
		}
		r := recover()
		if u, ok := r.(*unwind); !ok || u.goexit != p {
			panic(r) // not reached: catchGx is only set for p's unwind
		}
		g.catchGx = nil
	}()
	if p.id == 0 {
		g.panicN(p) // does not return
	}
	for {
		fn, ok := g.nextDefer(p)
		if !ok {
			break
		}
		g.invoke(fn, p)
	}
	g.goexitEnd()
	return true
}

// Exit models os.Exit(code): the program ends at once, no deferred call
// runs. The status is code's low 8 bits, as the kernel reports it.
func (g *G) Exit(code int) {
	g.exit(Outcome{Status: code & 0xff, How: "os.Exit"}, EvExit, fmt.Sprintf("os.Exit(%d): deferred calls do not run", code))
}

// Throw records a fatal error that the goroutine's own code throws
// (the runtime's throw or fatal, as sync's misuse checks call it): a
// throw step in g's innermost frame. It ends nothing: the caller ends
// the program, and no deferred call runs.
func (g *G) Throw(msg string) {
	g.emit(Event{Kind: EvThrow, Detail: "fatal error: " + msg}, g.top())
}

// SchedulerThrow records a fatal error that the scheduler throws when no
// goroutine is left to run (checkdead): a throw step in no frame, with
// no defer list, as the runtime throws it on the system stack of a
// thread that runs no goroutine. It ends nothing either.
func (g *G) SchedulerThrow(msg string) {
	g.shared().emit(Event{Kind: EvThrow, Detail: "the scheduler throws: " + msg}, nil)
}

func (g *G) exit(o Outcome, k EventKind, detail string) {
	g.emit(Event{Kind: k, Detail: detail}, g.top())
	g.out = o
	panic(&unwind{exit: &o})
}

// nilDeref raises the runtime error of calling a nil func value.
func (g *G) nilDeref() {
	e := &RuntimeError{Msg: "invalid memory address or nil pointer dereference", Signal: true}
	g.Panic(e, e.Error())
}

// crashText is preprintpanics plus printpanics: every active panic, the
// oldest first, "[recovered]" on recovered ones, a re-panic of the same
// value printed once.
func (g *G) crashText(p *panicState) string {
	for q := p; q != nil; q = q.link {
		if q.link != nil && q.link.arg == q.arg && !q.goexit && !q.link.goexit {
			q.link.repanicked = true
		}
	}
	if g.opts.Describe != nil {
		g.floor = len(g.frames)
		for q := p; q != nil; q = q.link {
			if !q.goexit && !(q.link != nil && q.link.repanicked && q.link.arg == q.arg) {
				q.text = g.opts.Describe(q.arg)
			}
		}
		g.floor = 0
	}
	var b strings.Builder
	printPanics(&b, p)
	if e, ok := p.arg.(*RuntimeError); ok && e.Signal {
		b.WriteString("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]\n")
	}
	b.WriteString(g.noTrace("running"))
	return b.String()
}

// noTrace ends a crash report where Go prints the goroutine's stack.
func (g *G) noTrace(status string) string {
	return NoTrace(g.id, status)
}

// NoTrace is what the model prints where Go prints the stack of
// goroutine id, whose status is status ("running", "chan receive" ...).
func NoTrace(id int, status string) string {
	return fmt.Sprintf("\ngoroutine %d [%s]:\n\t(the model prints no stack trace)\n", id, status)
}

func printPanics(b *strings.Builder, p *panicState) {
	if p.link != nil {
		printPanics(b, p.link)
		if p.link.repanicked {
			return
		}
		if !p.link.goexit {
			b.WriteString("\t")
		}
	}
	if p.goexit {
		return
	}
	b.WriteString("panic: ")
	b.WriteString(strings.ReplaceAll(p.text, "\n", "\n\t"))
	switch {
	case p.recovered && p.repanicked:
		b.WriteString(" [recovered, repanicked]")
	case p.recovered:
		b.WriteString(" [recovered]")
	}
	b.WriteString("\n")
}
