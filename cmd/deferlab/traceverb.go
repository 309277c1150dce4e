package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/difftest"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lesson"
)

var traceVerb = cli.Verb{
	Name: "trace",
	Args: "FILE.go",
	Help: `the defer steps of FILE.go: on the model (the default), on the real
runtime (-real: the program compiled against a probed copy of the
runtime, with ptrace breakpoints on open-coded deferBits stores), or
both side by side with the first step where they differ (-both)

-real and -both need linux/amd64, the Go toolchain and ptrace; without
them trace says so and exits 2. -real passes the program's exit status
through; -both exits 0 when every step agrees, 1 when one differs.`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		var o traceOptions
		fs.BoolVar(&o.real, "real", false, "trace the real runtime instead of the model")
		fs.BoolVar(&o.both, "both", false, "trace both and show them side by side, marking the first difference")
		fs.BoolVar(&o.asJSON, "json", false, "print the events as JSON instead of the diagram")
		fs.StringVar(&o.svgOut, "svg", "", "also write the chain over time as an SVG picture to `OUT` (the real one with -both)")
		fs.BoolVar(&o.all, "all", false, "with -real, keep the defers of the runtime and the standard library too")
		fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "end the real program after `D`")
		fs.IntVar(&o.events, "events", 100000, "end the real program after `N` events")
		fs.BoolVar(&o.noColor, "no-color", false, "never use colour")
		return func(ctx context.Context, s cli.Streams, args []string) error {
			file, err := oneFile("trace", args)
			if err != nil {
				return err
			}
			return traceFile(ctx, file, o, s)
		}
	},
}

type traceOptions struct {
	real, both, asJSON, all, noColor bool
	svgOut                           string
	timeout                          time.Duration
	events                           int
}

func traceFile(ctx context.Context, file string, o traceOptions, s cli.Streams) error {
	if o.real && o.both {
		return cli.Usagef("-real and -both exclude each other")
	}
	if o.timeout <= 0 || o.events <= 0 {
		return cli.Usagef("-timeout and -events must be positive")
	}
	if !o.real && !o.both {
		return runFile(file, runOptions{asJSON: o.asJSON, svgOut: o.svgOut, noColor: o.noColor,
			steps: interp.DefaultStepLimit, goVersion: "1.26"}, s)
	}
	res, err := realtrace.TraceFile(ctx, file, realtrace.Options{Timeout: o.timeout, MaxEvents: o.events, All: o.all})
	if errors.Is(err, realtrace.ErrUnavailable) {
		return fmt.Errorf("unable to trace the real runtime here: %w", err)
	}
	if err != nil {
		return err
	}
	if o.svgOut != "" {
		if err := writeSVG(o.svgOut, res.Events); err != nil {
			return err
		}
	}
	if o.real {
		return showReal(file, res, o, s)
	}
	return showBoth(file, res, o, s)
}

// jsonReal is the -json output of trace -real.
type jsonReal struct {
	File       string               `json:"file"`
	Stdout     string               `json:"stdout"`
	Stderr     string               `json:"stderr"`
	Status     int                  `json:"status"`
	Truncated  bool                 `json:"truncated,omitempty"`
	TimedOut   bool                 `json:"timedOut,omitempty"`
	Strategies []realtrace.Strategy `json:"strategies"`
	Events     []chain.Event        `json:"events"`
	Model      []chain.Event        `json:"model,omitempty"`
	FirstDiff  *int                 `json:"firstDiff,omitempty"`
	Diffs      []string             `json:"diffs,omitempty"`
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("unable to write JSON: %w", err)
	}
	return nil
}

