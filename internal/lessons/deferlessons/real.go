package deferlessons

import (
	"context"
	"fmt"
	"strings"

	"github.com/deferio/deferio/defer/difftest"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/lesson"
)

// realRuntime shows two programs as the real runtime ran them (package
// defer/realtrace: a probed copy of the runtime and ptrace breakpoints
// on the deferBits stores), step by step beside the model's steps, and
// marks the first difference. It returns an error matching
// realtrace.ErrUnavailable where the tracer cannot run.
func realRuntime(ctx context.Context, p *lesson.Page) error {
	p.Text("The classic interview program: the four rules (LIFO, arguments evaluated at the defer statement, closures see later values, a deferred closure changes a named result), here with a loop's heap records, open-coded defers and deferBits.")
	if err := showReal(ctx, p, "interview.go"); err != nil {
		return err
	}
	p.Text("A panic unwinds through a frame whose defer is a stack record (deferprocStack) and a frame with open-coded defers, and main's deferred recover stops it.")
	return showReal(ctx, p, "unwind.go")
}

func showReal(ctx context.Context, p *lesson.Page, name string) error {
	src, err := program(name)
	if err != nil {
		return err
	}
	p.Code(name, string(src))
	prog, err := interp.Load(name, src, nil)
	if err != nil {
		return err
	}
	model, err := prog.Run(interp.Options{Trace: true})
	if err != nil {
		return err
	}
	real, err := realtrace.Trace(ctx, src, realtrace.Options{})
	if err != nil {
		return fmt.Errorf("unable to trace %s on the real runtime: %w", name, err)
	}
	var strat []string
	for _, s := range real.Strategies {
		strat = append(strat, fmt.Sprintf("./%s:%d:%d: %s defer", name, s.Line, s.Col, s.Kind))
	}
	p.Output("go build -gcflags=-d=defer (with the probed runtime)", strings.Join(strat, "\n"))
	p.Output(fmt.Sprintf("the traced program's output (exit status %d)", real.Status), strings.TrimRight(real.Stdout, "\n"))
	d := difftest.CompareEvents(model.Events, real.Events)
	var rows []string
	rows = append(rows, fmt.Sprintf("     %-62s | %s", "model (defer/interp)", "real runtime (realtrace)"))
	for i := range d.Rows() {
		m, r := d.Row(i)
		mark := "  "
		if i == d.First {
			mark = "=>"
		}
		rows = append(rows, fmt.Sprintf("%s%3d %-62s | %s", mark, i, m, r))
	}
	p.Output("deferlab trace -both "+name, strings.Join(rows, "\n"))
	switch {
	case d.First >= 0:
		p.Note(fmt.Sprintf("the model and the real runtime differ at step %d: %s", d.First, strings.Join(d.Diffs, "; ")))
	case real.Stdout != model.Stdout || real.Status != model.Status:
		p.Note("the steps agree, but the model's output or exit status differs from the real program's")
	default:
		p.Textf("Verdict: agree. The %d steps match in kind, frame, depth, strategy, slot and deferBits, and in the length of the goroutine's _defer list; %d deferBits stores were watched with ptrace breakpoints.", len(d.Real), real.Watched)
	}
	return nil
}
