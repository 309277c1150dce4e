package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/interp/toolchain"
	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/internal/cli"
)

var compareVerb = cli.Verb{
	Name: "compare",
	Args: "FILE.go",
	Help: `real toolchain (go build -gcflags=-d=defer, then run) against the model:
output, exit status, panic line, strategy of every defer

Exits 0 when model and toolchain agree, 1 when they differ.`,
	Setup: func(*flag.FlagSet) cli.Action {
		return func(ctx context.Context, s cli.Streams, args []string) error {
			file, err := oneFile("compare", args)
			if err != nil {
				return err
			}
			return compareFile(ctx, file, s.Stdout)
		}
	},
}

func compareFile(ctx context.Context, file string, stdout io.Writer) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("unable to read the program: %w", err)
	}
	prog, err := interp.Load(file, src, nil)
	if err != nil {
		return err
	}
	model, err := prog.Run(interp.Options{})
	if err != nil {
		return fmt.Errorf("unable to run %s on the model: %w", file, err)
	}
	build, bin, err := toolchain.BuildOne(ctx, src)
	if err != nil {
		return err
	}
	defer build.Close()
	real, err := bin.Run(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	diffs := 0
	row := func(what, m, r string) {
		mark := "same"
		if m != r {
			mark = "DIFFERENT"
			diffs++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", what, show(m), show(r), mark)
	}
	fmt.Fprintf(tw, "\tmodel\ttoolchain (go1.26, compiled and run)\t\n")
	row("stdout", model.Stdout, real.Stdout)
	row("exit status", fmt.Sprint(model.Status), fmt.Sprint(real.ExitCode))
	row("panic line", model.PanicLine, real.PanicLine())
	row("crash report", crashReport(model.Stderr), crashReport(real.Stderr))
	compiled := map[string]string{}
	for pos, kind := range bin.Strategies {
		compiled[fmt.Sprintf("%d:%d", pos.Line, pos.Col)] = kind.String()
	}
	for _, d := range prog.Defers {
		key := fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Column)
		want := compiled[key]
		if want == "" {
			want = "(no -d=defer line)"
		}
		got := d.Kind.String()
		if d.Kind == strategy.DeadCode {
			got = "(no -d=defer line)"
		}
		row("defer at "+key, got, want)
		delete(compiled, key)
	}
	for key, kind := range compiled {
		row("defer at "+key, "(not found by the model)", kind)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("unable to write the comparison: %w", err)
	}
	if diffs == 0 {
		fmt.Fprintf(stdout, "\nverdict: MATCH (the model agrees with the toolchain on stdout, exit status, crash report and every defer's strategy)\n")
		return nil
	}
	fmt.Fprintf(stdout, "\nverdict: DIFFERENT in %d row(s)\n", diffs)
	return cli.Exit(1)
}

// show makes a value fit one table cell.
func show(s string) string {
	s = strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", `\n`)
	s = strings.ReplaceAll(s, "\t", `\t`)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	if s == "" {
		return "(none)"
	}
	return s
}

var pcHex = regexp.MustCompile(`pc=0x[0-9a-f]+`)

// crashReport is stderr up to the stack trace (which the model does not
// print), with signal addresses blanked: print and println output and the
// "panic: " or "fatal error: " lines.
func crashReport(stderr string) string {
	before, _, _ := strings.Cut(stderr, "\ngoroutine ")
	return pcHex.ReplaceAllString(before, "pc=...")
}
