package realtrace_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/testenv"
)

// trace runs src under the tracer, skipping (failing under CI=true) when
// the machine cannot.
func trace(t *testing.T, src string, opts realtrace.Options) *realtrace.Result {
	t.Helper()
	testenv.NeedGo(t)
	res, err := realtrace.Trace(context.Background(), []byte(src), opts)
	if errors.Is(err, realtrace.ErrUnavailable) {
		testenv.Need(t, "ptrace", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// kinds returns the events' kinds, with the slot and deferBits of the
// open-coded ones: "open-defer 0 00000001".
func kinds(events []chain.Event) []string {
	var out []string
	for _, e := range events {
		s := e.Kind.String()
		if e.Slot >= 0 {
			s += fmt.Sprintf(" %d %08b", e.Slot, e.BitsAfter)
		}
		out = append(out, s)
	}
	return out
}

// strategyAt returns the compiler's strategy for "main.go:LINE:COL".
func strategyAt(res *realtrace.Result, site string) string {
	for _, s := range res.Strategies {
		if site == fmt.Sprintf("main.go:%d:%d", s.Line, s.Col) {
			return s.Kind
		}
	}
	return ""
}

const twoOpenAndPanic = `package main

func f() {
	defer println("first")
	defer println("second")
	panic("boom")
}

func main() {
	defer func() { println("recovered:", recover() != nil) }()
	f()
}
`

// TestOpenCodedPanic: two open-coded defers set bits 1 then 3, the panic
// runs them from the highest bit down, the caller's deferred recover
// stops it and the runtime resumes at the caller's deferreturn.
func TestOpenCodedPanic(t *testing.T) {
	res := trace(t, twoOpenAndPanic, realtrace.Options{})
	want := []string{
		"open-defer 0 00000001", // main's recover
		"open-defer 0 00000001", // f: bit 0 ...
		"open-defer 1 00000011", // ... then bit 1: deferBits 1 then 3
		"gopanic",
		"run-defer 1 00000001", "run-defer 0 00000000", // f's, highest first
		"run-defer 0 00000000", // main's
		"recover", "recovery", "deferreturn",
	}
	if got := kinds(res.Events); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range res.Events {
		if e.Kind == chain.EvOpenDefer && strategyAt(res, e.Site) != "open-coded" {
			t.Errorf("an open-defer at %s, which -d=defer calls %q", e.Site, strategyAt(res, e.Site))
		}
		if len(e.Chain) != 0 {
			t.Errorf("%s: the _defer list has %d records, want none (open-coded defers use no record)", e.Kind, len(e.Chain))
		}
	}
	if r := res.Events[7]; r.Func != "main.main.func1" || !strings.HasPrefix(r.Detail, "stops") {
		t.Errorf("recover: %s %q, want main.main.func1 stopping the panic", r.Func, r.Detail)
	}
	if f := res.Events[4].Func; f != "main.f" {
		t.Errorf("the first deferred call ran for %s, want main.f", f)
	}
	if res.Status != 0 || res.Watched == 0 {
		t.Errorf("status %d, %d stores watched", res.Status, res.Watched)
	}
}

const loopDefers = `package main

func loop(n int) {
	for i := 0; i < n; i++ {
		defer println(i)
	}
}

func stack() {
	defer println("stack")
	for i := 0; i < 2; i++ {
		println(i)
	}
	defer println("also")
	if len("x") > 0 {
		return
	}
}

func main() {
	loop(3)
	stack()
}
`

// TestLoopDefersAreHeapRecords: a defer in a loop is a heap record
// pushed by deferproc (the list grows 1, 2, 3), run by deferreturn from
// the head; the strategies are the compiler's.
func TestLoopDefersAreHeapRecords(t *testing.T) {
	res := trace(t, loopDefers, realtrace.Options{})
	var lens []int
	for _, e := range res.Events {
		if e.Func != "main.loop" {
			continue
		}
		switch e.Kind {
		case chain.EvDeferProc:
			if !e.Heap || strategyAt(res, e.Site) != "heap-allocated" {
				t.Errorf("deferproc at %s: heap %v, -d=defer %q", e.Site, e.Heap, strategyAt(res, e.Site))
			}
			lens = append(lens, len(e.Chain))
		case chain.EvDeferProcStack, chain.EvOpenDefer:
			t.Errorf("%s in a loop", e.Kind)
		case chain.EvRunDefer:
			lens = append(lens, -len(e.Chain))
		}
	}
	if fmt.Sprint(lens) != "[1 2 3 -3 -2 -1]" {
		t.Errorf("list lengths at deferproc (+) and run-defer (-): %v, want [1 2 3 -3 -2 -1]", lens)
	}
	for _, e := range res.Events {
		if e.Kind == chain.EvDeferProc || e.Kind == chain.EvDeferProcStack || e.Kind == chain.EvOpenDefer {
			want := map[chain.EventKind]string{chain.EvDeferProc: "heap-allocated", chain.EvDeferProcStack: "stack-allocated", chain.EvOpenDefer: "open-coded"}[e.Kind]
			if got := strategyAt(res, e.Site); got != want {
				t.Errorf("%s at %s: the compiler says %q", e.Kind, e.Site, got)
			}
		}
	}
}

// TestBehaviourUnchanged: the traced program prints and exits as the
// program built with the untouched runtime does.
func TestBehaviourUnchanged(t *testing.T) {
	src := twoOpenAndPanic + "\nfunc init() { defer func() { recover() }(); panic(7) }\n"
	res := trace(t, src, realtrace.Options{})
	plain, err := gorun.Run(context.Background(), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stdout != plain.Stdout || res.Stderr != plain.Stderr || res.Status != plain.ExitCode {
		t.Errorf("traced %q %q %d, untraced %q %q %d", res.Stdout, res.Stderr, res.Status, plain.Stdout, plain.Stderr, plain.ExitCode)
	}
}

// forever runs an open-coded defer every few milliseconds until killed;
// it writes its PID to the file named by %q first.
const forever = `package main

import (
	"os"
	"strconv"
	"time"
)

func step(i int) int {
	defer func() { i++ }()
	return i
}

func main() {
	os.WriteFile(%q, []byte(strconv.Itoa(os.Getpid())), 0o644)
	for {
		step(1)
		time.Sleep(%s)
	}
}
`

// TestLimitsLeaveNoProcess: the time limit and the event limit each end
// a program that never stops, and no process is left behind.
func TestLimitsLeaveNoProcess(t *testing.T) {
	for _, c := range []struct {
		name  string
		sleep string
		opts  realtrace.Options
	}{
		{"timeout", "5*time.Millisecond", realtrace.Options{Timeout: 500 * time.Millisecond}},
		{"events", "0", realtrace.Options{MaxEvents: 1000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			start := time.Now()
			res := trace(t, fmt.Sprintf(forever, pidFile, c.sleep), c.opts)
			t.Logf("ended after %v (build included) with status %d, %d events", time.Since(start), res.Status, len(res.Events))
			if c.name == "timeout" && !res.TimedOut || c.name == "events" && !res.Truncated {
				t.Errorf("timed out %v, truncated %v", res.TimedOut, res.Truncated)
			}
			if c.name == "events" && len(res.Events) > 1000 {
				t.Errorf("%d events, over the limit", len(res.Events))
			}
			assertGone(t, pidFile)
		})
	}
}

// TestKilledTracerLeavesNoProcess kills a process that is tracing a
// program that never stops: the program dies with it.
func TestKilledTracerLeavesNoProcess(t *testing.T) {
	testenv.NeedGo(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTracer$")
	cmd.Env = append(os.Environ(), "REALTRACE_HELPER_SRC="+fmt.Sprintf(forever, pidFile, "5*time.Millisecond"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(pidFile); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the traced program never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	assertGone(t, pidFile)
}

// TestHelperTracer is the process that TestKilledTracerLeavesNoProcess
// kills; it does nothing in a normal run.
func TestHelperTracer(t *testing.T) {
	src := os.Getenv("REALTRACE_HELPER_SRC")
	if src == "" {
		t.Skip("a helper process")
	}
	realtrace.Trace(context.Background(), []byte(src), realtrace.Options{Timeout: time.Minute})
}

// assertGone fails unless the process whose PID is in pidFile is gone
// (or a zombie) within a few seconds.
func assertGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the program never wrote its PID: %v", err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("process %d is still there: %s", pid, stat)
}

// slowOpen runs open-coded defers (so it is traced with ptrace) for
// about a second.
const slowOpen = `package main

import "time"

func step(i int) int {
	defer func() { i++ }()
	return i
}

func main() {
	for i := 0; i < 50; i++ {
		step(i)
		time.Sleep(20 * time.Millisecond)
	}
}
`

// TestOtherChildrenNotReaped: a child of the tracing process that ends
// while a traced program runs is still there for its own Wait; the
// tracer waits for its program's threads only.
func TestOtherChildrenNotReaped(t *testing.T) {
	testenv.NeedGo(t)
	p, err := realtrace.Build(context.Background(), []byte(slowOpen))
	if errors.Is(err, realtrace.ErrUnavailable) {
		testenv.Need(t, "ptrace", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	other := exec.Command(os.Args[0], "-test.run=^$")
	done := make(chan error, 1)
	type result struct {
		res *realtrace.Result
		err error
	}
	traced := make(chan result, 1)
	go func() {
		res, err := p.Run(context.Background(), realtrace.Options{})
		traced <- result{res, err}
	}()
	// The other child starts and ends while the traced program sleeps.
	time.Sleep(100 * time.Millisecond)
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- other.Wait() }()
	if err := <-done; err != nil {
		t.Errorf("the other child's Wait: %v (reaped by the tracer?)", err)
	}
	r := <-traced
	if errors.Is(r.err, realtrace.ErrUnavailable) {
		testenv.Need(t, "ptrace", r.err)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.Status != 0 || r.res.Watched == 0 {
		t.Errorf("traced program: status %d, %d stores watched", r.res.Status, r.res.Watched)
	}
}

// growth defers, grows its stack (the runtime copies it: every SP
// moves), and defers again.
const growth = `package main

func grow(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return grow(n-1) + int(pad[n%256])
}

func main() {
	defer println("first")
	println(grow(200) > 0)
	defer println("second")
}
`

// TestStackGrowthKeepsFrame: an open-coded frame whose stack is copied
// between its two defer statements still sets bit 0 once and then bit
// 1, and runs slot 1 then slot 0.
func TestStackGrowthKeepsFrame(t *testing.T) {
	res := trace(t, growth, realtrace.Options{})
	var got []string
	for _, e := range res.Events {
		if e.Func == "main.main" {
			got = append(got, kinds([]chain.Event{e})...)
		}
	}
	want := []string{"open-defer 0 00000001", "open-defer 1 00000011", "open-exit 1 00000001", "open-exit 0 00000000"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("main's steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDoesNotCompile: a program that does not compile gives the
// compiler's message, and no error that says the tracer is unavailable.
func TestDoesNotCompile(t *testing.T) {
	testenv.NeedGo(t)
	_, err := realtrace.Trace(context.Background(), []byte("package main\n\nfunc main() { undefinedName() }\n"), realtrace.Options{})
	if err == nil {
		t.Fatal("no error for a program that does not compile")
	}
	if errors.Is(err, realtrace.ErrUnavailable) {
		t.Errorf("a compile error reported as the tracer unavailable: %v", err)
	}
	if !strings.Contains(err.Error(), "undefined: undefinedName") {
		t.Errorf("the error does not carry the compiler's message: %v", err)
	}
}

const inlinedCaller = `package main

import "fmt"

func perIteration() {
	for i := range 2 {
		func() {
			defer fmt.Println("close", i)
			fmt.Println("use", i)
		}()
	}
}

func main() {
	perIteration()
}
`

// TestInlinedFramesCount: perIteration is inlined into main, and the
// compiler names the copy of its literal after main; the literal's
// open-coded steps, seen through breakpoints, count the inlined
// perIteration among the frames below them, as the probes' unwinder
// does, and FuncLines gives the literal's line.
func TestInlinedFramesCount(t *testing.T) {
	res := trace(t, inlinedCaller, realtrace.Options{})
	const name = "main.main.perIteration.func1"
	n := 0
	for _, e := range res.Events {
		if e.Kind != chain.EvOpenDefer && e.Kind != chain.EvOpenExit {
			continue
		}
		n++
		if e.Func != name || e.Depth != 2 {
			t.Errorf("%s in %s at depth %d, want %s at depth 2 (main and the inlined perIteration)", e.Kind, e.Func, e.Depth, name)
		}
	}
	if n != 4 {
		t.Errorf("%d open-coded steps, want 4", n)
	}
	if line := res.FuncLines[name]; line != 7 {
		t.Errorf("FuncLines[%s] = %d, want 7 (the literal's func keyword)", name, line)
	}
}

// TestThrowProbe: fatalthrow reports every fatal error once. The
// scheduler throws with no goroutine to run, so the step has no frame
// and no list, though main still has a record on its own list; a
// goroutine that throws on its stack (preprintpanics' deferred recover
// after an Error method panicked) is unwound past the runtime's frames
// to the method that panicked.
func TestThrowProbe(t *testing.T) {
	for _, tc := range []struct {
		name, src, fn string
		depth, list   int
		stderr        string
	}{
		{name: "scheduler", src: `package main

func main() {
	for i := 0; i < 1; i++ {
		defer println("pending")
	}
	select {}
}
`, fn: "", stderr: "fatal error: all goroutines are asleep - deadlock!"},
		{name: "error-method", src: `package main

type e struct{}

func (e) Error() string { panic("inner") }

func main() {
	defer println("deferred")
	panic(e{})
}
`, fn: "main.e.Error", depth: 1, stderr: "fatal error: panic while printing panic value: inner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := trace(t, tc.src, realtrace.Options{})
			var throws []chain.Event
			for _, e := range res.Events {
				if e.Kind == chain.EvThrow {
					throws = append(throws, e)
				}
			}
			if len(throws) != 1 || res.Events[len(res.Events)-1].Kind != chain.EvThrow {
				t.Fatalf("want one throw, the last step; got %q", kinds(res.Events))
			}
			e := throws[0]
			if e.Func != tc.fn || e.Depth != tc.depth || len(e.Chain) != tc.list {
				t.Errorf("throw in %q depth %d list %d, want %q depth %d list %d", e.Func, e.Depth, len(e.Chain), tc.fn, tc.depth, tc.list)
			}
			if !strings.Contains(e.Detail, tc.stderr) || res.Status != 2 {
				t.Errorf("throw detail %q, status %d; want %q and 2", e.Detail, res.Status, tc.stderr)
			}
		})
	}
}
