package chain

// Goroutines: a program's goroutines each have their own G (frames,
// defer list, panics), as each runtime g has its own _defer and _panic
// lists, and they share the main goroutine's P: the record pools, the
// event sequence and the counters. The model runs one goroutine at a
// time (the caller schedules them), so sharing needs no lock.

// NewGoroutine returns the model of a goroutine that g's program starts
// with a go statement (newproc): an empty defer list and no panic, with
// the record pools, the events and the costs of the main goroutine. Its
// events carry id in [Event.G]. Run it with [G.Run].
func (g *G) NewGoroutine(id int, fn string) *G {
	r := g.shared()
	r.spawned = true
	ng := &G{opts: r.opts, pool: r.pool, id: id, root: r, cost: r.cost}
	g.emit(Event{Kind: EvNewproc, Detail: goName(id) + " created by newproc: put in runnext, " + fn + " runs when the scheduler picks it"}, g.top())
	return ng
}

// ID returns the goroutine's ID: 1 for the main goroutine.
func (g *G) ID() int { return g.id }

// GoEnd records that the goroutine ended (goexit0) after its function
// returned or its Goexit ran every deferred call.
func (g *G) GoEnd(how string) {
	g.emit(Event{Kind: EvGoEnd, Detail: goName(g.id) + " ends (" + how + ")"}, nil)
}

// shared is the G that holds the program's shared counters and events.
func (g *G) shared() *G {
	if g.root != nil {
		return g.root
	}
	return g
}

func goName(id int) string {
	if id == 1 {
		return "the main goroutine"
	}
	return "goroutine " + itoa(id)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// goexitEnd ends a Goexit whose deferred calls have all run: a goroutine
// started by a go statement ends (the caller's scheduler goes on); the
// main goroutine ends the program with "no goroutines" when it never
// started another, and otherwise reports How "Goexit" so that the
// caller's scheduler decides (the program goes on while others run).
func (g *G) goexitEnd() {
	o := Outcome{Status: 2, How: "Goexit",
		Stderr: "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"}
	if g.root != nil || g.spawned {
		g.emit(Event{Kind: EvGoEnd, Detail: goName(g.id) + " ends (Goexit ran its deferred calls)"}, g.top())
		g.out = o
		panic(&unwind{exit: &o})
	}
	g.SchedulerThrow("no goroutines (main called runtime.Goexit) - deadlock!")
	g.out = o
	panic(&unwind{exit: &o})
}