func showReal(file string, res *realtrace.Result, o traceOptions, s cli.Streams) error {
	if o.asJSON {
		if err := writeJSON(s.Stdout, jsonReal{File: file, Stdout: res.Stdout, Stderr: res.Stderr, Status: res.Status,
			Truncated: res.Truncated, TimedOut: res.TimedOut, Strategies: res.Strategies, Events: res.Events}); err != nil {
			return err
		}
		return cli.Exit(res.Status)
	}
	color := s.Color(o.noColor)
	p := lesson.NewPage(s.Stdout, color)
	p.Output("stdout", res.Stdout)
	p.Output("stderr", res.Stderr)
	p.Heading("defer statements and their strategies (the compiler's -d=defer)")
	for _, st := range res.Strategies {
		fmt.Fprintf(p.Writer(), "  main.go:%d:%d  %s\n", st.Line, st.Col, st.Kind)
	}
	fmt.Fprintln(p.Writer())
	p.Heading("the real runtime, step by step")
	if err := chain.WriteDiagram(p.Writer(), res.Events, chain.DiagramOptions{Color: color}); err != nil {
		return fmt.Errorf("unable to write the diagram: %w", err)
	}
	fmt.Fprintf(p.Writer(), "\n%s\n", realSummary(res))
	if err := p.Err(); err != nil {
		return fmt.Errorf("unable to write the output: %w", err)
	}
	return cli.Exit(res.Status)
}

func realSummary(res *realtrace.Result) string {
	var limits []string
	if res.Truncated {
		limits = append(limits, "stopped by the event limit")
	}
	if res.TimedOut {
		limits = append(limits, "stopped by the time limit")
	}
	l := ""
	if len(limits) > 0 {
		l = " (" + strings.Join(limits, ", ") + ")"
	}
	return fmt.Sprintf("the program exited with status %d after %v%s; %d events; %d deferBits stores watched with ptrace",
		res.Status, res.Elapsed.Round(time.Microsecond), l, len(res.Events), res.Watched)
}

func showBoth(file string, res *realtrace.Result, o traceOptions, s cli.Streams) error {
	prog, err := interp.LoadFile(file, nil)
	if err != nil {
		return err
	}
	model, err := prog.Run(interp.Options{Trace: true})
	if err != nil {
		return fmt.Errorf("unable to run %s on the model: %w", file, err)
	}
	d := difftest.CompareEvents(model.Events, res.Events)
	verdict := 0
	if d.First >= 0 {
		verdict = 1
	}
	if o.asJSON {
		out := jsonReal{File: file, Stdout: res.Stdout, Stderr: res.Stderr, Status: res.Status, Truncated: res.Truncated,
			TimedOut: res.TimedOut, Strategies: res.Strategies, Events: res.Events, Model: model.Events, Diffs: d.Diffs}
		if d.First >= 0 {
			out.FirstDiff = &d.First
		}
		if err := writeJSON(s.Stdout, out); err != nil {
			return err
		}
		return cli.Exit(verdict)
	}
	w := s.Stdout
	width := len("model")
	for _, st := range d.Model {
		width = max(width, len(st.String()))
	}
	fmt.Fprintf(w, "%4s  %-*s | %s\n", "step", width, "model (defer/chain)", "real runtime (go1.26, probed)")
	for i := range d.Rows() {
		m, r := d.Row(i)
		mark := ""
		if i == d.First {
			mark = "   <- first difference"
		}
		fmt.Fprintf(w, "%4d  %-*s | %s%s\n", i, width, m, r, mark)
	}
	fmt.Fprintf(w, "\nprogram: model status %d, real status %d; stdout %s\n", model.Status, res.Status, sameOr(model.Stdout == res.Stdout))
	if d.First < 0 {
		fmt.Fprintf(w, "verdict: MATCH (%d steps agree on kind, frame, goroutine, strategy, deferBits and list length)\n", len(d.Real))
		return nil
	}
	fmt.Fprintf(w, "verdict: DIFFERENT from step %d: %s\n", d.First, strings.Join(d.Diffs, "; "))
	return cli.Exit(1)
}

func sameOr(same bool) string {
	if same {
		return "the same"
	}
	return "DIFFERENT"
}
