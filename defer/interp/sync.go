package interp

import (
	"go/token"
	"go/types"

	"github.com/deferio/deferio/defer/chain"
)

// The sync types of the subset: Mutex, RWMutex, WaitGroup and Once, on
// the model's scheduler. Waiters queue in FIFO order and an Unlock hands
// the lock to the first waiter, which is one of the orders Go allows
// (sync.Mutex's starvation mode); programs whose output depends on the
// order of lock acquisition have more than one valid output anyway. The
// errors are Go's: unlocking an unlocked Mutex or RWMutex is a fatal
// error (no deferred call runs, recover cannot stop it), a negative
// WaitGroup counter is a panic.

type mutex struct {
	locked bool
	q      []*goroutine
}

func (m *mutex) clone() any { c := *m; c.q = nil; return &c }

type rwmutex struct {
	writer  bool
	readers int
	q       []rwWaiter
}

type rwWaiter struct {
	gr    *goroutine
	write bool
}

func (m *rwmutex) clone() any { c := *m; c.q = nil; return &c }

type waitGroup struct {
	n int
	q []*goroutine
}

func (w *waitGroup) clone() any { c := *w; c.q = nil; return &c }

type once struct {
	done, running bool
	q             []*goroutine
}

func (o *once) clone() any { c := *o; c.q = nil; return &c }

// recvOf returns the library value behind a pointer receiver.
func recvOf[T any](fr *frame, recv any) T {
	c, _ := recv.(*cell)
	if c == nil {
		fr.nilDeref()
	}
	return c.v.(T)
}

func init() {
	libZero["sync.Mutex"] = func() any { return &mutex{} }
	libZero["sync.RWMutex"] = func() any { return &rwmutex{} }
	libZero["sync.WaitGroup"] = func() any { return &waitGroup{} }
	libZero["sync.Once"] = func() any { return &once{} }

	libMethods["(*sync.Mutex).Lock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*mutex](fr, recv)
		if !m.locked {
			m.locked = true
			return nil
		}
		m.q = append(m.q, fr.in.sched.cur)
		fr.in.park("sync.Mutex.Lock")
		return nil // the Unlock that woke us handed the lock over
	}
	libMethods["(*sync.Mutex).TryLock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*mutex](fr, recv)
		if m.locked {
			return []any{false}
		}
		m.locked = true
		return []any{true}
	}
	libMethods["(*sync.Mutex).Unlock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*mutex](fr, recv)
		if !m.locked {
			fr.in.fatal("sync: unlock of unlocked mutex")
		}
		if len(m.q) > 0 {
			gr := m.q[0]
			m.q = m.q[1:]
			fr.in.sched.ready(gr)
			return nil
		}
		m.locked = false
		return nil
	}
	libMethods["(*sync.RWMutex).Lock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*rwmutex](fr, recv)
		if !m.writer && m.readers == 0 && len(m.q) == 0 {
			m.writer = true
			return nil
		}
		m.q = append(m.q, rwWaiter{fr.in.sched.cur, true})
		fr.in.park("sync.RWMutex.Lock")
		return nil
	}
	libMethods["(*sync.RWMutex).RLock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*rwmutex](fr, recv)
		// A waiting writer keeps new readers out, as in Go.
		if !m.writer && len(m.q) == 0 {
			m.readers++
			return nil
		}
		m.q = append(m.q, rwWaiter{fr.in.sched.cur, false})
		fr.in.park("sync.RWMutex.RLock")
		return nil
	}
	libMethods["(*sync.RWMutex).Unlock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*rwmutex](fr, recv)
		if !m.writer {
			fr.in.fatal("sync: Unlock of unlocked RWMutex")
		}
		m.writer = false
		m.grant(fr.in.sched)
		return nil
	}
	libMethods["(*sync.RWMutex).RUnlock"] = func(fr *frame, recv any, _ []any) []any {
		m := recvOf[*rwmutex](fr, recv)
		if m.readers == 0 {
			fr.in.fatal("sync: RUnlock of unlocked RWMutex")
		}
		m.readers--
		m.grant(fr.in.sched)
		return nil
	}
	libMethods["(*sync.WaitGroup).Add"] = func(fr *frame, recv any, args []any) []any {
		recvOf[*waitGroup](fr, recv).add(fr, args[0].(int))
		return nil
	}
	libMethods["(*sync.WaitGroup).Done"] = func(fr *frame, recv any, _ []any) []any {
		recvOf[*waitGroup](fr, recv).add(fr, -1)
		return nil
	}
	libMethods["(*sync.WaitGroup).Wait"] = func(fr *frame, recv any, _ []any) []any {
		w := recvOf[*waitGroup](fr, recv)
		if w.n == 0 {
			return nil
		}
		w.q = append(w.q, fr.in.sched.cur)
		fr.in.park("sync.WaitGroup.Wait")
		return nil
	}
	libMethods["(*sync.Once).Do"] = func(fr *frame, recv any, args []any) []any {
		recvOf[*once](fr, recv).do(fr, args[0])
		return nil
	}
}

