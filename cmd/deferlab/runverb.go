package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
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

func runVerb(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stdout)
	quiet := fs.Bool("q", false, "behave like the compiled program: its output and exit status only")
	asJSON := fs.Bool("json", false, "print the defers and events as JSON instead of the diagram")
	svgOut := fs.String("svg", "", "also write the chain over time as an SVG picture to `OUT`")
	steps := fs.Int("steps", interp.DefaultStepLimit, "step limit: end runaway programs after `N` steps")
	noColor := fs.Bool("no-color", false, "never use colour")
	goVersion := fs.String("go", "1.26", "model the strategies of Go `VERSION`: 1.12 (heap only), 1.13 (heap and stack), 1.14 or 1.26")
	if err := parse(fs, args); err != nil {
		return err
	}
	file, err := oneFile(fs)
	if err != nil {
		return err
	}
	if *steps <= 0 {
		return fmt.Errorf("%w: -steps must be positive, got %d", errUsage, *steps)
	}
	if *quiet && (*asJSON || *svgOut != "") {
		return fmt.Errorf("%w: -q prints no trace, so it cannot be combined with -json or -svg", errUsage)
	}
	strat, err := interp.HistoricStrategies(*goVersion)
	if err != nil {
		return fmt.Errorf("%w: -go: %v", errUsage, err)
	}
	prog, err := interp.LoadFile(file, strat)
	if err != nil {
		return err
	}
	res, err := prog.Run(interp.Options{Trace: !*quiet, StepLimit: *steps})
	if err != nil {
		return fmt.Errorf("unable to run %s on the model: %w", file, err)
	}
	if *quiet {
		io.WriteString(stdout, res.Stdout)
		io.WriteString(stderr, res.Stderr)
		return exitError{res.Status}
	}
	if *svgOut != "" {
		if err := writeSVG(*svgOut, res.Events); err != nil {
			return err
		}
	}
	if *asJSON {
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
		return exitError{res.Status}
	}
	color := !*noColor && lesson.ColorFor(stdout)
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
	return exitError{res.Status}
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
