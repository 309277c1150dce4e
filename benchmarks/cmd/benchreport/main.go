// Command benchreport turns raw `go test -bench` output into a report: a
// Markdown file with a table of medians, confidence intervals, ratios to a
// baseline and allocations; a chart as SVG and PNG; and the same table
// printed on standard output.
//
// Usage:
//
//	benchreport [flags] RAW
//
// RAW is a file of benchmark results, such as `go test -bench . -count 10`
// writes (benchstat reads the same file); "-" reads standard input. The
// report goes into the folder named by -out:
//
//	report.md   the Markdown report, with the history of the topic
//	chart.svg   the chart, for the report
//	chart.png   the same chart as an image
//
// make bench runs it on the output of benchmarks/deferbench. It exits 2
// on a usage error and 1 when the results cannot be read or written.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/deferio/deferio/benchmarks/report"
)

// topics are the reports benchreport knows, by -topic.
var topics = map[string]struct {
	opts            report.Options
	label, baseline string
}{
	"defer": {report.Defer, "kernel", "direct"},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := runErr(args, stdin, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "benchreport: %v\nRun benchreport -h for help.\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "benchreport: %v\n", err)
		return 1
	}
}

func runErr(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	names := make([]string, 0, len(topics))
	for k := range topics {
		names = append(names, k)
	}
	slices.Sort(names)
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "folder to write report.md, chart.svg and chart.png into (created if missing)")
	topic := fs.String("topic", "defer", "which report to write: "+strings.Join(names, ", "))
	baseline := fs.String("baseline", "", "label of the row ratios divide by (default: the topic's, \"direct\" for defer)")
	label := fs.String("label", "", "sub-benchmark key whose value labels rows (default: the topic's, \"kernel\" for defer)")
	quiet := fs.Bool("q", false, "do not print the table on standard output")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: benchreport [flags] RAW

Reads go test -bench output from the file RAW ("-" for standard input) and
writes, into the -out folder: report.md (a Markdown table of median ns/op,
95% confidence interval, ratio to the baseline, ns/defer, allocs/op, then
the topic's history), chart.svg and chart.png. Prints the table too.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Sprintf("want one RAW file of benchmark results, got %d arguments", fs.NArg())}
	}
	tp, ok := topics[*topic]
	if !ok {
		return usageError{fmt.Sprintf("unknown -topic %q (have %s)", *topic, strings.Join(names, ", "))}
	}
	if *baseline == "" {
		*baseline = tp.baseline
	}
	if *label == "" {
		*label = tp.label
	}

	raw := fs.Arg(0)
	var in io.Reader = stdin
	if raw != "-" {
		f, err := os.Open(raw)
		if err != nil {
			return fmt.Errorf("unable to open the benchmark results: %w", err)
		}
		defer f.Close()
		in = f
	}
	samples, config, err := report.Parse(in, raw)
	if err != nil {
		return err
	}
	table, err := report.Summarize(samples, config, *label, *baseline)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("unable to create the report folder: %w", err)
	}
	md, err := os.Create(filepath.Join(*out, "report.md"))
	if err != nil {
		return fmt.Errorf("unable to create the report: %w", err)
	}
	if err := table.WriteReport(md, tp.opts); err != nil {
		md.Close()
		return err
	}
	if err := md.Close(); err != nil {
		return fmt.Errorf("unable to write the report: %w", err)
	}
	if err := table.SaveChart(tp.opts.Title, filepath.Join(*out, "chart.svg"), filepath.Join(*out, "chart.png")); err != nil {
		return err
	}
	if !*quiet {
		if err := table.WriteText(stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nreport: %s\nchart:  %s, %s\n", filepath.Join(*out, "report.md"),
			filepath.Join(*out, "chart.svg"), filepath.Join(*out, "chart.png"))
	}
	return nil
}
