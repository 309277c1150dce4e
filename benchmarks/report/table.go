package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchmath"
)

// A Row summarizes one benchmark.
type Row struct {
	// Label is the value of the table's label key, or the full name.
	Label string
	// Sample is what the row was made from.
	Sample *Sample
	// NsOp is the median ns/op with its confidence interval.
	NsOp benchmath.Summary
	// Ratio is NsOp.Center divided by the baseline's, or NaN when the
	// table has no baseline.
	Ratio float64
	// AllocsOp and BytesOp are medians; NaN when not reported.
	AllocsOp, BytesOp float64
	// NsPerDefer is the median of the ns/defer metric, NaN when absent.
	NsPerDefer float64
	// Runs is how many times the benchmark ran (the -count).
	Runs int
}

// A Table is the summary of one benchmark file.
type Table struct {
	// LabelKey is the name key whose value labels each row ("kernel").
	LabelKey string
	// Baseline is the label of the row ratios are relative to, or "".
	Baseline string
	// Rows are in the order the benchmarks first appeared.
	Rows []Row
	// Config is the file's configuration (goos, goarch, pkg, cpu).
	Config map[string]string
}

// confidence is the level of the intervals, as benchstat's default.
const confidence = 0.95

// Summarize makes a Table from samples. labelKey names the sub-benchmark
// key that labels rows (rows without it are labelled by their full name);
// baseline, when not "", is the label of the row every ratio divides by,
// and must be present. A sample without ns/op is an error.
func Summarize(samples []*Sample, config map[string]string, labelKey, baseline string) (*Table, error) {
	t := &Table{LabelKey: labelKey, Baseline: baseline, Config: config}
	base := math.NaN()
	for _, s := range samples {
		ns := s.Values["ns/op"]
		if len(ns) == 0 {
			return nil, fmt.Errorf("benchmark %s reports no ns/op", s.Name)
		}
		r := Row{Label: s.Key(labelKey), Sample: s, Runs: len(ns)}
		if r.Label == "" {
			r.Label = s.Name
		}
		r.NsOp = summary(ns)
		r.AllocsOp = median(s.Values["allocs/op"])
		r.BytesOp = median(s.Values["B/op"])
		r.NsPerDefer = median(s.Values["ns/defer"])
		if baseline != "" && r.Label == baseline {
			base = r.NsOp.Center
		}
		t.Rows = append(t.Rows, r)
	}
	if baseline != "" && math.IsNaN(base) {
		return nil, fmt.Errorf("no benchmark labelled %s=%s to use as the baseline", labelKey, baseline)
	}
	for i := range t.Rows {
		t.Rows[i].Ratio = t.Rows[i].NsOp.Center / base
	}
	return t, nil
}

func summary(xs []float64) benchmath.Summary {
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(xs, &benchmath.DefaultThresholds), confidence)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return summary(xs).Center
}

// Cells returns the row's cells as the tables print them: label,
// strategy, ns/op, ±CI, ratio, ns/defer, allocs/op, B/op, runs.
func (r Row) Cells() []string {
	return []string{
		r.Label,
		r.Sample.Key("strategy"),
		formatNs(r.NsOp.Center),
		"±" + r.NsOp.PctRangeString(),
		formatRatio(r.Ratio),
		formatNs(r.NsPerDefer),
		formatCount(r.AllocsOp),
		formatCount(r.BytesOp),
		fmt.Sprint(r.Runs),
	}
}

// Header names the columns of [Row.Cells].
func (t *Table) Header() []string {
	ratio := "ratio"
	if t.Baseline != "" {
		ratio = "x " + t.Baseline
	}
	return []string{t.LabelKey, "strategy", "ns/op (median)", "95% CI", ratio, "ns/defer", "allocs/op", "B/op", "runs"}
}

func formatNs(x float64) string {
	switch {
	case math.IsNaN(x):
		return "-"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func formatRatio(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "-"
	case x >= 10:
		return fmt.Sprintf("%.0fx", x)
	}
	return fmt.Sprintf("%.2fx", x)
}

func formatCount(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.0f", x)
}

// WriteText writes the table for a terminal, in aligned columns.
func (t *Table) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(t.Header(), "\t")+"\t")
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r.Cells(), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("unable to write the table: %w", err)
	}
	return nil
}

// WriteMarkdown writes the table as a Markdown table.
func (t *Table) WriteMarkdown(w io.Writer) error {
	h := t.Header()
	var b strings.Builder
	b.WriteString("| " + strings.Join(h, " | ") + " |\n|")
	for i := range h {
		if i < 2 {
			b.WriteString(" --- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		c := r.Cells()
		c[0] = "`" + c[0] + "`"
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("unable to write the table: %w", err)
	}
	return nil
}

// Row returns the row labelled label.
func (t *Table) Row(label string) (Row, bool) {
	for _, r := range t.Rows {
		if r.Label == label {
			return r, true
		}
	}
	return Row{}, false
}
