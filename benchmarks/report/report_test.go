package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const recorded = "testdata/defer-count3.txt"

func load(t *testing.T) *Table {
	t.Helper()
	f, err := os.Open(recorded)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	samples, config, err := Parse(f, recorded)
	if err != nil {
		t.Fatal(err)
	}
	table, err := Summarize(samples, config, "kernel", "direct")
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// rawNs reads the ns/op column of every line of the recorded file whose
// name contains "kernel="+label+"/", independently of benchfmt.
func rawNs(t *testing.T, label string) []float64 {
	t.Helper()
	b, err := os.ReadFile(recorded)
	if err != nil {
		t.Fatal(err)
	}
	var xs []float64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.Contains(f[0], "/kernel="+label+"/") || f[3] != "ns/op" {
			continue
		}
		var x float64
		if _, err := fmt.Sscan(f[2], &x); err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	slices.Sort(xs)
	return xs
}

func TestParseRecordedFile(t *testing.T) {
	table := load(t)
	if len(table.Rows) != 15 {
		t.Fatalf("%d rows, want the 15 kernels", len(table.Rows))
	}
	if table.Rows[0].Label != "direct" || table.Rows[3].Label != "heap-loop" {
		t.Errorf("rows out of order: %s, %s", table.Rows[0].Label, table.Rows[3].Label)
	}
	if got := table.Config["goversion"]; got != "go1.26.8" {
		t.Errorf("goversion = %q", got)
	}
	for _, r := range table.Rows {
		if r.Runs != 3 {
			t.Errorf("%s: %d runs, want 3", r.Label, r.Runs)
		}
		if r.Sample.Key("strategy") == "" {
			t.Errorf("%s: no strategy key in %s", r.Label, r.Sample.Name)
		}
		if strings.HasSuffix(r.Sample.Name, "-2") {
			t.Errorf("%s: GOMAXPROCS suffix kept in %s", r.Label, r.Sample.Name)
		}
	}
}

// TestRatios checks each row's median and ratio against the raw file, read
// without benchfmt: the middle of three sorted values, divided by direct's.
func TestRatios(t *testing.T) {
	table := load(t)
	direct := rawNs(t, "direct")
	if len(direct) != 3 {
		t.Fatalf("direct: %v", direct)
	}
	for _, r := range table.Rows {
		xs := rawNs(t, r.Label)
		if len(xs) != 3 {
			t.Fatalf("%s: %d values in the raw file", r.Label, len(xs))
		}
		if r.NsOp.Center != xs[1] {
			t.Errorf("%s: median %v, want %v", r.Label, r.NsOp.Center, xs[1])
		}
		want := xs[1] / direct[1]
		if math.Abs(r.Ratio-want) > 1e-12 {
			t.Errorf("%s: ratio %v, want %v", r.Label, r.Ratio, want)
		}
	}
	if r, _ := table.Row("direct"); r.Ratio != 1 {
		t.Errorf("direct / direct = %v", r.Ratio)
	}
	if r, _ := table.Row("heap-loop-args"); r.AllocsOp != 1 || r.BytesOp != 16 {
		t.Errorf("heap-loop-args: %v allocs/op, %v B/op, want 1 and 16", r.AllocsOp, r.BytesOp)
	}
	if r, _ := table.Row("stack-9"); math.Abs(r.NsPerDefer-r.NsOp.Center/9) > 0.01*r.NsPerDefer {
		t.Errorf("stack-9: ns/defer %v is not ns/op %v / 9", r.NsPerDefer, r.NsOp.Center)
	}
	if r, _ := table.Row("direct"); !math.IsNaN(r.NsPerDefer) {
		t.Errorf("direct has ns/defer %v; it defers nothing", r.NsPerDefer)
	}
	p := Pair{Of: "stack-9", To: "open-coded-8", PerDefer: true}
	got, ok := table.PairRatio(p)
	a, _ := table.Row("stack-9")
	b, _ := table.Row("open-coded-8")
	if !ok || got != a.NsPerDefer/b.NsPerDefer {
		t.Errorf("PairRatio(%v) = %v, %v", p, got, ok)
	}
	if _, ok := table.PairRatio(Pair{Of: "nope", To: "direct"}); ok {
		t.Error("a pair with a missing row has a ratio")
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := load(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 16 {
		t.Fatalf("%d lines, want a header and 15 rows:\n%s", len(lines), b.String())
	}
	if f := strings.Fields(lines[1]); f[0] != "direct" || f[4] != "1.00x" {
		t.Errorf("direct line: %q", lines[1])
	}
}

func TestMarkdownReport(t *testing.T) {
	var b bytes.Buffer
	if err := load(t).WriteReport(&b, Defer); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# What defer costs",
		"| kernel | strategy | ns/op (median) | 95% CI | x direct | ns/defer | allocs/op | B/op | runs |",
		"| `direct` | direct | 10.3 | ±∞ | 1.00x | - | 0 | 0 | 3 |",
		"| `heap-loop-args` | heap-allocated | 118 | ±∞ | 11x | 118 | 1 | 16 | 3 |",
		"![What defer costs](chart.svg)",
		"`stack-9` / `open-coded-8` = **5.96x** (ns/defer)",
		"## History (published figures, not measured here)",
		"| 1.12 and before |", "about 50 ns", "about 35 ns", "| 1.14 |",
		"goversion: `go1.26.8`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The history never sits in the measured table.
	measured, history, _ := strings.Cut(md, "## History")
	if strings.Contains(measured, "50 ns") || !strings.Contains(history, "not measured here") && !strings.Contains(history, "measured by others") {
		t.Error("history and measurement are mixed")
	}
}

func TestChartFiles(t *testing.T) {
	dir := t.TempDir()
	svgPath, pngPath := filepath.Join(dir, "chart.svg"), filepath.Join(dir, "chart.png")
	table := load(t)
	if err := table.SaveChart("What defer costs", svgPath, pngPath); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("chart.png is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Errorf("chart.png is %v, too small", b)
	}
	svg, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var root string
	var texts []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = x.Name.Local
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(x)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("chart.svg's root element is %q, want svg", root)
	}
	for _, want := range []string{"What defer costs", "heap-loop", "stack-allocated", "1.00x"} {
		if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("chart.svg has no text %q", want)
		}
	}
	if err := table.SaveChart("x", filepath.Join(dir, "chart.bmp")); err == nil || !strings.Contains(err.Error(), ".bmp") {
		t.Errorf("saving as .bmp: %v, want an error naming the format", err)
	}
	if _, err := (&Table{}).Chart("x"); err == nil {
		t.Error("an empty table was charted")
	}
}

func TestBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"no results": "goos: linux\nPASS\nok  \tx\t0.1s\n",
		"bad value":  "BenchmarkX-2 \t 10 \t abc ns/op\n",
	} {
		if _, _, err := Parse(strings.NewReader(in), name); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	samples, config, err := Parse(strings.NewReader("BenchmarkX/kernel=a-2 \t 10 \t 5 ns/op\n"), "in")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Summarize(samples, config, "kernel", "direct"); err == nil || !strings.Contains(err.Error(), "kernel=direct") {
		t.Errorf("missing baseline: %v, want an error naming it", err)
	}
	samples, config, err = Parse(strings.NewReader("BenchmarkX/kernel=a-2 \t 10 \t 5 B/op\n"), "in")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Summarize(samples, config, "kernel", ""); err == nil || !strings.Contains(err.Error(), "ns/op") {
		t.Errorf("no ns/op: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	b, err := os.ReadFile(recorded)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add("BenchmarkX/a=b/c-4 1 2 ns/op 3 allocs/op\n")
	f.Fuzz(func(t *testing.T, in string) {
		samples, config, err := Parse(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for _, s := range samples {
			if s.Name == "" && len(s.Keys) > 0 {
				t.Errorf("a sample with keys and no name: %+v", s)
			}
		}
		table, err := Summarize(samples, config, "kernel", "")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := table.WriteReport(&out, Defer); err != nil {
			t.Error(err)
		}
	})
}

// TestConfidenceIntervals: with 10 runs, benchmath gives every row a
// finite 95% interval around its median (with 3 it cannot: ±∞).
func TestConfidenceIntervals(t *testing.T) {
	f, err := os.Open("testdata/defer-count10.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	samples, config, err := Parse(f, "count10")
	if err != nil {
		t.Fatal(err)
	}
	table, err := Summarize(samples, config, "kernel", "direct")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range table.Rows {
		c := r.NsOp
		if r.Runs != 10 || math.IsInf(c.Lo, 0) || math.IsInf(c.Hi, 0) || !(c.Lo <= c.Center && c.Center <= c.Hi) {
			t.Errorf("%s: %d runs, interval [%v, %v] around %v", r.Label, r.Runs, c.Lo, c.Hi, c.Center)
		}
		if strings.Contains(r.Cells()[3], "∞") {
			t.Errorf("%s: CI cell %q", r.Label, r.Cells()[3])
		}
	}
}

func TestPairOverlaps(t *testing.T) {
	row := func(label string, lo, c, hi, perDefer float64) Row {
		r := Row{Label: label, Sample: &Sample{Name: label}, NsPerDefer: perDefer}
		r.NsOp.Lo, r.NsOp.Center, r.NsOp.Hi = lo, c, hi
		return r
	}
	table := &Table{Rows: []Row{
		row("a", 9, 10, 11, 10),
		row("b", 10.5, 12, 13, 12),
		row("c", 30, 40, 50, 40),
		row("nine", 81, 90, 99, 10),
		row("inf", math.Inf(-1), 10, math.Inf(1), 10),
	}}
	for _, tt := range []struct {
		p    Pair
		want bool
	}{
		{Pair{Of: "a", To: "b"}, true},
		{Pair{Of: "a", To: "c"}, false},
		{Pair{Of: "nine", To: "a"}, false},
		{Pair{Of: "nine", To: "a", PerDefer: true}, true}, // 9-11 ns/defer against 9-11
		{Pair{Of: "inf", To: "a"}, false},
		{Pair{Of: "a", To: "missing"}, false},
	} {
		if got := table.PairOverlaps(tt.p); got != tt.want {
			t.Errorf("PairOverlaps(%+v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