// grant gives a free RWMutex to the waiters at the head of its queue: one
// writer, or every reader up to the next writer.
func (m *rwmutex) grant(s *scheduler) {
	if m.writer || m.readers > 0 {
		return
	}
	for len(m.q) > 0 {
		w := m.q[0]
		if w.write {
			if m.readers > 0 {
				return
			}
			m.q = m.q[1:]
			m.writer = true
			s.ready(w.gr)
			return
		}
		m.q = m.q[1:]
		m.readers++
		s.ready(w.gr)
	}
}

func (w *waitGroup) add(fr *frame, d int) {
	w.n += d
	if w.n < 0 {
		fr.plainPanic("sync: negative WaitGroup counter")
	}
	if w.n == 0 {
		for _, gr := range w.q {
			fr.in.sched.ready(gr)
		}
		w.q = nil
	}
}

// do is Once.Do. Its slow path is a frame of the model, as
// sync.(*Once).doSlow is a compiled function with two open-coded defers
// (o.m.Unlock and o.done.Store(1)): a panic in f walks that frame, marks
// the Once done and unlocks it before the callers' deferred calls run,
// so a later Do does not call f again.
func (o *once) do(fr *frame, f any) {
	in := fr.in
	if o.done {
		return
	}
	if o.running {
		// f calls Do on its own Once, or another goroutine is in f: it
		// waits on the Once's mutex.
		o.q = append(o.q, in.sched.cur)
		in.park("sync.Mutex.Lock")
		return
	}
	fv, _ := f.(*funcValue)
	in.g.Call("sync.(*Once).doSlow", true, func(cf *chain.Frame) {
		o.running = true
		in.g.OpenDefer(cf, 0, "sync/once.go:doSlow", func() {
			o.running = false
			for _, gr := range o.q {
				in.sched.ready(gr)
			}
			o.q = nil
		})
		in.g.OpenDefer(cf, 1, "sync/once.go:doSlow", func() { o.done = true })
		if fv == nil {
			fr.nilDeref()
		}
		in.call(fv, nil)
	})
}

// syncPackage builds the type-checker's view of package sync: the four
// types, opaque structs, with the methods the model implements.
func syncPackage() *types.Package {
	p := types.NewPackage("sync", "sync")
	intT, boolT := types.Typ[types.Int], types.Typ[types.Bool]
	param := func(name string, t types.Type) *types.Var { return types.NewParam(token.NoPos, p, name, t) }
	opaqueType(p, "Mutex", map[string]*types.Signature{"Lock": nil, "Unlock": nil, "TryLock": types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(param("", boolT)), false)})
	opaqueType(p, "RWMutex", map[string]*types.Signature{"Lock": nil, "Unlock": nil, "RLock": nil, "RUnlock": nil})
	opaqueType(p, "WaitGroup", map[string]*types.Signature{"Add": types.NewSignatureType(nil, nil, nil, types.NewTuple(param("delta", intT)), nil, false), "Done": nil, "Wait": nil})
	opaqueType(p, "Once", map[string]*types.Signature{"Do": types.NewSignatureType(nil, nil, nil, types.NewTuple(param("f", types.NewSignatureType(nil, nil, nil, nil, nil, false))), nil, false)})
	p.MarkComplete()
	return p
}
