package containerbench

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

var (
	startReport = flag.String("start-report", "", "write the container start report (report.md, chart.svg) into this directory")
	startPairs  = flag.Int("start-pairs", 20, "alternating nsinit/runc pairs the start report measures")
	startBase   = flag.String("start-baseline", "", "an earlier nsinit binary the start report measures in the same rounds, as \"before\"")
)

// TestStartReport measures a container start side by side: `run` of
// /bin/true by nsinit and by runc, alternating, pair after pair (the first
// of each pair alternates too); then create, start and delete apart; then
// where nsinit's time goes by its --trace steps. With -start-report DIR
// (make bench-start) it writes DIR/report.md and DIR/chart.svg from
// -start-pairs pairs; without it, it makes a report of two pairs in a
// temporary directory, so that the report cannot rot. With
// -start-baseline BIN an earlier nsinit runs in every round too, so the
// report shows before and after from the same run.
func TestStartReport(t *testing.T) {
	setup(t)
	dir, pairs := *startReport, *startPairs
	if dir == "" {
		dir, pairs = t.TempDir(), 2
	}
	if pairs < 1 {
		t.Fatalf("-start-pairs %d: want at least one pair", pairs)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rts := []string{"nsinit", "runc"}
	if *startBase != "" {
		rts = append(rts, "before")
	}
	r := newStartRun(rts, pairs)
	for i := range pairs {
		for _, rt := range rotated(rts, i) {
			wall, cpu := timedRun(t, rt)
			r.wall[rt] = append(r.wall[rt], wall)
			r.cpu[rt] = append(r.cpu[rt], cpu)
		}
	}
	for i := range pairs {
		for _, rt := range rotated(rts, i) {
			ph := timedPhases(t, rt)
			for p, d := range ph {
				r.phases[rt][p] = append(r.phases[rt][p], d)
			}
		}
	}
	for i := range pairs {
		for _, rt := range rotated(rts, i) {
			if rt == "runc" {
				continue
			}
			steps, err := tracedRun(rt)
			if err != nil {
				t.Fatal(err)
			}
			r.addTrace(rt, steps)
		}
	}
	if len(r.steps["nsinit"]) == 0 {
		t.Fatal("nsinit --trace run printed no trace step")
	}
	var md bytes.Buffer
	if err := r.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), md.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := r.chart()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(7*vg.Inch, vg.Length(1.2+0.32*float64(len(r.steps["nsinit"])))*vg.Inch, filepath.Join(dir, "chart.svg")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| nsinit |", "| runc |", "ratio of medians", "| create |", "| delete |", "start: init forked and executed"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
	t.Logf("report in %s:\n%s", dir, md.String())
}

// rotated returns rts turned left by i places: round i starts with a
// different runtime, so none always runs first (or after the same one).
func rotated(rts []string, i int) []string {
	i %= len(rts)
	return append(slices.Clone(rts[i:]), rts[:i]...)
}

func rtCommand(rt string, args ...string) *exec.Cmd {
	bin, state := nsinitBin, filepath.Join(work, "nsinit-state")
	switch rt {
	case "runc":
		bin, state = runcBin, filepath.Join(work, "runc-state")
	case "before":
		bin, state = *startBase, filepath.Join(work, "before-state")
	}
	return exec.Command(bin, append([]string{"--root", state}, args...)...)
}

// timedRun runs one container to completion and returns the wall time
// and the CPU time of the runtime and everything it waited for (init).
func timedRun(t *testing.T, rt string) (wall, cpu time.Duration) {
	t.Helper()
	seq++
	id := fmt.Sprintf("report-%d-%d", os.Getpid(), seq)
	cmd := rtCommand(rt, "run", "--bundle", bundleDir, id)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall = time.Since(start)
	if err != nil {
		t.Fatalf("%s run: %v\n%s", rt, err, out)
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// The phases timed apart: OCI create, start, and delete of the stopped
// container (the wait between start and delete is not counted).
var phaseNames = [3]string{"create", "start", "delete"}

func timedPhases(t *testing.T, rt string) [3]time.Duration {
	t.Helper()
	seq++
	id := fmt.Sprintf("report-%d-%d", os.Getpid(), seq)
	// create's process keeps the container's stdio: a pipe would make
	// the wait for create's output last until the container ends.
	out, err := os.CreateTemp(work, "phase-out-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	run := func(args ...string) time.Duration {
		cmd := rtCommand(rt, args...)
		cmd.Stdout, cmd.Stderr = out, out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			b, _ := os.ReadFile(out.Name())
			t.Fatalf("%s %s: %v\n%s", rt, strings.Join(args, " "), err, b)
		}
		return d
	}
	var ph [3]time.Duration
	ph[0] = run("create", "--bundle", bundleDir, id)
	ph[1] = run("start", id)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := rtCommand(rt, "state", id).Output()
		if err == nil && bytes.Contains(b, []byte(`"stopped"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: container %s did not stop: %v %s", rt, id, err, b)
		}
		time.Sleep(time.Millisecond)
	}
	ph[2] = run("delete", id)
	return ph
}

// A traceStep is one line of `nsinit --trace`: its label and how long
// the step took.
type traceStep struct {
	label string
	d     time.Duration
}

var traceLine = regexp.MustCompile(`^trace +([0-9.]+)ms +[0-9.]+ms  (.+)$`)

// parseTrace reads the trace lines of `nsinit --trace` output.
func parseTrace(r io.Reader) ([]traceStep, error) {
	var steps []traceStep
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := traceLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ms, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return nil, fmt.Errorf("trace line %q: %w", sc.Text(), err)
		}
		steps = append(steps, traceStep{m[2], time.Duration(ms * float64(time.Millisecond))})
	}
	return steps, sc.Err()
}

// tracedRun runs one container with `--trace` (nsinit or the earlier
// nsinit) and returns its steps.
func tracedRun(rt string) ([]traceStep, error) {
	seq++
	id := fmt.Sprintf("report-%d-%d", os.Getpid(), seq)
	out, err := rtCommand(rt, "--trace", "run", "--bundle", bundleDir, id).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s --trace run: %v\n%s", rt, err, out)
	}
	return parseTrace(bytes.NewReader(out))
}

type startRun struct {
	runtimes []string
	pairs    int
	wall     map[string][]time.Duration
	cpu      map[string][]time.Duration
	phases   map[string]*[3][]time.Duration
	steps    map[string][]string // per runtime, trace labels in the order they came
	trace    map[string]map[string][]time.Duration
}

func newStartRun(rts []string, pairs int) *startRun {
	r := &startRun{runtimes: rts, pairs: pairs, wall: map[string][]time.Duration{}, cpu: map[string][]time.Duration{},
		phases: map[string]*[3][]time.Duration{}, steps: map[string][]string{}, trace: map[string]map[string][]time.Duration{}}
	for _, rt := range rts {
		r.phases[rt] = new([3][]time.Duration)
		r.trace[rt] = map[string][]time.Duration{}
	}
	return r
}

func (r *startRun) addTrace(rt string, steps []traceStep) {
	for _, s := range steps {
		if _, ok := r.trace[rt][s.label]; !ok {
			r.steps[rt] = append(r.steps[rt], s.label)
		}
		r.trace[rt][s.label] = append(r.trace[rt][s.label], s.d)
	}
}

// median returns the middle of xs (the mean of the two middle ones for
// an even count).
func median[T time.Duration | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianInterval returns a distribution-free interval that holds the
// true median with at least 95% confidence: the order statistics
// s[k-1] and s[n-k] for the largest k with P(Binomial(n, 1/2) < k) <=
// 2.5%. Below six runs no such k exists and the interval is the range.
func medianInterval(ds []time.Duration) (lo, hi time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0
	}
	k := 0
	cum := 0.0
	for j := 0; j < n/2; j++ {
		cum += binomial(n, j) / math.Pow(2, float64(n))
		if cum > 0.025 {
			break
		}
		k = j + 1
	}
	if k == 0 {
		return s[0], s[n-1]
	}
	return s[k-1], s[n-k]
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func (r *startRun) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Container start: nsinit and runc side by side\n\n")
	fmt.Fprintf(&b, "%s. `run` of /bin/true on the same toybox bundle, %d rounds, each runtime once per round (the first of a round rotates); wall time from outside the runtime, CPU time of the runtime and its init.", machine(), r.pairs)
	if slices.Contains(r.runtimes, "before") {
		fmt.Fprintf(&b, " \"before\" is an earlier nsinit (%s) in the same rounds.", filepath.Base(*startBase))
	}
	fmt.Fprintf(&b, "\n\n| runtime | median ms | 95%% interval of the median | min-max | CPU median ms |\n|---|---|---|---|---|\n")
	for _, rt := range r.runtimes {
		lo, hi := medianInterval(r.wall[rt])
		fmt.Fprintf(&b, "| %s | %s | %s-%s | %s-%s | %s |\n", rt, ms(median(r.wall[rt])), ms(lo), ms(hi), ms(slices.Min(r.wall[rt])), ms(slices.Max(r.wall[rt])), ms(median(r.cpu[rt])))
	}
	b.WriteString("\n")
	for _, rt := range r.runtimes {
		if rt == "runc" {
			continue
		}
		ratios := make([]float64, r.pairs)
		for i := range ratios {
			ratios[i] = float64(r.wall[rt][i]) / float64(r.wall["runc"][i])
		}
		slices.Sort(ratios)
		fmt.Fprintf(&b, "- ratio of medians (%s / runc): **%.2f**; per round: median %.2f, range %.2f-%.2f; CPU ratio of medians %.2f.\n",
			rt, float64(median(r.wall[rt]))/float64(median(r.wall["runc"])), median(ratios), ratios[0], ratios[len(ratios)-1],
			float64(median(r.cpu[rt]))/float64(median(r.cpu["runc"])))
	}
	fmt.Fprintf(&b, "\n## create, start, delete apart\n\nThe same bundle, %d rounds, each verb its own process; median ms (the wait between start and delete is not counted).\n\n", r.pairs)
	fmt.Fprintf(&b, "| verb | %s |\n|---|%s\n", strings.Join(r.runtimes, " | "), strings.Repeat("---|", len(r.runtimes)))
	for p, name := range phaseNames {
		fmt.Fprintf(&b, "| %s |", name)
		for _, rt := range r.runtimes {
			fmt.Fprintf(&b, " %s |", ms(median(r.phases[rt][p])))
		}
		b.WriteString("\n")
	}
	for _, rt := range r.runtimes {
		if rt == "runc" {
			continue
		}
		fmt.Fprintf(&b, "\n## Where %s's time goes\n\n`--trace run`, %d runs: each step's time since the previous one, median and quartiles (ms). Before the first step: the runtime's own start (exec, Go runtime, flags, reading the bundle).\n\n", rt, r.pairs)
		fmt.Fprintf(&b, "| step | median | quartiles |\n|---|---|---|\n")
		for _, s := range r.steps[rt] {
			q1, q3 := quartiles(r.trace[rt][s])
			fmt.Fprintf(&b, "| %s | %s | %s-%s |\n", s, ms(median(r.trace[rt][s])), ms(q1), ms(q3))
		}
		if rt == "nsinit" {
			fmt.Fprintf(&b, "\n![the trace steps](chart.svg)\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func quartiles(ds []time.Duration) (q1, q3 time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	return s[(n-1)/4], s[(3*(n-1)+3)/4]
}

// machine names what the figures were measured on.
func machine() string {
	var u syscall.Utsname
	kernel := "?"
	if syscall.Uname(&u) == nil {
		kernel = utsString(u.Release[:])
	}
	runc := "runc"
	if out, err := exec.Command(runcBin, "--version").Output(); err == nil {
		runc = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	cores := 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		cores = bytes.Count(b, []byte("\nprocessor"))
		if bytes.HasPrefix(b, []byte("processor")) {
			cores++
		}
	}
	return fmt.Sprintf("Linux %s, %d cores, %s", kernel, cores, runc)
}

func utsString(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

// chart draws each trace step's median as a horizontal bar, the first
// step on top, with its quartiles as an error bar.
func (r *startRun) chart() (*plot.Plot, error) {
	if len(r.steps["nsinit"]) == 0 {
		return nil, errors.New("no trace steps to chart")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("nsinit --trace run: where a start goes (%d runs)", r.pairs)
	p.X.Label.Text = "ms since the previous step: median, quartiles"
	n := len(r.steps["nsinit"])
	vals := make(plotter.Values, n)
	labels := make([]string, n)
	var errs plotterXErrors
	for i, s := range r.steps["nsinit"] {
		y := n - 1 - i
		m := median(r.trace["nsinit"][s])
		vals[y] = float64(m) / 1e6
		labels[y] = s
		q1, q3 := quartiles(r.trace["nsinit"][s])
		errs = append(errs, xErr{float64(m) / 1e6, float64(y), float64(m-q1) / 1e6, float64(q3-m) / 1e6})
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(10))
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.LineStyle.Width = 0
	bars.Color = plotColor
	p.Add(plotter.NewGrid(), bars)
	eb, err := plotter.NewXErrorBars(errs)
	if err != nil {
		return nil, err
	}
	p.Add(eb)
	p.NominalY(labels...)
	return p, nil
}

var plotColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}

type xErr struct{ x, y, lo, hi float64 }

type plotterXErrors []xErr

func (e plotterXErrors) Len() int                        { return len(e) }
func (e plotterXErrors) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e plotterXErrors) XError(i int) (float64, float64) { return e[i].lo, e[i].hi }

// TestMedianInterval checks the interval against the binomial table: for
// 20 runs the 95% interval of the median is the 6th to the 15th value.
func TestMedianInterval(t *testing.T) {
	var ds []time.Duration
	for i := 20; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	lo, hi := medianInterval(ds)
	if lo != 6*time.Millisecond || hi != 15*time.Millisecond {
		t.Errorf("medianInterval of 1..20 ms = %v-%v, want 6ms-15ms", lo, hi)
	}
	if m := median(ds); m != 10500*time.Microsecond {
		t.Errorf("median of 1..20 ms = %v, want 10.5ms", m)
	}
	lo, hi = medianInterval(ds[:4])
	if lo != 17*time.Millisecond || hi != 20*time.Millisecond {
		t.Errorf("medianInterval of four runs = %v-%v, want their range 17ms-20ms", lo, hi)
	}
}

func TestParseTrace(t *testing.T) {
	in := "trace    2.035ms    2.035ms  start: begin\nsomething else\ntrace    0.467ms    3.818ms  start: sealed binary ready\n"
	steps, err := parseTrace(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || steps[1].label != "start: sealed binary ready" || steps[1].d != 467*time.Microsecond {
		t.Errorf("parseTrace = %+v", steps)
	}
}
