package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// A Pair is a comparison the report spells out: how many times Of costs
// To, as the ratio of their medians (ns/op, or ns/defer when PerDefer).
type Pair struct {
	Of, To   string // row labels
	PerDefer bool
	Says     string // what the ratio shows, in a few words
}

// A History row is a figure published elsewhere, shown beside the
// measurement and never mixed with it.
type History struct {
	Go, Implementation, Cost, Source string
}

// Options say what a Markdown report contains besides the table.
type Options struct {
	// Title is the report's level-1 heading and the chart's title.
	Title string
	// Intro is a paragraph under the title.
	Intro string
	// Chart is the file name of the chart to show ("chart.svg"), or "".
	Chart string
	// Pairs are spelled out under the table, when both rows exist.
	Pairs []Pair
	// History is shown in its own section, labelled as history.
	History []History
	// HistoryNote is a paragraph under the history table.
	HistoryNote string
}

// PairRatio returns how many times the row Of costs the row To, or false
// when either row is missing or has no such value.
func (t *Table) PairRatio(p Pair) (float64, bool) {
	a, ok1 := t.Row(p.Of)
	b, ok2 := t.Row(p.To)
	if !ok1 || !ok2 {
		return 0, false
	}
	x, y := a.NsOp.Center, b.NsOp.Center
	if p.PerDefer {
		x, y = a.NsPerDefer, b.NsPerDefer
	}
	r := x / y
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, false
	}
	return r, true
}

// PairOverlaps reports whether the 95% confidence intervals of the two
// rows of p overlap (scaled to ns/defer when PerDefer): then this run does
// not show a difference between them. It is false when either interval is
// unknown (fewer than 6 runs).
func (t *Table) PairOverlaps(p Pair) bool {
	a, ok1 := t.Row(p.Of)
	b, ok2 := t.Row(p.To)
	if !ok1 || !ok2 {
		return false
	}
	interval := func(r Row) (float64, float64) {
		scale := 1.0
		if p.PerDefer {
			scale = r.NsPerDefer / r.NsOp.Center
		}
		return r.NsOp.Lo * scale, r.NsOp.Hi * scale
	}
	alo, ahi := interval(a)
	blo, bhi := interval(b)
	for _, x := range []float64{alo, ahi, blo, bhi} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return alo <= bhi && blo <= ahi
}

// WriteReport writes the whole Markdown report: title, what was measured
// and where, the table, the chart, the pairs, then the history.
func (t *Table) WriteReport(w io.Writer, o Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", o.Title)
	if o.Intro != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(o.Intro))
	}
	b.WriteString("## Measured here\n\n")
	if len(t.Config) > 0 {
		keys := make([]string, 0, len(t.Config))
		for k := range t.Config {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: `%s`", k, t.Config[k]))
		}
		fmt.Fprintf(&b, "%s.\n\n", strings.Join(parts, ", "))
	}
	runs := 0
	for _, r := range t.Rows {
		runs = max(runs, r.Runs)
	}
	fmt.Fprintf(&b, "Each benchmark ran %d times; the table shows the median ns/op and its 95%% confidence interval "+
		"(distribution-free, as benchstat computes it), the ratio of the median to the `%s` row, "+
		"ns per deferred call, and allocations per op.\n\n", runs, t.Baseline)
	if err := t.WriteMarkdown(&b); err != nil {
		return err
	}
	b.WriteString("\n")
	if o.Chart != "" {
		fmt.Fprintf(&b, "![%s](%s)\n\n", o.Title, o.Chart)
	}
	var pairs []string
	for _, p := range o.Pairs {
		r, ok := t.PairRatio(p)
		if !ok {
			continue
		}
		unit := "ns/op"
		if p.PerDefer {
			unit = "ns/defer"
		}
		line := fmt.Sprintf("- `%s` / `%s` = **%s** (%s): %s", p.Of, p.To, formatRatio(r), unit, p.Says)
		if t.PairOverlaps(p) {
			line += " (the 95% intervals overlap: this run shows no clear difference)"
		}
		pairs = append(pairs, line)
	}
	if len(pairs) > 0 {
		b.WriteString("Side by side, from the same run:\n\n" + strings.Join(pairs, "\n") + "\n\n")
	}
	if len(o.History) > 0 {
		b.WriteString("## History (published figures, not measured here)\n\n")
		b.WriteString("| Go | implementation | cost per defer | source |\n| --- | --- | --- | --- |\n")
		for _, h := range o.History {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", h.Go, h.Implementation, h.Cost, h.Source)
		}
		b.WriteString("\n")
		if o.HistoryNote != "" {
			fmt.Fprintf(&b, "%s\n", strings.TrimSpace(o.HistoryNote))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("unable to write the report: %w", err)
	}
	return nil
}
