// Package deferlessons holds the lessons of the defer topic that follow
// "defer-basics": named results, the compiler's three strategies,
// deferBits, panic and recover through both kinds of frames, Goexit and
// os.Exit, the patterns Go courses teach (defer mu.Unlock(), a deferred
// Close's error, defer wg.Done(), a recover middleware, defers in a loop),
// and what changed since older articles. Every program a lesson
// shows is run twice: compiled and run by the real toolchain, and run on
// the model of package defer/chain, whose trace the lesson prints.
package deferlessons

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
)

// Lessons returns the defer lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "defer-named-results", Topic: "defer", Title: "Deferred calls can change named results", Run: namedResults},
		{ID: "defer-strategies", Topic: "defer", Title: "Three strategies: open-coded, stack-allocated, heap-allocated", Run: strategies},
		{ID: "defer-bits", Topic: "defer", Title: "deferBits at work", Run: bits},
		{ID: "defer-panic-recover", Topic: "defer", Title: "panic and recover through open-coded and linked frames", Run: panics},
		{ID: "defer-goexit-exit", Topic: "defer", Title: "runtime.Goexit runs deferred calls, os.Exit does not", Run: goexit},
		{ID: "defer-method-value", Topic: "defer", Title: "defer mu.Unlock(): what a deferred method call captures", Run: showing("methodvalue.go", false)},
		{ID: "defer-close-error", Topic: "defer", Title: "Keeping the error of a deferred Close in a named result", Run: showing("closeerror.go", false)},
		{ID: "defer-wg-goexit", Topic: "defer", Title: "defer wg.Done() still runs when a goroutine calls runtime.Goexit", Run: showing("wgdone.go", true)},
		{ID: "defer-recover-middleware", Topic: "defer", Title: "A recover middleware over a map of handlers", Run: showing("middleware.go", false)},
		{ID: "defer-loop-open", Topic: "defer", Title: "Defers in a loop of opens, and a closure per iteration", Run: showing("loopopen.go", false)},
		{ID: "defer-real-runtime", Topic: "defer", Title: "The real runtime, traced, beside the model", Run: realRuntime},
		{ID: "defer-history", Topic: "defer", Title: "What older articles describe that Go 1.26 no longer has", Run: history},
	}
}

// showing is a lesson that shows one program, run by the toolchain and
// on the model (and the model's trace, with trace).
func showing(name string, trace bool) func(context.Context, *lesson.Page) error {
	return func(ctx context.Context, p *lesson.Page) error {
		_, err := show(ctx, p, name, trace)
		return err
	}
}

func namedResults(ctx context.Context, p *lesson.Page) error {
	_, err := show(ctx, p, "named.go", false)
	return err
}

func strategies(ctx context.Context, p *lesson.Page) error {
	s, err := show(ctx, p, "strategies.go", false)
	if err != nil {
		return err
	}
	p.Heading("the model's strategy for each defer (from package defer/strategy)")
	for _, d := range s.prog.Defers {
		fmt.Fprintf(p.Writer(), "  line %2d  %-16s in %s\n", d.Pos.Line, d.Kind, d.Func)
	}
	fmt.Fprintln(p.Writer())
	c := s.model.Counts
	p.Textf("Model counts for this run: %d open-coded defers, %d deferprocStack, %d deferproc (heap); modelled cost %.0f ns.",
		c[chain.EvOpenDefer], c[chain.EvDeferProcStack], c[chain.EvDeferProc], s.model.Cost)
	return nil
}

func bits(ctx context.Context, p *lesson.Page) error {
	_, err := show(ctx, p, "bits.go", true)
	return err
}

func panics(ctx context.Context, p *lesson.Page) error {
	_, err := show(ctx, p, "panics.go", true)
	return err
}

func goexit(ctx context.Context, p *lesson.Page) error {
	if _, err := show(ctx, p, "goexit.go", true); err != nil {
		return err
	}
	_, err := show(ctx, p, "exit.go", true)
	return err
}

// history reads the installed runtime's source and shows what is there
// and what is gone.
func history(ctx context.Context, p *lesson.Page) error {
	root, err := goroot()
	if err != nil {
		return err
	}
	rt := filepath.Join(root, "src", "runtime")
	r2, err := os.ReadFile(filepath.Join(rt, "runtime2.go"))
	if err != nil {
		return fmt.Errorf("unable to read the runtime's source: %w", err)
	}
	def, ok := between(string(r2), "type _defer struct {", "\n}")
	if !ok {
		return fmt.Errorf("unable to find type _defer in %s", filepath.Join(rt, "runtime2.go"))
	}
	p.Code("$GOROOT/src/runtime/runtime2.go", "type _defer struct {"+def+"\n}")
	var lines []string
	for _, name := range []string{"siz", "started", "openDefer", "_panic", "fd", "varp", "framepc"} {
		state := "gone"
		if strings.Contains(def, "\t"+name+" ") {
			state = "still there"
		}
		lines = append(lines, fmt.Sprintf("_defer.%-10s %s", name, state))
	}
	for _, fn := range []string{"jmpdefer", "runOpenDeferFrame", "deferprocStack", "deferreturn", "deferrangefunc"} {
		n, err := countInRuntime(rt, "func "+fn+"(")
		if err != nil {
			return err
		}
		state := "gone"
		if n > 0 {
			state = "present"
		}
		lines = append(lines, fmt.Sprintf("func %-18s %s", fn, state))
	}
	p.Output("searching $GOROOT/src/runtime", strings.Join(lines, "\n"))
	return versions(p)
}

// versions runs one program on the model with the strategies of three
// releases and compares the modelled costs.
func versions(p *lesson.Page) error {
	src, err := program("history.go")
	if err != nil {
		return err
	}
	p.Code("history.go", string(src))
	var rows []string
	for _, v := range []string{"1.12", "1.13", "1.26"} {
		strat, err := interp.HistoricStrategies(v)
		if err != nil {
			return err
		}
		prog, err := interp.Load("history.go", src, strat)
		if err != nil {
			return err
		}
		res, err := prog.Run(interp.Options{})
		if err != nil {
			return err
		}
		c := res.Counts
		rows = append(rows, fmt.Sprintf("go%-5s %-16s open %3d  stack %3d  heap %3d  modelled %6.0f ns  output %s",
			v, prog.Defers[0].Kind, c[chain.EvOpenDefer], c[chain.EvDeferProcStack], c[chain.EvDeferProc], res.Cost, strings.TrimSpace(res.Stdout)))
	}
	p.Output("deferlab run -go VERSION history.go   (model: strategies of each release, Go 1.26's runtime steps and costs)", strings.Join(rows, "\n"))
	return nil
}

// goroot asks the go command where its source is.
func goroot() (string, error) {
	gotool, err := gorun.GoTool()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(gotool, "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("unable to find the Go toolchain's source: go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func between(s, start, end string) (string, bool) {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return "", false
	}
	body, _, ok := strings.Cut(after, end)
	return body, ok
}

func countInRuntime(dir, needle string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return 0, fmt.Errorf("unable to list the runtime's source: %w", err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, fmt.Errorf("unable to read %s: %w", f, err)
		}
		n += strings.Count(string(b), needle)
	}
	return n, nil
}
