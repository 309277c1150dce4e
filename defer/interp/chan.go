package interp

import (
	"go/ast"
	"go/types"
)

// A channel models runtime.hchan: a ring of cap buffered values, the
// closed flag and the queues of parked receivers and senders. The
// operations follow chansend, chanrecv and closechan: a send to a parked
// receiver hands the value over directly, a receive from a full buffer
// takes its head and moves a parked sender's value in.
type channel struct {
	buf    []any
	cap    int
	closed bool
	recvq  []*waiter
	sendq  []*waiter
	zero   any
}

// A waiter is a parked goroutine on a channel (the runtime's sudog). A
// select parks one waiter per case; they share sel, and the first case
// to fire wins.
type waiter struct {
	gr     *goroutine
	val    any // the value to send, or the value received
	ok     bool
	closed bool // a send woken by close: it panics
	sel    *selWait
	cas    int // the select case
}

type selWait struct {
	done  bool
	fired int
}

// take removes and returns the first live waiter of q.
func take(q *[]*waiter) *waiter {
	for len(*q) > 0 {
		w := (*q)[0]
		*q = (*q)[1:]
		if w.sel != nil {
			if w.sel.done {
				continue
			}
			w.sel.done, w.sel.fired = true, w.cas
		}
		return w
	}
	return nil
}

// maxBuffered bounds the elements buffered in all channels of a run.
const maxBuffered = maxLen

func (fr *frame) makeChan(e *ast.CallExpr) any {
	in := fr.in
	t := in.p.Info.TypeOf(e.Args[0]).Underlying().(*types.Chan)
	n := 0
	if len(e.Args) > 1 {
		n = fr.eval(e.Args[1]).(int)
	}
	if n < 0 {
		fr.runtimeError("makechan: size out of range", false)
	}
	if n > maxBuffered {
		in.fail("%s: make of a channel of %d elements is beyond the model's memory limit of %d", in.p.Fset.Position(e.Pos()), n, maxBuffered)
	}
	return &channel{cap: n, zero: zero(t.Elem())}
}

// plainPanic panics with a string, as panic("...") in the library does
// (sync's "negative WaitGroup counter").
func (fr *frame) plainPanic(msg string) {
	fr.in.panic(fr.in.convert(msg, types.Typ[types.String], types.Universe.Lookup("any").Type(), true), msg)
}

// trySend sends v if it can without blocking.
func (fr *frame) trySend(c *channel, v any) bool {
	if c.closed {
		fr.plainRuntimeError("send on closed channel")
	}
	if w := take(&c.recvq); w != nil {
		w.val, w.ok = v, true
		fr.in.sched.ready(w.gr)
		return true
	}
	if len(c.buf) < c.cap {
		c.buf = append(c.buf, v)
		return true
	}
	return false
}

// send is chansend: c <- v.
func (fr *frame) send(c *channel, v any) {
	in := fr.in
	if c == nil {
		in.park("chan send (nil chan)")
		return
	}
	if fr.trySend(c, v) {
		return
	}
	w := &waiter{gr: in.sched.cur, val: v}
	c.sendq = append(c.sendq, w)
	in.park("chan send")
	if w.closed {
		fr.plainRuntimeError("send on closed channel")
	}
}

// tryRecv receives if it can without blocking.
func (fr *frame) tryRecv(c *channel) (v any, ok, done bool) {
	if len(c.buf) > 0 {
		v = c.buf[0]
		c.buf = c.buf[1:]
		if w := take(&c.sendq); w != nil {
			c.buf = append(c.buf, w.val)
			fr.in.sched.ready(w.gr)
		}
		return v, true, true
	}
	if w := take(&c.sendq); w != nil {
		fr.in.sched.ready(w.gr)
		return w.val, true, true
	}
	if c.closed {
		return c.zero, false, true
	}
	return nil, false, false
}

// recv is chanrecv: <-c, with the comma-ok flag.
func (fr *frame) recv(c *channel) (any, bool) {
	in := fr.in
	if c == nil {
		in.park("chan receive (nil chan)")
		return nil, false
	}
	if v, ok, done := fr.tryRecv(c); done {
		return v, ok
	}
	w := &waiter{gr: in.sched.cur}
	c.recvq = append(c.recvq, w)
	in.park("chan receive")
	return w.val, w.ok
}

// closeChan is closechan: parked receivers get the zero value, parked
// senders panic.
func (fr *frame) closeChan(c *channel) {
	if c == nil {
		fr.plainRuntimeError("close of nil channel")
	}
	if c.closed {
		fr.plainRuntimeError("close of closed channel")
	}
	c.closed = true
	for w := take(&c.recvq); w != nil; w = take(&c.recvq) {
		w.val, w.ok = c.zero, false
		fr.in.sched.ready(w.gr)
	}
	for w := take(&c.sendq); w != nil; w = take(&c.sendq) {
		w.closed = true
		fr.in.sched.ready(w.gr)
	}
}

