package realtrace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/deferio/deferio/defer/chain"
)

// ErrUnavailable is matched, with errors.Is, by the errors of a tracer
// that cannot work on this machine: no ptrace (a seccomp profile, a
// Yama policy, no CAP_SYS_PTRACE), no Go toolchain, not linux/amd64.
var ErrUnavailable = errors.New("the real-runtime tracer is unavailable")

// Options bound a traced run. The zero value means the defaults.
type Options struct {
	// Timeout ends the program after this long (default 10s).
	Timeout time.Duration
	// MaxEvents ends the program after this many records (default
	// 100000); Result.Truncated then says so.
	MaxEvents int
	// All keeps the events of frames outside package main: the defers
	// of the runtime and of the standard library (fmt, sync, os ...).
	All bool
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = 100000
	}
	return o
}

// A Strategy is the compiler's choice for one defer statement, from
// -gcflags=-d=defer.
type Strategy struct {
	Line, Col int
	Kind      string // "open-coded", "stack-allocated" or "heap-allocated"
}

// A Result is what the real runtime did while the program ran.
type Result struct {
	Stdout, Stderr string
	// Status is the exit status (128+N for a death by signal N, -1 when
	// it is unknown).
	Status int
	// Events are the runtime's steps in the order they happened, as
	// package chain's renderers draw them. Kinds seen: deferproc,
	// deferprocStack, open-defer, open-exit, deferreturn, run-defer,
	// popDefer, gopanic, recover, recovery, Goexit, os.Exit, fatalpanic
	// and throw (in no frame when the scheduler threw). Each event's Chain has the length of the goroutine's
	// real _defer list at that step; Pool and Cost are zero (the real
	// pools are not read, and the costs are the model's).
	Events []chain.Event
	// Strategies are the compiler's, for every defer statement of the
	// program.
	Strategies []Strategy
	// FuncLines gives, for each function that an event names, the line
	// of its func keyword (the function table's startLine): the
	// closures of an inlined function are compiled again in each
	// caller and named after it (main.f.seq.func3 for a literal of
	// seq), so their line is what says which literal they are.
	FuncLines map[string]int
	// Watched is the number of deferBits stores watched with ptrace
	// breakpoints (0: the program ran without ptrace).
	Watched int
	// Truncated: the event limit ended the run. TimedOut: the time
	// limit did.
	Truncated, TimedOut bool
	// Elapsed is the wall time of the program's run, build excluded.
	Elapsed time.Duration
}

// A Program is a Go program built against a copy of the installed
// runtime with probes, ready to be traced any number of times.
type Program struct {
	b   *built
	bin *goBinary
}

// Build compiles src, a package main, with go build -overlay (copies of
// the installed runtime's panic.go and proc.go with calls to probes,
// and the probes) and -gcflags=-d=defer. Close removes it.
func Build(ctx context.Context, src []byte) (*Program, error) {
	b, err := build(ctx, src)
	if err != nil {
		return nil, err
	}
	bin, err := openBinary(b.bin)
	if err != nil {
		b.mod.Close()
		return nil, err
	}
	return &Program{b: b, bin: bin}, nil
}

// Close removes the program's module and binary.
func (p *Program) Close() error {
	p.bin.Close()
	return p.b.mod.Close()
}

// Trace builds src and runs it once under the tracer.
func Trace(ctx context.Context, src []byte, opts Options) (*Result, error) {
	p, err := Build(ctx, src)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Run(ctx, opts)
}

// TraceFile is Trace for a file.
func TraceFile(ctx context.Context, path string, opts Options) (*Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read the program: %w", err)
	}
	return Trace(ctx, src, opts)
}

// Run runs the program once under the tracer: the probes report the
// runtime's steps on a pipe, and ptrace breakpoints on the deferBits
// stores of the program's open-coded functions report the steps that
// make no runtime call. The program's stdout, stderr and exit status are
// its own; it runs at most opts.Timeout and is killed, never left
// stopped, when a limit ends it or the tracer dies.
func (p *Program) Run(ctx context.Context, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	stores, err := p.bin.bitsStores(isMain)
	if err != nil {
		return nil, err
	}
	r := &runner{bin: p.bin, stores: map[uint64]*bitsStore{}, frames: map[[2]uint64]uint8{}, limits: opts}
	for _, s := range stores {
		r.stores[s.pc] = s
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	start := time.Now()
	raw, err := r.run(ctx, p.b.bin)
	elapsed := time.Since(start)
	if err != nil {
		return nil, err
	}
	res := &Result{Stdout: raw.stdout, Stderr: raw.stderr, Status: raw.status, Watched: len(r.stores),
		Truncated: raw.truncated, TimedOut: raw.timedOut, Elapsed: elapsed}
	for _, l := range p.b.strategies {
		if l.File == "main.go" {
			res.Strategies = append(res.Strategies, Strategy{Line: l.Line, Col: l.Col, Kind: l.Kind})
		}
	}
	res.Events = p.decode(raw.records, res.Strategies, opts.All)
	for i, e := range res.Events {
		if e.Kind == chain.EvThrow {
			res.Events[i].Detail = strings.TrimPrefix(e.Detail+"; ", "; ") + fatalLine(res.Stderr)
		}
	}
	res.FuncLines = map[string]int{}
	for _, e := range res.Events {
		if _, ok := res.FuncLines[e.Func]; ok {
			continue
		}
		if f := p.bin.funcNamed(e.Func); f != nil {
			res.FuncLines[e.Func] = int(f.startLine)
		}
	}
	return res, nil
}

// fatalLine is the "fatal error: ..." line of stderr, which says what
// a throw threw (the probe cannot read the message), or "".
func fatalLine(stderr string) string {
	for l := range strings.Lines(stderr) {
		if strings.HasPrefix(l, "fatal error: ") {
			return strings.TrimSuffix(l, "\n")
		}
	}
	return ""
}

func isMain(name string) bool { return strings.HasPrefix(name, "main.") }

func isRuntime(name string) bool { return strings.HasPrefix(name, "runtime.") }
