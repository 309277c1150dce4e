package interp

import (
	"fmt"
	"runtime/debug"

	"github.com/deferio/deferio/defer/chain"
)

// The scheduler. Only one model goroutine runs at a time, so each one
// runs on its own real Go goroutine and the scheduler passes a baton:
// the running goroutine hands it on (a send on the next one's wake
// channel) and then waits on its own. The interpreter's per-goroutine
// state (in.g, in.depth) is swapped on each switch, so the rest of the
// interpreter keeps using in.g unchanged, and a program that starts no
// goroutine never touches the scheduler.
//
// The order, deterministic and close to the Go runtime on one P:
//
//   - a go statement puts the new goroutine in runnext (newproc), moving
//     the goroutine that was there to the tail of the run queue; the
//     creator goes on running;
//   - a goroutine made ready by another (a channel operation, Unlock,
//     Done) also goes to runnext (goready), and the readier goes on;
//   - a goroutine that blocks or ends hands the baton to runnext, else
//     to the head of the run queue; runtime.Gosched puts the caller at
//     the tail of the run queue;
//   - when main returns, the program ends at once: what the other
//     goroutines would still print is lost, as in Go;
//   - when no goroutine can run, the program dies as checkdead reports
//     it: "all goroutines are asleep - deadlock!", or "no goroutines
//     (main called runtime.Goexit) - deadlock!" when main called Goexit
//     and no goroutine is left at all.
//
// Goroutine IDs: main is 1 and the others are numbered from 18, as the
// go1.26 runtime numbers the first goroutines a program starts (its own
// system goroutines take 2 to 17).

// firstUserGoroutine is the ID go1.26 gives the program's first go statement.
const firstUserGoroutine = 18

// maxGoroutines bounds the goroutines alive at once in a run.
const maxGoroutines = 10_000

type gStatus uint8

const (
	gRunnable gStatus = iota
	gRunning
	gWaiting
	gDead
)

// A goroutine is one model goroutine and the real goroutine it runs on.
type goroutine struct {
	id     int
	g      *chain.G
	depth  int
	status gStatus
	reason string    // why it waits, as the traceback prints it
	wake   chan bool // the baton: true to run, false to end with the program
	exited chan struct{}
	// main is true for the main goroutine.
	main bool
}

type scheduler struct {
	// now is the virtual clock in nanoseconds; timers are the pending
	// time.Sleep and time.After timers.
	now      int64
	timers   []*timer
	timerSeq int
	cur      *goroutine
	main     *goroutine
	all      []*goroutine
	runnext  *goroutine
	runq     []*goroutine
	nextID   int
	// end is set by the goroutine that ends the program, before it wakes
	// main: the outcome, or the error of a run the model cannot finish.
	end    *chain.Outcome
	endErr error
	// mainGoexit is true when main called Goexit and ended.
	mainGoexit bool
}

// endProgram unwinds the main goroutine's real stack when the program ends.
type endProgram struct{ out chain.Outcome }

// killed unwinds the real stack of a goroutine when the program is over.
type killed struct{}

func newScheduler(g *chain.G) *scheduler {
	m := &goroutine{id: 1, g: g, status: gRunning, wake: make(chan bool), main: true}
	return &scheduler{cur: m, main: m, all: []*goroutine{m}, nextID: firstUserGoroutine}
}

// ready is goready: gr becomes runnable in runnext.
func (s *scheduler) ready(gr *goroutine) {
	gr.status = gRunnable
	if s.runnext != nil {
		s.runq = append(s.runq, s.runnext)
	}
	s.runnext = gr
}

// pick takes the next goroutine to run, or nil.
func (s *scheduler) pick() *goroutine {
	if gr := s.runnext; gr != nil {
		s.runnext = nil
		return gr
	}
	if len(s.runq) > 0 {
		gr := s.runq[0]
		s.runq = s.runq[1:]
		return gr
	}
	return nil
}

// goStmt starts fv(args) on a new goroutine.
func (in *interp) goStmt(fv *funcValue, args []any, run func()) {
	s := in.sched
	if len(s.all) >= maxGoroutines {
		s.prune()
	}
	if len(s.all) >= maxGoroutines {
		in.fail("the program has more than %d goroutines at once, the model's limit", maxGoroutines)
	}
	gr := &goroutine{id: s.nextID, wake: make(chan bool), exited: make(chan struct{})}
	s.nextID++
	gr.g = in.g.NewGoroutine(gr.id, fv.name)
	s.all = append(s.all, gr)
	go in.runGoroutine(gr, run)
	s.ready(gr)
}

// switchTo passes the baton to next; the caller's real goroutine must
// then wait for its own baton or end.
func (in *interp) switchTo(next *goroutine) {
	s := in.sched
	s.cur.depth = in.depth
	s.cur = next
	next.status = gRunning
	in.g, in.depth = next.g, next.depth
	next.wake <- true
}

// wait blocks the real goroutine of gr until it gets the baton again.
func (in *interp) wait(gr *goroutine) {
	if !<-gr.wake {
		panic(killed{})
	}
	if gr.main && in.sched.end != nil {
		panic(&endProgram{*in.sched.end})
	}
	if gr.main && in.sched.endErr != nil {
		panic(&modelError{in.sched.endErr})
	}
}