// rangeChan is for v := range c: receive until c is closed and drained.
func (fr *frame) rangeChan(s *ast.RangeStmt, c *channel, label string) ctl {
	for {
		fr.in.step(s)
		v, ok := fr.recv(c)
		if !ok {
			return ctl{}
		}
		if s.Key != nil {
			fr.rangeVar(s, s.Key, v)
		}
		if stop, c := loopCtl(fr.execList(s.Body.List), label); stop {
			return c
		}
	}
}

// selectStmt is selectgo. The runtime tries the ready cases in a random
// order; the model takes the first ready case in source order, so a
// program whose output depends on the choice gets one of Go's valid
// outputs. With no ready case it runs default, or parks on every
// channel until one case fires.
func (fr *frame) selectStmt(s *ast.SelectStmt, label string) ctl {
	in := fr.in
	type cas struct {
		cc   *ast.CommClause
		send bool
		c    *channel
		v    any
	}
	var cases []cas
	var dflt *ast.CommClause
	for _, st := range s.Body.List {
		cc := st.(*ast.CommClause)
		switch comm := cc.Comm.(type) {
		case nil:
			dflt = cc
		case *ast.SendStmt:
			c, _ := fr.eval(comm.Chan).(*channel)
			t := in.p.Info.TypeOf(comm.Chan).Underlying().(*types.Chan)
			v := in.convert(fr.eval(comm.Value), in.p.Info.TypeOf(comm.Value), t.Elem(), in.p.Info.Types[comm.Value].Value != nil)
			cases = append(cases, cas{cc: cc, send: true, c: c, v: v})
		default:
			c, _ := fr.eval(recvOperand(comm)).(*channel)
			cases = append(cases, cas{cc: cc, c: c})
		}
	}
	run := func(i int, v any, ok bool) ctl {
		cc := cases[i].cc
		if !cases[i].send {
			fr.bindRecv(cc.Comm, v, ok)
		}
		c := fr.execList(cc.Body)
		if c.kind == ctlBreak && (c.label == "" || c.label == label) {
			return ctl{}
		}
		return c
	}
	for i, k := range cases {
		if k.c == nil {
			continue
		}
		if k.send {
			if fr.trySend(k.c, k.v) {
				return run(i, nil, false)
			}
		} else if v, ok, done := fr.tryRecv(k.c); done {
			return run(i, v, ok)
		}
	}
	if dflt != nil {
		c := fr.execList(dflt.Body)
		if c.kind == ctlBreak && (c.label == "" || c.label == label) {
			return ctl{}
		}
		return c
	}
	if len(cases) == 0 {
		in.park("select (no cases)")
	}
	sw := &selWait{}
	ws := make([]*waiter, len(cases))
	for i, k := range cases {
		if k.c == nil {
			continue
		}
		w := &waiter{gr: in.sched.cur, val: k.v, sel: sw, cas: i}
		ws[i] = w
		if k.send {
			k.c.sendq = append(k.c.sendq, w)
		} else {
			k.c.recvq = append(k.c.recvq, w)
		}
	}
	in.park("select")
	w := ws[sw.fired]
	if w.closed {
		fr.plainRuntimeError("send on closed channel")
	}
	return run(sw.fired, w.val, w.ok)
}

// recvOperand is the channel of a select case's receive.
func recvOperand(comm ast.Stmt) ast.Expr {
	var e ast.Expr
	switch comm := comm.(type) {
	case *ast.ExprStmt:
		e = comm.X
	case *ast.AssignStmt:
		e = comm.Rhs[0]
	}
	return ast.Unparen(e).(*ast.UnaryExpr).X
}

// bindRecv assigns or declares the results of a select case's receive.
func (fr *frame) bindRecv(comm ast.Stmt, v any, ok bool) {
	as, isAssign := comm.(*ast.AssignStmt)
	if !isAssign {
		return
	}
	info := fr.in.p.Info
	vals := []any{v, ok}
	for i, e := range as.Lhs {
		id, isID := e.(*ast.Ident)
		if isID && id.Name == "_" {
			continue
		}
		if isID && info.Defs[id] != nil {
			fr.declare(id, vals[i])
			continue
		}
		from := types.Type(types.Typ[types.Bool])
		if i == 0 {
			from = info.TypeOf(as.Rhs[0])
		}
		fr.lvalue(e).store(fr, fr.in.convert(vals[i], from, info.TypeOf(e), false))
	}
}
