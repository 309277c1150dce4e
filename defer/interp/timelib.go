package interp

import (
	"cmp"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"time"
)

// Time: time.Sleep and time.After on a virtual clock. The clock stands
// still while any goroutine can run; when none can, it jumps to the
// earliest timer, which wakes its sleeper or sends on its channel. A
// program whose real output does not depend on how long its steps take
// (sleeps far apart compared to the work between them) prints the same
// on the model, and runs take no real time. time.Duration is Go's, with
// its String method; time.Now and the wall clock are outside the subset.

// A timer wakes gr, or sends the zero Time on ch, when the clock reaches
// when; seq orders timers of the same instant by their creation.
type timer struct {
	when int64
	seq  int
	gr   *goroutine
	ch   *channel
}

// timePackage is package time of the library.
func timePackage() *types.Package {
	p := types.NewPackage("time", "time")
	dur := types.NewNamed(types.NewTypeName(token.NoPos, p, "Duration", nil), types.Typ[types.Int64], nil)
	p.Scope().Insert(dur.Obj())
	recv := types.NewVar(token.NoPos, p, "", dur)
	for name, res := range map[string]types.Type{"String": types.Typ[types.String], "Seconds": types.Typ[types.Float64], "Milliseconds": types.Typ[types.Int64]} {
		dur.AddMethod(types.NewFunc(token.NoPos, p, name, types.NewSignatureType(recv, nil, nil, nil, params(res), false)))
	}
	tm := opaqueType(p, "Time", nil)
	for name, d := range timeUnits {
		p.Scope().Insert(types.NewConst(token.NoPos, p, name, dur, constant.MakeInt64(int64(d))))
	}
	sig := func(in, out []types.Type) *types.Signature {
		return types.NewSignatureType(nil, nil, nil, params(in...), params(out...), false)
	}
	p.Scope().Insert(types.NewFunc(token.NoPos, p, "Sleep", sig(ts(dur), nil)))
	p.Scope().Insert(types.NewFunc(token.NoPos, p, "After", sig(ts(dur), ts(types.NewChan(types.RecvOnly, tm)))))
	return p
}

var timeUnits = map[string]time.Duration{
	"Nanosecond": time.Nanosecond, "Microsecond": time.Microsecond, "Millisecond": time.Millisecond,
	"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour,
}

func init() {
	names := []string{"After", "Duration", "Sleep", "Time"}
	for n := range timeUnits {
		names = append(names, n)
	}
	slices.Sort(names)
	library["time"] = names
	libZero["time.Duration"] = func() any { return 0 }
	libZero["time.Time"] = func() any { return &timeVal{} }
	libMethods["(time.Duration).String"] = func(_ *frame, recv any, _ []any) []any {
		return []any{time.Duration(recv.(int)).String()}
	}
	libMethods["(time.Duration).Seconds"] = func(_ *frame, recv any, _ []any) []any {
		return []any{time.Duration(recv.(int)).Seconds()}
	}
	libMethods["(time.Duration).Milliseconds"] = func(_ *frame, recv any, _ []any) []any {
		return []any{int(time.Duration(recv.(int)).Milliseconds())}
	}
}

// A timeVal is a time.Time: the model has no wall clock, so every Time
// it makes is the zero Time.
type timeVal struct{}

func (t *timeVal) clone() any { return &timeVal{} }

// sleep is time.Sleep.
func (in *interp) sleep(d int) {
	if d <= 0 {
		return
	}
	s := in.sched
	in.addTimer(&timer{when: s.now + int64(d), gr: s.cur})
	in.park("sleep")
}

// after is time.After.
func (in *interp) after(d int) *channel {
	c := &channel{cap: 1, zero: &timeVal{}}
	in.addTimer(&timer{when: in.sched.now + max(int64(d), 0), ch: c})
	return c
}

func (in *interp) addTimer(t *timer) {
	s := in.sched
	s.timerSeq++
	t.seq = s.timerSeq
	s.timers = append(s.timers, t)
}

// next is the goroutine to run now, or, when none can run, the first one
// the earliest timers make runnable: nil when there is none either.
func (in *interp) next() *goroutine {
	s := in.sched
	for {
		if gr := s.pick(); gr != nil {
			return gr
		}
		if len(s.timers) == 0 {
			return nil
		}
		slices.SortFunc(s.timers, func(a, b *timer) int {
			return cmp.Or(cmp.Compare(a.when, b.when), cmp.Compare(a.seq, b.seq))
		})
		s.now = s.timers[0].when
		fr := &frame{in: in}
		for len(s.timers) > 0 && s.timers[0].when == s.now {
			t := s.timers[0]
			s.timers = s.timers[1:]
			if t.gr != nil {
				t.gr.status = gRunnable
				s.runq = append(s.runq, t.gr)
			} else {
				fr.trySend(t.ch, &timeVal{})
			}
		}
	}
}