// park blocks the running goroutine (reason as the traceback says it)
// until another goroutine readies it.
func (in *interp) park(reason string) {
	s := in.sched
	me := s.cur
	me.status, me.reason = gWaiting, reason
	next := in.next()
	if next == nil {
		in.endWith(in.deadlock())
	}
	if next == me {
		// Only its own timer was left: the clock jumped, it goes on.
		me.status = gRunning
		return
	}
	in.switchTo(next)
	in.wait(me)
}

// yield is runtime.Gosched: the caller goes to the tail of the run queue.
func (in *interp) yield() {
	s := in.sched
	next := s.pick()
	if next == nil {
		return
	}
	me := s.cur
	me.status = gRunnable
	s.runq = append(s.runq, me)
	in.switchTo(next)
	in.wait(me)
}

// prune forgets the goroutines that have ended and whose stacks are
// gone, so that the limit counts the goroutines alive at once.
func (s *scheduler) prune() {
	live := s.all[:1] // main stays first
	for _, gr := range s.all[1:] {
		if gr.status == gDead {
			select {
			case <-gr.exited:
				continue
			default:
			}
		}
		live = append(live, gr)
	}
	clear(s.all[len(live):])
	s.all = live
}

// deadlock is checkdead's verdict when no goroutine can run; it records
// the scheduler's throw.
func (in *interp) deadlock() chain.Outcome {
	s := in.sched
	for _, gr := range s.all {
		if gr.status == gWaiting {
			text := "fatal error: all goroutines are asleep - deadlock!\n"
			for _, g := range s.all {
				if g.status == gWaiting {
					text += chain.NoTrace(g.id, g.reason)
				}
			}
			in.g.SchedulerThrow("all goroutines are asleep - deadlock!")
			return chain.Outcome{Status: 2, How: "deadlock", Stderr: text}
		}
	}
	in.g.SchedulerThrow("no goroutines (main called runtime.Goexit) - deadlock!")
	return chain.Outcome{Status: 2, How: "Goexit", Stderr: "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"}
}

// endWith ends the program from the running goroutine.
func (in *interp) endWith(out chain.Outcome) {
	panic(&endProgram{out})
}

// fatal is the runtime's fatal error (throw/fatal): no deferred call
// runs, nothing recovers it.
func (in *interp) fatal(msg string) {
	in.sched.cur.g.Throw(msg)
	in.endWith(chain.Outcome{Status: 2, How: "fatal", Stderr: "fatal error: " + msg + "\n" + chain.NoTrace(in.sched.cur.id, "running")})
}

// runGoroutine is the real goroutine of gr: it waits for its first
// baton, runs the function on gr's model goroutine, then ends gr and
// passes the baton on, or ends the program.
func (in *interp) runGoroutine(gr *goroutine, run func()) {
	defer close(gr.exited)
	if !<-gr.wake {
		return
	}
	var end *chain.Outcome
	var endErr error
	gone := false
	func() {
		defer func() {
			switch r := recover().(type) {
			case nil:
			case killed:
				gone = true
			case *endProgram:
				end = &r.out
			case *modelError:
				endErr = r.err
			default:
				endErr = fmt.Errorf("internal error of the interpreter (please report it with the program): %v\n%s", r, debug.Stack())
			}
		}()
		out := gr.g.Run(run)
		switch out.How {
		case "return", "Goexit":
			if out.How == "return" {
				gr.g.GoEnd("its function returned")
			}
		default:
			end = &out
		}
	}()
	if gone {
		return
	}
	s := in.sched
	gr.status = gDead
	if end == nil && endErr == nil {
		next := in.next()
		if next != nil {
			in.switchTo(next)
			return
		}
		o := in.deadlock()
		end = &o
	}
	// The program ends: main, waiting for its baton, unwinds.
	s.end, s.endErr = end, endErr
	s.cur = s.main
	s.main.wake <- true
}

// finish ends the goroutines still alive when the program is over, one
// at a time, so that their real stacks unwind while nothing else runs.
func (in *interp) finish() {
	for _, gr := range in.sched.all[1:] {
		if gr.status != gDead {
			gr.wake <- false
		}
		<-gr.exited
	}
}

// runMain runs the program's main goroutine and, when main ends with
// Goexit while other goroutines exist, the others until the program ends.
func (in *interp) runMain(body func()) (out chain.Outcome) {
	s := in.sched
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*endProgram)
			if !ok {
				in.finish()
				panic(r)
			}
			out = e.out
		}
		in.finish()
	}()
	// An end decided by another goroutine unwinds main's stack with an
	// endProgram panic, which chain.Run lets pass.
	out = in.g.Run(body)
	if out.How != "Goexit" || len(s.all) == 1 {
		return out
	}
	s.mainGoexit = true
	s.main.status = gDead
	next := in.next()
	if next == nil {
		return in.deadlock()
	}
	in.switchTo(next)
	in.wait(s.main) // panics with the end
	return out
}
