package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lesson"
)

// jsonDefer is one defer statement in -json output.
type jsonDefer struct {
	Site     string `json:"site"`
	Func     string `json:"func"`
	Strategy string `json:"strategy"`
	Slot     int    `json:"slot"`
}

// jsonRun is the -json output of run.
type jsonRun struct {
	File      string        `json:"file"`
	Stdout    string        `json:"stdout"`
	Stderr    string        `json:"stderr"`
	Status    int           `json:"status"`
	How       string        `json:"how"`
	PanicLine string        `json:"panicLine,omitempty"`
	Cost      float64       `json:"costNs"`
	Defers    []jsonDefer   `json:"defers"`
	Events    []chain.Event `json:"events"`
}

var runVerb = cli.Verb{
	Name: "run",
	Args: "FILE.go",
	Help: `run FILE.go on the runtime model: its output, then the defer chain step
by step (-json: events as JSON; -svg: a picture; -q: only what the
compiled program would print, and its status)

FILE.go must stay in the subset documented in package defer/interp. The
exit status is the program's own (0, os.Exit's code, 2 for a crash).`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		var o runOptions
		fs.BoolVar(&o.quiet, "q", false, "behave like the compiled program: its output and exit status only")
		fs.BoolVar(&o.asJSON, "json", false, "print the defers and events as JSON instead of the diagram")
		fs.StringVar(&o.svgOut, "svg", "", "also write the chain over time as an SVG picture to `OUT`")
		fs.IntVar(&o.steps, "steps", interp.DefaultStepLimit, "step limit: end runaway programs after `N` steps")
		fs.BoolVar(&o.noColor, "no-color", false, "never use colour")
		fs.StringVar(&o.goVersion, "go", "1.26", "model the strategies of Go `VERSION`: 1.12 (heap only), 1.13 (heap and stack), 1.14 or 1.26")
		return func(_ context.Context, s cli.Streams, args []string) error {
			file, err := oneFile("run", args)
			if err != nil {
				return err
			}
			return runFile(file, o, s)
		}
	},
}

type runOptions struct {
	quiet, asJSON, noColor bool
	svgOut, goVersion      string
	steps                  int
}

func runFile(file string, o runOptions, s cli.Streams) error {
	stdout, stderr := s.Stdout, s.Stderr
	if o.steps <= 0 {
		return cli.Usagef("-steps must be positive, got %d", o.steps)
	}
	if o.quiet && (o.asJSON || o.svgOut != "") {
		return cli.Usagef("-q prints no trace, so it cannot be combined with -json or -svg")
	}
	strat, err := interp.HistoricStrategies(o.goVersion)
	if err != nil {
		return cli.Usagef("-go: %v", err)
	}
	prog, err := interp.LoadFile(file, strat)
	if err != nil {
		return err
	}
	res, err := prog.Run(interp.Options{Trace: !o.quiet, StepLimit: o.steps})
	if err != nil {
		return fmt.Errorf("unable to run %s on the model: %w", file, err)
	}
	if o.quiet {
		io.WriteString(stdout, res.Stdout)
		io.WriteString(stderr, res.Stderr)
		return cli.Exit(res.Status)
	}
	if o.svgOut != "" {
		if err := writeSVG(o.svgOut, res.Events); err != nil {
			return err
		}
	}
	if o.asJSON {
		out := jsonRun{File: file, Stdout: res.Stdout, Stderr: res.Stderr, Status: res.Status, How: res.How,
			PanicLine: res.PanicLine, Cost: res.Cost, Events: res.Events}
		for _, d := range prog.Defers {
			out.Defers = append(out.Defers, jsonDefer{Site: d.Site, Func: d.Func, Strategy: d.Kind.String(), Slot: d.Slot})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("unable to write JSON: %w", err)
		}
		return cli.Exit(res.Status)
	}
	color := s.Color(o.noColor)
	p := lesson.NewPage(stdout, color)
	p.Output("stdout", res.Stdout)
	p.Output("stderr", res.Stderr)
	p.Heading("defer statements and their strategies")
	for _, d := range prog.Defers {
		slot := ""
		if d.Slot >= 0 {
			slot = fmt.Sprintf(" (slot %d, bit %08b)", d.Slot, 1<<d.Slot)
		}
		fmt.Fprintf(p.Writer(), "  %s  %s  in %s%s\n", d.Site, d.Kind, d.Func, slot)
	}
	fmt.Fprintln(p.Writer())
	p.Heading("the runtime, step by step")
	if err := chain.WriteDiagram(p.Writer(), res.Events, chain.DiagramOptions{Color: color}); err != nil {
		return fmt.Errorf("unable to write the diagram: %w", err)
	}
	fmt.Fprintf(p.Writer(), "\nprogram ended by %s with exit status %d; modelled defer cost %.1f ns over %d events\n",
		res.How, res.Status, res.Cost, len(res.Events))
	if err := p.Err(); err != nil {
		return fmt.Errorf("unable to write the output: %w", err)
	}
	return cli.Exit(res.Status)
}

func writeSVG(path string, events []chain.Event) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("unable to create the SVG file: %w", err)
	}
	if err := chain.WriteSVG(f, events); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("unable to write the SVG file: %w", err)
	}
	return nil
}
